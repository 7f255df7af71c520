"""`olfato video info|footprints|tracks` on a synthetic clip; errors without tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from olfato.cli import app
from olfato.video.synthetic import SyntheticClip

runner = CliRunner()


def test_info_json(klv_clip: SyntheticClip) -> None:
    res = runner.invoke(app, ["video", "info", str(klv_clip.path), "--json"])
    assert res.exit_code == 0, res.output
    info = json.loads(res.stdout)
    assert info["frames"] == 60 and info["duration_s"] == 4.0
    assert info["metadata_source"] == "klv" and info["metadata_coverage"] == 1.0
    assert info["klv_packets"] == 60 and info["klv_packets_skipped"] == 0
    assert info["platform_start"] == "2026-11-29T20:00:00Z"
    assert 20 < info["platform_distance_m"] < 26  # 6 m/s for 3.93 s


def test_footprints_and_tracks_files(klv_clip: SyntheticClip, tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    ET.register_namespace("", "")  # as WeasyPrint does on import: KML must stay unprefixed
    res = runner.invoke(
        app, ["video", "footprints", str(klv_clip.path), "--out", str(tmp_path / "f.kml")]
    )
    assert res.exit_code == 0, res.output
    assert "<Polygon>" in (tmp_path / "f.kml").read_text()
    out = tmp_path / "t.geojson"
    res = runner.invoke(app, ["video", "tracks", str(klv_clip.path), "--out", str(out), "-q"])
    assert res.exit_code == 0, res.output
    assert len(json.loads(out.read_text())["features"]) == 4
    assert "4 tracks (4 on the ground)" in res.output


def test_errors_are_one_line(klv_clip: SyntheticClip, tmp_path: Path) -> None:
    res = runner.invoke(app, ["video", "info", str(tmp_path / "none.ts")])
    assert res.exit_code == 1 and "no such file" in res.output
    assert "Traceback" not in res.output
    res = runner.invoke(
        app, ["video", "footprints", str(klv_clip.path), "--out", str(tmp_path / "x.shp")]
    )
    assert res.exit_code == 1 and "--out must end in" in res.output
    res = runner.invoke(
        app,
        ["video", "tracks", str(klv_clip.path), "--out", "t.geojson", "--detector", "none.onnx"],
    )
    assert res.exit_code == 1 and "no such detector model" in res.output


def test_a_bad_radius_names_the_flag(klv_clip: SyntheticClip, tmp_path: Path) -> None:
    from olfato.store.cases import new_case
    from olfato.store.db import open_store

    ws = tmp_path / "ws"
    with open_store(ws) as store:
        new_case(store, "c")
    res = runner.invoke(
        app, ["case", "add-video", "c", str(klv_clip.path), "-w", str(ws), "--radius", "-5", "-q"]
    )
    assert res.exit_code == 1
    assert "radius_m must be positive, got -5.0 (option --radius)" in res.output
