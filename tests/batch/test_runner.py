"""A campaign on a LocalCluster of two worker processes: a worker killed mid-run, a batch
interrupted and run again, a corrupt file among the surveys; every survey recorded once."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from olfato.batch.runner import BatchInterrupted, BatchResult, run_batch
from olfato.batch.work import Failure
from olfato.casework.surveys import ANALYSIS_STAGE, Added, analysis_key
from olfato.store import models as m
from olfato.store.cases import new_case
from olfato.store.db import Store
from olfato.store.workspace import Workspace
from tests.batch.flights import CORRUPT, write_flight

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    from distributed import Client

    from olfato.batch.runner import local_cluster

    cluster = local_cluster(2)  # as `olfato batch add --workers 2` starts it
    c = Client(cluster, set_as_default=False)
    # the workers run without Dask's MALLOC_TRIM_THRESHOLD_ (it slows NumPy 2x here)
    assert set(c.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_")).values()) == {None}
    assert set(c.run(lambda: os.environ.get("OMP_NUM_THREADS")).values()) == {"1"}
    yield c
    c.close()
    cluster.close()


@dataclass
class Campaign:
    store: Store
    folder: Path
    runs: list[BatchResult]
    killed: list[int]
    n_failed: int


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory, client: Any) -> Iterator[Campaign]:
    """Three batches over one folder: a worker killed during the first; two flights added
    and the second interrupted (Ctrl-C) after one is recorded; the third finishes."""
    root = tmp_path_factory.mktemp("campaign")
    folder = root / "flights"
    write_flight(folder, "a_day14.csv", day=14)
    write_flight(folder, "b_day15.csv", day=15)  # the same lab again, a day later
    write_flight(folder, "c_day16_quiet.csv", day=16, lab=False)  # over it; it no longer emits
    write_flight(folder, "d_north.csv", day=14, seed=1, north_km=2.0)  # another area
    (folder / "corrupt.csv").write_text(CORRUPT)
    (folder / "z_copy_of_a.csv").write_bytes((folder / "a_day14.csv").read_bytes())
    store = Store(Workspace.locate(root / "ws"))
    new_case(store, "camp")
    killed: list[int] = []

    def kill_a_worker(_: object) -> None:
        if not killed:
            pids = client.run(os.getpid)
            pid = sorted(pids.values())[0]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    first = run_batch(store, "camp", [folder], client=client, on_recorded=kill_a_worker)
    write_flight(folder, "e_north.csv", day=15, seed=1, north_km=2.0)
    write_flight(folder, "f_north.csv", day=16, seed=2, north_km=2.0)
    second: list[object] = []

    def ctrl_c(out: object) -> None:
        second.append(out)
        if isinstance(out, Added):  # Ctrl-C once the first new survey is recorded
            raise KeyboardInterrupt

    with pytest.raises(BatchInterrupted, match="Run the same command again"):
        run_batch(store, "camp", [str(folder / "*.csv")], client=client, on_recorded=ctrl_c)
    last = run_batch(store, "camp", [folder], client=client)
    # the corrupt file fails in the first and third runs, and in the second when it came
    # back before the Ctrl-C
    n_failed = 2 + sum(isinstance(x, Failure) for x in second)
    yield Campaign(store, folder, [first, last], killed, n_failed)
    store.close()


def test_killed_worker_and_interrupt_leave_every_survey_recorded_once(
    campaign: Campaign,
) -> None:
    first, last = campaign.runs
    assert campaign.killed, "no worker was killed"
    assert sorted(a.survey_name for a in first.added) == [
        "a_day14.csv",
        "b_day15.csv",
        "c_day16_quiet.csv",
        "d_north.csv",
    ]
    # a file with the same content as another is analysed once
    assert [(p.name, q.name) for p, q in first.duplicates] == [("z_copy_of_a.csv", "a_day14.csv")]
    # the third run did only what the interrupted second left
    assert len(last.added) == 1 and len(last.skipped) == 6
    with campaign.store.read() as s:
        surveys = list(s.scalars(select(m.Survey)))
        assert sorted(sv.name for sv in surveys) == sorted(
            p.name
            for p in campaign.folder.glob("*.csv")
            if p.name not in ("corrupt.csv", "z_copy_of_a.csv")
        )
        for sv in surveys:
            stages = sorted(r.stage for r in sv.runs if r.status == "done")
            assert stages == ["analysis", "detect", "locate"], sv.name
            (analysis,) = [r for r in sv.runs if r.stage == ANALYSIS_STAGE]
            assert analysis.input_key == analysis_key(campaign.folder / sv.name)
            assert analysis.summary["locate_run"] in {r.id for r in sv.runs}
        failed = list(s.scalars(select(m.Run).where(m.Run.status == "failed")))
    # the corrupt file: a failed run each time it was tried, with its message, no survey
    assert len(failed) == campaign.n_failed
    for run in failed:
        assert run.stage == ANALYSIS_STAGE and run.survey_id is None
        assert "corrupt.csv" in (run.error or "")
        assert "missing required column(s) alt_agl_m" in (run.error or "")
        assert run.subject.startswith("file:")
    assert [p.name for p, _ in first.failed] == ["corrupt.csv"]


def test_nothing_left_to_do_records_nothing(campaign: Campaign, client: Any) -> None:
    with campaign.store.read() as s:
        before = len(list(s.scalars(select(m.Run).where(m.Run.status == "done"))))
    again = run_batch(campaign.store, "camp", [campaign.folder / "a_day14.csv"], client=client)
    assert again.skipped == [campaign.folder / "a_day14.csv"] and not again.added
    with campaign.store.read() as s:
        after = len(list(s.scalars(select(m.Run).where(m.Run.status == "done"))))
    assert after == before


def test_campaign_summary_sites(campaign: Campaign, tmp_path: Path) -> None:
    from olfato.batch.summary import campaign_map, campaign_summary

    summary = campaign_summary(campaign.store, "camp")
    assert len(summary.flights) == 6
    rows = {tuple(sorted(s["survey"] for s in r["sightings"])): r for r in summary.site_rows()}
    # the lab of day 14 seen again on day 15 (one site), then covered on day 16 and not seen
    lab = rows[("a_day14.csv", "b_day15.csv")]
    assert lab["signature"] == "clandestine_lab" and lab["suspect_sightings"] == 2
    assert [x["survey"] for x in lab["missed_by"]] == ["c_day16_quiet.csv"]
    assert lab["status"] == "not seen again"
    assert abs(lab["lat"] - (29.0950 + 20 / 111_000)) < 60 / 111_000  # the lab, within 60 m
    # the flights 2 km north never cover the southern lab, and vice versa
    for r in summary.site_rows():
        north = r["lat"] > 29.0950 + 1.0 / 111
        names = {s["survey"] for s in r["sightings"]} | {x["survey"] for x in r["missed_by"]}
        assert all(("north" in n) == north for n in names)
    # every located source of every flight is in exactly one site
    n_located = sum(f.n_sources for f in summary.flights)
    assert sum(len(r["sightings"]) for r in summary.site_rows()) == n_located
    png = campaign_map(summary, tmp_path / "map.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


def test_the_commands(campaign: Campaign, client: Any, tmp_path: Path, monkeypatch: Any) -> None:
    import json

    from typer.testing import CliRunner

    import olfato.batch.runner as runner
    from olfato.cli import app

    ws = str(campaign.store.workspace.root)
    cli = CliRunner()
    r = cli.invoke(app, ["batch", "summary", "camp", "-w", ws, "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["n_flights"] == 6 and sum(data["counts"].values()) == data["n_sites"]
    r = cli.invoke(
        app, ["batch", "summary", "camp", "-w", ws, "--map", str(tmp_path / "m.png")],
        env={"COLUMNS": "200"},
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "1 not seen again" in r.output and "a_day14.csv" in r.output
    assert (tmp_path / "m.png").stat().st_size > 10_000
    # against the running cluster's scheduler: nothing left to do for this file
    one = str(campaign.folder / "a_day14.csv")
    address = client.scheduler.address
    r = cli.invoke(app, ["batch", "add", "camp", one, "--scheduler", address, "-w", ws, "-q"])
    assert r.exit_code == 0, r.output
    assert "0 analysed and recorded, 1 already recorded (skipped)" in r.output
    assert "nothing to send to Dask" in r.output
    # no scheduler there: one clear error naming the flag
    monkeypatch.setattr(runner, "CONNECT_TIMEOUT_S", 2.0)
    bad = str(campaign.folder / "corrupt.csv")  # not recorded: it would go to Dask
    r = cli.invoke(
        app, ["batch", "add", "camp", bad, "--scheduler", "tcp://127.0.0.1:9", "-w", ws, "-q"]
    )
    assert r.exit_code == 1 and "cannot reach the Dask scheduler" in r.output
    assert "(option --scheduler)" in r.output and "Traceback" not in r.output
