"""The worker's task: compact results or a failure with its message, one survey at a time."""

from __future__ import annotations

import pickle
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from olfato.batch import work
from olfato.casework.surveys import CompactAnalysis, analysis_key
from tests.batch.flights import CORRUPT, write_flight


@pytest.fixture(scope="module")
def flight(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_flight(tmp_path_factory.mktemp("work") / "flights", "f.csv")


def test_a_survey_comes_back_compact(flight: Path) -> None:
    out = work.analyse_on_worker(
        str(flight), mapping=None, wind=None, strict=False, expected_key=analysis_key(flight)
    )
    assert isinstance(out, CompactAnalysis)
    assert out.key == analysis_key(flight)
    assert out.survey_facts["n_samples"] > 100 and out.hit_rows and out.source_features
    # no Survey, Hits or Sources object travels: plain data and bytes only
    allowed = (str, bytes, int, float, bool, type(None), list, dict)
    for name in ("input_path", "samples_parquet", "hit_rows", "source_features", "raster_npz"):
        assert isinstance(getattr(out, name), allowed)
    assert out.nbytes == len(pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL))
    assert out.nbytes < 500_000


def test_a_bad_file_is_a_failure_with_its_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(CORRUPT)
    out = work.analyse_on_worker(
        str(bad), mapping=None, wind=None, strict=False, expected_key=analysis_key(bad)
    )
    assert isinstance(out, work.Failure)
    assert "bad.csv" in out.error and "missing required column(s)" in out.error


def test_a_file_changed_since_it_was_checked_fails(flight: Path) -> None:
    out = work.analyse_on_worker(
        str(flight), mapping=None, wind=None, strict=False, expected_key="0" * 64
    )
    assert isinstance(out, work.Failure) and "changed while the batch ran" in out.error


def test_one_survey_at_a_time_per_worker_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """However many threads a worker has, it analyses one survey at a time."""
    import olfato.casework.surveys as surveys

    running, peak = [0], [0]
    lock = threading.Lock()

    def slow(*args: Any, **kwargs: Any) -> None:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.2)
        with lock:
            running[0] -= 1
        raise RuntimeError("stop here")

    monkeypatch.setattr(surveys, "analyse_survey", slow)
    outs: list[Any] = []
    threads = [
        threading.Thread(
            target=lambda: outs.append(
                work.analyse_on_worker("x", mapping=None, wind=None, strict=False, expected_key="")
            )
        )
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak[0] == 1
    assert [o.error for o in outs] == ["RuntimeError: stop here"] * 4
