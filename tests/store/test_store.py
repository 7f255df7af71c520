"""The case store on SQLite and PostgreSQL: versions, audit, kill half-way, two writers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select, text

from olfato.casework.surveys import record_analysis
from olfato.store import models as m
from olfato.store.cases import CaseError, add_note, load_case, new_case
from olfato.store.db import Store, StoreError, open_store
from olfato.store.records import load_survey_samples
from olfato.store.workspace import Workspace, sha256_file
from tests.store.analysis import Analysis

WRITER = r"""
import os, pickle, signal, sys, time
from pathlib import Path
from olfato.casework import surveys
from olfato.store import records
from olfato.store.db import Store
from olfato.store.workspace import Workspace

root, url, case, pkl, csv, mode = sys.argv[1:]
store = Store(Workspace(Path(root), url))
survey, hits, sources = pickle.loads(Path(pkl).read_bytes())
if mode == "kill":
    original = records.add_sources
    def killed(session, run, src):
        original(session, run, src)
        session.flush()  # the rows are in the open transaction, not yet committed
        os.kill(os.getpid(), signal.SIGKILL)
    records.add_sources = killed
elif mode == "slow":
    original_hits = records.add_hits
    def slow(session, run, h):
        original_hits(session, run, h)
        session.flush()
        time.sleep(0.8)  # hold the write transaction so the other writer must wait
    records.add_hits = slow
