"""`olfato survey info|convert` as a user runs them: output, exit codes, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from olfato import __version__
from olfato.cli import app
from tests.survey.conftest import rows

runner = CliRunner()


def test_help_and_version():
    r = runner.invoke(app, ["--help"])
    assert r.exit_code == 0 and "ground confirmation" in r.output and "survey" in r.output
    r = runner.invoke(app, ["--version"])
    assert r.exit_code == 0 and r.output.strip() == f"olfato {__version__}"


def test_info_prints_the_summary(write_csv):
    r_ = rows(30)
    r_[4] = r_[4].replace(",270,", ",400,")
    path = write_csv(r_)
    r = runner.invoke(app, ["survey", "info", str(path)])
    assert r.exit_code == 0, r.output
    out = r.output
    assert "29 kept, 1 dropped" in out
    assert "wind direction outside 0..360 deg (lines 6" in out
    assert "from 270 deg" in out and "ch4" in out and "acetone" in out
    assert "battery_v" in out  # ignored columns are named


def test_info_steady_wind_has_spread_0_not_minus_0(write_csv):
    """A wind log of one direction has no spread: printed "spread 0 deg", never "-0";
    a mean direction that rounds to 360 is printed as 0."""
    r = runner.invoke(app, ["survey", "info", str(write_csv(rows(20)))])
    assert r.exit_code == 0, r.output
    assert "from 270 deg, spread 0 deg" in r.output and "-0 deg" not in r.output
    north = [x.replace(",270,", ",359.7,") for x in rows(20)]
    r = runner.invoke(app, ["survey", "info", str(write_csv(north, name="north.csv"))])
    assert r.exit_code == 0, r.output
    assert "from 0 deg, spread 0 deg" in r.output and "360 deg" not in r.output


def test_info_json(good_csv):
    r = runner.invoke(app, ["survey", "info", str(good_csv), "--json"])
    info = json.loads(r.output)
    assert info["samples"] == 20
    assert info["duration_s"] == 19.0
    assert info["channels"][0]["analyte"] == "ch4"
    assert info["channels"][0]["background_ppb"] == pytest.approx(1995.0, abs=1)
    assert info["wind"]["mean_dir_from_deg"] == pytest.approx(270.0)
    assert info["track_length_m"] == pytest.approx(105.3, abs=0.5)


def test_strict_exits_2_and_errors_have_no_traceback(write_csv):
    r_ = rows(5)
    r_[2] = r_[2].replace(",30,", ",abc,")
    path = write_csv(r_)
    r = runner.invoke(app, ["survey", "info", str(path), "--strict"])
    assert r.exit_code == 2
    assert "line 4, column 'alt_agl_m' (value: 'abc')" in r.output
    assert "Traceback" not in r.output
    r = runner.invoke(app, ["survey", "info", str(path.with_name("missing.csv"))])
    assert r.exit_code == 1 and "no such file" in r.output


def test_real_command_exit_code_without_traceback(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("time,lat,lon\n1,2,3\n")
    p = subprocess.run(
        [sys.executable, "-m", "olfato", "survey", "info", str(bad)],
        capture_output=True,
        text=True,
    )
    assert p.returncode == 1
    assert "missing required column(s) alt_agl_m" in p.stderr
    assert "Traceback" not in p.stderr + p.stdout


def test_convert_to_parquet_and_csv(good_csv, tmp_path):
    out = tmp_path / "s.parquet"
    r = runner.invoke(app, ["survey", "convert", str(good_csv), "--out", str(out)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["survey", "info", str(out), "--json"])
    info = json.loads(r.output)
    assert info["format"] == "csv-v1" and info["source"] == str(good_csv) and info["samples"] == 20
    out_csv = tmp_path / "s.csv"
    r = runner.invoke(app, ["survey", "convert", str(out), "--out", str(out_csv)])
    assert r.exit_code == 0 and out_csv.read_text().splitlines()[0].endswith(
        "ch4_ppb,acetone_ppb,battery_v"
    )
    r = runner.invoke(app, ["survey", "convert", str(good_csv), "--out", str(tmp_path / "s.xlsx")])
    assert r.exit_code == 1 and "must end in .csv or .parquet" in r.output
    r = runner.invoke(app, ["survey", "convert", str(good_csv), "--out", str(good_csv)])
    assert r.exit_code == 1 and "is the input file" in r.output
