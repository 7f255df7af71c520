"""Camera motion and the background median against known answers."""

from __future__ import annotations

import itertools

import numpy as np

from olfato.video.motion import SORTING_NETWORKS, MotionDetector, _background, estimate_motion
from olfato.video.synthetic import ground_texture


def test_sorting_networks_sort_every_zero_one_input() -> None:
    # the zero-one principle (Knuth, TAOCP 5.3.4, theorem Z): then they sort anything
    for n, net in SORTING_NETWORKS.items():
        for bits in itertools.product([0, 1], repeat=n):
            s = list(bits)
            for i, j in net:
                s[i], s[j] = min(s[i], s[j]), max(s[i], s[j])
            assert s == sorted(bits), (n, bits)


def test_background_is_the_median_of_the_valid_frames() -> None:
    rng = np.random.default_rng(0)
    for n in (3, 4, 5, 6):
        w = [rng.integers(1, 256, (6, 9), dtype=np.uint8) for _ in range(n)]
        bg, valid = _background(w)
        assert valid.all()
        np.testing.assert_allclose(bg, np.median(np.stack(w), axis=0), atol=0.5)
    w = [rng.integers(1, 256, (4, 4), dtype=np.uint8) for _ in range(6)]
    w[0][0, 0] = w[1][0, 0] = 0  # two frames do not reach this pixel: median of four
    w[0][1, 1] = w[1][1, 1] = w[2][1, 1] = 0  # three do not: undefined
    bg, valid = _background(w)
    assert valid[0, 0] and not valid[1, 1]
    assert abs(float(bg[0, 0]) - np.median([x[0, 0] for x in w[2:]])) <= 0.5


def test_estimate_motion_recovers_a_known_homography() -> None:
    import cv2

    tex = ground_texture(400, 0.2, seed=1)
    prev = tex[50:290, 50:370].copy()
    H = np.array([[0.995, -0.05, 4.0], [0.05, 0.995, -3.0], [1e-5, 0.0, 1.0]])
    cur = cv2.warpPerspective(prev, H, (320, 240))
    est, inliers = estimate_motion(prev, cur)
    assert est is not None and inliers > 50
    pts = np.array([[40.0, 40.0], [280.0, 60.0], [160.0, 200.0]])
    a = cv2.perspectiveTransform(pts[None], H)[0]
    b = cv2.perspectiveTransform(pts[None], est)[0]
    assert np.abs(a - b).max() < 0.3  # pixels


def test_blank_frames_are_unregistered_not_an_error() -> None:
    md = MotionDetector(fps=10, gap_s=0.1)
    out = []
    for i in range(8):
        out += md.push(i, np.full((60, 80), 128, np.uint8))
    out += md.flush()
    assert [r.index for r in out] == list(range(8))
    assert md.unregistered_frames == 7 and not any(r.detections for r in out)


def test_tracker_keeps_bright_and_dark_objects_apart() -> None:
    from olfato.video.motion import Detection
    from olfato.video.tracking import Tracker

    tr = Tracker()
    for f in range(5):  # a white car crossing, 2 px per frame
        tr.step(f, [Detection(100 + 2 * f, 50, 10, 5, 0.9, contrast=90.0)])
    # the white car is hidden; a dark car shows up 2 px from where it would be
    for f in range(5, 9):
        tr.step(f, [Detection(102 + 2 * f, 50, 10, 5, 0.9, contrast=-80.0)])
    tracks = tr.tracks()
    assert len(tracks) == 2
    assert [p.frame for p in tracks[0].points] == [0, 1, 2, 3, 4]
    assert tracks[1].contrast < 0
    # with the same polarity the hidden car's track would have taken the detection
    tr2 = Tracker()
    for f in range(5):
        tr2.step(f, [Detection(100 + 2 * f, 50, 10, 5, 0.9, contrast=90.0)])
    for f in range(5, 9):
        tr2.step(f, [Detection(102 + 2 * f, 50, 10, 5, 0.9, contrast=80.0)])
    assert len(tr2.tracks()) == 1
