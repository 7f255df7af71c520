"""The report's video section: what moved near each candidate source, with key frames.

For each video of the case, its newest ``video`` run's ``activity`` observations: the
tracks that came within the radius of a candidate source, how many by hour, the
closest approach, and the key frame recorded with the run (the frame where a track came
closest, with the tracks, the frame's UTC time and a footprint inset drawn on it). A
key frame whose file has changed since it was recorded is left out, and the report says so.
"""

from __future__ import annotations

import base64
from typing import Any

from olfato.report.i18n import Formatter
from olfato.store.cases import CaseView
from olfato.store.db import Store
from olfato.store.workspace import sha256_file


def _key_frame(store: Store, ref: dict[str, Any] | None) -> tuple[str | None, bool]:
    """(base64 PNG or None, whether a recorded frame was refused as changed or missing)."""
    if not ref:
        return None, False
    path = store.workspace.resolve(str(ref.get("path", "")))
    if not path.is_file() or sha256_file(path) != ref.get("sha256"):
        return None, True
    return base64.b64encode(path.read_bytes()).decode("ascii"), False


def video_activity(store: Store, view: CaseView, f: Formatter) -> list[dict[str, Any]]:
    """One row per (video, site with activity) for the report.

    Parameters
    ----------
    store : Store
        The open case store (key frames are read from its workspace).
    view : CaseView
        The case, with its videos.
    f : Formatter
        The report's language.

    Returns
    -------
    list of dict
        ``video``, ``site``, ``tracks``, ``closest``, ``by_hour``, ``radius``,
        ``frame`` (base64 PNG or None) and ``frame_refused``.
    """
    rows = []
    for vv in view.videos:
        for obs in vv.activity:
            p = obs.properties or {}
            frame, refused = _key_frame(store, p.get("key_frame"))
            hours = p.get("by_hour") or {}
            rows.append(
                {
                    "video": vv.video.name,
                    "site": p.get("site", ""),
                    "tracks": len(p.get("tracks") or []),
                    "closest": f"{f.number(p.get('closest_m'), 0)} m",
                    "radius": f"{f.number(p.get('radius_m'), 0)} m",
                    "by_hour": ", ".join(f"{h}: {n}" for h, n in hours.items()),
                    "frame": frame,
                    "frame_refused": refused,
                }
            )
    return rows
