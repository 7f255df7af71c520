"""A real `dask scheduler` and `dask worker` on loopback: the batch runs against the
scheduler's address; the scheduler killed mid-run stops the batch cleanly, and a new
scheduler finishes it with every survey recorded once."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from olfato.batch.runner import BatchInterrupted, run_batch
from olfato.errors import OlfatoError
from olfato.store import models as m
from olfato.store.cases import new_case
from olfato.store.db import Store
from olfato.store.workspace import Workspace
from tests.batch.flights import write_flight

pytestmark = pytest.mark.slow

DASK = Path(sys.executable).parent / "dask"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class DaskProcesses:
    """A scheduler and one single-threaded worker, as an operator would start them."""

    def __init__(self, folder: Path) -> None:
        self.port = _free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.log = folder / f"dask-{self.port}.log"
        out = self.log.open("w")
        self.scheduler = subprocess.Popen(
            [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", str(self.port),
             "--no-dashboard"],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.worker = subprocess.Popen(
            [str(DASK), "worker", self.address, "--nthreads", "1", "--nworkers", "1",
             "--no-dashboard", "--death-timeout", "20"],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def stop(self) -> None:
        for p in (self.worker, self.scheduler):
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in (self.worker, self.scheduler):
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()


@pytest.fixture
def dask_processes(tmp_path: Path) -> Iterator[list[DaskProcesses]]:
    if not DASK.exists():
        pytest.skip(f"no `dask` command next to {sys.executable}")
    started: list[DaskProcesses] = []
    yield started
    for d in started:
        d.stop()


def test_batch_against_a_scheduler_address(tmp_path: Path, dask_processes: list) -> None:
    folder = tmp_path / "flights"
    for i, day in enumerate((14, 15, 16)):
        write_flight(folder, f"f{i}.csv", day=day, seed=i)
    store = Store(Workspace.locate(tmp_path / "ws"))
    new_case(store, "camp")
    first = DaskProcesses(tmp_path)
    dask_processes.append(first)

    def kill_scheduler(_: object) -> None:
        os.killpg(first.scheduler.pid, signal.SIGKILL)
        first.scheduler.wait()

    t0 = time.monotonic()
    with pytest.raises(BatchInterrupted, match="lost the Dask scheduler") as exc:
        run_batch(store, "camp", [folder], scheduler=first.address, on_recorded=kill_scheduler)
    assert "1 survey(s)" in str(exc.value) and time.monotonic() - t0 < 120
    first.stop()
    # a new scheduler and worker: the batch finishes what the first left
    second = DaskProcesses(tmp_path)
    dask_processes.append(second)
    result = run_batch(store, "camp", [folder], scheduler=second.address)
    assert len(result.added) == 2 and len(result.skipped) == 1 and not result.failed
    assert result.scheduler == second.address and result.n_workers == 1
    with store.read() as s:
        n = s.scalar(
            select(func.count(m.Run.id)).where(m.Run.stage == "analysis", m.Run.status == "done")
        )
        assert n == 3 and s.scalar(select(func.count(m.Survey.id))) == 3
    store.close()


def test_no_scheduler_there_is_a_clear_error(tmp_path: Path) -> None:
    store = Store(Workspace.locate(tmp_path / "ws"))
    new_case(store, "camp")
    write_flight(tmp_path / "flights", "f.csv")
    address = f"tcp://127.0.0.1:{_free_port()}"
    import olfato.batch.runner as runner

    old = runner.CONNECT_TIMEOUT_S
    runner.CONNECT_TIMEOUT_S = 3.0
    try:
        with pytest.raises(OlfatoError, match="cannot reach the Dask scheduler") as exc:
            run_batch(store, "camp", [tmp_path / "flights"], scheduler=address)
    finally:
        runner.CONNECT_TIMEOUT_S = old
    assert exc.value.parameter == "scheduler"
    store.close()
