"""Surveys stored as Parquet by olfato (``survey convert --out X.parquet``), read back
through the same validation as every other format.

The file's ``olfato`` metadata gives the local frame, the gas channels and the units
they were recorded in; the samples are checked again (a Parquet file can be edited or
damaged like any other), so NaN positions or times that go backwards are dropped and
reported, never passed on.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from olfato.errors import SurveyError
from olfato.physics.analytes import KNOWN_ANALYTES, UNIT_TO_PPB
from olfato.survey.model import LOCAL_COLUMNS, NAV_COLUMNS, Survey
from olfato.survey.projection import LocalFrame
from olfato.survey.validate import WIND_COLUMNS, RowFlags, build_survey, check_numeric

#: most bytes of metadata read [bytes]
MAX_METADATA_BYTES = 1 << 20


def survey_metadata(raw: bytes | None, path: Path) -> dict[str, Any]:
    """The ``olfato`` metadata of a survey Parquet file, checked; errors name the key.

    Parameters
    ----------
    raw : bytes or None
        The value of the schema's ``olfato`` metadata key (JSON), None when absent.
    path : Path
        The file, named in errors.

    Returns
    -------
    dict[str, Any]
        The metadata: ``frame`` (``lat0``, ``lon0`` [deg]), ``channels`` (analyte ->
        ``ppm`` or ``ppb``), and optionally ``source``, ``format`` and ``report``.

    Raises
    ------
    SurveyError
        When the metadata is missing, larger than :data:`MAX_METADATA_BYTES`, not a
        JSON object, or its frame, channels, source or format is invalid.
    """
    if raw is None:
        raise SurveyError(
            "Parquet file has no olfato survey metadata",
            path=str(path),
            hint="Write it with `olfato survey convert FILE --out X.parquet`.",
        )
    if len(raw) > MAX_METADATA_BYTES:
        raise SurveyError("the olfato metadata is too large to be a survey's", path=str(path))
    try:
        meta = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise SurveyError("the olfato metadata is not valid JSON", path=str(path)) from exc
    if not isinstance(meta, dict):
        raise SurveyError("the olfato metadata is not a JSON object", path=str(path))

    def bad(key: str, what: str) -> SurveyError:
        return SurveyError(f"olfato metadata field '{key}': {what}", path=str(path))

    frame = meta.get("frame")
    if not isinstance(frame, dict):
        raise bad("frame", "missing (an object with lat0, lon0)")
    for key, limit in (("lat0", 90.0), ("lon0", 180.0)):
        v = frame.get(key)
        if not isinstance(v, (int, float)) or not math.isfinite(v) or abs(v) > limit:
            raise bad(f"frame.{key}", f"not a coordinate within +-{limit:g} deg ({v!r})")
    channels = meta.get("channels")
    if not isinstance(channels, dict) or not channels:
        raise bad("channels", "missing (an object: analyte -> ppm or ppb)")
    for name, unit in channels.items():
        if name not in KNOWN_ANALYTES or unit not in UNIT_TO_PPB:
            raise bad(f"channels.{name}", f"not a known analyte with unit ppm or ppb ({unit!r})")
    for key in ("source", "format"):
        if key in meta and not isinstance(meta[key], str):
            raise bad(key, "not text")
    return meta


def read_parquet(
    path: str | Path, *, strict: bool = False, frame: LocalFrame | None = None
) -> Survey:
    """Read a survey Parquet file and validate its samples; ``line`` means row (from 1).

    Parameters
    ----------
    path : str or Path
        The Parquet file, written by olfato.
    strict : bool, default False
        Any bad row is an error instead of being dropped and reported.
    frame : LocalFrame or None, default None
        The local projection; None uses the one stored in the file's metadata.

    Returns
    -------
    Survey
        The validated, projected survey (gas channels [ppb]); its ``source`` is the
        file it was first read from.

    Raises
    ------
    SurveyError
        When the file is not readable Parquet, its metadata is missing or invalid,
        its columns cannot be converted, or a navigation or gas column is missing
        (:class:`~olfato.errors.StrictValidationError` when ``strict`` and a row is
        bad).
    """
    import pyarrow.parquet as pq

    path = Path(path)
    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several types for a bad file
        raise SurveyError(f"not a readable Parquet file: {exc}", path=str(path)) from exc
    meta = survey_metadata((table.schema.metadata or {}).get(b"olfato"), path)
    try:
        samples = table.to_pandas()
    except Exception as exc:  # an unsupported or damaged column
        raise SurveyError(f"cannot convert the Parquet columns: {exc}", path=str(path)) from exc
    channels = {str(k): str(v) for k, v in meta["channels"].items()}
    need = [c for c in (*NAV_COLUMNS, *channels) if c not in samples.columns]
    if need:
        raise SurveyError(f"missing column(s) {', '.join(need)}", path=str(path))
    if frame is None:
        frame = LocalFrame(float(meta["frame"]["lat0"]), float(meta["frame"]["lon0"]))
    canonical = samples.drop(columns=[c for c in LOCAL_COLUMNS if c in samples])
    has_wind = bool(np.isfinite(pd.to_numeric(canonical[WIND_COLUMNS[0]], errors="coerce")).any())
    flags = RowFlags(np.arange(1, len(canonical) + 1, dtype=np.int64))
    check_numeric(canonical, ["time"], flags)
    survey = build_survey(
        canonical,
        channels=channels,
        flags=flags,
        source=str(path),
        format=str(meta.get("format", "parquet")),
        strict=strict,
        frame=frame,
        wind=has_wind,
    )
    old = meta.get("report")
    if isinstance(old, dict) and isinstance(old.get("notes"), list):
        survey.report.notes.extend(str(n) for n in old["notes"])
    survey.report.notes.append(f"read from Parquet {path}")
    # the survey is the one first read from its source (errors above name this file)
    survey.source = str(meta.get("source", path))
    return survey
