"""`olfato case new/add/note/show` as an analyst runs them (SQLite workspace)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from olfato.cli import app
from tests.store.analysis import Analysis


def test_case_commands(analysis: Analysis, tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"OLFATO_WORKSPACE": str(tmp_path / "ws"), "OLFATO_DATABASE_URL": ""}
    r = runner.invoke(app, ["case", "new", "sonora"], env=env)
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["case", "add", "sonora", str(analysis.csv), "-q"], env=env)
    assert r.exit_code == 0, r.output
    assert "detect v1 found" in r.output and "locate v1 found" in r.output
    assert "ground confirmation" in r.output
    # a survey that fails validation: a clear error, and nothing stored changes
    bad = tmp_path / "bad.csv"
    lines = analysis.csv.read_text().splitlines()
    lines[5] = lines[5].replace(",", ",abc,", 1)
    bad.write_text("\n".join(lines[:200]) + "\n")
    r = runner.invoke(app, ["case", "add", "sonora", str(bad), "--strict", "-q"], env=env)
    assert r.exit_code == 2, r.output
    assert "error:" in r.output and "Traceback" not in r.output
    r = runner.invoke(app, ["case", "add", "nosuch", str(analysis.csv), "-q"], env=env)
    assert r.exit_code == 1 and "no case called 'nosuch'" in r.output
    r = runner.invoke(app, ["case", "note", "sonora", "Vimos humo.", "--lang", "es"], env=env)
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["case", "show", "sonora"], env={**env, "COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    out = r.output
    # detect, locate and the analysis run (its input key); the bad survey added nothing
    assert "1 survey(s), 3 run(s)" in out
    assert "survey.csv" in out and "S1" in out and "suspect" in out
    assert "Vimos humo." in out
    for action in ("case.new", "survey.add", "run.detect", "run.locate", "note.add"):
        assert action in out
