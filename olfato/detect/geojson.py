"""Hits as GeoJSON (RFC 7946): one Point feature [lon, lat] per hit, at its peak."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from olfato.output import writing

if TYPE_CHECKING:
    from olfato.detect.pipeline import Hits


def _num(x: Any) -> Any:
    """JSON-safe number: NaN and infinities become null."""
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def hits_to_geojson(hits: Hits) -> dict[str, Any]:
    """FeatureCollection of the hits.

    Properties: ``id``; ``start_time``, ``end_time``, ``peak_time`` (ISO 8601 UTC);
    ``duration_s`` [s]; ``wind_speed_ms`` [m/s], ``wind_dir_deg`` (FROM) [deg];
    ``snr`` [sd]; per channel ``<c>_peak_ppb``, ``<c>_peak_err_ppb`` [ppb] and
    ``<c>_int_ppb_s``, ``<c>_int_err_ppb_s`` [ppb s] (the fingerprint's integral) and
    ``<c>_int_whole_ppb_s``, ``<c>_int_whole_err_ppb_s`` [ppb s] (the whole crossing's,
    which locate matches to a plume model); ``ratios`` {channel: {ratio,
    se, mswd}} against ``ratio_reference``; ``signature``,
    ``signature_probabilities``, ``suspect``, ``mixture``.

    Parameters
    ----------
    hits : Hits
        The result of :func:`olfato.detect.detect`.

    Returns
    -------
    dict
        A GeoJSON FeatureCollection of Point features [lon, lat in deg].
    """
    features = []
    for row, fp in zip(hits.table.to_dict("records"), hits.fingerprints, strict=True):
        props: dict[str, Any] = {
            "id": int(row["id"]),
            "start_time": row["start_utc"],
            "end_time": row["end_utc"],
            "peak_time": row["peak_utc"],
            "duration_s": row["duration_s"],
            "east_m": row["east_m"],
            "north_m": row["north_m"],
            "alt_agl_m": row["alt_agl_m"],
            "wind_speed_ms": row["wind_speed_ms"],
            "wind_dir_deg": row["wind_dir_deg"],
            "snr": row["snr"],
            "trigger": row["trigger"],
        }
        for c in hits.channels:
            for key in (
                "peak_ppb",
                "peak_err_ppb",
                "int_ppb_s",
                "int_err_ppb_s",
                "int_whole_ppb_s",
                "int_whole_err_ppb_s",
            ):
                props[f"{c}_{key}"] = row[f"{c}_{key}"]
        cls = fp.classification
        props["ratio_reference"] = fp.reference
        props["ratios"] = {
            c: {"ratio": _num(f.slope), "se": _num(f.slope_se_scaled), "mswd": _num(f.mswd)}
            for c, f in fp.ratios.items()
        }
        props["signature"] = cls.signature
        props["signature_probabilities"] = {k: round(v, 6) for k, v in cls.probabilities.items()}
        props["suspect"] = bool(cls.suspect)
        props["mixture"] = cls.mixture
        props = {k: _num(v) for k, v in props.items()}
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
                "properties": props,
            }
        )
    return {
        "type": "FeatureCollection",
        "properties": {
            "survey": hits.survey.source,
            "false_alarms_per_hour": hits.false_alarms_per_hour,
            "threshold_sd": hits.threshold,
            "signature_library": list(hits.library.sources),
            "warnings": list(hits.warnings),
        },
        "features": features,
    }


def write_geojson(hits: Hits, path: str | Path) -> Path:
    """Write :func:`hits_to_geojson` to ``path``; :class:`OlfatoError` if it cannot.

    Parameters
    ----------
    hits : Hits
        The result of :func:`olfato.detect.detect`.
    path : str or Path
        The file to write.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    OlfatoError
        When the file cannot be written.
    """
    with writing(path, "hits GeoJSON") as p:
        p.write_text(json.dumps(hits_to_geojson(hits), indent=1) + "\n", encoding="utf-8")
    return p
