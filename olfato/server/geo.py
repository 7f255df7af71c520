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


def posterior_png(survey_row: Any, raster: tuple[Any, Any, Any]) -> tuple[bytes, list[list[float]]]:
    """The locate run's posterior raster as a transparent PNG and its WGS84 bounds.

    Parameters
    ----------
    survey_row : olfato.store.models.Survey
        The survey (its local frame's origin, ``lat0``/``lon0``).
    raster : tuple of (east (nx,), north (ny,), density (ny, nx))
        The cell centres [m] and probability per cell.

    Returns
    -------
    tuple of (bytes, list)
        The PNG (orange, opacity rising with probability density; north up) and its
        bounds ``[[south, west], [north, east]]`` [deg] for an image overlay.
    """
    import io

    from PIL import Image

    from olfato.survey.projection import LocalFrame

    east, north, density = (np.asarray(x, dtype=float) for x in raster)
    de = float(east[1] - east[0]) if len(east) > 1 else 10.0
    dn = float(north[1] - north[0]) if len(north) > 1 else 10.0
    d = np.nan_to_num(density, nan=0.0)
    top = float(d.max()) if d.size else 0.0
    alpha = np.sqrt(d / top) if top > 0 else np.zeros_like(d)
    rgba = np.zeros((*d.shape, 4), dtype=np.uint8)
    rgba[..., 0], rgba[..., 1], rgba[..., 2] = 230, 120, 20
    rgba[..., 3] = np.round(200 * alpha).astype(np.uint8)
    img = Image.fromarray(rgba[::-1], "RGBA")  # row 0 is the northmost
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    frame = LocalFrame(survey_row.lat0, survey_row.lon0)
    lat, lon = frame.to_wgs84(
        np.array([east[0] - de / 2, east[-1] + de / 2]),
        np.array([north[0] - dn / 2, north[-1] + dn / 2]),
    )
    return buf.getvalue(), [[float(lat[0]), float(lon[0])], [float(lat[1]), float(lon[1])]]


def video_geojson(view: CaseView) -> dict[str, Any]:
    """The newest video run of each video: frame footprints, ground tracks, activity.

    Parameters
    ----------
    view : CaseView
        The case as :func:`olfato.store.cases.load_case` read it (videos included).

    Returns
    -------
    dict
        A GeoJSON FeatureCollection; each feature's ``kind`` is ``footprint`` (Polygon),
        ``track`` (LineString) or ``activity`` (Point at the site), with the video's name.
    """
    features = []
    for vv in view.videos:
        if vv.run is None:
            continue
        for o in vv.run.observations:
            if o.geometry is None:
                continue
            props = {k: v for k, v in (o.properties or {}).items() if k != "key_frame"}
            features.append(
                {
                    "type": "Feature",
                    "geometry": o.geometry,
                    "properties": {
                        **props,
                        "kind": o.kind,
                        "video": vv.video.name,
                        "start_time": o.start_time,
                        "end_time": o.end_time,
                    },
                }
            )
    return {"type": "FeatureCollection", "features": features}
