"""The case step of `make demo`: the flow into a case, bilingual reports and a partner package."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from olfato.progress import console

if TYPE_CHECKING:
    from olfato.detect.pipeline import Hits
    from olfato.locate.pipeline import Sources
    from olfato.survey.model import Survey

DEMO_CASE = "demo-sonora"
DEMO_PARTNER = "MX"


def step_case_products(
    survey: Survey, hits: Hits, sources: Sources, out: Path, *, quiet: bool = False
) -> dict[str, Path]:
    """Record the demo flight in a case (workspace ``out/workspace``, SQLite), write the
    English and Spanish reports releasable to a partner, the exports and the signed
    partner package; print and return their paths. Running it again adds new versions."""
    from olfato.casework.surveys import record_analysis
    from olfato.errors import OlfatoError
    from olfato.report.make import make_exports, make_report
    from olfato.report.products import next_version
    from olfato.report.share import (
        build_package,
        export_public_key,
        load_public_key,
        verify_package,
    )
    from olfato.store.cases import add_note, load_case, new_case
    from olfato.store.db import open_store

    console.rule("[bold]The case: store, bilingual reports, partner package")
    root = out / "workspace"
    with open_store(root, f"sqlite:///{(root / 'case.db').resolve()}") as store:
        try:
            new_case(store, DEMO_CASE)
            add_note(
                store,
                DEMO_CASE,
                "Se observaron tambores de disolvente junto a un galpón sin ventanas al norte "
                "del camino.",
                lang="es",
                internal=False,
            )
            add_note(
                store,
                DEMO_CASE,
                "Internal: the tip came from informant K-7; do not share.",
                lang="en",
                internal=True,
            )
        except OlfatoError:
            pass  # the case is there from an earlier demo: add new versions to it
        added = record_analysis(store, DEMO_CASE, Path(survey.source), survey, hits, sources)
        console.print(added.message, highlight=False, soft_wrap=True)
        products = make_report(
            store,
            DEMO_CASE,
            lang="both",
            fmt="both",
            out=out / "products",
            releasable_to=[DEMO_PARTNER],
        )
        products += make_exports(
            store, DEMO_CASE, out=out / "products", releasable_to=[DEMO_PARTNER]
        )
        version = next_version(store, DEMO_CASE, "package", "", "zip")
        pkg = build_package(
            store, DEMO_CASE, DEMO_PARTNER, out / f"{DEMO_CASE}.{DEMO_PARTNER}.v{version}.zip"
        )
        key = export_public_key(store.workspace)
        checked = verify_package(store.workspace.resolve(pkg.path), load_public_key(key))
        paths = {
            ".".join(x for x in (p.kind, p.lang, p.format) if x): store.workspace.resolve(p.path)
            for p in products
        }
        paths["package"] = store.workspace.resolve(pkg.path)
        paths["public_key"] = key
        view = load_case(store, DEMO_CASE)
    for name, path in paths.items():
        console.print(f"{name:>18}: {path}", highlight=False)
    console.print(checked.message, highlight=False, soft_wrap=True)
    console.print(
        f"case {DEMO_CASE}: {view.n_runs} run(s) recorded; see `olfato case show {DEMO_CASE} "
        f"--workspace {root}`",
        highlight=False,
    )
    return paths
