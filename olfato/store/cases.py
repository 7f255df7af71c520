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
#: the languages a note may be written in
NOTE_LANGUAGES = ("en", "es")


class CaseError(OlfatoError):
    """A case that does not exist, or cannot be made."""


def check_case_name(name: str) -> str:
    """The name unchanged when it can name a case, or a clear error.

    Parameters
    ----------
    name : str
        Proposed case name: 1 to 100 letters, digits, ``.``, ``_`` or ``-``,
        starting with a letter or digit.

    Returns
    -------
    str
        ``name``.

    Raises
    ------
    CaseError
        A name that does not fit.
    """
    if not _NAME.fullmatch(name or ""):  # whole: '$' would let a final newline in
        raise CaseError(
            f"{name!r} is not a usable case name: use 1 to 100 letters, digits, '.', '_' or "
            "'-', starting with a letter or digit (e.g. sonora-2026-07)."
        )
    return name


def get_case(session: Session, name: str) -> m.Case:
    """The case called ``name``, or a clear error listing the cases there are.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        An open session.
    name : str
        Case name.

    Returns
    -------
    olfato.store.models.Case
        The case row.

    Raises
    ------
    CaseError
        No case has that name (the message lists up to 20 that exist).
    """
    case = session.scalar(select(m.Case).where(m.Case.name == name))
    if case is None:
        names = list(session.scalars(select(m.Case.name).order_by(m.Case.name).limit(20)))
        known = ", ".join(names) if names else "none yet"
        raise CaseError(
            f"There is no case called {name!r} in this store (cases: {known}).",
            hint="Create it with `olfato case new NAME`, or check the workspace / "
            "OLFATO_DATABASE_URL.",
        )
    return case


def new_case(store: Store, name: str) -> int:
    """Create a case; returns its id. A name already taken is an error.

    Parameters
    ----------
    store : Store
        The open case store.
    name : str
        Case name (see :func:`check_case_name`).

    Returns
    -------
    int
        The new case's id.

    Raises
    ------
    CaseError
        An unusable name, or one already taken (nothing is changed).
    """
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
    """Add an analyst's note (``internal`` ones never go into partner products).

    Parameters
    ----------
    store : Store
        The open case store.
    case_name : str
        Case the note belongs to.
    text : str
        The note; leading and trailing blanks are dropped.
    lang : {"en", "es"}
        Language the note is written in.
    internal : bool
        Keep the note out of products shared with partners.

    Returns
    -------
    int
        The new note's id.

    Raises
    ------
    CaseError
        An unknown case or language, or an empty note.
    """
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
    """A survey with its newest detect and locate runs (older versions stay in the store).

    Attributes
    ----------
    survey : olfato.store.models.Survey
        The survey row.
    detect, locate : olfato.store.models.Run or None
        Its newest detect and locate runs (None when never run).
    versions : dict of str to int
        Number of runs per stage (``{"detect": 2, "locate": 1}``).
    """

    survey: m.Survey
    detect: m.Run | None
    locate: m.Run | None
    versions: dict[str, int]

    @property
    def hits(self) -> list[m.Hit]:
        return list(self.detect.hits) if self.detect else []

    @property
    def sources(self) -> list[m.Source]:
        """The located sources of the newest locate run (detections apart)."""
        return [s for s in self.locate.sources if s.located] if self.locate else []

    @property
    def detections(self) -> list[m.Source]:
        """Plumes the newest locate run saw but could not locate: bearing, no region."""
        return [s for s in self.locate.sources if not s.located] if self.locate else []

    def raster(self) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """The locate run's posterior raster (east [m], north [m], probability per cell).

        Returns
        -------
        tuple of numpy.ndarray or None
            ``(east, north, density)``: cell centres [m] in the survey's local frame and
            the posterior probability of each cell [-]; None without a locate run or
            raster.
        """
        if self.locate is None or self.locate.raster_npz is None:
            return None
        with np.load(io.BytesIO(self.locate.raster_npz)) as z:
            return z["east"], z["north"], z["density"]


@dataclass
class VideoView:
    """A video of the case with its newest ``video`` run.

    Attributes
    ----------
    video : olfato.store.models.Video
        The video row.
    run : olfato.store.models.Run or None
        Its newest video run, with its observations loaded.
    """

    video: m.Video
    run: m.Run | None

    @property
    def activity(self) -> list[m.Observation]:
        """The run's ``activity`` observations: tracks near each candidate source."""
        return [o for o in self.run.observations if o.kind == "activity"] if self.run else []


@dataclass
class CaseView:
    """Everything about a case a report or `olfato case show` needs, read in one go.

    Attributes
    ----------
    case : olfato.store.models.Case
        The case row.
    surveys : list of SurveyView
        Its surveys, each with its newest runs.
    notes : list of olfato.store.models.Note
        Analysts' notes, internal ones included.
    products : list of olfato.store.models.Product
        Products made for the case.
    audit : list of olfato.store.models.AuditEvent
        The newest audit events, oldest first.
    n_runs : int
        Runs of every stage recorded for the case.
    videos : list of VideoView
        Its videos, each with its newest video run.
    extra : dict
        Anything else a caller attaches.
    """

    case: m.Case
    surveys: list[SurveyView]
    notes: list[m.Note]
    products: list[m.Product]
    audit: list[m.AuditEvent]
    n_runs: int
    videos: list[VideoView] = field(default_factory=list)
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
    """Read a case with its surveys' newest runs, hits, sources, notes, products and audit.

    Parameters
    ----------
    store : Store
        The open case store.
    name : str
        Case name.
    audit_limit : int, default 50
        Most audit events to read (the newest).

    Returns
    -------
    CaseView
        The case, read in one session; its objects stay usable after it closes.

    Raises
    ------
    CaseError
        No case has that name.
    """
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
        videos = []
        for video in s.scalars(select(m.Video).where(m.Video.case_id == case.id)):
            run = s.scalar(
                select(m.Run)
                .where(
                    m.Run.case_id == case.id,
                    m.Run.stage == "video",
                    m.Run.subject == f"video:{video.id}",
                )
                .order_by(m.Run.version.desc())
                .limit(1)
            )
            if run is not None:
                list(run.observations)  # load while the session is open
            videos.append(VideoView(video, run))
        return CaseView(
            case, views, list(case.notes), list(case.products), audit, n_runs, videos=videos
        )
