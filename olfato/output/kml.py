"""KML 2.2 documents for Google Earth and GIS tools: the one KML writer of olfato.

OGC KML 2.2 (OGC 07-147r2): a ``<kml>`` root holding one ``<Document>`` with its
``<Style>`` elements (sec. 12.18; colours ``aabbggrr`` hexadecimal, sec. 16.7),
``<Folder>`` elements (sec. 9.9) and ``<Placemark>`` elements (sec. 9.11) whose
geometry is a ``<Point>`` (10.3), ``<LineString>`` (10.7) or ``<Polygon>`` (10.8,
``outerBoundaryIs`` / ``innerBoundaryIs`` rings, each a closed ``<LinearRing>``);
coordinates are ``lon,lat[,alt]`` tuples separated by white space (16.9), and an
``<altitudeMode>`` of ``relativeToGround`` makes ``alt`` a height above the
terrain [m] (16.2).

Geometries are given as GeoJSON-like mappings (RFC 7946: ``{"type": "Point",
"coordinates": [lon, lat(, alt)]}``, ``LineString``, ``Polygon`` (rings of
positions), ``MultiPoint``, ``MultiLineString``, ``MultiPolygon``), so that any
stage that has GeoJSON has KML. The tree is built with :mod:`xml.etree.ElementTree`,
so text is always escaped.

    doc = KmlDocument("case 12", description="Needs ground confirmation.",
                      styles=[Style("suspect", line_color="ff2b39c0", poly_color="402b39c0")])
    folder = doc.folder("sources")
    doc.placemark(folder, "S1", {"type": "Point", "coordinates": [-111.04, 29.09]},
                  style="suspect")
    doc.write("case.kml")
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from olfato.output import writing

#: the KML 2.2 namespace (OGC 07-147r2, sec. 5.1)
KML_NS = "http://www.opengis.net/kml/2.2"
#: the altitude modes of KML 2.2 (sec. 16.2)
ALTITUDE_MODES = ("clampToGround", "relativeToGround", "absolute")

ET.register_namespace("", KML_NS)


def _default_namespace() -> None:
    """Make KML the default namespace again, just before serialising.

    ElementTree's prefixes are process-wide: a library registering another default
    (WeasyPrint's PDF metadata registers ``""``, on import) would otherwise turn every
    tag into ``ns0:kml``, which some KML readers refuse.
    """
    ET.register_namespace("", KML_NS)


@dataclass(frozen=True)
class Style:
    """A shared ``<Style>`` (KML 2.2 sec. 12.18), referred to as ``#id``.

    Colours are ``aabbggrr`` hexadecimal strings (sec. 16.7: alpha, blue, green, red);
    ``line_width`` [pixels]. A part left None is not written.
    """

    id: str
    line_color: str | None = None
    line_width: float | None = None
    poly_color: str | None = None
    icon_color: str | None = None


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    el = ET.SubElement(parent, f"{{{KML_NS}}}{tag}")
    if text is not None:
        el.text = text
    return el


def _number(x: float, digits: int) -> str:
    if not math.isfinite(x):
        raise ValueError(f"a KML coordinate must be a finite number, got {x}")
    return f"{x:.{digits}f}"


def coordinates_text(positions: Sequence[Sequence[float]], digits: int = 8) -> str:
    """The text of a ``<coordinates>`` element (KML 2.2 sec. 16.9).

    Parameters
    ----------
    positions : sequence of [lon, lat] or [lon, lat, alt]
        Longitude and latitude [deg], optionally altitude [m].
    digits : int
        Decimals of longitude and latitude (8 is about 1 mm); altitude gets 2.

    Returns
    -------
    str
        ``lon,lat[,alt]`` tuples separated by single spaces.

    Raises
    ------
    ValueError
        When a position has fewer than two numbers or a number is not finite.
    """
    out = []
    for p in positions:
        if len(p) < 2:
            raise ValueError(f"a KML position needs at least lon and lat, got {list(p)}")
        text = f"{_number(float(p[0]), digits)},{_number(float(p[1]), digits)}"
        if len(p) > 2:
            text += f",{_number(float(p[2]), 2)}"
        out.append(text)
    return " ".join(out)


def _closed(ring: Sequence[Sequence[float]]) -> list[Sequence[float]]:
    r = list(ring)
    if r and list(r[0]) != list(r[-1]):
        r.append(r[0])
    return r


def _mode(el: ET.Element, altitude_mode: str | None) -> None:
    if altitude_mode is not None:
        _sub(el, "altitudeMode", altitude_mode)


def add_geometry(
    parent: ET.Element,
    geometry: Mapping[str, Any],
    *,
    altitude_mode: str | None = None,
    digits: int = 8,
) -> ET.Element:
    """Append the KML form of a GeoJSON-like geometry to ``parent``.

    Parameters
    ----------
    parent : xml.etree.ElementTree.Element
        Usually a ``<Placemark>``.
    geometry : mapping
        ``{"type": ..., "coordinates": ...}`` with positions [lon, lat(, alt)] in
        [deg] and [m]: ``Point``, ``LineString``, ``Polygon`` (first ring the outer
        boundary, the others holes; rings are closed if they are not),
        ``MultiPoint``, ``MultiLineString`` or ``MultiPolygon`` (a
        ``<MultiGeometry>``).
    altitude_mode : str, optional
        One of :data:`ALTITUDE_MODES`; None leaves KML's default (clampToGround).
    digits : int
        Decimals of longitude and latitude.

    Returns
    -------
    xml.etree.ElementTree.Element
        The geometry element appended.

    Raises
    ------
    ValueError
        For an unknown geometry type or altitude mode, or malformed coordinates.
    """
    if altitude_mode is not None and altitude_mode not in ALTITUDE_MODES:
        raise ValueError(f"altitude_mode must be one of {ALTITUDE_MODES}, got {altitude_mode!r}")
    kind = geometry.get("type")
    coords = geometry.get("coordinates")
    if kind in ("MultiPoint", "MultiLineString", "MultiPolygon"):
        multi = _sub(parent, "MultiGeometry")
        for part in coords or []:
            part_geometry = {"type": kind[5:], "coordinates": part}
            add_geometry(multi, part_geometry, altitude_mode=altitude_mode, digits=digits)
        return multi
    if not isinstance(coords, Sequence) or not coords:
        raise ValueError(f"a KML {kind} geometry needs coordinates, got {coords!r}")
    if kind == "Point":
        el = _sub(parent, "Point")
        _mode(el, altitude_mode)
        _sub(el, "coordinates", coordinates_text([coords], digits))
    elif kind == "LineString":
        el = _sub(parent, "LineString")
        _mode(el, altitude_mode)
        _sub(el, "coordinates", coordinates_text(coords, digits))
    elif kind == "Polygon":
        el = _sub(parent, "Polygon")
        _mode(el, altitude_mode)
        for k, ring in enumerate(coords):
            boundary = _sub(el, "outerBoundaryIs" if k == 0 else "innerBoundaryIs")
            lr = _sub(boundary, "LinearRing")
            _sub(lr, "coordinates", coordinates_text(_closed(ring), digits))
    else:
        raise ValueError(f"KML geometry type must be a GeoJSON geometry type, got {kind!r}")
    return el


class KmlDocument:
    """One KML 2.2 document being built: folders, placemarks and shared styles.

    Parameters
    ----------
    name : str
        The document's ``<name>``.
    description : str, optional
        Its ``<description>`` (e.g. the caveat every product carries).
    styles : sequence of Style
        Shared styles, referred to by id from placemarks.
    digits : int
        Decimals of longitude and latitude in every ``<coordinates>``.
    """

    def __init__(
        self,
        name: str,
        *,
        description: str | None = None,
        styles: Sequence[Style] = (),
        digits: int = 8,
    ) -> None:
        self.root = ET.Element(f"{{{KML_NS}}}kml")
        self.document = _sub(self.root, "Document")
        self.digits = digits
        _sub(self.document, "name", name)
        if description is not None:
            _sub(self.document, "description", description)
        for s in styles:
            self.add_style(s)

    def add_style(self, style: Style) -> ET.Element:
        """Append a shared ``<Style>`` to the document.

        Parameters
        ----------
        style : Style
            Its id and colours.

        Returns
        -------
        xml.etree.ElementTree.Element
            The ``<Style>``.
        """
        st = _sub(self.document, "Style")
        st.set("id", style.id)
        if style.line_color is not None or style.line_width is not None:
            ls = _sub(st, "LineStyle")
            if style.line_color is not None:
                _sub(ls, "color", style.line_color)
            if style.line_width is not None:
                _sub(ls, "width", f"{style.line_width:g}")
        if style.poly_color is not None:
            _sub(_sub(st, "PolyStyle"), "color", style.poly_color)
        if style.icon_color is not None:
            _sub(_sub(st, "IconStyle"), "color", style.icon_color)
        return st

    def folder(
        self, name: str, *, description: str | None = None, parent: ET.Element | None = None
    ) -> ET.Element:
        """Append a ``<Folder>``.

        Parameters
        ----------
        name : str
            Its name.
        description : str, optional
            Its description.
        parent : Element, optional
            Another folder; default the document.

        Returns
        -------
        xml.etree.ElementTree.Element
            The folder.
        """
        f = _sub(self.document if parent is None else parent, "Folder")
        _sub(f, "name", name)
        if description is not None:
            _sub(f, "description", description)
        return f

    def placemark(
        self,
        parent: ET.Element | None,
        name: str,
        geometry: Mapping[str, Any],
        *,
        description: str | None = None,
        style: str | None = None,
        altitude_mode: str | None = None,
    ) -> ET.Element:
        """Append a ``<Placemark>`` holding ``geometry`` (see :func:`add_geometry`).

        Parameters
        ----------
        parent : Element or None
            A folder from :meth:`folder`, or None for the document itself.
        name, description : str
            The placemark's name and description (escaped).
        geometry : mapping
            GeoJSON-like geometry, positions [lon, lat(, alt)] [deg, deg, m].
        style : str, optional
            The id of a shared :class:`Style` (written as ``#id``).
        altitude_mode : str, optional
            E.g. ``"relativeToGround"`` for heights above the terrain [m].

        Returns
        -------
        xml.etree.ElementTree.Element
            The placemark.
        """
        pm = _sub(self.document if parent is None else parent, "Placemark")
        _sub(pm, "name", name)
        if description is not None:
            _sub(pm, "description", description)
        if style is not None:
            _sub(pm, "styleUrl", f"#{style}")
        add_geometry(pm, geometry, altitude_mode=altitude_mode, digits=self.digits)
        return pm

    def tree(self) -> ET.ElementTree:
        """The document as an element tree.

        Returns
        -------
        xml.etree.ElementTree.ElementTree
            Indented.
        """
        _default_namespace()
        tree = ET.ElementTree(self.root)
        ET.indent(tree)
        return tree

    def to_bytes(self) -> bytes:
        """The document as bytes.

        Returns
        -------
        bytes
            UTF-8 XML with its declaration, indented.
        """
        _default_namespace()
        ET.indent(self.root)
        out: bytes = ET.tostring(self.root, encoding="UTF-8", xml_declaration=True)
        return out

    def write(self, path: str | Path, what: str = "KML") -> Path:
        """Write the document to a file.

        Parameters
        ----------
        path : str or Path
            The file (its folder is made).
        what : str
            What it is, for errors.

        Returns
        -------
        pathlib.Path
            The path written.

        Raises
        ------
        OlfatoError
            When the file cannot be written, naming it.
        """
        with writing(path, what) as p:
            p.write_bytes(self.to_bytes())
        return p
