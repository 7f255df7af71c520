"""Reading survey areas and no-fly zones from GeoJSON and KML, and the errors a user sees."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from olfato.errors import OlfatoError
from olfato.plan import read_area, read_no_fly

from .helpers import FRAME, lonlat_ring, rect, write_kml_polygon, write_polygon


def test_geojson_and_kml_give_the_same_area(tmp_path: Path) -> None:
    ring = rect(-200, 400, -100, 200)
    a = read_area(write_polygon(tmp_path / "a.geojson", ring))
    k = read_area(write_kml_polygon(tmp_path / "a.kml", ring))
    assert a.area_m2 == pytest.approx(600 * 300, rel=1e-4)
    assert k.area_m2 == pytest.approx(a.area_m2, rel=1e-6)
    e0, e1, n0, n1 = a.in_frame(FRAME).bounds
    assert (e0, e1, n0, n1) == pytest.approx((-200, 400, -100, 200), abs=0.01)


def test_a_hole_is_subtracted(tmp_path: Path) -> None:
    a = read_area(
        write_polygon(tmp_path / "h.geojson", rect(0, 300, 0, 300), rect(100, 200, 100, 200))
    )
    assert a.area_m2 == pytest.approx(300 * 300 - 100 * 100, rel=1e-4)
    inside = a.in_frame(FRAME).contains([50.0, 150.0], [50.0, 150.0])
    assert inside.tolist() == [True, False]


def test_an_unclosed_ring_is_a_clear_error_naming_the_file(tmp_path: Path) -> None:
    path = write_polygon(tmp_path / "open.geojson", rect(0, 100, 0, 100), close=False)
    with pytest.raises(OlfatoError, match=r"open\.geojson: ring 1 is not closed"):
        read_area(path)


def test_a_self_crossing_polygon_is_refused(tmp_path: Path) -> None:
    bowtie = [(0.0, 0.0), (100.0, 100.0), (100.0, 0.0), (0.0, 100.0)]
    with pytest.raises(OlfatoError, match="crosses itself"):
        read_area(write_polygon(tmp_path / "bowtie.geojson", bowtie))


def test_files_without_a_polygon_are_refused(tmp_path: Path) -> None:
    kml = tmp_path / "path.kml"
    kml.write_text(
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><LineString><coordinates>'
        "-111.04,29.09 -111.03,29.10</coordinates></LineString></Placemark></kml>"
    )
    with pytest.raises(OlfatoError, match=r"path\.kml: the KML has no <Polygon>"):
        read_area(kml)
    gj = tmp_path / "point.geojson"
    gj.write_text(json.dumps({"type": "Point", "coordinates": [-111.0, 29.0]}))
    with pytest.raises(OlfatoError, match="no Polygon or MultiPolygon"):
        read_area(gj)
    shp = tmp_path / "area.shp"
    shp.write_bytes(b"\x00\x00\x27\x0a")
    with pytest.raises(OlfatoError, match="unknown area format"):
        read_area(shp)


def test_no_fly_files_give_one_zone_per_polygon(tmp_path: Path) -> None:
    obj = {
        "type": "MultiPolygon",
        "coordinates": [[lonlat_ring(rect(0, 50, 0, 50))], [lonlat_ring(rect(100, 150, 0, 50))]],
    }
    path = tmp_path / "nofly.geojson"
    path.write_text(json.dumps(obj))
    zones = read_no_fly([path], FRAME)
    assert len(zones) == 2
    assert bool(zones[1].contains(125.0, 25.0)) and not bool(zones[0].contains(125.0, 25.0))
