"""A case with one analysed flight, two notes and its products, made once per session."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from olfato.casework.surveys import record_analysis
from olfato.report.make import make_exports, make_report
from olfato.store import models as m
from olfato.store.cases import add_note, new_case
from olfato.store.db import Store
from olfato.store.workspace import Workspace
from tests.store.analysis import Analysis, demo_analysis

CASE = "sonora"
SPANISH_NOTE = "Se observaron tambores de disolvente junto al galpón del norte."
INTERNAL_NOTE = "Informant K-7 named the owner; internal only."


@dataclass
class Made:
    workspace: Workspace
    analysis: Analysis
    released: dict[tuple[str, str], Path]  # (lang, format) -> path, releasable to MX
    internal_html: Path
    exports: dict[str, Path]

    def store(self) -> Store:
        return Store(self.workspace)


def _paths(store: Store, products: list[m.Product]) -> dict[tuple[str, str], Path]:
    return {(p.lang, p.format): store.workspace.resolve(p.path) for p in products}


@pytest.fixture(scope="session")
def made(tmp_path_factory: pytest.TempPathFactory) -> Made:
    folder = tmp_path_factory.mktemp("case")
    a = demo_analysis(folder)
    ws = Workspace.locate(folder / "ws", f"sqlite:///{folder / 'ws' / 'case.db'}")
    with Store(ws) as store:
        new_case(store, CASE)
        add_note(store, CASE, SPANISH_NOTE, lang="es", internal=False)
        add_note(store, CASE, INTERNAL_NOTE, lang="en", internal=True)
        record_analysis(store, CASE, a.csv, a.survey, a.hits, a.sources)
        released = make_report(store, CASE, lang="both", fmt="both", releasable_to=["MX"])
        internal = make_report(store, CASE, lang="en", fmt="html")
        exports = make_exports(store, CASE, releasable_to=["mx"])
        return Made(
            ws,
            a,
            _paths(store, released),
            _paths(store, internal)[("en", "html")],
            {p.format: store.workspace.resolve(p.path) for p in exports},
        )
