"""Multi-object tracking of detections from frame to frame (a small ByteTrack-style tracker).

Each track is a constant-velocity Kalman filter on the object's image centre (Kalman
1960; the SORT formulation of Bewley et al., "Simple online and realtime tracking", ICIP
2016). Before predicting, each track is moved by the camera's frame-to-frame homography,
as BoT-SORT does (Aharon et al. 2022, sec. 3.2), so that a still camera and a moving one
track alike. Detections are assigned to tracks by the Hungarian method (scipy's
``linear_sum_assignment``) on the distance between the predicted and detected centres,
gated at ``gate_px`` or three predicted standard deviations, whichever is larger, plus
the difference of their contrast with the background (a bright object never takes a
dark one's detection);
as in ByteTrack (Zhang et al., ECCV 2022) the confident detections are assigned first
and the weak ones then only to tracks left over, never starting a track. A track is
confirmed after ``min_hits`` assignments and ends after ``max_missed`` frames without one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from olfato.video.motion import Detection


@dataclass
class TrackPoint:
    """One observation of a track: the frame and the detection assigned to it."""

    frame: int
    x: float
    y: float
    w: float
    h: float
    score: float
    label: str | None = None


@dataclass
class Track:
    """A tracked object: its observations and filter state (image pixels)."""

    id: int
    points: list[TrackPoint] = field(default_factory=list)
    x: NDArray[np.float64] = field(default_factory=lambda: np.zeros(4))  #: x, y, vx, vy
    P: NDArray[np.float64] = field(default_factory=lambda: np.eye(4))
    hits: int = 0
    missed: int = 0
    confirmed: bool = False
    contrast: float = 0.0  #: running mean of its detections' contrast [grey levels]

    @property
    def label(self) -> str | None:
        """The label most often given to the track's detections (None without one)."""
        labels = [p.label for p in self.points if p.label]
        return max(set(labels), key=labels.count) if labels else None


