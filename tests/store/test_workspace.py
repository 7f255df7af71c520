"""The workspace is its owner's alone, cleans up after a killed writer, and names are whole."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from olfato.store.cases import CaseError, check_case_name
from olfato.store.db import Store
from olfato.store.workspace import ORPHAN_AGE_S, Workspace


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_workspace_is_owner_only(tmp_path: Path) -> None:
    ws = Workspace.locate(tmp_path / "ws", database_url="")
    old = os.umask(0o022)  # the usual umask: files 0644, folders 0755
    try:
        with Store(ws):
            pass
    finally:
        os.umask(old)
    assert _mode(ws.root) == 0o700
    for d in (ws.surveys_dir, ws.products_dir, ws.keys_dir):
        assert _mode(d) == 0o700, d
    assert _mode(ws.root / "case.db") == 0o600
    # a file made world-readable meanwhile (copied in by hand) is tightened on next open
    loose = ws.products_dir / "copied.html"
    loose.write_text("<p>internal</p>")
    loose.chmod(0o644)
    with Store(ws):
        pass
    assert _mode(loose) == 0o600


def test_products_are_written_owner_only(tmp_path: Path) -> None:
    from olfato.report.products import write_new

    old = os.umask(0o022)
    try:
        path = write_new(tmp_path / "p" / "report.html", b"<p>x</p>")
    finally:
        os.umask(old)
    assert _mode(path) == 0o600


def test_orphan_temp_files_are_removed_on_open(tmp_path: Path) -> None:
    ws = Workspace.locate(tmp_path / "ws", database_url="")
    with Store(ws):
        pass
    orphan = ws.surveys_dir / "tmpab12.parquet.tmp"  # a killed `case add` left it
    orphan.write_bytes(b"PAR1 half")
    fresh = ws.surveys_dir / "tmpcd34.parquet.tmp"  # a writer at work right now
    fresh.write_bytes(b"PAR1")
    long_ago = time.time() - ORPHAN_AGE_S - 60
    os.utime(orphan, (long_ago, long_ago))
    with Store(ws):
        pass
    assert not orphan.exists() and fresh.exists()


@pytest.mark.parametrize("name", ["sonora-1\n", "sonora-1\r\n", "\nsonora", "so nora", ""])
def test_case_names_are_matched_whole(name: str) -> None:
    with pytest.raises(CaseError, match="not a usable case name"):
        check_case_name(name)
    assert check_case_name("sonora-1") == "sonora-1"
