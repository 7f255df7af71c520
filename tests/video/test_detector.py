"""A user-supplied ONNX detector: a tiny model built here with onnx.helper (no weights fetched)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from olfato.errors import VideoError
from olfato.video.detector import OnnxDetector, label_detections
from olfato.video.motion import Detection
from olfato.video.pipeline import analyse_video
from olfato.video.synthetic import SyntheticClip

onnx = pytest.importorskip("onnx")


def _model(path: Path, *, columns: int = 6) -> Path:
    """One box over the whole 64x64 input whose score is the image's mean brightness."""
    from onnx import TensorProto, helper

    box = helper.make_tensor("box", TensorProto.FLOAT, [1, 1, 4], [0.0, 0.0, 64.0, 64.0])
    cls = helper.make_tensor("cls", TensorProto.FLOAT, [1, 1, columns - 5], [0.0] * (columns - 5))
    shape = helper.make_tensor("shape", TensorProto.INT64, [3], [1, 1, 1])
    nodes = [
        helper.make_node("ReduceMean", ["images"], ["mean"], keepdims=0),
        helper.make_node("Reshape", ["mean", "shape"], ["score"]),
        helper.make_node("Concat", ["box", "score", "cls"], ["dets"], axis=2),
    ]
    graph = helper.make_graph(
        nodes,
        "brightness",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, 64, 64])],
        [helper.make_tensor_value_info("dets", TensorProto.FLOAT, [1, 1, columns])],
        initializer=[box, cls, shape],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    helper.set_model_props(model, {"names": "{0: 'vehicle'}"})
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def test_detections_are_scaled_labelled_and_thresholded(tmp_path: Path) -> None:
    det = OnnxDetector(_model(tmp_path / "m.onnx"), min_score=0.4)
    bright = np.full((240, 320, 3), 200, np.uint8)
    (d,) = det.detect(bright)
    assert d.label == "vehicle"
    assert (d.x, d.y, d.w, d.h) == pytest.approx((160, 120, 320, 240))
    assert d.score == pytest.approx(200 / 255, abs=1e-3)
    assert det.detect(np.full((240, 320, 3), 20, np.uint8)) == []
    assert OnnxDetector(tmp_path / "m.onnx", ["truck"]).detect(bright)[0].label == "truck"


def test_motion_detections_take_the_overlapping_label() -> None:
    motion = [Detection(10, 10, 4, 4, 0.9), Detection(100, 100, 4, 4, 0.9)]
    boxes = [Detection(11, 11, 10, 10, 0.8, label="person")]
    out = label_detections(motion, boxes)
    assert [d.label for d in out] == ["person", None]


def test_tracks_get_the_detector_class(klv_clip: SyntheticClip, tmp_path: Path) -> None:
    r = analyse_video(klv_clip.path, detector_model=_model(tmp_path / "m.onnx"))
    assert r.tracks and all(t.label == "vehicle" for t in r.tracks)


def test_bad_models_are_clear_errors(tmp_path: Path) -> None:
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"not a model")
    with pytest.raises(VideoError, match="not an ONNX model"):
        OnnxDetector(junk)
    with pytest.raises(VideoError, match="no such detector model"):
        OnnxDetector(tmp_path / "none.onnx")
    det = OnnxDetector(_model(tmp_path / "five.onnx", columns=5))
    with pytest.raises(VideoError, match="expected"):
        det.detect(np.zeros((20, 20, 3), np.uint8))
