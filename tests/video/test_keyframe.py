"""Key frames with overlays: the frame where a track comes closest to a site."""

from __future__ import annotations

import numpy as np

from olfato.video.activity import Site, activity_near
from olfato.video.keyframe import choose_key_frames, key_frame_png, render_key_frame
from olfato.video.pipeline import analyse_video
from olfato.video.synthetic import SyntheticClip


def test_key_frame_at_closest_approach(klv_clip: SyntheticClip) -> None:
    r = analyse_video(klv_clip.path)
    la, lo = klv_clip.frame.to_wgs84(*klv_clip.mover_en[40, 0])  # mover 0 at frame 40
    sites = [Site("S1", float(la), float(lo)), Site("far", 4.7, -74.2)]
    act = activity_near(sites, r.tracks, radius_m=20)
    (kf,) = choose_key_frames(r, act)
    assert kf.site == "S1" and abs(kf.frame - 40) <= 1 and kf.distance_m < 3.0
    img = render_key_frame(str(klv_clip.path), r, kf.frame, site=(float(la), float(lo), 20.0))
    assert img.shape == (240, 320, 3)
    # the box is red around the mover, the inset (top right) is drawn
    x, y = np.round(klv_clip.mover_px[kf.frame, 0]).astype(int)
    ring = img[max(0, y - 12) : y + 12, max(0, x - 12) : x + 12]
    red = (ring[..., 2] > 200) & (ring[..., 1] < 60) & (ring[..., 0] < 60)
    assert red.any()
    assert (img[8:20, 320 - 80 : 320 - 8] == 40).all(axis=2).mean() > 0.3
    png = key_frame_png(img)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
