"""KML of a flight plan, for Google Earth and GIS (OGC KML 2.2, OGC 07-147r2).

One ``<Folder>`` per sortie holding its route as a ``<LineString>`` with
``<altitudeMode>relativeToGround</altitudeMode>`` (sec. 10.7, 16.2) and the home
point as a ``<Point>``; optionally the survey area, the no-fly zones (``<Polygon>``,
sec. 10.8) and the candidate sources. Coordinates are ``lon,lat[,alt]`` (sec. 16.9).
Written with :mod:`xml.etree.ElementTree`, so text is escaped properly.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from olfato.output import writing
from olfato.plan.area import Area
from olfato.plan.sortie import Sortie

KML_NS = "http://www.opengis.net/kml/2.2"


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    el = ET.SubElement(parent, f"{{{KML_NS}}}{tag}")
    if text is not None:
        el.text = text
    return el


def _style(doc: ET.Element, sid: str, line_abgr: str, width: str, poly_abgr: str | None) -> None:
    st = _sub(doc, "Style")
    st.set("id", sid)
    ls = _sub(st, "LineStyle")
    _sub(ls, "color", line_abgr)
    _sub(ls, "width", width)
    if poly_abgr is not None:
        ps = _sub(st, "PolyStyle")
        _sub(ps, "color", poly_abgr)


def _coords(lat: Any, lon: Any, alt: float | None = None) -> str:
    if alt is None:
        return " ".join(f"{lo:.8f},{la:.8f}" for la, lo in zip(lat, lon, strict=True))
    return " ".join(f"{lo:.8f},{la:.8f},{alt:.1f}" for la, lo in zip(lat, lon, strict=True))


def _polygon(folder: ET.Element, name: str, area: Area, style: str) -> None:
    pm = _sub(folder, "Placemark")
    _sub(pm, "name", name)
    _sub(pm, "styleUrl", f"#{style}")
    poly = _sub(pm, "Polygon")
    for k, ring in enumerate(area.wgs84_rings()):
        closed = np.vstack([ring, ring[:1]])
        boundary = _sub(poly, "outerBoundaryIs" if k == 0 else "innerBoundaryIs")
        lr = _sub(boundary, "LinearRing")
        _sub(lr, "coordinates", _coords(closed[:, 0], closed[:, 1]))


def kml_tree(
    sorties: Sequence[Sortie],
    area: Area | None = None,
    no_fly: Sequence[Area] | None = None,
    candidates: Sequence[Any] | None = None,
    name: str = "olfato flight plan",
) -> ET.ElementTree:
    """The KML document (module docstring); ``candidates`` have id, east_m, north_m."""
    ET.register_namespace("", KML_NS)
    root = ET.Element(f"{{{KML_NS}}}kml")
    doc = _sub(root, "Document")
    _sub(doc, "name", name)
    _style(doc, "route", "ff00a5ff", "3", None)
    _style(doc, "area", "ff00ff00", "2", "3300ff00")
    _style(doc, "nofly", "ff0000ff", "2", "550000ff")
    if area is not None:
        _polygon(doc, "survey area", area, "area")
    for k, zone in enumerate(no_fly or [], start=1):
        _polygon(doc, f"no-fly zone {k}", zone, "nofly")
    for s in sorties:
        folder = _sub(doc, "Folder")
        _sub(folder, "name", s.label)
        gain = (
            f", expected information gain {s.expected_gain_nats:.2f} nats"
            if s.expected_gain_nats is not None
            else ""
        )
        _sub(
            folder,
            "description",
            f"{s.kind}: {s.distance_m:.0f} m, {s.flight_time_s / 60:.1f} min of "
            f"{s.endurance_s / 60:.1f} min battery ({s.reserve:.0%} reserve), "
            f"altitude {s.altitude_m:g} m above home{gain}",
        )
        route = s.route
        lat, lon = s.frame.to_wgs84(route[:, 0], route[:, 1])
        pm = _sub(folder, "Placemark")
        _sub(pm, "name", f"{s.label} route")
        _sub(pm, "styleUrl", "#route")
        ls = _sub(pm, "LineString")
        _sub(ls, "altitudeMode", "relativeToGround")
        _sub(ls, "coordinates", _coords(lat, lon, s.altitude_m))
        hl, ho = s.home_wgs84()
        hp = _sub(folder, "Placemark")
        _sub(hp, "name", "home point")
        pt = _sub(hp, "Point")
        _sub(pt, "coordinates", _coords([hl], [ho]))
    if candidates:
        folder = _sub(doc, "Folder")
        _sub(folder, "name", "candidate sources")
        for c in candidates:
            frame = sorties[0].frame if sorties else None
            if frame is None:
                break
            la, lo = frame.to_wgs84([c.east_m], [c.north_m])
            pm = _sub(folder, "Placemark")
            _sub(pm, "name", str(c.id))
            pt = _sub(pm, "Point")
            _sub(pt, "coordinates", _coords(la, lo))
    tree = ET.ElementTree(root)
    ET.indent(tree)
    return tree


def write_kml(
    sorties: Sequence[Sortie],
    path: str | Path,
    area: Area | None = None,
    no_fly: Sequence[Area] | None = None,
    candidates: Sequence[Any] | None = None,
) -> Path:
    """Write the plan as KML 2.2 (:func:`kml_tree`); returns the path."""
    with writing(path, "KML") as p:
        kml_tree(sorties, area, no_fly, candidates).write(p, encoding="UTF-8", xml_declaration=True)
    return p