added = surveys.record_analysis(store, case, Path(csv), survey, hits, sources)
print(added.detect_version, added.locate_version)
"""

TABLES = (m.Case, m.Survey, m.Run, m.Hit, m.Source, m.Note, m.Product, m.AuditEvent)


def snapshot(store: Store) -> dict[str, object]:
    """Row counts of every table and the (stage, version) of every run."""
    with store.read() as s:
        counts = {t.__tablename__: s.scalar(select(func.count()).select_from(t)) for t in TABLES}
        runs = sorted((r.survey_id, r.stage, r.version) for r in s.scalars(select(m.Run)))
    return {**counts, "runs": runs}


def writer(tmp_path: Path, ws: Workspace, case: str, a: Analysis, mode: str) -> subprocess.Popen:
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    return subprocess.Popen(
        [
            sys.executable,
            str(script),
            str(ws.root),
            ws.database_url,
            case,
            str(a.pickle),
            str(a.csv),
            mode,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_case_names_and_unknown_case(store: Store) -> None:
    new_case(store, "sonora-1")
    with pytest.raises(CaseError, match="already exists"):
        new_case(store, "sonora-1")
    with pytest.raises(CaseError, match="not a usable case name"):
        new_case(store, "../etc")
    with pytest.raises(CaseError, match=r"no case called 'sonora-2'.*cases: sonora-1"):
        load_case(store, "sonora-2")
    with store.read() as s:
        actions = [a.action for a in s.scalars(select(m.AuditEvent))]
    assert actions == ["case.new"]
    # `share key` and `share verify` are subcommands: no case name is reserved for them
    new_case(store, "verify")
    new_case(store, "key")


def test_runs_are_new_versions_never_overwrites(store: Store, analysis: Analysis) -> None:
    new_case(store, "c")
    first = record_analysis(
        store, "c", analysis.csv, analysis.survey, analysis.hits, analysis.sources
    )
    second = record_analysis(
        store, "c", analysis.csv, analysis.survey, analysis.hits, analysis.sources
    )
    assert (first.detect_version, first.locate_version) == (1, 1)
    assert (second.detect_version, second.locate_version) == (2, 2)
    assert first.new_survey and not second.new_survey
    view = load_case(store, "c")
    assert view.n_runs == 6  # detect, locate and analysis (the input key), twice
    assert len(view.surveys) == 1
    sv = view.surveys[0]
    assert sv.detect is not None and sv.detect.version == 2
    # the newest runs carry the analysis, with its provenance
    assert len(sv.hits) == len(analysis.hits)
    assert [s.label for s in sv.sources] == [s.id for s in analysis.sources.sources]
    assert sv.survey.input_sha256 == sha256_file(analysis.csv)
    assert sv.detect.inputs["survey"] == sv.survey.input_sha256
    assert sv.detect.parameters["false_alarms_per_hour"] == analysis.hits.false_alarms_per_hour
    assert sv.locate is not None and sv.locate.parameters["transport"] == "trajectory"
    assert sv.locate.code_version.startswith("0") or "+" in sv.locate.code_version
    raster = sv.raster()
    assert raster is not None and raster[2].sum() > 0
    # version 1 is still there, whole
    with store.read() as s:
        v1 = s.scalar(select(m.Run).where(m.Run.stage == "locate", m.Run.version == 1))
        # every finding: the located sources and the detections (plumes seen, not located)
        found = analysis.sources
        assert v1 is not None and len(v1.sources) == len(found.sources) + len(found.detections)
        assert sorted(x.kind for x in v1.sources if not x.located) == ["detection"] * len(
            found.detections
        )
    # the samples come back from their Parquet file, checked against its SHA-256
    back = load_survey_samples(store, sv.survey)
    assert back.n_samples == analysis.survey.n_samples
    actions = [a.action for a in view.audit]
    assert actions == [
        "case.new",
        "survey.add",
        "run.detect",
        "run.locate",
        "run.analysis",
        "run.detect",
        "run.locate",
        "run.analysis",
    ]


def test_changed_samples_file_is_refused(store: Store, analysis: Analysis) -> None:
    new_case(store, "c")
    added = record_analysis(
        store, "c", analysis.csv, analysis.survey, analysis.hits, analysis.sources
    )
    with added.parquet.open("ab") as f:
        f.write(b"tampered")
    sv = load_case(store, "c").surveys[0]
    with pytest.raises(Exception, match="has changed since it was stored"):
        load_survey_samples(store, sv.survey)


def test_migrations_create_exactly_the_models(store: Store) -> None:
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), m.Base.metadata)
    assert diff == []


def test_notes(store: Store) -> None:
    new_case(store, "c")
    add_note(store, "c", "Vimos tambores.", lang="es", internal=False)
    add_note(store, "c", "Source K-7 (internal).", lang="en", internal=True)
    with pytest.raises(CaseError, match="'en' or 'es'"):
        add_note(store, "c", "x", lang="fr", internal=False)
    notes = load_case(store, "c").notes
    assert [(n.lang, n.internal) for n in notes] == [("es", False), ("en", True)]


def test_killed_half_way_leaves_the_store_as_it_was(
    store: Store, analysis: Analysis, tmp_path: Path
) -> None:
    new_case(store, "c")
    record_analysis(store, "c", analysis.csv, analysis.survey, analysis.hits, analysis.sources)
    before = snapshot(store)
    store.close()
    proc = writer(tmp_path, store.workspace, "c", analysis, "kill")
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL, err
    reopened = Store(store.workspace)
    assert snapshot(reopened) == before
    if reopened.dialect == "sqlite":
        with reopened.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    # and the store goes on: the next run is version 2, as if the killed one never happened
    again = record_analysis(
        reopened, "c", analysis.csv, analysis.survey, analysis.hits, analysis.sources
    )
    assert (again.detect_version, again.locate_version) == (2, 2)
    reopened.close()


def test_two_writers_at_once(store: Store, analysis: Analysis, tmp_path: Path) -> None:
    new_case(store, "c")
    store.close()
    procs = [writer(tmp_path, store.workspace, "c", analysis, "slow") for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (_, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
    versions = sorted(out.split()[0] for out, _ in outs)
    assert versions == ["1", "2"]
    reopened = Store(store.workspace)
    snap = snapshot(reopened)
    assert snap["surveys"] == 1
    assert snap["runs"] == [
        (1, "analysis", 1),
        (1, "analysis", 2),
        (1, "detect", 1),
        (1, "detect", 2),
        (1, "locate", 1),
        (1, "locate", 2),
    ]
    assert snap["hits"] == 2 * len(analysis.hits)
    reopened.close()


def test_unreachable_postgresql_is_a_clear_error(tmp_path: Path) -> None:
    with socket_closed_port() as port:
        url = f"postgresql+psycopg://olfato@127.0.0.1:{port}/olfato?connect_timeout=3"
        t0 = time.monotonic()
        with pytest.raises(StoreError, match="Cannot reach the case database") as info:
            open_store(tmp_path, url)
    assert time.monotonic() - t0 < 30
    assert "OLFATO_DATABASE_URL" in str(info.value)


def test_not_a_database_url(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="not a database URL"):
        open_store(tmp_path, "not a url")
    with pytest.raises(StoreError, match="SQLite or PostgreSQL"):
        open_store(tmp_path, "mysql://x@localhost/y")


class socket_closed_port:
    """A loopback port nobody listens on (bound, then released)."""

    def __enter__(self) -> int:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return int(s.getsockname()[1])

    def __exit__(self, *exc: object) -> None:
        return None


def test_sqlite_file_is_in_the_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OLFATO_DATABASE_URL", raising=False)
    monkeypatch.setenv("OLFATO_WORKSPACE", str(tmp_path / "w"))
    with open_store() as st:
        new_case(st, "x")
    assert (tmp_path / "w" / "case.db").exists()
    with open_store() as st, st.read() as s:
        assert s.execute(text("SELECT name FROM cases")).scalar() == "x"
    assert os.environ["OLFATO_WORKSPACE"].endswith("w")
