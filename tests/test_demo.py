"""`make demo` (`olfato demo`): its flight shows both levels of finding, a located source
and a detection (a plume seen but not located), each with the probability that it exists
and that its signature is suspect, in the terminal table, the maps and the reports."""

from __future__ import annotations

import base64
import contextlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from olfato.report.i18n import Formatter


@dataclass
class Demo:
    out: Path
    printed: str


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    from olfato.demo import run_demo
    from olfato.progress import console

    out = tmp_path_factory.mktemp("demo")
    tables = io.StringIO()  # the tables go to standard output, the messages to the console
    with console.capture() as cap, contextlib.redirect_stdout(tables):
        run_demo(out, quiet=True)
    return Demo(out, tables.getvalue() + cap.get())


def _features(demo: Demo) -> list[dict]:
    doc = json.loads((demo.out / "sources.geojson").read_text(encoding="utf-8"))
    return [f["properties"] for f in doc["features"]]


def _one(pattern: str, demo: Demo) -> Path:
    found = sorted(demo.out.glob(pattern))
    assert found, f"the demo wrote no {pattern}"
    return found[-1]


@pytest.mark.slow
def test_demo_sources_geojson_has_sources_and_a_detection_with_both_probabilities(
    demo: Demo,
) -> None:
    feats = _features(demo)
    sources = [p for p in feats if p["kind"] == "source"]
    detections = [p for p in feats if p["kind"] == "detection"]
    assert len(sources) >= 1 and len(detections) >= 1
    for p in feats:
        for key in ("probability_exists", "p_suspect"):
            assert isinstance(p[key], float | int) and 0.0 <= p[key] <= 1.0, (p["id"], key)
    # the packaged scenario's labs: located and suspect on both probabilities
    assert sum(p["suspect"] for p in sources) == 2
    for p in sources:
        assert p["ellipse95_m"]["semi_major"] < 150 and p["rate_g_s"] > 0
    # the fuel station near the downwind edge: one pass, so a bearing and never suspect
    for d in detections:
        assert d["suspect"] is False
        assert d["ellipse95_m"] is None and d["rate_g_s"] is None
        assert d["p_suspect"] < 0.5
        # it came from upwind (the wind blows from about 270 deg)
        assert abs((d["bearing_deg"] - 270.0 + 180.0) % 360.0 - 180.0) < 30.0
        assert 0.0 < d["wedge_deg"] < 45.0
    assert "fuel_station" in {d["signature"] for d in detections}


@pytest.mark.slow
def test_demo_terminal_table_shows_both_kinds_and_probabilities(demo: Demo) -> None:
    text = demo.printed
    assert "P susp" in text and "P exists" in text
    for p in _features(demo):
        row = next((ln for ln in text.splitlines() if f" {p['id']} " in ln), None)
        assert row is not None, f"{p['id']} is not in the printed table"
        assert p["kind"] in row
        # both probabilities, as the table prints them (two decimals)
        assert f"{p['p_suspect']:.2f}" in row and f"{p['probability_exists']:.2f}" in row
    assert re.search(r"2 source\(s\), 2 suspect and 1 detection\(s\)", text)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("lang", "section", "exists", "suspect"),
    [
        (
            "en",
            "Plumes seen but not located",
            "Probability it exists",
            "Probability of a suspect signature",
        ),
        (
            "es",
            "Plumas vistas pero no localizadas",
            "Probabilidad de que exista",
            "Probabilidad de una firma sospechosa",
        ),
    ],
)
def test_demo_reports_show_the_detection_and_both_probabilities(
    demo: Demo, lang: str, section: str, exists: str, suspect: str
) -> None:
    html = _one(f"products/*.report.v*.{lang}.html", demo).read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"data:[^\"]+", "", html)))
    assert section in text and exists in text and suspect in text
    f = Formatter(lang)
    for p in _features(demo):
        # each finding's row carries its two probabilities as the report formats them
        row = re.search(rf"{p['id']} .*?(?=\b[SD]\d+ |$)", text[text.index(exists) :])
        assert row is not None, p["id"]
        assert f.percent(p["probability_exists"]) in row.group(0)
        assert f.percent(p["p_suspect"]) in row.group(0)
    # the summary map is embedded; the detection is drawn on it (a purple wedge)
    png = re.search(r'data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert png is not None and len(base64.b64decode(png.group(1))) > 10_000


@pytest.mark.slow
def test_demo_maps_show_the_detection(demo: Demo) -> None:
    kml = _one("products/*.candidates.v*.kml", demo).read_text(encoding="utf-8")
    detections = [p for p in _features(demo) if p["kind"] == "detection"]
    for d in detections:
        assert f"<name>{d['id']}</name>" in kml and f"<name>{d['id']} wedge</name>" in kml
    assert "Detection: a plume seen but not located" in kml
    assert kml.count("P(exists)") >= len(_features(demo))
    assert "P(suspect signature)" in kml and "#detection" in kml
    png = demo.out / "sources.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
