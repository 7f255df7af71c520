"""Scenario files: the shipped ones load, bad ones fail with one clear paragraph."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from olfato.errors import OlfatoError
from olfato.simulate import load_scenario

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((REPO / "scenarios").glob("*.yaml"))


def test_at_least_ten_scenarios_ship():
    names = {p.stem for p in SCENARIOS}
    assert len(names) >= 10
    for needed in (
        "calm_stable_night",
        "unstable_noon",
        "two_labs",
        "benign_only",
        "no_sources",
        "crowded",
        "weak_lab",
        "wind_shift",
        "sensor_dropouts",
        "long_40min_10hz",
    ):
        assert needed in names


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_shipped_scenarios_load(path):
    sc = load_scenario(path)
    assert sc.sensors and sc.path == path


def test_packaged_demo_scenario_loads():
    from importlib.resources import files

    sc = load_scenario(Path(str(files("olfato") / "data" / "scenarios" / "demo.yaml")))
    assert sc.sources


def _write(tmp_path, base, **changes):
    raw = dict(base, **changes)
    p = tmp_path / "bad.yaml"
    p.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return p


def test_negative_rate_names_file_and_field(tmp_path, base):
    base["sources"][0]["rate_g_s"] = -1.0
    p = _write(tmp_path, base)
    with pytest.raises(OlfatoError) as err:
        load_scenario(p)
    msg = str(err.value)
    assert str(p) in msg and "sources[0].rate_g_s" in msg and "greater than 0" in msg


def test_unknown_signature_names_the_field(tmp_path, base):
    base["sources"][0]["signature"] = "meth_lab"
    with pytest.raises(OlfatoError, match=r"sources\[0\]\.signature.*unknown signature 'meth_lab'"):
        load_scenario(_write(tmp_path, base))


def test_other_bad_fields(tmp_path, base):
    cases = [
        ({"stability": "G"}, "stability"),
        ({"start_time": "2024-03-14T15:30:00"}, "UTC offset"),
        ({"sensors": [{"analyte": "kryptonite"}]}, "sensors[0].analyte"),
        ({"wind": {"speed_ms": 3}}, "wind.direction_deg"),
        ({"flight": {"pattern": "waypoints"}}, "waypoints"),
        ({"colour": "red"}, "colour"),
    ]
    for change, needle in cases:
        with pytest.raises(OlfatoError) as err:
            load_scenario(_write(tmp_path, dict(base, **change)))
        assert needle in str(err.value), (change, str(err.value))


def test_malformed_yaml_and_missing_file(tmp_path):
    p = tmp_path / "broken.yaml"
    p.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(OlfatoError, match="not valid YAML"):
        load_scenario(p)
    with pytest.raises(OlfatoError, match="cannot read the scenario"):
        load_scenario(tmp_path / "absent.yaml")


def test_cli_writes_files_and_reports_errors_without_traceback(tmp_path, base):
    from olfato.cli import app

    good = _write(tmp_path, base)
    runner = CliRunner()
    res = runner.invoke(
        app, ["simulate", str(good), "--out", str(tmp_path / "o"), "--seed", "2", "--plot", "-q"]
    )
    assert res.exit_code == 0, res.output
    for name in ("survey.csv", "truth.json", "clean.parquet", "map.png"):
        assert (tmp_path / "o" / name).stat().st_size > 0
    base["sources"][0]["rate_g_s"] = -3
    bad = _write(tmp_path, base)
    res = runner.invoke(app, ["simulate", str(bad), "--out", str(tmp_path / "p")])
    assert res.exit_code == 1
    assert "rate_g_s" in res.output and "Traceback" not in res.output


def test_a_scenario_reflown_keeps_its_world_and_flies_the_new_route():
    """A follow-up sortie in the simulator: the same sources (with the chemistry the first
    flight drew for each site), wind and sensors, the given route, height, speed and
    take-off time; a route of one point is refused by name."""
    import datetime as dt

    from olfato.simulate import reflown, simulate

    base = load_scenario(REPO / "scenarios" / "two_labs.yaml")
    first = simulate(base, seed=0)
    t0 = base.start_time.timestamp() + 3600.0
    route = [(-300.0, -100.0), (300.0, -100.0), (300.0, 50.0)]
    again = reflown(
        base, route, altitude_m=12.0, speed_ms=5.0, start_time_s=t0, site_ratios=first.site_ratios
    )
    ignore = {"ratios"}
    assert [s.model_dump(exclude=ignore) for s in again.sources] == [
        s.model_dump(exclude=ignore) for s in base.sources
    ]
    assert again.sensors == base.sensors
    assert again.wind == base.wind
    assert again.flight.waypoints == route and again.flight.pattern == "waypoints"
    assert (again.flight.altitude_m, again.flight.speed_ms) == (12.0, 5.0)
    assert again.flight.sample_rate_hz == base.flight.sample_rate_hz
    assert again.start_time == dt.datetime.fromtimestamp(t0, tz=dt.UTC)
    sim = simulate(again, seed=3)
    assert sim.samples["time"].iloc[0] == pytest.approx(t0, abs=1.0)
    assert sim.samples["alt_agl_m"].median() == pytest.approx(12.0, abs=1.0)
    # each site's scattered composition is the first flight's, not a new draw (which a
    # new seed gives a site whose ratios are left to the simulator)
    assert sim.site_ratios == first.site_ratios
    assert simulate(base, seed=3).site_ratios["lab2"] != first.site_ratios["lab2"]
    with pytest.raises(OlfatoError, match="reflown: field 'flight'"):
        reflown(
            base,
            route[:1],
            altitude_m=12.0,
            speed_ms=5.0,
            start_time_s=t0,
            site_ratios=first.site_ratios,
        )
    with pytest.raises(OlfatoError, match="site_ratios has no source 'lab2'"):
        reflown(
            base,
            route,
            altitude_m=12.0,
            speed_ms=5.0,
            start_time_s=t0,
            site_ratios={"lab1": first.site_ratios["lab1"]},
        )


def test_site_ratios_of_other_gases_than_the_signature_are_refused_by_field(tmp_path):
    """A source's ``ratios`` must name exactly its signature's gases; a wrong set is
    refused naming the file and the field, and a non-positive ratio by the field."""
    base = yaml.safe_load((REPO / "scenarios" / "two_labs.yaml").read_text())
    base["sources"][0]["ratios"] = {"toluene": 1.0, "methane": 0.3}
    with pytest.raises(OlfatoError, match=r"sources\[0\]\.ratios.*signature 'clandestine_lab'"):
        load_scenario(_write(tmp_path, base))
    # a scenario built in code (as reflown builds one) is checked when simulated
    from olfato.simulate import scenario_from_dict, simulate

    with pytest.raises(OlfatoError, match=r"sources\[0\]\.ratios.*signature 'clandestine_lab'"):
        simulate(scenario_from_dict(base))
    base["sources"][0]["ratios"] = {"toluene": -1.0}
    with pytest.raises(OlfatoError, match=r"'sources\[0\]': ratios must be finite and > 0"):
        load_scenario(_write(tmp_path, base))
