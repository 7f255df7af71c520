"""A video in a case: a `video` run with footprints, tracks and activity at candidate sources."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from olfato.casework.video import add_video
from olfato.cli import app
from olfato.store import models as m
from olfato.store import records
from olfato.store.cases import get_case, new_case
from olfato.store.db import Store, open_store
from olfato.video.synthetic import SyntheticClip


def _case_with_sources(store: Store, clip: SyntheticClip) -> None:
    """A case whose one survey has a located source on mover 2's path and one 2 km away."""
    new_case(store, "valle")
    near_la, near_lo = clip.frame.to_wgs84(*clip.mover_en[30, 2])
    far_la, far_lo = clip.frame.to_wgs84(2000.0, 0.0)
    with store.write() as s:
        case = get_case(s, "valle")
        sv = m.Survey(
            case_id=case.id, name="flight.csv", input_path="/x/flight.csv", input_sha256="0" * 64,
            parquet_path="x.parquet", parquet_sha256="0" * 64, format="csv_v1", n_samples=1,
            start_time=0.0, end_time=1.0, channels={}, lat0=4.6, lon0=-74.1, added_by="test",
        )  # fmt: skip
        s.add(sv)
        s.flush()
        run = records.add_run(
            s, case, stage="locate", subject=f"survey:{sv.id}", survey_id=sv.id, parameters={},
            inputs={}, started_at=datetime.now(UTC),
        )  # fmt: skip
        feats = [
            {
                "geometry": {"type": "Point", "coordinates": [float(lo), float(la)]},
                "properties": {
                    "id": label,
                    "kind": "source",
                    "rate_g_s": 1.0,
                    "ellipse95_m": {"semi_major": 20, "semi_minor": 10, "azimuth_deg": 0},
                },
            }
            for label, la, lo in (("S1", near_la, near_lo), ("S2", far_la, far_lo))
        ]
        records.add_sources(s, run, feats)


def test_add_video_records_a_run_with_observations(klv_clip: SyntheticClip, tmp_path: Path) -> None:
    with open_store(tmp_path / "ws") as store:
        _case_with_sources(store, klv_clip)
        added = add_video(store, "valle", klv_clip.path, radius_m=30.0)
        assert added.new_video and added.version == 1
        near, far = added.activity
        assert far.visits == []
        ids = [v.track_id for v in near.visits]
        assert len(ids) >= 1
        assert near.by_hour == {"2026-11-29T20": len(ids)}
        assert min(v.closest_m for v in near.visits) < 2.0
        again = add_video(store, "valle", klv_clip.path, radius_m=30.0)
        assert not again.new_video and again.version == 2 and again.video_id == added.video_id
        with store.read() as s:
            run = s.get(m.Run, added.run_id)
            assert (
                run is not None
                and run.stage == "video"
                and run.subject == f"video:{added.video_id}"
            )
            kinds = [o.kind for o in run.observations]
            assert kinds.count("footprint") == 5 and kinds.count("track") == 4
            assert kinds.count("activity") == 1
            video = s.scalar(select(m.Video))
            assert video is not None and video.n_frames == 60
            assert video.start_time == pytest.approx(1_795_982_400.0)
            track = next(o for o in run.observations if o.kind == "track")
            assert track.geometry is not None and track.geometry["type"] == "LineString"
            assert np.isfinite(track.start_time)


def test_cli_add_video_and_tracks_near(klv_clip: SyntheticClip, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    with open_store(ws) as store:
        _case_with_sources(store, klv_clip)
    runner = CliRunner()
    res = runner.invoke(
        app,
        ["case", "add-video", "valle", str(klv_clip.path), "-w", str(ws), "-q", "--radius", "30"],
    )
    assert res.exit_code == 0, res.output
    assert "activity near 1 of 2 candidate source(s)" in res.output
    out = tmp_path / "t.geojson"
    res = runner.invoke(
        app,
        ["video", "tracks", str(klv_clip.path), "--out", str(out), "--near", "valle",
         "-w", str(ws), "--radius", "30", "-q"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "Activity at candidate sources" in res.output and "2026-11-29T20" in res.output
    assert json.loads(out.read_text())["features"]
    res = runner.invoke(app, ["case", "add-video", "nocase", str(klv_clip.path), "-w", str(ws)])
    assert res.exit_code != 0 and "Traceback" not in res.output


def test_key_frame_recorded_with_the_activity_and_shown_in_the_report(
    klv_clip: SyntheticClip, tmp_path: Path
) -> None:
    """Issue 16: a report for a case with a video shows a key frame per site with activity."""
    import cv2

    from olfato.report.i18n import Formatter
    from olfato.report.video import video_activity
    from olfato.store.cases import load_case

    with open_store(tmp_path / "ws") as store:
        _case_with_sources(store, klv_clip)
        added = add_video(store, "valle", klv_clip.path, radius_m=30.0)
        with store.read() as s:
            run = s.get(m.Run, added.run_id)
            assert run is not None
            act = next(o for o in run.observations if o.kind == "activity")
            ref = act.properties["key_frame"]
        png = store.workspace.resolve(ref["path"])
        img = cv2.imdecode(np.frombuffer(png.read_bytes(), np.uint8), cv2.IMREAD_COLOR)
        assert img.shape[:2] == (klv_clip.height, klv_clip.width)
        assert ref["track"] in act.properties["tracks"] and ref["distance_m"] < 2.0
        rows = video_activity(store, load_case(store, "valle"), Formatter("es"))
        assert [(r["site"], r["tracks"]) for r in rows] == [
            ("flight.csv:S1", len(act.properties["tracks"]))
        ]
        assert rows[0]["frame"] is not None and not rows[0]["frame_refused"]
        # a key frame changed on disk is refused, not shown
        png.write_bytes(png.read_bytes() + b"x")
        rows = video_activity(store, load_case(store, "valle"), Formatter("en"))
        assert rows[0]["frame"] is None and rows[0]["frame_refused"]
