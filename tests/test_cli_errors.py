"""Library errors name their parameter; the command line names the flag that sets it."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from olfato.cli import app, option_for
from olfato.errors import OlfatoError
from olfato.simulate.core import simulate

REPO = Path(__file__).resolve().parents[1]


def test_the_library_error_names_the_parameter() -> None:
    try:
        simulate(REPO / "scenarios" / "two_labs.yaml", seed=-1)
    except OlfatoError as exc:
        assert exc.parameter == "seed"
        assert "--seed" not in str(exc)
    else:
        raise AssertionError("a negative seed was accepted")


def test_the_command_line_names_the_flag(tmp_path: Path) -> None:
    r = CliRunner().invoke(
        app,
        [
            "simulate",
            str(REPO / "scenarios" / "two_labs.yaml"),
            "--seed",
            "-1",
            "--out",
            str(tmp_path / "sim"),
        ],
    )
    assert r.exit_code == 1
    assert "seed must be >= 0, got -1 (option --seed)" in r.output
    assert "Traceback" not in r.output


def test_flags_are_found_only_when_unambiguous() -> None:
    import typer.main

    root = typer.main.get_command(app)
    assert option_for(root, "seed") == "--seed"
    assert option_for(root, "false_alarms_per_hour") == "--false-alarms"
    assert option_for(root, "no_such_parameter") is None


def test_an_error_prints_brackets_as_they_are(tmp_path: Path) -> None:
    """A file name (or a unit) in brackets is text, not console markup."""
    odd = tmp_path / "survey[raw].csv"
    odd.write_text("time,lat,lon\n")
    r = CliRunner().invoke(app, ["locate", str(odd)])
    assert isinstance(r.exception, SystemExit) and r.exit_code != 0
    assert "survey[raw].csv, line 1, column 'alt_agl_m'" in r.output
