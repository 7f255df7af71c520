"""GeoJSON of a flight plan (RFC 7946): one LineString per sortie, [lon, lat].

Each sortie's route (home -> waypoints -> home) is a LineString Feature with
properties ``label``, ``kind``, ``altitude_m`` (above home), ``speed_ms``,
``distance_m``, ``flight_time_s``, ``endurance_s``, ``reserve``, ``fits``,
``expected_gain_nats`` and ``targets``; the home point is a Point Feature with
``role: "home"``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from olfato.output import writing
from olfato.plan.sortie import Sortie


def plan_geojson(sorties: Sequence[Sortie]) -> dict[str, Any]:
    """The plan as a GeoJSON FeatureCollection (module docstring).

    Parameters
    ----------
    sorties : sequence of Sortie
        The flights.

    Returns
    -------
    dict
        RFC 7946 FeatureCollection, positions [lon, lat] [deg].
    """
    features: list[dict[str, Any]] = []
    for s in sorties:
        route = s.route
        lat, lon = s.frame.to_wgs84(route[:, 0], route[:, 1])
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [
                        [round(float(lo), 8), round(float(la), 8)]
                        for la, lo in zip(lat, lon, strict=True)
                    ],
                },
                "properties": {
                    "label": s.label,
                    "kind": s.kind,
                    "altitude_m": s.altitude_m,
                    "speed_ms": s.speed_ms,
                    "distance_m": round(s.distance_m, 1),
                    "flight_time_s": round(s.flight_time_s, 1),
                    "endurance_s": s.endurance_s,
                    "reserve": s.reserve,
                    "fits": s.fits,
                    "expected_gain_nats": s.expected_gain_nats,
                    "targets": list(s.targets),
                },
            }
        )
    if sorties:
        hl, ho = sorties[0].home_wgs84()
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(ho, 8), round(hl, 8)]},
                "properties": {"role": "home"},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def write_geojson(sorties: Sequence[Sortie], path: str | Path) -> Path:
    """Write :func:`plan_geojson` to a file.

    Parameters
    ----------
    sorties : sequence of Sortie
        The flights.
    path : str or Path
        The file (its folder is made).

    Returns
    -------
    pathlib.Path
        The path written.
    """
    with writing(path, "GeoJSON") as p:
        p.write_text(json.dumps(plan_geojson(sorties), indent=2) + "\n", encoding="utf-8")
    return p