@dataclass
class Tracker:
    """Associate each frame's detections into tracks; see the module docstring.

    Parameters
    ----------
    min_hits : int
        Assignments before a track is confirmed (reported).
    max_missed : int
        Frames without an assignment before a track ends.
    gate_px : float
        Smallest association gate [px].
    high_score : float
        Detections scoring at least this are "confident" (first pass, may start tracks).
    process_noise_px : float
        Acceleration noise [px per frame squared].
    measurement_noise_px : float
        Detection centre noise [px].
    polarity_grey : float
        A track brighter than its background by more than this never takes a detection
        darker by more than this, and the other way round [grey levels]: a white car and
        a dark one passing each other keep their identities. Otherwise a contrast
        difference adds ``|difference| / 255`` to the assignment cost.
    """

    min_hits: int = 3
    max_missed: int = 8
    gate_px: float = 12.0
    high_score: float = 0.3
    process_noise_px: float = 0.5
    measurement_noise_px: float = 1.5
    polarity_grey: float = 15.0
    active: list[Track] = field(default_factory=list)
    finished: list[Track] = field(default_factory=list)
    _next_id: int = 1

    def _predict(self, tr: Track, H: NDArray[np.float64] | None) -> None:
        if H is not None:
            x, y = tr.x[0], tr.x[1]
            w = H[2, 0] * x + H[2, 1] * y + H[2, 2]
            nx = (H[0, 0] * x + H[0, 1] * y + H[0, 2]) / w
            ny = (H[1, 0] * x + H[1, 1] * y + H[1, 2]) / w
            A = H[:2, :2] / w  # local linear part (affine approximation)
            tr.x[0], tr.x[1] = nx, ny
            tr.x[2:] = A @ tr.x[2:]
            J = np.eye(4)
            J[:2, :2] = A
            J[2:, 2:] = A
            tr.P = J @ tr.P @ J.T
        F = np.eye(4)
        F[0, 2] = F[1, 3] = 1.0
        q = self.process_noise_px**2
        Q = q * np.array([[0.25, 0, 0.5, 0], [0, 0.25, 0, 0.5], [0.5, 0, 1, 0], [0, 0.5, 0, 1]])
        tr.x = F @ tr.x
        tr.P = F @ tr.P @ F.T + Q

    def _update(self, tr: Track, d: Detection, frame: int) -> None:
        Hm = np.zeros((2, 4))
        Hm[0, 0] = Hm[1, 1] = 1.0
        R = np.eye(2) * self.measurement_noise_px**2
        z = np.array([d.x, d.y])
        S = Hm @ tr.P @ Hm.T + R
        K = tr.P @ Hm.T @ np.linalg.inv(S)
        tr.x = tr.x + K @ (z - Hm @ tr.x)
        tr.P = (np.eye(4) - K @ Hm) @ tr.P
        tr.contrast = d.contrast if tr.hits == 0 else 0.7 * tr.contrast + 0.3 * d.contrast
        tr.hits += 1
        tr.missed = 0
        tr.points.append(TrackPoint(frame, d.x, d.y, d.w, d.h, d.score, d.label))
        if tr.hits >= self.min_hits:
            tr.confirmed = True

    def _assign(
        self, tracks: list[Track], dets: list[Detection]
    ) -> tuple[list[tuple[int, int]], list[int], list[int]]:
        from scipy.optimize import linear_sum_assignment

        if not tracks or not dets:
            return [], list(range(len(tracks))), list(range(len(dets)))
        cost = np.full((len(tracks), len(dets)), 1e6)
        for i, tr in enumerate(tracks):
            sd = math.sqrt(max(tr.P[0, 0], tr.P[1, 1]))
            for j, d in enumerate(dets):
                gate = max(self.gate_px, 3 * sd, 0.75 * max(d.w, d.h))
                dist = math.hypot(tr.x[0] - d.x, tr.x[1] - d.y)
                opposite = (
                    tr.contrast * d.contrast < 0
                    and min(abs(tr.contrast), abs(d.contrast)) > self.polarity_grey
                )
                if dist <= gate and not opposite:
                    cost[i, j] = dist / gate + abs(tr.contrast - d.contrast) / 255
        rows, cols = linear_sum_assignment(cost)
        pairs = [(int(r), int(c)) for r, c in zip(rows, cols, strict=True) if cost[r, c] < 1e6]
        used_t = {r for r, _ in pairs}
        used_d = {c for _, c in pairs}
        return (
            pairs,
            [i for i in range(len(tracks)) if i not in used_t],
            [j for j in range(len(dets)) if j not in used_d],
        )

    def step(
        self,
        frame: int,
        detections: list[Detection],
        H_from_prev: NDArray[np.float64] | None = None,
    ) -> None:
        """Advance one frame: move and predict tracks, assign ``detections``, start and end tracks.

        Parameters
        ----------
        frame : int
            The frame's number.
        detections : list of Detection
            Its detections.
        H_from_prev : ndarray (3, 3), optional
            Maps the previous frame's pixels to this frame's (None: the identity).
        """
        for tr in self.active:
            self._predict(tr, H_from_prev)
        high = [d for d in detections if d.score >= self.high_score]
        low = [d for d in detections if d.score < self.high_score]
        pairs, left_t, left_d = self._assign(self.active, high)
        for i, j in pairs:
            self._update(self.active[i], high[j], frame)
        rest = [self.active[i] for i in left_t]
        pairs2, left_t2, _ = self._assign(rest, low)
        for i, j in pairs2:
            self._update(rest[i], low[j], frame)
        for i in left_t2:
            rest[i].missed += 1
        for j in left_d:
            d = high[j]
            tr = Track(self._next_id)
            self._next_id += 1
            tr.x = np.array([d.x, d.y, 0.0, 0.0])
            tr.P = np.diag([self.measurement_noise_px**2] * 2 + [25.0, 25.0])
            self._update(tr, d, frame)
            self.active.append(tr)
        keep = []
        for tr in self.active:
            if tr.missed > self.max_missed or (not tr.confirmed and tr.missed > 1):
                if tr.confirmed:
                    self.finished.append(tr)
            else:
                keep.append(tr)
        self.active = keep

    def tracks(self) -> list[Track]:
        """All confirmed tracks so far (ended and still active), by id.

        Returns
        -------
        list of Track
        """
        return sorted(self.finished + [t for t in self.active if t.confirmed], key=lambda t: t.id)
