"""GeoJSON, KML and CSV exports of a case's candidates."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET

import numpy as np

from olfato import CAVEAT
from tests.report.conftest import Made

KML = "{http://www.opengis.net/kml/2.2}"


def test_geojson_has_sources_ellipses_and_hits(made: Made) -> None:
    doc = json.loads(made.exports["geojson"].read_text())
    feats = doc["features"]
    sources = [f for f in feats if f["properties"]["feature"] == "source"]
    ellipses = [f for f in feats if f["properties"]["feature"] == "ellipse95"]
    hits = [f for f in feats if f["properties"]["feature"] == "hit"]
    truth = made.analysis.sources.sources
    assert len(sources) == len(ellipses) == len(truth)
    assert len(hits) == len(made.analysis.hits)
    for s, e, t in zip(sources, ellipses, truth, strict=True):
        lon, lat = s["geometry"]["coordinates"]
        assert abs(lat - t.lat) < 1e-9 and abs(lon - t.lon) < 1e-9
        ring = e["geometry"]["coordinates"][0]
        assert ring[0] == ring[-1]
        # the polygon surrounds its source, about as wide as the ellipse says
        lats = [p[1] for p in ring]
        lons = [p[0] for p in ring]
        assert min(lats) < lat < max(lats) and min(lons) < lon < max(lons)
        span_m = (max(lons) - min(lons)) * 111_320 * 0.874  # cos(29 deg)
        assert 1.5 * t.ellipse95.semi_minor < span_m < 2.5 * t.ellipse95.semi_major
        assert s["properties"]["rate_ci95_g_s"][0] <= s["properties"]["rate_g_s"]
    assert doc["properties"]["caveat"] == CAVEAT


def test_kml_polygons_styled_by_category(made: Made) -> None:
    root = ET.parse(made.exports["kml"]).getroot()
    placemarks = root.iter(f"{KML}Placemark")
    polys = [p for p in placemarks if p.find(f"{KML}Polygon") is not None]
    assert len(polys) == len(made.analysis.sources.sources)
    for p, t in zip(polys, made.analysis.sources.sources, strict=True):
        style = p.find(f"{KML}styleUrl")
        assert style is not None and style.text == ("#suspect" if t.suspect else "#benign")
    styles = {s.get("id") for s in root.iter(f"{KML}Style")}
    assert styles == {"suspect", "benign", "detection"}


def test_kml_detections_are_a_point_and_a_wedge_with_both_probabilities(made: Made) -> None:
    root = ET.parse(made.exports["kml"]).getroot()
    by_name = {p.findtext(f"{KML}name"): p for p in root.iter(f"{KML}Placemark")}
    detections = made.analysis.sources.detections
    assert detections, "the demo flight has a detection (a plume seen on one pass)"
    for d in detections:
        point, wedge = by_name[d.id], by_name[f"{d.id} wedge"]
        assert point.findtext(f"{KML}styleUrl") == "#detection"
        assert point.find(f"{KML}Point") is not None and point.find(f"{KML}Polygon") is None
        lines = wedge.findall(f".//{KML}LineString")
        assert len(lines) == 3  # the wedge's two edges and its bearing
        # the bearing line runs from the crossing towards where the plume came from
        (lon0, lat0), (lon1, lat1) = (
            tuple(map(float, c.split(",")[:2]))
            for c in lines[1].findtext(f"{KML}coordinates").split()
        )
        assert abs(lon0 - d.lon) < 1e-6 and abs(lat0 - d.lat) < 1e-6
        bearing = np.degrees(np.arctan2((lon1 - lon0) * np.cos(np.radians(lat0)), lat1 - lat0))
        assert abs((bearing - d.bearing_deg + 180) % 360 - 180) < 1.0
        desc = point.findtext(f"{KML}description")
        assert f"P(exists) {d.probability_exists:.0%}" in desc
        assert f"P(suspect signature) {d.p_suspect:.0%}" in desc and "never suspect" in desc
    for s in made.analysis.sources.sources:
        desc = by_name[s.id].findtext(f"{KML}description")
        assert f"P(exists) {s.probability_exists:.0%}" in desc
        assert f"P(suspect signature) {s.p_suspect:.0%}" in desc


def test_csv_rows(made: Made) -> None:
    lines = made.exports["csv"].read_text().splitlines()
    assert lines[0] == f"# {CAVEAT}"
    rows = list(csv.DictReader(lines[1:]))
    assert [r["id"] for r in rows] == [s.id for s in made.analysis.sources.sources]
    assert all(
        float(r["rate_lo_g_s"]) <= float(r["rate_g_s"]) <= float(r["rate_hi_g_s"]) for r in rows
    )
