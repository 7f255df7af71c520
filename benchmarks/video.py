"""Full-motion video: speed and tracking quality, olfato's motion-compensated tracker
against a plain frame-difference baseline, in the same run.

Renders synthetic STANAG 4609 clips (H.264 in MPEG-TS with an ST 0601 KLV stream,
:func:`olfato.video.synthetic.make_clip`): a nadir camera at 120 m (60 deg horizontal
field of view) flying at 6 m/s with a slow +-3 deg yaw over a textured ground, with
cars, trucks and walkers on straight tracks of known speed and heading. Then, pinned
to one CPU core (OpenCV and FFmpeg single-threaded), it times the whole video stage as
``olfato video tracks`` runs it (decode + KLV + footprints + motion + tracking +
geolocation) and scores the tracks against the truth:

- frames/s over the whole stage (goal: >= 30 at 640x480);
- track recall: fraction of true movers tracked for >= 80 % of the frames they are
  visible in;
- identity switches per true mover;
- false tracks per minute (tracks mostly on no mover);
- geolocation error of the tracked points [m] (goal: median <= 3 m, nadir at 120 m).

The baseline is the same stage with ``method="frame_difference"``: |frame t - frame
t - Delta| without camera-motion compensation (and no compensation in the tracker).

Run: ``.venv/bin/python benchmarks/video.py [--seconds 10] [--fps 30] [--seeds 2]``.
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from olfato.video.pipeline import analyse_video
from olfato.video.synthetic import Mover, make_clip, score_tracks


def scene(seed: int) -> list[Mover]:
    """Eight movers: five cars, a truck and two walkers, random places and headings."""
    rng = np.random.default_rng(seed)
    kinds = [(4.5, 2.0)] * 5 + [(8.0, 2.5)] + [(1.0, 1.0)] * 2
    movers = []
    for length, width in kinds:
        walker = length < 2
        speed = rng.uniform(1.0, 2.0) if walker else rng.uniform(3.0, 12.0)
        shade = int(rng.choice([20, 35, 220, 240]))
        e, n = rng.uniform(-45, 45, 2)
        movers.append(
            Mover(
                float(e), float(n), float(speed), float(rng.uniform(0, 360)), length, width, shade
            )
        )
    return movers


def run(
    width: int, height: int, seconds: float, fps: float, seeds: int, folder: Path
) -> list[dict[str, float | str]]:
    clips = [
        make_clip(folder / f"clip_{width}x{height}_{seed}.ts", width=width, height=height,
                  fps=fps, duration_s=seconds, movers=scene(seed), seed=seed)
        for seed in range(seeds)
    ]  # fmt: skip
    rows: list[dict[str, float | str]] = []
    for method in ("compensated", "frame_difference"):
        frames = 0
        elapsed = 0.0
        recall, switches, false_pm, geo = [], [], [], []
        for clip in clips:
            t0 = time.perf_counter()
            result = analyse_video(clip.path, method=method, hud=False)
            elapsed += time.perf_counter() - t0
            frames += result.frames
            s = score_tracks(clip, result.image_tracks, result.tracks)
            recall.append(s.recall)
            switches.append(s.id_switches_per_mover)
            false_pm.append(s.false_tracks_per_min)
            geo.append(s.geo_errors_m)
        g = np.concatenate(geo)
        rows.append(
            {
                "size": f"{width}x{height}",
                "method": method,
                "fps": frames / elapsed,
                "recall": float(np.mean(recall)),
                "id_switches": float(np.mean(switches)),
                "false_per_min": float(np.mean(false_pm)),
                "geo_median_m": float(np.median(g)) if g.size else math.nan,
                "geo_p90_m": float(np.percentile(g, 90)) if g.size else math.nan,
            }
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--seconds", type=float, default=10.0, help="clip length (s)")
    ap.add_argument("--fps", type=float, default=30.0, help="frame rate")
    ap.add_argument("--seeds", type=int, default=2, help="clips per size")
    ap.add_argument("--sizes", default="640x480,1280x720")
    args = ap.parse_args()
    import cv2

    cv2.setNumThreads(1)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes.split(","):
            w, h = (int(v) for v in size.split("x"))
            rows += run(w, h, args.seconds, args.fps, args.seeds, Path(tmp))
    print(
        f"\nFMV: {args.seeds} clip(s) of {args.seconds:g} s at {args.fps:g} frames/s per size, "
        "8 movers each, nadir at 120 m; one CPU core\n"
    )
    head = (
        f"{'size':>9} {'method':>17} {'frames/s':>9} {'recall':>7} {'ID sw/mover':>11} "
        f"{'false/min':>9} {'geo med m':>9} {'geo p90 m':>9}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        print(
            f"{r['size']:>9} {r['method']:>17} {r['fps']:>9.1f} {r['recall']:>7.2f} "
            f"{r['id_switches']:>11.2f} {r['false_per_min']:>9.1f} {r['geo_median_m']:>9.2f} "
            f"{r['geo_p90_m']:>9.2f}"
        )
    base = {r["size"]: r for r in rows if r["method"] == "frame_difference"}
    for r in rows:
        if r["method"] == "compensated":
            b = base[r["size"]]
            print(
                f"\n{r['size']}: speed ratio to the baseline "
                f"{float(r['fps']) / float(b['fps']):.2f}; "
                f"goal >= 30 frames/s at 640x480, median geolocation <= 3 m"
            )


if __name__ == "__main__":
    main()
