"""Survey CSV v1: reading, unit conversion, projection, and every kind of bad row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pyproj import Geod

from olfato.errors import StrictValidationError, SurveyError
from olfato.survey.io import read_survey
from tests.survey.conftest import HEADER, rows


def test_reads_samples_in_ppb_and_local_metres(good_csv):
    s = read_survey(good_csv)
    assert s.n_samples == 20
    assert s.channels == {"ch4": "ppm", "acetone": "ppb"}
    # ppm -> ppb on read
    assert s.gas("ch4")[0] == pytest.approx(1900.0)
    assert s.gas("acetone")[3] == pytest.approx(3.5)
    # local metres agree with the WGS84 geodesic (an outside reference) to 1 mm
    geod = Geod(ellps="WGS84")
    lat, lon = s.samples["lat"].to_numpy(), s.samples["lon"].to_numpy()
    _, _, dist = geod.inv(lon[0], lat[0], lon[-1], lat[-1])
    e, n = s.samples["east_m"].to_numpy(), s.samples["north_m"].to_numpy()
    assert np.hypot(e[-1] - e[0], n[-1] - n[0]) == pytest.approx(dist, abs=1e-3)
    assert dist == pytest.approx(19 * 5e-5 * 110_850, rel=0.01)  # ~105 m north
    # the frame is centred on the survey and round-trips to WGS84
    lat_back, lon_back = s.frame.to_wgs84(e, n)
    assert np.allclose(lat_back, lat, atol=1e-9) and np.allclose(lon_back, lon, atol=1e-9)
    assert abs(n.mean()) < 1.0
    assert s.sample_rate_hz == pytest.approx(1.0)
    assert s.extra_columns == ["battery_v"]
    assert s.report.clean


def test_iso_times_with_offsets_equal_epoch_seconds(write_csv):
    lines = [r.split(",", 1)[1] for r in rows(3)]
    iso = ["2026-03-01T09:00:00-07:00", "2026-03-01T16:00:01Z", "2026-03-01T17:00:02+01:00"]
    s = read_survey(write_csv([f"{t},{rest}" for t, rest in zip(iso, lines, strict=True)]))
    assert s.time.tolist() == [1_772_380_800.0, 1_772_380_801.0, 1_772_380_802.0]


def test_truncated_last_line_is_named(write_csv):
    path = write_csv([*rows(5), "1772380805.0,29.10025"], end="")
    s = read_survey(path)
    assert s.n_samples == 5
    (reason,) = s.report.dropped
    assert "truncated line" in reason
    ex = s.report.examples[reason][0]
    assert (ex.line, ex.column) == (7, "lat")
    with pytest.raises(StrictValidationError) as err:
        read_survey(path, strict=True)
    msg = str(err.value)
    assert str(path) in msg and "line 7" in msg and "column 'lat'" in msg
    assert err.value.exit_code == 2


def test_text_in_number_field_names_line_column_value(write_csv):
    good = rows(6)
    good[3] = good[3].replace(",30,", ",thirty,")
    path = write_csv(good)
    s = read_survey(path)
    assert s.n_samples == 5
    ex = s.report.examples["not a number"][0]
    assert (ex.line, ex.column, ex.value) == (5, "alt_agl_m", "thirty")
    with pytest.raises(
        StrictValidationError, match=r"line 5, column 'alt_agl_m' \(value: 'thirty'\)"
    ):
        read_survey(path, strict=True)


def test_wrong_unit_suffix_is_one_clear_error(write_csv):
    path = write_csv(rows(3), header=HEADER.replace("ch4_ppm", "ch4_mgm3"))
    with pytest.raises(SurveyError) as err:
        read_survey(path)
    msg = str(err.value)
    assert msg.startswith(f"{path}, line 1, column 'ch4_mgm3': unknown unit 'mgm3'")
    assert "\n" not in msg


@pytest.mark.parametrize(
    ("header", "match"),
    [
        (HEADER.replace("wind_dir_deg,", ""), "missing required column"),
        (HEADER.replace("ch4_ppm", "ch4"), "has no unit"),
        (HEADER.replace("battery_v", "acetone_ppm"), "more than one column"),
        (HEADER.replace("battery_v", "ch4_ppm"), "duplicate column"),
        (HEADER.replace("battery_v", "voc_ppb,voc"), "gas column 'voc' has no unit"),
        ("time,lat,lon,alt_agl_m,wind_speed_ms,wind_dir_deg,battery_v", "no gas channels"),
    ],
)
def test_header_problems(write_csv, header, match):
    with pytest.raises(SurveyError, match=match):
        read_survey(write_csv(rows(3), header=header))


def test_empty_file_and_empty_flight(tmp_path, write_csv):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(SurveyError, match="empty"):
        read_survey(empty)
    with pytest.raises(SurveyError, match="empty flight"):
        read_survey(write_csv([]))
    bad = [r.replace(",270,", ",999,") for r in rows(4)]
    with pytest.raises(SurveyError, match=r"empty flight: 0 usable sample\(s\) of 4"):
        read_survey(write_csv(bad))


def test_time_order_duplicates_and_units(write_csv):
    r = rows(8)
    r[4] = r[2]  # repeats line 4's time (and goes back in time)
    r[6] = r[5].replace("1772380805.0", "1772380805.0")  # duplicate of the previous sample
    s = read_survey(write_csv(r))
    assert np.all(np.diff(s.time) > 0)
    assert s.report.dropped == {"time goes backwards": 1, "duplicate time": 1}
    ms = [x.replace("1772380", "1772380000", 1) for x in rows(3)]
    with pytest.raises(SurveyError, match="milliseconds"):
        read_survey(write_csv(ms))
    since_takeoff = [x.replace("1772380800.0", "0.0").replace("17723808", "") for x in rows(1)]
    with pytest.raises(SurveyError, match="not seconds since the Unix epoch"):
        read_survey(write_csv(since_takeoff * 1))


def test_iso_time_without_offset_is_flagged(write_csv):
    r = rows(4)
    r[1] = "2026-03-01T16:00:01," + r[1].split(",", 1)[1]
    s = read_survey(write_csv(r))
    assert s.report.dropped == {"time without UTC offset (ambiguous)": 1}


def test_a_malformed_offset_beside_a_time_without_one_is_flagged_not_a_crash(write_csv):
    # "+1" is no ISO 8601 offset, yet the date parser reads it as one; beside a time
    # with no offset at all it made the parser raise "Mixed timezones detected"
    r = rows(6)
    r[1] = "2026-03-01T16:00:01," + r[1].split(",", 1)[1]
    r[2] = "2026-03-01T16:00:02+1," + r[2].split(",", 1)[1]
    s = read_survey(write_csv(r))
    assert len(s.samples) == 4
    assert s.report.dropped["time without UTC offset (ambiguous)"] >= 1


def test_ranges_and_gps_glitches(write_csv):
    r = rows(30)
    r[3] = r[3].replace(",270,", ",361,")
    r[5] = r[5].replace("29.100250", "95.0")
    r[7] = r[7].replace("29.100350,-110.9", "0,0")
    r[9] = r[9].replace("29.100450", "29.110450")  # a 1.1 km spike for one second
    r[12] = r[12].replace(",3.2,", ",-1,")
    s = read_survey(write_csv(r))
    d = s.report.dropped
    assert d["wind direction outside 0..360 deg"] == 1
    assert d["latitude outside -90..90"] == 1
    assert d["position (0, 0): GPS without fix"] == 1
    assert d["position jumps faster than 60 m/s from the previous good fix"] == 1
    assert d["wind speed outside 0..60 m/s"] == 1
    assert s.n_samples == 25
    step = np.hypot(np.diff(s.samples["east_m"]), np.diff(s.samples["north_m"]))
    assert step.max() < 15


def test_lasting_position_jump_is_reacquired(write_csv):
    r = rows(40)
    # from line 22 on the GPS reports positions 300 m further north: dropped until a
    # drone at 60 m/s could have got there (5 s), then followed again
    shifted = []
    for i, x in enumerate(r):
        if i >= 20:
            lat = 29.1 + i * 5e-5 + 300 / 110_850
            x = x.replace(f"{29.1 + i * 5e-5:.6f}", f"{lat:.6f}")
        shifted.append(x)
    s = read_survey(write_csv(shifted))
    assert (
        1 <= s.report.dropped["position jumps faster than 60 m/s from the previous good fix"] <= 6
    )
    assert s.n_samples >= 34


def test_gas_nan_stretches_kept_and_reported(write_csv):
    r = rows(10)
    for i in (4, 5, 6):
        r[i] = r[i].replace(f",{0.5 + i:.2f},", ",,")
    s = read_survey(write_csv(r))
    assert s.n_samples == 10
    assert np.isnan(s.gas("acetone")).sum() == 3
    assert any("'acetone': 3 missing value(s) in 1 stretch(es)" in w for w in s.report.warnings)
    assert any("lines 6-8" in w for w in s.report.warnings)


def test_gaps_reported(write_csv):
    r = rows(20)
    r = r[:10] + [
        x.replace("17723808", "17723809", 1) for x in r[10:]
    ]  # +100 s after the 10th sample
    s = read_survey(write_csv(r))
    assert any("1 gap(s)" in w and "101.0 s after line 11" in w for w in s.report.warnings)


def test_byte_order_mark_and_stability_class(tmp_path):
    p = tmp_path / "bom.csv"
    lines = [f"{x},d" for x in rows(3)]
    lines[1] = lines[1][:-1] + "Q"
    p.write_text(
        "\ufeff" + HEADER + ",stability_class\n" + "\n".join(lines) + "\n", encoding="utf-8"
    )
    s = read_survey(p)
    assert s.samples["stability_class"].tolist() == ["D", "D"]
    assert s.report.dropped == {"stability class not one of A..F": 1}


def test_not_utf8_is_a_clear_error(tmp_path):
    p = tmp_path / "latin1.csv"
    p.write_bytes((HEADER.replace("battery_v", "batería") + "\n").encode("latin-1"))
    with pytest.raises(SurveyError, match="not valid utf-8-sig text"):
        read_survey(p)


def test_unknown_format_and_missing_file(tmp_path):
    with pytest.raises(SurveyError, match="no such file"):
        read_survey(tmp_path / "nope.csv")
    other = tmp_path / "x.xlsx"
    other.write_text("x")
    with pytest.raises(SurveyError, match="unknown survey format '.xlsx'"):
        read_survey(other)


def test_csv_and_parquet_round_trip(good_csv, tmp_path):
    s = read_survey(good_csv)
    back = read_survey(s.to_csv(tmp_path / "out.csv"))
    assert np.allclose(back.gas("ch4"), s.gas("ch4"))
    assert back.channels == {"ch4": "ppb", "acetone": "ppb"}
    pq = read_survey(s.to_parquet(tmp_path / "out.parquet"))
    assert pq.channels == s.channels and pq.frame == s.frame and pq.source == s.source
    assert np.array_equal(pq.samples["east_m"], s.samples["east_m"])
    assert pq.report.rows_read == 20


def test_fast_projection_matches_exact_transverse_mercator():
    """The +approx series agrees with PROJ's exact tmerc to < 1 mm over a 60 km survey."""
    from pyproj import Transformer

    from olfato.survey.projection import LocalFrame

    rng = np.random.default_rng(1)
    lat = 29.1 + rng.random(400_000) * 0.6  # 400k points: the threaded path too
    lon = -110.9 + (rng.random(400_000) - 0.5) * 0.6
    frame = LocalFrame.centred_on(lat, lon)
    e, n = frame.to_local(lat, lon)
    exact = Transformer.from_crs("EPSG:4326", frame.proj4.replace(" +approx", ""), always_xy=True)
    e2, n2 = exact.transform(lon, lat)
    assert np.max(np.hypot(e - e2, n - n2)) < 1e-3


