"""The one KML writer: valid KML 2.2 from GeoJSON-like geometries, text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from olfato.errors import OlfatoError
from olfato.output.kml import KmlDocument, Style, coordinates_text

NS = {"k": "http://www.opengis.net/kml/2.2"}


def _parse(doc: KmlDocument) -> ET.Element:
    return ET.fromstring(doc.to_bytes())


def test_point_line_and_polygon_with_hole_and_altitude_mode() -> None:
    doc = KmlDocument("case <12> & co", description='a "caveat" & more', styles=[Style("s")])
    folder = doc.folder("things")
    doc.placemark(folder, "p", {"type": "Point", "coordinates": [-111.04, 29.09]}, style="s")
    line = {"type": "LineString", "coordinates": [[-111.0, 29.0, 20.0], [-111.1, 29.1, 20.0]]}
    doc.placemark(folder, "l", line, altitude_mode="relativeToGround")
    outer = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]  # not closed: closed on writing
    hole = [[0.4, 0.4], [0.6, 0.4], [0.6, 0.6], [0.4, 0.4]]
    doc.placemark(None, "a", {"type": "Polygon", "coordinates": [outer, hole]})
    root = _parse(doc)
    assert root.tag == "{http://www.opengis.net/kml/2.2}kml"
    # text is escaped, and reads back as written
    assert root.findtext("k:Document/k:name", namespaces=NS) == "case <12> & co"
    assert root.findtext("k:Document/k:description", namespaces=NS) == 'a "caveat" & more'
    pms = root.findall(".//k:Placemark", NS)
    assert [p.findtext("k:name", namespaces=NS) for p in pms] == ["p", "l", "a"]
    assert pms[0].findtext("k:styleUrl", namespaces=NS) == "#s"
    assert pms[0].findtext("k:Point/k:coordinates", namespaces=NS) == "-111.04000000,29.09000000"
    ls = pms[1].find("k:LineString", NS)
    assert ls is not None and ls.findtext("k:altitudeMode", namespaces=NS) == "relativeToGround"
    assert (ls.findtext("k:coordinates", namespaces=NS) or "").split()[0].endswith(",20.00")
    outer_text = pms[2].findtext(
        "k:Polygon/k:outerBoundaryIs/k:LinearRing/k:coordinates", namespaces=NS
    )
    tuples = (outer_text or "").split()
    assert len(tuples) == 5 and tuples[0] == tuples[-1]
    inner = pms[2].findall("k:Polygon/k:innerBoundaryIs/k:LinearRing", NS)
    assert len(inner) == 1
    assert len((inner[0].findtext("k:coordinates", namespaces=NS) or "").split()) == 4


def test_multi_geometries_and_styles() -> None:
    style = Style("suspect", line_color="ff2b39c0", line_width=2, poly_color="402b39c0")
    doc = KmlDocument("x", styles=[style])
    pts = {"type": "MultiPoint", "coordinates": [[1.0, 2.0], [3.0, 4.0]]}
    doc.placemark(None, "m", pts)
    root = _parse(doc)
    st = root.find(".//k:Style", NS)
    assert st is not None and st.get("id") == "suspect"
    assert st.findtext("k:LineStyle/k:color", namespaces=NS) == "ff2b39c0"
    assert st.findtext("k:LineStyle/k:width", namespaces=NS) == "2"
    assert st.findtext("k:PolyStyle/k:color", namespaces=NS) == "402b39c0"
    assert st.find("k:IconStyle", NS) is None
    assert len(root.findall(".//k:MultiGeometry/k:Point", NS)) == 2


def test_bad_geometry_is_a_value_error() -> None:
    doc = KmlDocument("x")
    with pytest.raises(ValueError, match="geometry type"):
        doc.placemark(None, "c", {"type": "Circle", "coordinates": [0.0, 0.0]})
    with pytest.raises(ValueError, match="finite"):
        coordinates_text([[float("nan"), 1.0]])
    with pytest.raises(ValueError, match="altitude_mode"):
        doc.placemark(None, "p", {"type": "Point", "coordinates": [0, 0]}, altitude_mode="up")


def test_write_makes_the_folder_and_names_an_unwritable_file(tmp_path: Path) -> None:
    doc = KmlDocument("x")
    out = doc.write(tmp_path / "new" / "a.kml")
    assert ET.parse(out).getroot().tag.endswith("kml")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OlfatoError, match=r"file/a.kml: cannot write the KML"):
        doc.write(blocker / "a.kml")
