"""KML of a flight plan, for Google Earth and GIS (OGC KML 2.2, OGC 07-147r2).

One ``<Folder>`` per sortie holding its route as a ``<LineString>`` with
``<altitudeMode>relativeToGround</altitudeMode>`` (sec. 10.7, 16.2) and the home
point as a ``<Point>``; optionally the survey area, the no-fly zones (``<Polygon>``,
sec. 10.8) and the candidate sources. Written by :mod:`olfato.output.kml`, the one
KML writer, so text is escaped properly.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from olfato.output.kml import KmlDocument, Style
from olfato.plan.area import Area
from olfato.plan.sortie import Sortie

#: the plan's styles: route orange, survey area green, no-fly zones red (aabbggrr)
STYLES = (
    Style("route", line_color="ff00a5ff", line_width=3),
    Style("area", line_color="ff00ff00", line_width=2, poly_color="3300ff00"),
    Style("nofly", line_color="ff0000ff", line_width=2, poly_color="550000ff"),
)


def area_geometry(area: Area) -> dict[str, Any]:
    """An area as a GeoJSON-like Polygon (first ring outer, the others holes).

    Parameters
    ----------
    area : Area
        Rings in local metres.

    Returns
    -------
    dict
        ``{"type": "Polygon", "coordinates": [[[lon, lat], ...], ...]}`` [deg], rings
        closed.
    """
    rings = []
    for ring in area.wgs84_rings():
        closed = np.vstack([ring, ring[:1]])
        rings.append([[float(lo), float(la)] for la, lo in closed])
    return {"type": "Polygon", "coordinates": rings}


def plan_document(
    sorties: Sequence[Sortie],
    area: Area | None = None,
    no_fly: Sequence[Area] | None = None,
    candidates: Sequence[Any] | None = None,
    name: str = "olfato flight plan",
) -> KmlDocument:
    """The plan's KML document (module docstring).

    Parameters
    ----------
    sorties : sequence of Sortie
        One folder each: the route [m above home] and the home point.
    area : Area, optional
        The survey area, drawn as a polygon.
    no_fly : sequence of Area, optional
        No-fly zones, drawn as polygons.
    candidates : sequence, optional
        Objects with ``id``, ``east_m``, ``north_m`` [m] in the sorties' frame.
    name : str
        The document's name.

    Returns
    -------
    KmlDocument
        Ready to write.
    """
    doc = KmlDocument(name, styles=STYLES)
    if area is not None:
        doc.placemark(None, "survey area", area_geometry(area), style="area")
    for k, zone in enumerate(no_fly or [], start=1):
        doc.placemark(None, f"no-fly zone {k}", area_geometry(zone), style="nofly")
    for s in sorties:
        gain = (
            f", expected information gain {s.expected_gain_nats:.2f} nats"
            if s.expected_gain_nats is not None
            else ""
        )
        folder = doc.folder(
            s.label,
            description=f"{s.kind}: {s.distance_m:.0f} m, {s.flight_time_s / 60:.1f} min of "
            f"{s.endurance_s / 60:.1f} min battery ({s.reserve:.0%} reserve), "
            f"altitude {s.altitude_m:g} m above home{gain}",
        )
        route = s.route
        lat, lon = s.frame.to_wgs84(route[:, 0], route[:, 1])
        line = {
            "type": "LineString",
            "coordinates": [[lo, la, s.altitude_m] for la, lo in zip(lat, lon, strict=True)],
        }
        doc.placemark(
            folder, f"{s.label} route", line, style="route", altitude_mode="relativeToGround"
        )
        hl, ho = s.home_wgs84()
        doc.placemark(folder, "home point", {"type": "Point", "coordinates": [ho, hl]})
    if candidates and sorties:
        folder = doc.folder("candidate sources")
        frame = sorties[0].frame
        for c in candidates:
            la, lo = frame.to_wgs84([c.east_m], [c.north_m])
            point = {"type": "Point", "coordinates": [float(lo[0]), float(la[0])]}
            doc.placemark(folder, str(c.id), point)
    return doc


def write_kml(
    sorties: Sequence[Sortie],
    path: str | Path,
    area: Area | None = None,
    no_fly: Sequence[Area] | None = None,
    candidates: Sequence[Any] | None = None,
) -> Path:
    """Write the plan as KML 2.2 (:func:`plan_document`).

    Parameters
    ----------
    sorties, area, no_fly, candidates
        As :func:`plan_document`.
    path : str or Path
        The file to write (its folder is made).

    Returns
    -------
    pathlib.Path
        The path written.
    """
    return plan_document(sorties, area, no_fly, candidates).write(path)
