"""Moving objects seen from a moving camera: camera-motion compensation and change detection.

Camera motion between consecutive frames is a plane homography (the ground is close to
a plane seen from 100 m): corners are found in the previous frame (Shi & Tomasi, "Good
features to track", CVPR 1994), matched into the current one by pyramidal Lucas-Kanade
optical flow (Bouguet 2001, the OpenCV implementation) and a homography is fitted with
RANSAC (Fischler & Bolles 1981), so the moving objects' own features are outliers.

Moving objects are then what differs from a background built, for each frame, from
frames before and after it warped onto it: the per-pixel median of six such frames
(Delta, 2 Delta and 3 Delta before and after; at the ends of the clip, the nearest ones
available; fewer, down to three, in a clip too short for six). An object that moves
its own length in less than 3 Delta (1.8 s with the default 0.6 s: a 4.5 m car faster
than 2.5 m/s, a walker faster than 0.6 m/s) covers a pixel in at most two of the six,
so the median is the ground under it, and the difference shows the whole object rather
than its leading and trailing edges, as a two-frame difference does. Each warp starts
from the original frame (homographies composed, pixels resampled once), so the
background stays sharp.
The pixels that differ by more than a threshold (a multiple of the difference's robust
spread, at least ``min_threshold`` grey levels) are cleaned by a morphological opening
and closing and grouped into connected components: the detections.

``method="frame_difference"`` is the plain baseline: the absolute difference of frame t
and frame t - Delta, no compensation, same threshold and grouping.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

#: an image as OpenCV takes and returns it (uint8 pixels; typed loosely for OpenCV's stubs)
Img = NDArray[Any]


@dataclass(frozen=True)
class Detection:
    """A detected object in one frame, in full-resolution pixels."""

    x: float  #: centre [px]
    y: float
    w: float  #: box size [px]
    h: float
    score: float  #: contrast with the background (0..1)
    area_px: float = 0.0
    label: str | None = None  #: a class name when a detector gave one
    contrast: float = 0.0  #: mean grey level minus the background's (signed: bright > 0)

    @property
    def box(self) -> tuple[float, float, float, float]:
        return (self.x - self.w / 2, self.y - self.h / 2, self.x + self.w / 2, self.y + self.h / 2)


def estimate_motion(
    prev: Img,
    cur: Img,
    *,
    max_corners: int = 200,
    ransac_px: float = 1.0,
) -> tuple[NDArray[np.float64] | None, int]:
    """Homography taking ``prev``'s pixels to ``cur``'s, and its RANSAC inlier count.

    Parameters
    ----------
    prev, cur : ndarray of uint8, shape (H, W)
        Consecutive grey frames.
    max_corners : int
        Features tracked.
    ransac_px : float
        RANSAC reprojection threshold [px].

    Returns
    -------
    H : ndarray (3, 3) or None
        None when fewer than 12 features could be matched (a cut, a blank frame).
    inliers : int
    """
    import cv2

    pts = cv2.goodFeaturesToTrack(prev, max_corners, 0.01, 7, blockSize=7)
    if pts is None or len(pts) < 12:
        return None, 0
    nxt, status, _ = cv2.calcOpticalFlowPyrLK(
        prev,
        cur,
        pts,
        None,
        winSize=(15, 15),
        maxLevel=2,  # type: ignore[call-overload]
        criteria=(cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 20, 0.03),
    )
    ok = status.reshape(-1) == 1
    if ok.sum() < 12:
        return None, 0
    H, mask = cv2.findHomography(pts[ok], nxt[ok], cv2.RANSAC, ransac_px, maxIters=500)
    if H is None:
        return None, 0
    inliers = int(mask.sum())
    if inliers < 12:
        return None, inliers
    return np.asarray(H, dtype=np.float64), inliers


#: optimal sorting networks (Knuth, TAOCP vol. 3, sec. 5.3.4, fig. 49): comparator pairs
SORTING_NETWORKS: dict[int, tuple[tuple[int, int], ...]] = {
    3: ((0, 2), (0, 1), (1, 2)),
    4: ((0, 1), (2, 3), (0, 2), (1, 3), (1, 2)),
    5: ((0, 1), (3, 4), (2, 4), (2, 3), (0, 3), (0, 2), (1, 4), (1, 3), (1, 2)),
    6: ((1, 2), (4, 5), (0, 2), (3, 5), (0, 1), (3, 4), (2, 5), (0, 3), (1, 4), (2, 4),
        (1, 3), (2, 3)),
}  # fmt: skip


def _background(warped: list[Img]) -> tuple[Img, NDArray[np.bool_]]:
    """Per-pixel median of the valid ones among 3-6 warped frames, and where it is defined.

    0 marks a pixel outside a warped frame. The frames are sorted per pixel with a
    sorting network of min/max (:data:`SORTING_NETWORKS`), so the zeros come first and
    the valid values are the top ``m`` of the ``n``; the median is taken over those. A
    pixel is defined where at most two of six (one of four or five, none of three) are
    missing: the edge of the frame that has just come into view.
    """
    import cv2

    s = list(warped)
    n = len(s)
    for i, j in SORTING_NETWORKS[n]:
        s[i], s[j] = cv2.min(s[i], s[j]), cv2.max(s[i], s[j])
    missing = {3: 0, 4: 1, 5: 1, 6: 2}[n]
    k = np.zeros(s[0].shape, np.uint8)
    for i in range(missing + 1):
        k += s[i] == 0
    bg = np.zeros(s[0].shape, np.uint8)
    for kk in range(missing + 1):
        m = n - kk
        lo, hi = kk + (m - 1) // 2, kk + m // 2
        med = s[lo] if lo == hi else cv2.addWeighted(s[lo], 0.5, s[hi], 0.5, 0)
        bg = np.where(k == kk, med, bg)
    return bg, np.asarray(s[missing] > 0)


@dataclass
class _Buffered:
    index: int
    image: Img
    H_from_prev: NDArray[np.float64]  #: previous frame -> this one (work pixels)


@dataclass
class FrameDetections:
    """What the motion detector says about one frame."""

    index: int
    detections: list[Detection]
    H_from_prev: NDArray[np.float64]  #: previous frame -> this one (full-resolution pixels)
    registered: bool  #: camera motion to this frame was estimated (not assumed)


@dataclass
class MotionDetector:
    """Feed grey frames in order; get each frame's moving-object detections.

    A frame's detections come out ``4 * Delta`` frames after it (the background also uses
    later frames); :meth:`flush` releases the rest at the end.

    Parameters
    ----------
    fps : float
        Frame rate [1/s].
    gap_s : float
        Delta, the time between background frames [s].
    samples : int
        Background frames per frame (3 to 6).
    work_width : int
        Frames are processed at this width [px] (speed); detections are reported in the
        original pixels.
    method : {"compensated", "frame_difference"}
        The method described above, or the uncompensated two-frame baseline.
    min_threshold : float
        Smallest grey-level difference counted as change.
    k_sigma : float
        Threshold in robust standard deviations of the difference.
    min_area_px, max_area_px : float
        Component areas kept [px at work resolution]; ``max_area_px`` default 1/30 of the
        frame.
    """

    fps: float
    gap_s: float = 0.6
    samples: int = 6
    work_width: int = 320
    method: str = "compensated"
    min_threshold: float = 28.0
    k_sigma: float = 5.0
    min_area_px: float = 4.0
    max_area_px: float | None = None
    unregistered_frames: int = 0
    _buf: deque[_Buffered] = field(default_factory=deque, repr=False)
    _next_out: int = 0
    _scale: float = 1.0
    _prev: Img | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.method not in ("compensated", "frame_difference"):
            raise ValueError(
                f"method must be 'compensated' or 'frame_difference', not {self.method!r}"
            )
        if not (self.fps > 0 and math.isfinite(self.fps)):
            raise ValueError(f"fps must be positive, not {self.fps}")
        self.delta = max(1, round(self.gap_s * self.fps))
        self._registered: dict[int, bool] = {}

    @property
    def lookahead(self) -> int:
        return self.samples * self.delta if self.method == "compensated" else 0

    def push(self, index: int, gray: Img) -> list[FrameDetections]:
        """Add a frame; return the frames whose detections are now ready.

        Parameters
        ----------
        index : int
            The frame's number (0, 1, 2, ... in order).
        gray : ndarray of uint8, shape (H, W)
            Its grey pixels, full resolution.

        Returns
        -------
        list of FrameDetections

        Raises
        ------
        ValueError
            Not a 2-D image, or a size other than the first frame's.
        """
        import cv2

        if gray.ndim != 2:
            raise ValueError("gray must be a 2-D grey image")
        h, w = gray.shape
        if index == 0 or self._prev is None:
            self._scale = min(1.0, self.work_width / w)
            self._shape = (h, w)
        if (h, w) != self._shape:
            raise ValueError(
                f"frame {index} is {w}x{h}, the video started at {self._shape[1]}x{self._shape[0]}"
            )
        s = self._scale
        img = (
            gray
            if s == 1.0
            else cv2.resize(gray, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA)
        )
        img = np.maximum(img, 1)  # 0 marks "outside the warped frame"
        H = np.eye(3)
        registered = True
        if self._prev is not None and self.method == "compensated":
            Hm, _ = estimate_motion(self._prev, img)
            if Hm is None:
                registered = False
                self.unregistered_frames += 1
            else:
                H = Hm
        self._registered[index] = registered
        self._prev = img
        self._buf.append(_Buffered(index, img, H))
        ready = []
        while self._buf and self._buf[-1].index - self._next_out >= self.lookahead:
            ready.append(self._detect(self._next_out))
            self._next_out += 1
            self._trim()
        return ready

    def flush(self) -> list[FrameDetections]:
        """Release the frames still waiting for later ones (call at the end).

        Returns
        -------
        list of FrameDetections
        """
        ready = []
        while self._buf and self._next_out <= self._buf[-1].index:
            ready.append(self._detect(self._next_out))
            self._next_out += 1
            self._trim()
        return ready

    def _trim(self) -> None:
        keep_from = self._next_out - self.samples * self.delta - 1
        while self._buf and self._buf[0].index < keep_from:
            self._buf.popleft()

    def _get(self, index: int) -> _Buffered | None:
        if not self._buf:
            return None
        k = index - self._buf[0].index
        return self._buf[k] if 0 <= k < len(self._buf) else None

    def _H(self, src: int, dst: int) -> NDArray[np.float64]:
        """Homography from frame ``src`` to frame ``dst`` (work pixels)."""
        M = np.eye(3)
        for k in range(min(src, dst) + 1, max(src, dst) + 1):
            b = self._get(k)
            assert b is not None
            M = b.H_from_prev @ M
        return M if src <= dst else np.asarray(np.linalg.inv(M), dtype=np.float64)

    def _full_res_H(self, H: NDArray[np.float64]) -> NDArray[np.float64]:
        S = np.diag([self._scale, self._scale, 1.0])
        return np.linalg.inv(S) @ H @ S

    def _detect(self, t: int) -> FrameDetections:
        import cv2

        cur = self._get(t)
        assert cur is not None
        img = cur.image
        hh, ww = img.shape
        if self.method == "frame_difference":
            prev = self._get(t - self.delta)
            if prev is None:
                return FrameDetections(t, [], self._full_res_H(cur.H_from_prev), True)
            diff = cv2.absdiff(img, prev.image)
            ref = prev.image
            valid = None
        else:
            d = self.delta
            near_first = [o for k in range(1, self.samples + 1) for o in (-k * d, k * d)]
            offsets = [o for o in near_first if self._get(t + o) is not None][: self.samples]
            if len(offsets) < 3:  # a clip shorter than the background needs
                return FrameDetections(
                    t, [], self._full_res_H(cur.H_from_prev), self._registered[t]
                )
            warped = []
            for o in offsets:
                other = self._get(t + o)
                assert other is not None
                warped.append(
                    cv2.warpPerspective(
                        other.image,
                        self._H(t + o, t),
                        (ww, hh),
                        flags=cv2.INTER_LINEAR,
                        borderValue=0,
                    )
                )
            bg, valid = _background(warped)
            ref = bg
            # distance from the background's 3x3 range, not from the pixel itself: a
            # sub-pixel misregistration at a sharp edge is then no difference
            k3 = np.ones((3, 3), np.uint8)
            diff = cv2.max(
                cv2.subtract(img, cv2.dilate(bg, k3)), cv2.subtract(cv2.erode(bg, k3), img)
            )
        sample = diff[::4, ::4]
        vsample = sample if valid is None else sample[valid[::4, ::4]]
        if vsample.size == 0:
            return FrameDetections(t, [], self._full_res_H(cur.H_from_prev), self._registered[t])
        sigma = 1.4826 * float(np.median(vsample))
        thr = max(self.min_threshold, self.k_sigma * sigma)
        mask: Img = (diff > thr).astype(np.uint8)
        if valid is not None:
            mask = mask & cv2.erode(valid.astype(np.uint8), np.ones((5, 5), np.uint8))
        mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
        mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
        n, labels, stats, cents = cv2.connectedComponentsWithStats(mask, connectivity=8)
        # each blob's signed contrast with the background: tells a white car from a dark one
        signed = img.astype(np.int16) - ref.astype(np.int16)
        sums = np.bincount(labels.ravel(), weights=signed.ravel(), minlength=n)
        contrast = sums / np.maximum(stats[:, cv2.CC_STAT_AREA], 1)
        max_area = self.max_area_px if self.max_area_px is not None else hh * ww / 30
        dets = []
        s = self._scale
        for k in range(1, n):
            x, y, w, h, area = stats[k]
            if area < self.min_area_px or area > max_area:
                continue
            patch = diff[y : y + h, x : x + w]
            score = float(min(1.0, patch.max() / 255 * 2))
            dets.append(
                Detection(
                    x=(cents[k, 0] + 0.5) / s,
                    y=(cents[k, 1] + 0.5) / s,
                    w=w / s,
                    h=h / s,
                    score=score,
                    area_px=float(area) / s**2,
                    contrast=float(contrast[k]),
                )
            )
        return FrameDetections(t, dets, self._full_res_H(cur.H_from_prev), self._registered[t])