def test_iso_and_epoch_times_give_the_same_survey(write_csv):
    """ISO times take the path that parses them while projecting; epoch seconds do not."""
    r = rows(40)
    r[3] = r[3].replace(",270,", ",361,")
    r[5] = r[5].replace("29.100250", "95.0")
    r[7] = r[7].replace("29.100350,-110.9", "0,0")
    r[9] = r[9].replace("29.100450", "29.110450")
    r[12] = ",".join(["", *r[12].split(",")[1:]])  # no time
    epoch = write_csv(r, name="epoch.csv")
    iso = [
        line
        if line.startswith(",")
        else pd.Timestamp(float(line.split(",", 1)[0]), unit="s", tz="UTC")
        .tz_convert("-07:00")
        .isoformat()
        + ","
        + line.split(",", 1)[1]
        for line in r
    ]
    a, b = read_survey(epoch), read_survey(write_csv(iso, name="iso.csv"))
    assert a.frame == b.frame
    assert a.report.dropped == b.report.dropped
    assert a.report.dropped["missing value"] == 1 and b.n_samples == 35
    for col in ("time", "east_m", "north_m", "ch4"):
        np.testing.assert_array_equal(a.samples[col], b.samples[col])


def test_frame_is_centred_on_real_fixes_only():
    """No-fix (0, 0), out-of-range and missing positions do not move the frame."""
    from olfato.survey.projection import LocalFrame

    lat = np.array([29.1, 29.2, 29.3, 0.0, 0.0, 0.0, 95.0, np.nan, np.nan])
    lon = np.array([-110.9, -110.8, -110.7, 0.0, 0.0, 0.0, -110.0, -110.0, -110.0])
    assert LocalFrame.centred_on(lat, lon) == LocalFrame(29.2, -110.8)
    with pytest.raises(ValueError):
        LocalFrame.centred_on([0.0, np.nan], [0.0, 1.0])
    # a long flight whose evenly spaced sample of fixes holds no good one
    lat, lon = np.zeros(20_000), np.zeros(20_000)
    lat[1::2], lon[1::2] = 29.1, -110.9
    assert LocalFrame.centred_on(lat, lon) == LocalFrame(29.1, -110.9)
