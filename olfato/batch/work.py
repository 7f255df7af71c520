"""What a Dask worker runs: one survey through read, detect and locate, sent back compact.

The worker never opens the case database; it returns a
:class:`olfato.casework.surveys.CompactAnalysis` (samples as Parquet bytes, hit rows,
source features, parameters, the raster as .npz bytes) or a :class:`Failure` saying
why. A process-wide lock holds a worker process to one survey at a time, however many
threads it was started with, so its memory is one survey's.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from olfato.errors import OlfatoError

if TYPE_CHECKING:
    from olfato.casework.surveys import CompactAnalysis

#: one survey at a time per worker process
_ONE_SURVEY = threading.Lock()


@dataclass(frozen=True)
class Failure:
    """A survey that could not be analysed, and why (the message a user reads)."""

    path: str
    error: str
    started_at: datetime


def describe(exc: BaseException) -> str:
    """The message recorded for a failed survey.

    Parameters
    ----------
    exc : BaseException
        What went wrong.

    Returns
    -------
    str
        An :class:`OlfatoError`'s own text, else the exception's type and text (an
        unexpected failure, worth a bug report).
    """
    if isinstance(exc, OlfatoError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def analyse_on_worker(
    path: str,
    *,
    mapping: str | None,
    wind: str | None,
    strict: bool,
    expected_key: str,
) -> CompactAnalysis | Failure:
    """Analyse one survey file and return it compact, or a :class:`Failure`.

    Parameters
    ----------
    path, mapping, wind : str
        Absolute paths the worker can read (a shared file system at scale).
    strict : bool
        Any bad row is an error.
    expected_key : str
        The analysis key the client computed from the files' checksums; a different
        one here means a file changed in between, and the survey fails rather than
        being recorded under the wrong key.

    Returns
    -------
    CompactAnalysis or Failure
        Never raises: every failure of one survey comes back as a :class:`Failure`.
    """
    from olfato.casework.surveys import analyse_survey, compact_analysis

    with _ONE_SURVEY:
        started = datetime.now(UTC)
        try:
            analysis = analyse_survey(path, mapping=mapping, wind=wind, strict=strict, quiet=True)
            compact = compact_analysis(analysis)
            del analysis
        except Exception as exc:  # every failure of one survey is recorded, none stops a batch
            return Failure(path, describe(exc), started)
    if compact.key != expected_key:
        return Failure(
            path,
            f"{path}: the file, its mapping or its wind log changed while the batch ran; "
            "run the batch again",
            started,
        )
    return compact
