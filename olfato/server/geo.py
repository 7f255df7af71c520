"""The map's data: a case's sources, ellipses, hits and detections, and a survey's track.

Sources, their 95% ellipses and the hits come from the report's GeoJSON export (one
definition of the product); the locate runs' detections (a plume seen but not located:
a bearing, never suspect) are added with ``kind: "detection"``. The track is
downsampled to at most :data:`TRACK_POINTS` points with each point's enhancement in
noise standard deviations above the channel's background
(:func:`olfato.detect.background.estimate_background`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from olfato.report.exports import case_geojson
from olfato.store.cases import CaseView

#: most points of a track sent to the map
TRACK_POINTS = 2000


def sources_geojson(view: CaseView) -> dict[str, Any]:
    """The case's newest located sources (with their 95% ellipses), hits and detections.

    Parameters
    ----------
    view : CaseView
        The case as :func:`olfato.store.cases.load_case` read it.

    Returns
    -------
    dict
        The report's GeoJSON export (:func:`olfato.report.exports.case_geojson`), every
        feature with ``kind`` (``source``, ``hit`` or ``detection``), plus one Point per
        detection with its ``bearing_deg`` and ``wedge_deg`` (never suspect).
    """
    gj = case_geojson(view)
    for f in gj["features"]:
        p = f["properties"]
        p["kind"] = "hit" if p["feature"] == "hit" else "source"
    for sv in view.surveys:
        for d in sv.detections:
            gj["features"].append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [d.lon, d.lat]},
                    "properties": {
                        "feature": "detection",
                        "kind": "detection",
                        "survey": sv.survey.name,
                        "id": d.label,
                        "bearing_deg": d.bearing_deg,
                        "wedge_deg": d.wedge_deg,
                        "analyte": d.analyte,
                        "n_hits": d.n_hits,
                        "suspect": False,
                    },
                }
            )
    return gj


def track(survey: Any, analyte: str | None = None) -> dict[str, Any]:
    """A survey's track: lat, lon [deg] and enhancement [noise sd] of ``analyte`` (default:
    the first channel), downsampled to at most :data:`TRACK_POINTS` points."""
    from olfato.detect.background import estimate_background

    analyte = analyte or survey.analytes[0]
    t = survey.time
    y = survey.gas(analyte)
    bg = estimate_background(t, y)
    noise = bg.noise if bg.noise > 0 else float("nan")
    z = (y - bg.level) / noise
    step = max(1, int(np.ceil(len(t) / TRACK_POINTS)))
    idx = np.arange(0, len(t), step)
    # keep each window's largest enhancement so a narrow plume is not skipped
    zmax = np.array(
        [np.nanmax(z[i : i + step]) if np.isfinite(z[i : i + step]).any() else 0.0 for i in idx]
    )
    lat = survey.samples["lat"].to_numpy(dtype=float)[idx]
    lon = survey.samples["lon"].to_numpy(dtype=float)[idx]
    return {
        "analyte": analyte,
        "lat": np.round(lat, 7).tolist(),
        "lon": np.round(lon, 7).tolist(),
        "enhancement_sd": np.round(np.nan_to_num(zmax, nan=0.0), 2).tolist(),
    }
