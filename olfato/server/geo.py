"""The map's data: a case's sources, ellipses, hits and detections, and a survey's track.

Sources, their 95% ellipses and the hits come from the report's GeoJSON export (one
definition of the product); hits that no located source explains are marked
``kind: "detection"`` (a plume seen but not located: never suspect). The track is
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
    """The case's newest sources (with ellipses) and hits; unexplained hits are detections."""
    gj = case_geojson(view)
    explained: dict[str, set[int]] = {}
    for sv, src in view.sources:
        explained.setdefault(sv.survey.name, set()).update(int(h) for h in src.hit_numbers)
    for f in gj["features"]:
        p = f["properties"]
        if p["feature"] in ("source", "ellipse95"):
            p["kind"] = "source"
        elif p["feature"] == "hit" and p["id"] not in explained.get(p["survey"], set()):
            p["kind"] = "detection"
            p["suspect"] = False
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
