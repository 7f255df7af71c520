"""PX4 ULog (a real log), MAVLink telemetry and DataFlash logs written with pymavlink."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from olfato.errors import SurveyError
from olfato.survey.io import read_survey
from tests.conftest import shared_file
from tests.survey.logwriters import write_dataflash, write_tlog


@pytest.fixture
def px4_log() -> Path:
    return shared_file("data", "px4-ulog", "sample_log_small.ulg")


def test_ulog_default_mapping_says_which_gas_topic_is_missing(px4_log):
    with pytest.raises(SurveyError) as err:
        read_survey(px4_log)
    msg = str(err.value)
    assert "no gas channel found" in msg and "debug_key_value" in msg and "wind_estimate" in msg


def test_ulog_mapped_topic_absent(px4_log, tmp_path):
    m = tmp_path / "gas.yaml"
    m.write_text("channels:\n  ch4: {topic: gas_sensor, field: ch4, unit: ppm}\n")
    with pytest.raises(SurveyError, match="gas_sensor.ch4"):
        read_survey(px4_log, mapping=m)


def test_ulog_position_and_wind_from_real_log(px4_log, tmp_path):
    m = tmp_path / "nav.yaml"
    m.write_text("channels: {}\n")
    s = read_survey(px4_log, mapping=m)
    # the log was flown in Zurich... no: at 63.417 N, 10.408 E (Trondheim), 2021-04-21
    assert s.samples["lat"].between(63.416, 63.418).all()
    assert s.samples["lon"].between(10.40, 10.42).all()
    assert s.time[0] == pytest.approx(1618986658.6, abs=1.0)  # GPS UTC of the first fix
    assert np.isfinite(s.samples["wind_speed_ms"]).all()
    assert "navigation-only" in " ".join(s.report.warnings)
    # a real uORB field mapped as a channel goes through the same path
    m2 = tmp_path / "field.yaml"
    m2.write_text(
        "channels:\n  co2: {topic: airspeed, field: air_temperature_celsius, unit: ppm}\n"
    )
    s2 = read_survey(px4_log, mapping=m2)
    assert s2.channels == {"co2": "ppm"} and s2.n_samples > 100


def test_corrupted_ulog_is_a_clear_error(px4_log, tmp_path):
    bad = tmp_path / "bad.ulg"
    bad.write_bytes(b"garbage" + px4_log.read_bytes()[100:5000])
    with pytest.raises(SurveyError, match="bad.ulg: not a readable PX4 ULog"):
        read_survey(bad)


def test_tlog_position_wind_gas(tmp_path):
    truth = write_tlog(tmp_path / "flight.tlog")
    s = read_survey(tmp_path / "flight.tlog")
    assert s.format == "mavlink-tlog"
    assert s.channels == {"ch4": "ppm", "acetone": "ppb"}  # "acet_ppb" alias
    assert np.allclose(s.gas("ch4"), truth["ch4_ppm"] * 1000, rtol=1e-6)
    assert np.allclose(s.gas("acetone"), truth["acetone_ppb"], rtol=1e-6)
    assert np.allclose(s.samples["wind_dir_deg"], 270.0) and np.allclose(
        s.samples["wind_speed_ms"], 4.0
    )
    assert np.allclose(s.samples["alt_agl_m"], 30.0)
    # flying east at 5 m/s
    assert np.median(np.diff(s.samples["east_m"])) == pytest.approx(2.5, rel=0.01)


def test_tlog_errors(tmp_path):
    write_tlog(tmp_path / "nogas.tlog", with_gas=False)
    with pytest.raises(SurveyError, match="NAMED_VALUE_FLOAT"):
        read_survey(tmp_path / "nogas.tlog")
    write_tlog(tmp_path / "nowind.tlog", with_wind=False)
    with pytest.raises(SurveyError, match="no wind estimate"):
        read_survey(tmp_path / "nowind.tlog")
    junk = tmp_path / "junk.tlog"
    junk.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(SurveyError, match="junk.tlog"):
        read_survey(junk)
    m = tmp_path / "keys.yaml"
    m.write_text("channels:\n  ch4: {key: CH4_PPM, unit: ppm}\n")
    with pytest.raises(SurveyError, match="no gas channel found"):
        read_survey(tmp_path / "nogas.tlog", mapping=m)


def test_dataflash_position_wind_gas(tmp_path):
    truth = write_dataflash(tmp_path / "00000042.BIN")
    s = read_survey(tmp_path / "00000042.BIN")
    assert s.format == "ardupilot-dataflash"
    assert s.channels == {"ch4": "ppm", "acetone": "ppb"}
    assert np.allclose(s.gas("ch4"), truth["ch4_ppm"] * 1000, rtol=1e-5)
    # EKF wind: air moving towards +east at 4 m/s is wind FROM 270 deg
    assert np.allclose(s.samples["wind_dir_deg"], 270.0)
    assert np.allclose(s.samples["wind_speed_ms"], 4.0)
    assert np.allclose(s.samples["alt_agl_m"], 30.0)
    # GPS week/ms clock gives UTC (within the 3 ms the gas record lags the fix)
    assert s.time[0] == pytest.approx(truth["t"][0], abs=0.01)
    write_dataflash(tmp_path / "nogas.bin", with_gas=False)
    with pytest.raises(SurveyError, match="NVF"):
        read_survey(tmp_path / "nogas.bin")
