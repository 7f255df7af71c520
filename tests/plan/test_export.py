"""QGroundControl .plan, KML and GeoJSON exports, and the load-back test of .plan files."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from olfato.errors import OlfatoError
from olfato.plan import (
    cover_area,
    read_area,
    read_qgc_plan,
    write_geojson,
    write_kml,
    write_qgc_plan,
)
from olfato.plan.sortie import VERTICAL_SPEED_MS

from .helpers import FRAME, rect, write_polygon

ENDURANCE_S = 700.0
RESERVE = 0.2
MIN_ALT_M = 15.0


def check_plan_file(path: Path, area, endurance_s: float, reserve: float, min_alt: float) -> None:  # type: ignore[no-untyped-def]
    """The load-back test: a .plan a ground station can fly, inside the area, within battery."""
    raw = json.loads(path.read_text())
    assert raw["fileType"] == "Plan" and raw["version"] == 1
    assert raw["groundStation"] == "QGroundControl"
    m = raw["mission"]
    assert m["version"] == 2 and len(m["plannedHomePosition"]) == 3
    for key in ("firmwareType", "vehicleType", "cruiseSpeed", "hoverSpeed"):
        assert key in m
    assert set(raw["geoFence"]) >= {"circles", "polygons", "version"}
    assert raw["rallyPoints"] == {"points": [], "version": 2}
    for k, item in enumerate(m["items"], start=1):
        assert item["type"] == "SimpleItem" and item["doJumpId"] == k
        assert len(item["params"]) == 7 and item["autoContinue"] is True
    mission = read_qgc_plan(path)
    assert mission.commands[0] == 22 and mission.commands[-1] == 20
    assert set(mission.commands[1:-1]) == {16}
    assert mission.frames[:-1] == [3] * (len(mission.frames) - 1)
    wp = mission.waypoints[1:]  # after the take-off item
    e, n = area.frame.to_local(wp[:, 0], wp[:, 1])
    assert bool(np.all(area.contains(e, n))), "a waypoint is outside the area"
    assert float(mission.waypoints[:, 2].min()) >= min_alt
    he, hn = area.frame.to_local([mission.home[0]], [mission.home[1]])
    route = np.vstack([[he[0], hn[0]], np.column_stack([e, n]), [he[0], hn[0]]])
    horizontal = float(np.hypot(*np.diff(route, axis=0).T).sum())
    alt = float(mission.waypoints[0, 2])
    t = horizontal / mission.cruise_speed_ms + 2 * alt / VERTICAL_SPEED_MS
    assert t <= endurance_s * (1 - reserve) + 1e-6, f"sortie of {t:.0f} s does not fit"


def test_coverage_plans_load_back_inside_the_area_and_within_the_battery(tmp_path: Path) -> None:
    area = read_area(write_polygon(tmp_path / "a.geojson", rect(-250, 250, -200, 200)), FRAME)
    sorties = cover_area(area, 250.0, MIN_ALT_M, 45.0, 6.0, ENDURANCE_S, RESERVE)
    assert len(sorties) >= 2
    paths = write_qgc_plan(sorties, tmp_path / "survey.plan")
    assert [p.name for p in paths] == [f"survey_{k}.plan" for k in range(1, len(sorties) + 1)]
    for p, s in zip(paths, sorties, strict=True):
        check_plan_file(p, area, ENDURANCE_S, RESERVE, MIN_ALT_M)
        assert len(read_qgc_plan(p).waypoints) == len(s.waypoints) + 1


def test_the_load_back_check_catches_a_plan_that_leaves_the_area(tmp_path: Path) -> None:
    area = read_area(write_polygon(tmp_path / "a.geojson", rect(-250, 250, -200, 200)), FRAME)
    s = cover_area(area, 250.0, MIN_ALT_M, 45.0, 6.0, 3000.0, RESERVE)[0]
    s.waypoints = s.waypoints.copy()
    s.waypoints[3] += [0.0, 400.0]
    path = write_qgc_plan(s, tmp_path / "bad.plan")[0]
    with pytest.raises(AssertionError, match="outside the area"):
        check_plan_file(path, area, 3000.0, RESERVE, MIN_ALT_M)


def test_kml_and_geojson_hold_each_sortie_route(tmp_path: Path) -> None:
    area = read_area(write_polygon(tmp_path / "a.geojson", rect(-250, 250, -200, 200)), FRAME)
    sorties = cover_area(area, 250.0, MIN_ALT_M, 45.0, 6.0, ENDURANCE_S, RESERVE)
    kml = write_kml(sorties, tmp_path / "plan.kml", area=area)
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    root = ET.parse(kml).getroot()
    assert root.tag == "{http://www.opengis.net/kml/2.2}kml"
    lines = root.findall(".//k:LineString", ns)
    assert len(lines) == len(sorties)
    for ls, s in zip(lines, sorties, strict=True):
        assert ls.findtext("k:altitudeMode", namespaces=ns) == "relativeToGround"
        coords = (ls.findtext("k:coordinates", namespaces=ns) or "").split()
        assert len(coords) == len(s.waypoints) + 2
        assert coords[0] == coords[-1]  # home to home
    gj = json.loads(write_geojson(sorties, tmp_path / "plan.geojson").read_text())
    routes = [f for f in gj["features"] if f["geometry"]["type"] == "LineString"]
    assert len(routes) == len(sorties)
    assert all(f["properties"]["fits"] for f in routes)
    assert routes[0]["properties"]["flight_time_s"] == pytest.approx(
        sorties[0].flight_time_s, abs=0.1
    )


def test_reading_a_file_that_is_not_a_plan_is_a_clear_error(tmp_path: Path) -> None:
    p = tmp_path / "x.plan"
    p.write_text(json.dumps({"fileType": "GeoFence", "version": 1}))
    with pytest.raises(OlfatoError, match=r"x\.plan: not a QGroundControl plan"):
        read_qgc_plan(p)
