"""Burnt-in HUD read by OCR (rapidocr's shipped models) when a video has no metadata."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from olfato.video.hud import parse_hud_text, samples_from_hud, shipped_models
from olfato.video.pipeline import read_metadata
from olfato.video.synthetic import T0_US, make_clip


def test_parse_hud_text_forms() -> None:
    r = parse_hud_text("LAT 4.612345 LON -74.081234 ALT 170M 20:01:02Z", 3.0)
    assert (r.lat, r.lon, r.alt_m, r.seconds_of_day) == (4.612345, -74.081234, 170.0, 72062.0)
    r = parse_hud_text("2026-11-29 LAT: 4.5 S LONG: 74.25 W ALT 500 FT 23:59:59.5")
    assert (r.lat, r.lon) == (-4.5, -74.25)
    assert r.alt_m == pytest.approx(152.4)
    assert r.seconds_of_day == 86399.5 and r.date == (2026, 11, 29)
    assert math.isnan(parse_hud_text("LAT 95.0 LON 10.0").lat)  # not a latitude
    (s,) = samples_from_hud([parse_hud_text("2026-11-29 LAT 1 LON 2 ALT 3M 20:00:00", 0.5)])
    assert s.time_us == T0_US and s.pts_s == 0.5


def test_models_come_from_the_wheel() -> None:
    models = shipped_models()
    assert models["det"].is_file() and models["rec"].is_file()


@pytest.mark.slow
def test_hud_gives_position_and_time_but_no_footprint(tmp_path: Path) -> None:
    clip = make_clip(
        tmp_path / "hud.mp4", width=640, height=480, klv="none", hud=True, duration_s=2.0, fps=5
    )
    meta = read_metadata(clip.path, hud_every_s=0.9)  # frames at 0, 0.9, 1.8 s
    assert meta.source == "hud ocr"
    assert meta.footprint_coverage == 0.0
    assert any("footprint is unknown" in n for n in meta.notes)
    la, lo = clip.frame.to_wgs84(clip.sensor_en[:, 0], clip.sensor_en[:, 1])
    g = meta.geometry
    ok = np.isfinite(g.sensor_lat)
    assert ok.mean() == 1.0
    # the HUD prints 6 decimals (0.1 m); OCR read them all
    assert np.abs(g.sensor_lat - la).max() < 2e-6
    assert np.abs(g.sensor_lon - lo).max() < 2e-6
    assert np.nanmax(np.abs(g.sensor_alt_m - 170.0)) < 0.5
    # HH:MM:SS on the HUD: whole seconds
    assert np.nanmax(np.abs(g.time_us - (T0_US + g.t_s * 1e6))) <= 1e6
