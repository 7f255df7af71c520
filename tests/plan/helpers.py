"""Areas and candidates for the plan tests, written as real GeoJSON/KML files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from olfato.survey.projection import LocalFrame

FRAME = LocalFrame(29.0950, -111.0420)


def lonlat_ring(local: list[tuple[float, float]], frame: LocalFrame = FRAME) -> list[list[float]]:
    """A closed [lon, lat] ring from local (east, north) corners [m]."""
    arr = np.asarray(local, dtype=float)
    lat, lon = frame.to_wgs84(arr[:, 0], arr[:, 1])
    ring = [[float(a), float(b)] for a, b in zip(lon, lat, strict=True)]
    return [*ring, ring[0]]


def write_polygon(path: Path, *rings: list[tuple[float, float]], close: bool = True) -> Path:
    coords = [lonlat_ring(r) for r in rings]
    if not close:
        coords = [c[:-1] for c in coords]
    obj = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": coords},
                "properties": {"name": "area"},
            }
        ],
    }
    path.write_text(json.dumps(obj), encoding="utf-8")
    return path


def write_kml_polygon(path: Path, ring: list[tuple[float, float]]) -> Path:
    coords = " ".join(f"{lo:.8f},{la:.8f},0" for lo, la in lonlat_ring(ring))
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>area</name>'
        "<Polygon><outerBoundaryIs><LinearRing><coordinates>"
        f"{coords}</coordinates></LinearRing></outerBoundaryIs></Polygon>"
        "</Placemark></Document></kml>\n",
        encoding="utf-8",
    )
    return path


def rect(e0: float, e1: float, n0: float, n1: float) -> list[tuple[float, float]]:
    return [(e0, n0), (e1, n0), (e1, n1), (e0, n1)]


def sources_geojson(
    sources: list[dict[str, float | str | bool]], frame: LocalFrame = FRAME
) -> dict[str, object]:
    """A Sources FeatureCollection (DESIGN.md contract) from local positions."""
    feats = []
    for s in sources:
        lat, lon = frame.to_wgs84([float(s["east_m"])], [float(s["north_m"])])
        suspect = bool(s.get("suspect", True))
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [float(lon[0]), float(lat[0])]},
                "properties": {
                    "id": s["id"],
                    "rate_g_s": s.get("rate_g_s", 2.0),
                    "rate_ci95_g_s": [1.0, 4.0],
                    "analyte": s.get("analyte", "acetone"),
                    "ellipse95_m": {
                        "semi_major": s.get("semi_major", 60.0),
                        "semi_minor": s.get("semi_minor", 30.0),
                        "azimuth_deg": s.get("azimuth_deg", 90.0),
                    },
                    "signature": "clandestine_lab" if suspect else "fuel_station",
                    "signature_probabilities": (
                        {"clandestine_lab": 0.9, "fuel_station": 0.1}
                        if suspect
                        else {"clandestine_lab": 0.05, "fuel_station": 0.95}
                    ),
                    "suspect": suspect,
                    "n_hits": s.get("n_hits", 4),
                },
            }
        )
    return {"type": "FeatureCollection", "features": feats}
