"""Vendor payload CSVs through a declarative mapping, with a separate wind log."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from olfato.errors import SurveyError
from olfato.survey.io import read_survey

MAPPING = """\
vendor: Example GasDrone v2 (Spanish firmware)
delimiter: ";"
decimal: ","
time: {column: "Fecha/Hora", format: "%d/%m/%Y %H:%M:%S", timezone: America/Hermosillo}
columns:
  "Latitud (°)": lat
  "Longitud (°)": lon
  'Altura "AGL" (ft)': {to: alt_agl_m, unit: ft}
  "CH4 (ppm)": {to: ch4, unit: ppm}
  "Acetona (ppb)": {to: acetone, unit: ppb}
wind:
  time: {column: "t (s)", format: seconds_since_takeoff}
  columns:
    "Vel. viento (km/h)": {to: wind_speed_ms, unit: km/h}
    "Dir. viento (°)": wind_dir_deg
"""


def vendor_csv(path: Path, n: int = 10) -> Path:
    # Hermosillo is UTC-7 all year; 09:00 local = 16:00 UTC
    lines = [
        '"Fecha/Hora";"Latitud (°)";"Longitud (°)";"Altura ""AGL"" (ft)";'
        '"CH4 (ppm)";"Acetona (ppb)";"Notas"'
    ]
    for i in range(n):
        lines.append(
            f"01/03/2026 09:00:{i:02d};29,{100000 + i * 50:06d};-110,9;98,4;"
            f'1,{900 + i};{i},5;"ok; sin novedad"'
        )
    path.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


def wind_log(path: Path) -> Path:
    # by flight time since take-off (the payload's first sample): 350 deg then 10 deg
    path.write_text(
        "t (s),Vel. viento (km/h),Dir. viento (°)\n0,18,350\n4,18,10\n8,36,10\n12,36,10\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path, Path]:
    m = tmp_path / "gasdrone.yaml"
    m.write_text(MAPPING, encoding="utf-8")
    return vendor_csv(tmp_path / "vuelo.csv"), m, wind_log(tmp_path / "viento.csv")


def test_vendor_csv_with_wind_log_by_flight_time(files):
    csv, mapping, wind = files
    s = read_survey(csv, mapping=mapping, wind=wind)
    assert s.n_samples == 10 and s.report.clean
    assert s.format == "vendor:Example GasDrone v2 (Spanish firmware)"
    assert s.time[0] == 1_772_380_800.0  # 09:00 in Hermosillo (UTC-7) is 16:00 UTC
    assert s.samples["lat"].iloc[1] == pytest.approx(29.10005)
    assert s.samples["alt_agl_m"].iloc[0] == pytest.approx(30.0, abs=0.01)  # 98.4 ft
    assert s.gas("ch4")[2] == pytest.approx(1902.0)  # 1,902 ppm with a decimal comma
    assert s.gas("acetone")[3] == pytest.approx(3.5)
    wd = s.samples["wind_dir_deg"].to_numpy()
    ws = s.samples["wind_speed_ms"].to_numpy()
    # 350 -> 10 deg interpolates through north, not through 180
    assert wd[2] == pytest.approx(0.0, abs=1e-6) or wd[2] == pytest.approx(360.0, abs=1e-6)
    assert wd[6] == pytest.approx(10.0)
    assert ws[0] == pytest.approx(5.0) and ws[9] == pytest.approx(10.0)  # km/h -> m/s
    assert "Notas" in s.extra_columns


def test_wind_log_by_clock_time_and_gap(tmp_path, files):
    csv, mapping, _ = files
    text = mapping.read_text(encoding="utf-8").replace(
        '{column: "t (s)", format: seconds_since_takeoff}', '{column: "t (s)", format: iso8601}'
    )
    mapping.write_text(text + "  max_gap_s: 3\n", encoding="utf-8")
    wind = tmp_path / "clock.csv"
    wind.write_text(
        "t (s),Vel. viento (km/h),Dir. viento (°)\n"
        "2026-03-01T16:00:00Z,18,270\n2026-03-01T16:00:05Z,18,270\n",
        encoding="utf-8",
    )
    s = read_survey(csv, mapping=mapping, wind=wind)
    # samples 9 s after the last wind sample are 4 s from it: more than max_gap_s
    assert s.report.dropped == {"no wind sample within 3 s (wind log clock.csv)": 1}
    assert np.allclose(s.samples["wind_dir_deg"], 270.0)


def test_mapping_errors_name_file_and_field(tmp_path, files):
    csv, mapping, wind = files
    text = mapping.read_text(encoding="utf-8")
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(text.replace('"CH4 (ppm)"', '"CH4 (ppb)"'), encoding="utf-8")
    with pytest.raises(SurveyError, match=r"column 'CH4 \(ppb\)'.*did you mean 'CH4 \(ppm\)'"):
        read_survey(csv, mapping=wrong, wind=wind)
    nounit = tmp_path / "nounit.yaml"
    nounit.write_text(text.replace("{to: ch4, unit: ppm}", "ch4"), encoding="utf-8")
    with pytest.raises(
        SurveyError, match=r"nounit.yaml: mapping field 'columns'.*needs unit ppm or ppb"
    ):
        read_survey(csv, mapping=nounit, wind=wind)
    broken = tmp_path / "broken.yaml"
    broken.write_text("columns: [unclosed\n", encoding="utf-8")
    with pytest.raises(SurveyError, match="broken.yaml.*not valid YAML"):
        read_survey(csv, mapping=broken)
    # without its wind log the survey is read without wind, and says so
    s = read_survey(csv, mapping=mapping)
    assert s.n_samples == 10 and np.isnan(s.samples["wind_speed_ms"]).all()
    assert any("no wind" in w for w in s.report.warnings)


def test_local_time_without_timezone_is_refused(tmp_path, files):
    csv, mapping, wind = files
    m = tmp_path / "notz.yaml"
    m.write_text(
        mapping.read_text(encoding="utf-8").replace(", timezone: America/Hermosillo", ""),
        encoding="utf-8",
    )
    with pytest.raises(SurveyError, match="no UTC offset and the mapping gives no 'timezone'"):
        read_survey(csv, mapping=m, wind=wind)


def test_fixed_offset_timezone(tmp_path, files):
    csv, mapping, wind = files
    m = tmp_path / "offset.yaml"
    m.write_text(
        mapping.read_text(encoding="utf-8").replace("America/Hermosillo", '"-07:00"'),
        encoding="utf-8",
    )
    assert read_survey(csv, mapping=m, wind=wind).time[0] == 1_772_380_800.0
