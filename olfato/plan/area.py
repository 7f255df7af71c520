"""The survey area and no-fly zones: polygons read from GeoJSON or KML.

GeoJSON (RFC 7946): a Polygon, MultiPolygon, Feature or FeatureCollection of them;
positions are [lon, lat(, alt)] and every linear ring is closed, its last position
repeating the first (RFC 7946, sec. 3.1.6). KML (OGC KML 2.2, OGC 07-147r2, sec.
10.8 Polygon and 10.5 LinearRing): every ``<Polygon>`` in the file, outer and inner
boundaries, ``lon,lat[,alt]`` tuples separated by white space, rings closed.

Inside olfato an :class:`Area` is rings in local east/north metres
(:class:`olfato.survey.projection.LocalFrame`); WGS84 stays at the file's edge.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely.geometry.base import BaseGeometry

from olfato.errors import OlfatoError
from olfato.plan import geometry as geo
from olfato.survey.projection import LocalFrame

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class Area:
    """A polygonal area (with holes or several parts) in a local frame.

    ``rings``: (n, 2) [east, north m] vertex arrays, not closed; ``frame``: the local
    frame; ``source``: where it came from, for messages.
    """

    rings: tuple[F64, ...]
    frame: LocalFrame
    source: str = "area"

    @cached_property
    def polygon(self) -> BaseGeometry:
        """The area as a shapely (multi)polygon [m] (even-odd over all rings)."""
        poly = geo.area_polygon(self.rings)
        shapely.prepare(poly)
        return poly

    def contains(self, east: ArrayLike, north: ArrayLike) -> NDArray[np.bool_]:
        """Whether points [m] are inside (even-odd over all rings).

        Parameters
        ----------
        east, north : array_like
            Points [m], broadcast together.

        Returns
        -------
        ndarray of bool
            True inside.
        """
        out: NDArray[np.bool_] = np.asarray(
            shapely.contains_xy(
                self.polygon, np.asarray(east, dtype=float), np.asarray(north, dtype=float)
            )
        )
        return out

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(east_min, east_max, north_min, north_max) [m]."""
        pts = np.concatenate(self.rings)
        return (
            float(pts[:, 0].min()),
            float(pts[:, 0].max()),
            float(pts[:, 1].min()),
            float(pts[:, 1].max()),
        )

    @property
    def area_m2(self) -> float:
        """Enclosed area [m2]: parts add, holes (rings inside an odd number of others) subtract."""
        return float(self.polygon.area)

    def wgs84_rings(self) -> list[F64]:
        """The rings in WGS84.

        Returns
        -------
        list of (n, 2) arrays
            [lat, lon] [deg] per ring, not closed.
        """
        out = []
        for r in self.rings:
            lat, lon = self.frame.to_wgs84(r[:, 0], r[:, 1])
            out.append(np.column_stack([lat, lon]))
        return out

    def in_frame(self, frame: LocalFrame) -> Area:
        """The same area in another local frame.

        Parameters
        ----------
        frame : LocalFrame
            The frame to express the rings in.

        Returns
        -------
        Area
            Rings [m] in ``frame`` (this area when it is already there).
        """
        if frame == self.frame:
            return self
        rings = []
        for r in self.wgs84_rings():
            e, n = frame.to_local(r[:, 0], r[:, 1])
            rings.append(np.column_stack([e, n]))
        return Area(tuple(rings), frame, self.source)


def area_from_wgs84(
    rings_lonlat: list[list[list[float]]], where: str, frame: LocalFrame | None = None
) -> Area:
    """An :class:`Area` from closed rings of [lon, lat] positions, validated.

    Each ring must be closed (last position = first) and simple.

    Parameters
    ----------
    rings_lonlat : list of rings
        Each a list of [lon, lat] positions [deg], closed.
    where : str
        Names the source in errors (with the ring's number).
    frame : LocalFrame, optional
        The local frame; default one centred on the vertices.

    Returns
    -------
    Area
        Rings in local metres.

    Raises
    ------
    OlfatoError
        For an open, too short, out-of-range or self-crossing ring.
    """
    if not rings_lonlat:
        raise OlfatoError(f"{where}: no polygon found (expected a Polygon or MultiPolygon)")
    arrays = []
    for k, ring in enumerate(rings_lonlat, start=1):
        try:
            r = np.asarray([[float(p[0]), float(p[1])] for p in ring], dtype=float)
        except (TypeError, ValueError, IndexError):
            raise OlfatoError(
                f"{where}: ring {k}: positions must be [lon, lat] number pairs"
            ) from None
        if len(r) < 4:
            raise OlfatoError(
                f"{where}: ring {k} has {len(r)} position(s); a closed polygon ring needs at "
                "least 4 (three corners and the first repeated at the end)"
            )
        if not np.allclose(r[0], r[-1], atol=1e-10, rtol=0):
            raise OlfatoError(
                f"{where}: ring {k} is not closed: its last position {r[-1].tolist()} must "
                f"repeat the first {r[0].tolist()} (GeoJSON RFC 7946 sec. 3.1.6, KML 2.2 "
                "LinearRing)"
            )
        r = r[:-1]
        if np.any(np.abs(r[:, 1]) > 90) or np.any(np.abs(r[:, 0]) > 180):
            raise OlfatoError(
                f"{where}: ring {k} has a position outside lon -180..180 / lat -90..90; "
                "positions are [lon, lat] in that order"
            )
        arrays.append(r)
    allpts = np.concatenate(arrays)
    fr = frame or LocalFrame.centred_on(allpts[:, 1], allpts[:, 0])
    rings = []
    for k, r in enumerate(arrays, start=1):
        e, n = fr.to_local(r[:, 1], r[:, 0])
        local = np.column_stack([e, n])
        problem = geo.ring_problem(local)
        if problem is not None:
            raise OlfatoError(f"{where}: ring {k} is not a valid polygon: {problem}")
        rings.append(local)
    return Area(tuple(rings), fr, where)


