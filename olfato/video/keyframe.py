"""Key frames with overlays, for reports: the frame where a track came closest to a site.

The overlay draws each track's last seconds of image positions and its id, the frame's
UTC time, and an inset map (top right) with the frame's footprint, the platform and the
site with its radius, north up. Pixels only: the report decides where they go.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from olfato.errors import VideoError
from olfato.video.activity import SiteActivity
from olfato.video.container import FrameReader
from olfato.video.export import iso_time
from olfato.video.pipeline import VideoAnalysis


@dataclass(frozen=True)
class KeyFrame:
    """A chosen frame: which site, which frame, which track."""

    site: str
    frame: int
    track_id: int
    distance_m: float


def choose_key_frames(analysis: VideoAnalysis, activity: list[SiteActivity]) -> list[KeyFrame]:
    """One key frame per site with activity: where a visiting track came closest to it.

    Parameters
    ----------
    analysis : VideoAnalysis
        The video's analysis.
    activity : list of SiteActivity
        From :func:`olfato.video.activity.activity_near` on its tracks.

    Returns
    -------
    list of KeyFrame
    """
    from olfato.survey.projection import LocalFrame

    by_id = {t.id: t for t in analysis.tracks}
    out = []
    for act in activity:
        best: KeyFrame | None = None
        frame = LocalFrame(act.site.lat, act.site.lon)
        for v in act.visits:
            tr = by_id.get(v.track_id)
            if tr is None or tr.t_s.size == 0:
                continue
            e, n = frame.to_local(tr.lat, tr.lon)
            k = int(np.argmin(np.hypot(e, n)))
            d = float(np.hypot(e[k], n[k]))
            if best is None or d < best.distance_m:
                best = KeyFrame(act.site.label, int(tr.frame[k]), tr.id, d)
        if best is not None:
            out.append(best)
    return out


def render_key_frame(
    path: str,
    analysis: VideoAnalysis,
    frame_index: int,
    *,
    site: tuple[float, float, float] | None = None,
    trail_s: float = 3.0,
) -> NDArray[np.uint8]:
    """The frame ``frame_index`` of ``path`` as BGR pixels with the overlays drawn.

    Parameters
    ----------
    path : str
        The video file.
    analysis : VideoAnalysis
        Its analysis (tracks and footprints).
    frame_index : int
        The frame.
    site : (lat, lon, radius_m), optional
        A site to show in the inset.
    trail_s : float
        Seconds of each track drawn behind its current position.

    Returns
    -------
    ndarray of uint8, shape (H, W, 3)

    Raises
    ------
    VideoError
        The video has no such frame.
    """
    import cv2

    img = None
    for f in FrameReader(path, color=True):
        if f.index == frame_index:
            img = np.ascontiguousarray(f.image)
            break
    if img is None:
        raise VideoError(f"has no frame {frame_index}", path=str(path))
    g = analysis.metadata.geometry
    fps = analysis.metadata.info.fps if analysis.metadata.info.fps > 0 else 25.0
    back = round(trail_s * fps)
    h, w = img.shape[:2]
    thick = max(1, round(w / 400))
    for tr in analysis.image_tracks:
        pts = [p for p in tr.points if frame_index - back <= p.frame <= frame_index]
        if not pts:
            continue
        xy = np.array([[p.x, p.y] for p in pts], dtype=np.float64)
        cv2.polylines(img, [np.round(xy).astype(np.int32)], False, (0, 255, 255), thick)
        last = pts[-1]
        if last.frame == frame_index:
            x1, y1 = round(last.x - last.w / 2) - 2, round(last.y - last.h / 2) - 2
            x2, y2 = round(last.x + last.w / 2) + 2, round(last.y + last.h / 2) + 2
            cv2.rectangle(img, (x1, y1), (x2, y2), (0, 0, 255), thick)
            label = f"{tr.id}" + (f" {tr.label}" if tr.label else "")
            cv2.putText(
                img, label, (x1, max(10, y1 - 3)), cv2.FONT_HERSHEY_SIMPLEX, 0.4 * thick,
                (0, 0, 255), thick, cv2.LINE_AA,
            )  # fmt: skip
    if frame_index < g.n:
        when = iso_time(g.time_us[frame_index]) or f"t = {g.t_s[frame_index]:.1f} s"
        cv2.putText(
            img, when, (6, h - 8), cv2.FONT_HERSHEY_SIMPLEX, 0.45 * thick, (255, 255, 255),
            thick, cv2.LINE_AA,
        )  # fmt: skip
        if g.has_footprint[frame_index]:
            _inset(img, g, frame_index, site)
    return img


def _inset(
    img: NDArray[np.uint8], g: object, i: int, site: tuple[float, float, float] | None
) -> None:
    """A north-up inset map: footprint, platform, site and radius."""
    import cv2

    from olfato.survey.projection import LocalFrame

    h, w = img.shape[:2]
    size = max(60, min(h, w) // 3)
    la = g.corners_lat[i]  # type: ignore[attr-defined]
    lo = g.corners_lon[i]  # type: ignore[attr-defined]
    frame = LocalFrame(float(np.mean(la)), float(np.mean(lo)))
    e, n = frame.to_local(la, lo)
    pts = [np.column_stack([e, n])]
    slat, slon = g.sensor_lat[i], g.sensor_lon[i]  # type: ignore[attr-defined]
    platform = None
    if math.isfinite(slat) and math.isfinite(slon):
        platform = np.array(frame.to_local(slat, slon), dtype=float).reshape(2)
        pts.append(platform[None])
    target = None
    if site is not None:
        target = np.array(frame.to_local(site[0], site[1]), dtype=float).reshape(2)
        r = site[2]
        pts.append(target[None] + np.array([[-r, -r], [r, r]]))
    allp = np.vstack(pts)
    lo_, hi_ = allp.min(axis=0), allp.max(axis=0)
    span = float(max(hi_ - lo_)) * 1.15 or 1.0
    mid = (lo_ + hi_) / 2
    x0 = w - size - 6

    def px(p: NDArray[np.float64]) -> NDArray[np.int32]:
        q = (p - mid) / span * size
        return np.round(
            np.column_stack([x0 + size / 2 + q[..., 0], 6 + size / 2 - q[..., 1]])
        ).astype(np.int32)

    cv2.rectangle(img, (x0, 6), (x0 + size, 6 + size), (40, 40, 40), -1)
    cv2.polylines(img, [px(np.column_stack([e, n]))], True, (0, 255, 255), 1, cv2.LINE_AA)
    if platform is not None:
        cv2.circle(img, tuple(px(platform[None])[0].tolist()), 3, (255, 160, 0), -1)
    if target is not None and site is not None:
        c = tuple(px(target[None])[0].tolist())
        cv2.circle(img, c, max(2, round(site[2] / span * size)), (0, 0, 255), 1, cv2.LINE_AA)
        cv2.drawMarker(img, c, (0, 0, 255), cv2.MARKER_CROSS, 8)
    cv2.putText(img, "N", (x0 + size - 14, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (255, 255, 255), 1)


def key_frame_png(image: NDArray[np.uint8]) -> bytes:
    """PNG bytes of a rendered key frame.

    Parameters
    ----------
    image : ndarray of uint8
        From :func:`render_key_frame`.

    Returns
    -------
    bytes

    Raises
    ------
    VideoError
        OpenCV could not encode it.
    """
    import cv2

    ok, buf = cv2.imencode(".png", image)
    if not ok:  # pragma: no cover - OpenCV encodes any uint8 image
        raise VideoError("could not encode the key frame as PNG")
    return bytes(buf)
