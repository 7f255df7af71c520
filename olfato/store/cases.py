"""Cases: create one, find one by name, add an analyst's note, and read one back whole.

These are the stage functions `olfato case ...` and the server call; every change is
one transaction with its audit event (:mod:`olfato.store.audit`).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from olfato.errors import OlfatoError
from olfato.store import models as m
from olfato.store.audit import record
from olfato.store.db import Store
from olfato.store.workspace import actor

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
#: words `olfato share` takes in place of a case (share verify PKG, share key)
RESERVED_NAMES = frozenset({"verify", "key"})
#: the languages a note may be written in
NOTE_LANGUAGES = ("en", "es")


class CaseError(OlfatoError):
    """A case that does not exist, or cannot be made."""


def check_case_name(name: str) -> str:
    if not _NAME.fullmatch(name or ""):  # whole: '$' would let a final newline in
        raise CaseError(
            f"{name!r} is not a usable case name: use 1 to 100 letters, digits, '.', '_' or "
            "'-', starting with a letter or digit (e.g. sonora-2026-07)."
        )
    if name.lower() in RESERVED_NAMES:
        raise CaseError(
            f"{name!r} cannot name a case: `olfato share {name.lower()}` means something else. "
            "Choose another name (e.g. sonora-2026-07)."
        )
    return name


def get_case(session: Session, name: str) -> m.Case:
    """The case called ``name``, or a clear error listing the cases there are."""
    case = session.scalar(select(m.Case).where(m.Case.name == name))
    if case is None:
        names = list(session.scalars(select(m.Case.name).order_by(m.Case.name).limit(20)))
        known = ", ".join(names) if names else "none yet"
        raise CaseError(
            f"There is no case called {name!r} in this store (cases: {known}).",
            hint="Create it with `olfato case new NAME`, or check --workspace / "
            "OLFATO_DATABASE_URL.",
        )
    return case


def new_case(store: Store, name: str) -> int:
    """Create a case; returns its id. A name already taken is an error."""
    check_case_name(name)
    try:
        with store.write() as s:
            case = m.Case(name=name, created_by=actor())
            s.add(case)
            s.flush()
            record(s, "case.new", case.id, {"name": name})
            return case.id
    except IntegrityError as exc:
        raise CaseError(f"A case called {name!r} already exists; nothing was changed.") from exc


def add_note(store: Store, case_name: str, text: str, *, lang: str, internal: bool) -> int:
    """Add an analyst's note (``internal`` ones never go into partner products)."""
    if lang not in NOTE_LANGUAGES:
        raise CaseError(f"A note's language is 'en' or 'es', not {lang!r}.")
    if not text.strip():
        raise CaseError("The note is empty; nothing was added.")
    with store.write() as s:
        case = get_case(s, case_name)
        note = m.Note(case_id=case.id, text=text.strip(), lang=lang, internal=internal)
        note.author = actor()
        s.add(note)
        s.flush()
        record(s, "note.add", case.id, {"note_id": note.id, "internal": internal, "lang": lang})
        return note.id


# -- reading a case back ---------------------------------------------------------------
@dataclass
class SurveyView:
    """A survey with its newest detect and locate runs (older versions stay in the store)."""

    survey: m.Survey
    detect: m.Run | None
    locate: m.Run | None
    versions: dict[str, int]

    @property
    def hits(self) -> list[m.Hit]:
        return list(self.detect.hits) if self.detect else []

    @property
    def sources(self) -> list[m.Source]:
        return list(self.locate.sources) if self.locate else []

    def raster(self) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """The locate run's posterior raster (east [m], north [m], probability per cell)."""
        if self.locate is None or self.locate.raster_npz is None:
            return None
        with np.load(io.BytesIO(self.locate.raster_npz)) as z:
            return z["east"], z["north"], z["density"]


@dataclass
class CaseView:
    """Everything about a case a report or `olfato case show` needs, read in one go."""

    case: m.Case
    surveys: list[SurveyView]
    notes: list[m.Note]
    products: list[m.Product]
    audit: list[m.AuditEvent]
    n_runs: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def sources(self) -> list[tuple[SurveyView, m.Source]]:
        return [(sv, src) for sv in self.surveys for src in sv.sources]

    @property
    def run_ids(self) -> list[int]:
        ids = []
        for sv in self.surveys:
            ids += [r.id for r in (sv.detect, sv.locate) if r is not None]
        return ids


def _latest(runs: list[m.Run], stage: str) -> m.Run | None:
    mine = [r for r in runs if r.stage == stage]
    return max(mine, key=lambda r: r.version) if mine else None


def load_case(store: Store, name: str, *, audit_limit: int = 50) -> CaseView:
    """Read a case with its surveys' newest runs, hits, sources, notes, products and audit."""
    with store.read() as s:
        case = get_case(s, name)
        views = []
        for sv in case.surveys:
            runs = list(sv.runs)
            det, loc = _latest(runs, "detect"), _latest(runs, "locate")
            for r in (det, loc):
                if r is not None:
                    list(r.hits), list(r.sources)  # load while the session is open
            versions = {st: sum(r.stage == st for r in runs) for st in ("detect", "locate")}
            views.append(SurveyView(sv, det, loc, versions))
        audit = list(
            s.scalars(
                select(m.AuditEvent)
                .where(m.AuditEvent.case_id == case.id)
                .order_by(m.AuditEvent.id.desc())
                .limit(audit_limit)
            )
        )[::-1]
        n_runs = s.scalar(select(func.count(m.Run.id)).where(m.Run.case_id == case.id)) or 0
        return CaseView(case, views, list(case.notes), list(case.products), audit, n_runs)
