"""Which files a batch analyses: folders, globs and files, and each survey's wind log."""

from __future__ import annotations

import glob
from collections.abc import Iterable
from pathlib import Path

from olfato.errors import OlfatoError

#: file name endings read as surveys when a folder is given (olfato.survey.io's readers)
SURVEY_SUFFIXES = (".csv", ".txt", ".ulg", ".tlog", ".bin", ".parquet")


def _is_glob(text: str) -> bool:
    return any(c in text for c in "*?[")


def wind_log_for(survey: Path, pattern: str) -> Path:
    """The wind log of ``survey`` named by ``pattern``.

    Parameters
    ----------
    survey : Path
        The survey file.
    pattern : str
        May use ``{stem}`` (the survey's name without its ending), ``{name}`` and
        ``{suffix}``; a relative result is taken in the survey's folder, e.g.
        ``{stem}_wind.csv`` -> ``flights/f01_wind.csv`` for ``flights/f01.csv``.

    Returns
    -------
    Path
        The wind log's path (it may not exist).

    Raises
    ------
    OlfatoError
        The pattern names a field other than those three (parameter ``wind_pattern``).
    """
    try:
        name = pattern.format(stem=survey.stem, name=survey.name, suffix=survey.suffix)
    except (KeyError, IndexError, ValueError) as exc:
        raise OlfatoError(
            f"wind pattern {pattern!r} is not valid: {exc}; use {{stem}}, {{name}} or {{suffix}}",
            parameter="wind_pattern",
        ) from None
    path = Path(name)
    return path if path.is_absolute() else survey.parent / path


def find_surveys(sources: Iterable[str | Path], *, wind_pattern: str | None = None) -> list[Path]:
    """The survey files named by ``sources``, sorted and without repeats.

    Parameters
    ----------
    sources : iterable of str or Path
        Files, folders (every survey file below them, at any depth) and glob patterns
        (``flights/2026-*/*.csv``; ``**`` matches any depth).
    wind_pattern : str, optional
        How a survey's wind log is named (:func:`wind_log_for`); files that are some
        survey's wind log are not surveys themselves.

    Returns
    -------
    list of Path
        Absolute paths, so that a worker on another machine reads the same files.

    Raises
    ------
    OlfatoError
        A file or folder that does not exist, or a pattern that matches nothing
        (parameter ``sources``).
    """
    found: set[Path] = set()
    for src in sources:
        text = str(src)
        if _is_glob(text):
            hits = [Path(p) for p in glob.glob(text, recursive=True)]
            if not hits:
                raise OlfatoError(f"{text}: no file matches this pattern", parameter="sources")
            found.update(p for p in hits if p.is_file())
            continue
        path = Path(text)
        if path.is_dir():
            found.update(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SURVEY_SUFFIXES
            )
        elif path.is_file():
            found.add(path)
        else:
            raise OlfatoError(f"{path}: no such file or folder", parameter="sources")
    files = {p.resolve() for p in found}
    if wind_pattern:
        winds = {wind_log_for(p, wind_pattern).resolve() for p in files}
        files -= winds
    return sorted(files)
