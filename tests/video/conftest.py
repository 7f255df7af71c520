"""Synthetic clips with known truth, built once per test session (tiny: 320x240, 4 s)."""

from __future__ import annotations

from pathlib import Path

import pytest

from olfato.video.synthetic import SyntheticClip, make_clip


@pytest.fixture(scope="session")
def clip_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("video")


@pytest.fixture(scope="session")
def klv_clip(clip_dir: Path) -> SyntheticClip:
    """Nadir camera at 120 m, ST 0601 with corners in every frame, four movers."""
    return make_clip(clip_dir / "klv.ts", seed=3)


@pytest.fixture(scope="session")
def camera_clip(clip_dir: Path) -> SyntheticClip:
    """KLV without corners, one packet every third frame: the camera model and interpolation."""
    return make_clip(clip_dir / "camera.ts", corners=False, klv_every=3, duration_s=2.0, seed=4)


@pytest.fixture(scope="session")
def plain_clip(clip_dir: Path) -> SyntheticClip:
    """MP4 without any metadata (no data stream, no HUD)."""
    return make_clip(clip_dir / "plain.mp4", klv="none", duration_s=2.0, seed=5)