def _geojson_rings(obj: Any, where: str) -> list[list[list[float]]]:
    if not isinstance(obj, dict):
        return []
    kind = obj.get("type")
    if kind == "FeatureCollection":
        out: list[list[list[float]]] = []
        for f in obj.get("features") or []:
            out.extend(_geojson_rings(f, where))
        return out
    if kind == "Feature":
        return _geojson_rings(obj.get("geometry"), where)
    if kind == "GeometryCollection":
        out = []
        for g in obj.get("geometries") or []:
            out.extend(_geojson_rings(g, where))
        return out
    coords = obj.get("coordinates")
    if kind == "Polygon" and isinstance(coords, list):
        return list(coords)
    if kind == "MultiPolygon" and isinstance(coords, list):
        return [ring for poly in coords for ring in poly]
    return []


def _kml_rings(root: ET.Element) -> list[list[list[float]]]:
    rings: list[list[list[float]]] = []
    for el in root.iter():
        if not el.tag.endswith("Polygon"):
            continue
        for ring in el.iter():
            if not ring.tag.endswith("LinearRing"):
                continue
            for c in ring:
                if c.tag.endswith("coordinates"):
                    pts = []
                    for tup in (c.text or "").split():
                        parts = tup.split(",")
                        pts.append([float(v) for v in parts[:2]])
                    rings.append(pts)
    return rings


def read_area(path: str | Path, frame: LocalFrame | None = None) -> Area:
    """Read a polygon area from GeoJSON (.geojson/.json) or KML (.kml) (module docstring).

    Parameters
    ----------
    path : str or Path
        The file.
    frame : LocalFrame, optional
        The local frame to use; default one centred on the polygon.

    Returns
    -------
    Area
        Its rings in local metres [m].

    Raises
    ------
    OlfatoError
        For every problem, naming the file.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise OlfatoError(f"{p}: cannot read the area file: {exc.strerror or exc}") from None
    suffix = p.suffix.lower()
    if suffix == ".kml":
        try:
            root = ET.fromstring(text)
        except ET.ParseError as exc:
            raise OlfatoError(f"{p}: not valid KML (XML error: {exc})") from None
        try:
            rings = _kml_rings(root)
        except ValueError:
            raise OlfatoError(
                f"{p}: a <coordinates> value is not 'lon,lat[,alt]' numbers"
            ) from None
        if not rings:
            raise OlfatoError(
                f"{p}: the KML has no <Polygon> with a <LinearRing>; draw the area as a "
                "polygon (not a path or a placemark)"
            )
        return area_from_wgs84(rings, str(p), frame)
    if suffix in (".geojson", ".json"):
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            raise OlfatoError(f"{p}: not valid JSON: {exc.msg} at line {exc.lineno}") from None
        rings = _geojson_rings(obj, str(p))
        if not rings:
            raise OlfatoError(
                f"{p}: the GeoJSON has no Polygon or MultiPolygon geometry; the area must "
                "be a polygon"
            )
        return area_from_wgs84(rings, str(p), frame)
    raise OlfatoError(f"{p}: unknown area format '{p.suffix}'; give a .geojson, .json or .kml")


def read_no_fly(paths: list[Path] | None, frame: LocalFrame) -> list[Area]:
    """No-fly zones from GeoJSON/KML files; each polygon ring is one zone.

    Parameters
    ----------
    paths : list of Path or None
        The files; None or empty for no zones.
    frame : LocalFrame
        The frame of the plan.

    Returns
    -------
    list of Area
        One zone per ring, in ``frame`` [m].
    """
    zones: list[Area] = []
    for path in paths or []:
        area = read_area(path, frame)
        # each ring of a no-fly file is its own zone (holes in a no-fly zone are rare
        # and would be unsafe to fly into anyway)
        zones.extend(Area((r,), frame, f"{path} (zone {k})") for k, r in enumerate(area.rings, 1))
    return zones
