"""An optional object detector the user supplies as an ONNX model (run with ONNX Runtime).

olfato ships no weights and downloads none. A model is usable when it has

* one input, float32, shape ``(1, 3, H, W)``: RGB scaled to 0..1 (``H``, ``W`` fixed in the
  model, or free: then the frame's size);
* one output with rows ``[x1, y1, x2, y2, score, class_id]`` in the input's pixels,
  shape ``(N, 6)`` or ``(1, N, 6)`` (the post-NMS layout of common exporters, e.g.
  YOLO exported with NMS included).

Class names come from ``labels``, else the model's metadata entry ``names``
(comma-separated, or a Python/JSON dict ``{0: "car", ...}``), else ``class_<id>``. Its
detections give the motion tracks a class (the label most of a track's detections
overlapping it carry).
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from olfato.errors import VideoError
from olfato.video.motion import Detection


def _names(meta: dict[str, str]) -> dict[int, str]:
    raw = meta.get("names")
    if not raw:
        return {}
    try:
        v = ast.literal_eval(raw)
        if isinstance(v, dict):
            return {int(k): str(n) for k, n in v.items()}
        if isinstance(v, list | tuple):
            return dict(enumerate(map(str, v)))
    except (ValueError, SyntaxError):
        pass
    return dict(enumerate(s.strip() for s in raw.split(",")))


class OnnxDetector:
    """Run a user-supplied ONNX detector on frames; see the module docstring for the contract.

    Parameters
    ----------
    model_path : path
        The ``.onnx`` file.
    labels : sequence of str, optional
        Class names by class id.
    min_score : float
        Detections scoring less are dropped.

    Raises
    ------
    VideoError
        No such file, not a model ONNX Runtime loads, or not one (1, 3, H, W) input.
    """

    def __init__(
        self, model_path: str | Path, labels: Sequence[str] | None = None, *, min_score: float = 0.4
    ) -> None:
        import onnxruntime as ort

        p = Path(model_path)
        if not p.is_file():
            raise VideoError("no such detector model", path=str(p))
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.log_severity_level = 3
        try:
            self._session = ort.InferenceSession(str(p), opts, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise VideoError(
                f"not an ONNX model ONNX Runtime can load ({exc})", path=str(p)
            ) from None
        inputs = self._session.get_inputs()
        if len(inputs) != 1 or len(inputs[0].shape) != 4:
            raise VideoError("the detector must have one (1, 3, H, W) input", path=str(p))
        self._input = inputs[0].name
        shape = inputs[0].shape
        self._size = (shape[3], shape[2]) if all(isinstance(s, int) for s in shape[2:]) else None
        meta = self._session.get_modelmeta().custom_metadata_map
        self.labels = dict(enumerate(labels)) if labels else _names(meta)
        self.min_score = min_score
        self.path = p

    def detect(self, bgr: NDArray[np.uint8]) -> list[Detection]:
        """Detections in one BGR frame, in its pixels, each with a label.

        Parameters
        ----------
        bgr : ndarray of uint8, shape (H, W, 3)
            The frame.

        Returns
        -------
        list of Detection

        Raises
        ------
        VideoError
            The model fails on the frame or its output is not ``[x1, y1, x2, y2, score,
            class_id]`` rows.
        """
        import cv2

        h, w = bgr.shape[:2]
        size = self._size or (w, h)
        img = bgr if (w, h) == size else cv2.resize(bgr, size, interpolation=cv2.INTER_AREA)
        x = cv2.cvtColor(img, cv2.COLOR_BGR2RGB).astype(np.float32).transpose(2, 0, 1)[None] / 255.0
        try:
            out: Any = self._session.run(None, {self._input: x})[0]
        except Exception as exc:
            raise VideoError(
                f"the detector failed on a {w}x{h} frame ({exc})", path=str(self.path)
            ) from None
        rows = np.asarray(out, dtype=float).reshape(-1, np.asarray(out).shape[-1])
        if rows.shape[1] < 6:
            raise VideoError(
                f"the detector's output has {rows.shape[1]} columns; expected "
                "[x1, y1, x2, y2, score, class_id]",
                path=str(self.path),
            )
        sx, sy = w / size[0], h / size[1]
        dets = []
        for x1, y1, x2, y2, score, cls in rows[:, :6]:
            if score < self.min_score or x2 <= x1 or y2 <= y1:
                continue
            c = round(cls)
            dets.append(
                Detection(
                    x=(x1 + x2) / 2 * sx,
                    y=(y1 + y2) / 2 * sy,
                    w=(x2 - x1) * sx,
                    h=(y2 - y1) * sy,
                    score=float(score),
                    label=self.labels.get(c, f"class_{c}"),
                )
            )
        return dets


def iou(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    """Intersection over union of two ``(x1, y1, x2, y2)`` boxes.

    Parameters
    ----------
    a, b : tuple of float
        Boxes [px].

    Returns
    -------
    float
        0..1.
    """
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def label_detections(
    motion: list[Detection], labelled: list[Detection], *, min_iou: float = 0.1
) -> list[Detection]:
    """Give each motion detection the label of the detector box overlapping it most.

    A motion blob and a detector box of the same object overlap; the centre of one inside
    the other also counts (small objects, loose boxes).

    Parameters
    ----------
    motion : list of Detection
        The motion detector's blobs.
    labelled : list of Detection
        The ONNX detector's boxes, with labels.
    min_iou : float
        Least overlap that counts.

    Returns
    -------
    list of Detection
        ``motion``, each with the label of its best box (or none).
    """
    from dataclasses import replace

    out = []
    for d in motion:
        best, best_score = None, min_iou
        for L in labelled:
            s = iou(d.box, L.box)
            x1, y1, x2, y2 = L.box
            if x1 <= d.x <= x2 and y1 <= d.y <= y2:
                s = max(s, min_iou + 1e-6)
            if s >= best_score:
                best, best_score = L, s
        out.append(replace(d, label=best.label) if best is not None else d)
    return out
