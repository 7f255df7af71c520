"""A real multi-gas payload log read through a mapping alone (issue 13, items 1-5).

The files are shaped as a DFROBOT-style payload writes them: a byte-order mark,
headers with doubled quotes (read as ``"Latitude"``) and units in parentheses, clock
times ``UTC 221212 101240 5 9 `` with trailing text, one-second resolution and
several rows per second, three flights in one file; a separate wind log per flight
keyed by flight time (``00m 20s``) with units inside the cells (``6.6 m``, ``203°``,
``2.10 m/s``), non-breaking spaces, and a timer that started after the sensor log.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from olfato.errors import StrictValidationError, SurveyError
from olfato.survey.flights import split_flights
from olfato.survey.io import read_survey
from olfato.survey.vendor import altitude_offset, flight_clock_seconds

NBSP = "\u00a0"
MAPPING = r"""
vendor: DFROBOT multi-gas
time:
  column: Time
  regex: 'CLOCK'
  timezone: UTC
columns:
  Latitude: lat
  Longitude: lon
  '"Altitude"': alt_agl_m
  CO2 (ppm): {to: co2, unit: ppm}
  CH4 (ppm): {to: ch4, unit: ppm}
  NH3 (ppm): {to: nh3, unit: ppm}
wind:
  time: {column: Flight time, format: flight_time}
  max_gap_s: 20
  columns:
    Height: {to: alt_agl_m, unit: m}
    Direction: wind_dir_deg
    Speed: {to: wind_speed_ms, unit: m/s}
""".replace(
    "CLOCK",
    r"UTC (?P<year>\d\d)(?P<month>\d\d)(?P<day>\d\d) "
    r"(?P<hour>\d\d)(?P<minute>\d\d)(?P<second>\d\d)( .*)?",
)

#: (UTC take-off or None: after 70 s on the ground, seconds in the air)
FLIGHTS = [
    (pd.Timestamp("2022-12-12T10:12:40Z"), 300),
    (pd.Timestamp("2022-12-12T10:25:00Z"), 240),  # 7 min gap: the logger was off
    (None, 260),  # after 70 s on the ground with the logger running
]
#: the wind logger's timer starts this long after each flight's first sensor row [s]
WIND_LATE_S = [12.0, 17.0, 9.0]


def _altitude(tau: np.ndarray, duration: float) -> np.ndarray:
    """A flight's height [m]: climb to 40 m, a survey with steps, descent."""
    climb = np.clip(tau / 30.0, 0, 1) * 40.0
    descend = np.clip((duration - tau) / 30.0, 0, 1)
    steps = 6.0 * np.sin(tau / 23.0) + 4.0 * (tau // 60 % 2)
    return np.minimum(climb, descend * 40.0) + np.where(
        (tau > 30) & (tau < duration - 30), steps, 0
    )


def make_payload(tmp_path: Path) -> tuple[Path, list[tuple[Path, int]], list[np.ndarray]]:
    """The sensor CSV, one wind log per flight with its row count, and each flight's
    true times (after spreading within the second)."""
    rng = np.random.default_rng(7)
    lines = [
        '" ""Time""",'
        '" ""Latitude""",'
        '" ""Longitude""",'
        '" ""Altitude""",'
        '"CO2 (ppm)","CH4 (ppm)","NH3 (ppm)"'
    ]
    spans: list[tuple[float, float]] = []  # (take-off, duration) of each flight
    seconds: list[float] = []
    for t0, duration in FLIGHTS:
        if t0 is None:  # 70 s on the ground with the logger on, then the third flight
            prev_end = spans[-1][0] + spans[-1][1]
            seconds.extend(np.arange(prev_end, prev_end + 70.0))
            start = prev_end + 70.0
        else:
            start = t0.timestamp()
        spans.append((start, float(duration)))
        seconds.extend(np.arange(start, start + duration))

    def alt_at(t: np.ndarray) -> np.ndarray:
        out = np.full(np.shape(t), 0.3)
        for a, d in spans:
            inside = (t >= a) & (t < a + d)
            out[inside] = _altitude(t[inside] - a, d)
        return out

    times: list[float] = []
    for sec in seconds:
        n = int(rng.integers(3, 6))  # 3-5 rows in every second
        times.extend(sec + np.arange(n) / n)
        alt = float(alt_at(np.array([sec]))[0])
        lines.extend(_row(sec, alt, rng) for _ in range(n))
    t_rows = np.array(times)
    flights = split_flights(t_rows, alt_at(np.floor(t_rows)))
    assert len(flights) == 3
    truths = [t_rows[f.start : f.stop] for f in flights]
    winds: list[tuple[Path, int]] = []
    for k, f in enumerate(flights):
        # the wind log: 1 Hz, flight time since its own timer started, late
        zero = f.start_time + WIND_LATE_S[k]
        wrows = ["Flight time,Height,Direction,Speed"]
        for tt in np.arange(0, f.end_time - zero + 25):
            h = float(alt_at(np.array([zero + tt]))[0])
            d = (200 + 10 * np.sin(tt / 40)) % 360
            sp = 2.0 + 0.5 * np.cos(tt / 30)
            m, sec = divmod(int(tt), 60)
            wrows.append(f"{m:02d}m {sec:02d}s,{h:.1f} m,{d:.0f}°,{NBSP}{NBSP}{sp:.2f}{NBSP}m/s")
        wpath = tmp_path / f"wind{k + 1}.csv"
        wpath.write_text("\n".join(wrows) + "\n", encoding="utf-8")
        winds.append((wpath, len(wrows) - 1))
    path = tmp_path / "SENSOR.CSV"
    path.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path, winds, truths


def _row(sec: float, alt: float, rng: np.random.Generator) -> str:
    stamp = pd.Timestamp(sec, unit="s", tz="UTC").strftime("%y%m%d %H%M%S")
    phase = (sec % 3600) / 60.0  # a slow circle, about 5 m/s
    lat = 19.48 + 5e-4 * np.sin(phase)
    lon = -99.13 + 5e-4 * np.cos(phase)
    return (
        f"UTC {stamp} 5 9 ,{lat:.6f},{lon:.6f},{alt:.1f},"
        f"{420 + rng.normal(0, 2):.1f},{1.9 + rng.normal(0, 0.01):.3f},{0.01:.3f}"
    )


@pytest.fixture
def payload(tmp_path: Path):
    mapping = tmp_path / "dfrobot.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return (mapping, *make_payload(tmp_path))


def test_three_flights_every_row_kept(payload):
    mapping, csv, winds, truths = payload
    n_rows = sum(1 for _ in csv.open(encoding="utf-8-sig")) - 1
    got = 0
    for n, (wind, _) in enumerate(winds, start=1):
        s = read_survey(csv, mapping=mapping, wind=wind, flight=n)
        assert s.report.rows_dropped == 0, s.report.summary_lines()
        got += s.n_samples
        t = s.time
        assert (np.diff(t) > 0).all()  # several rows per second, spread over the second
        # every airborne row of the flight is there at its true time
        assert np.isin(np.round(truths[n - 1], 6), np.round(t, 6)).all()
        # the late wind timer was found by matching altitudes, to a tenth of a second
        note = next(
            x for x in s.report.notes + s.report.warnings if x.startswith(f"wind log wind{n}.csv")
        )
        offset = float(note.split("offset ")[1].split(" s")[0])
        assert offset == pytest.approx(WIND_LATE_S[n - 1], abs=0.15)
        # units in cells: 2.10 m/s etc.; direction from degree cells
        ws = s.samples["wind_speed_ms"].to_numpy()
        assert 1.4 < ws.min() and ws.max() < 2.6
        wd = s.samples["wind_dir_deg"].to_numpy()
        assert 185 < wd.min() and wd.max() < 215
        assert s.gas("ch4") == pytest.approx(1900.0, abs=60)  # ppm -> ppb
        assert s.report.notes[0].startswith(f"flight {n} of 3")
    assert got == n_rows  # every row of the file in exactly one flight


def test_flights_are_listed_without_a_choice(payload):
    mapping, csv, winds, _ = payload
    s = read_survey(csv, mapping=mapping)  # no wind: read and said so
    assert any("the file holds 3 flights" in x for x in s.report.notes)
    assert any("no wind" in w for w in s.report.warnings)
    flights = split_flights(s.time, s.samples["alt_agl_m"].to_numpy())
    assert len(flights) == 3
    with pytest.raises(SurveyError, match="flight 4 asked for; the file holds 3"):
        read_survey(csv, mapping=mapping, wind=winds[0][0], flight=4)


def test_wind_log_that_never_overlaps_names_both_ranges(payload, tmp_path):
    mapping, csv, winds, _ = payload
    text = mapping.read_text(encoding="utf-8").replace(
        "  max_gap_s: 20\n", "  max_gap_s: 20\n  offset_s: 86400\n  align: none\n"
    )
    m = tmp_path / "late.yaml"
    m.write_text(text, encoding="utf-8")
    with pytest.raises(SurveyError) as err:
        read_survey(csv, mapping=m, wind=winds[0][0], flight=1)
    msg = str(err.value)
    assert "does not overlap the survey" in msg
    assert "survey 2022-12-12 10:12:40 UTC to 2022-12-12 10:17:39 UTC" in msg
    assert "wind log 2022-12-13 10:12:40 UTC" in msg


def test_bad_wind_rows_reported_and_strict(payload):
    mapping, csv, winds, _ = payload
    wind, _ = winds[0]
    lines = wind.read_text(encoding="utf-8").split("\n")
    f5 = lines[5].split(",")
    f5[1] = "calm"
    lines[5] = ",".join(f5)
    f9 = lines[9].split(",")
    f9[2] = "abc"
    lines[9] = ",".join(f9)
    wind.write_text("\n".join(lines), encoding="utf-8")
    s = read_survey(csv, mapping=mapping, wind=wind, flight=1)
    text = " ".join(s.report.warnings)
    assert "wind log wind1.csv: 2 bad row(s) dropped" in text
    assert "line 10, column 'Direction' (value: 'abc'): not a number" in text
    assert "line 6, column 'Height' (value: 'calm'): not a number" in text
    with pytest.raises(StrictValidationError, match="2 bad row.*wind log") as err:
        read_survey(csv, mapping=mapping, wind=wind, flight=1, strict=True)
    assert err.value.exit_code == 2


def test_unknown_unit_in_a_cell_names_line_and_column(payload):
    mapping, csv, winds, _ = payload
    wind, _ = winds[1]
    lines = wind.read_text(encoding="utf-8").split("\n")
    lines[3] = lines[3].replace("m/s", "furlong/fortnight")
    wind.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(SurveyError, match=r"wind2.csv, line 4, column 'Speed'.*furlong"):
        read_survey(csv, mapping=mapping, wind=wind, flight=2)


def test_km_h_in_cells_is_converted(tmp_path, payload):
    mapping, csv, winds, _ = payload
    wind, _ = winds[0]
    text = wind.read_text(encoding="utf-8")
    out = []
    for line in text.split("\n"):
        if "m/s" in line:
            head, sp = line.rsplit(",", 1)
            v = float(sp.replace(NBSP, "").replace("m/s", ""))
            line = f"{head},{v * 3.6:.3f} km/h"
        out.append(line)
    wind.write_text("\n".join(out), encoding="utf-8")
    s = read_survey(csv, mapping=mapping, wind=wind, flight=1)
    assert 1.4 < s.samples["wind_speed_ms"].min() and s.samples["wind_speed_ms"].max() < 2.6


def test_flight_clocks():
    cells = pd.Series(["00m 20s", "12:05", "01:12:05.5", "725", "3m", "45s", "1 2", "", "5m 70"])
    got = flight_clock_seconds(cells.astype("string"))
    assert got[:6] == pytest.approx([20, 725, 4325.5, 725, 180, 45])
    assert np.isnan(got[6:]).all()


def test_altitude_offset_recovers_a_shift():
    t = np.arange(0, 600, 0.25)
    z = _altitude(t, 600)
    tw = np.arange(0, 500, 1.0)
    zw = _altitude(tw + 33.4, 600)
    shift, rms = altitude_offset(t, z, tw, zw)
    assert shift == pytest.approx(33.4, abs=0.1) and rms < 0.5


def test_error_value_is_shown_as_matched(tmp_path, payload):
    mapping, csv, winds, _ = payload
    text = csv.read_bytes().decode("utf-8-sig").split("\r\n")
    text[5] = "UTC 22121x 101240 5 9 " + text[5][text[5].index(",") :]
    csv.write_bytes(("\ufeff" + "\r\n".join(text)).encode())
    s = read_survey(csv, mapping=mapping, wind=winds[0][0], flight=1, strict=False)
    ex = next(iter(s.report.examples.values()))[0]
    assert ex.line == 6 and ex.value == "UTC 22121x 101240 5 9"  # no hidden trailing space


def test_cli_lists_flights_detects_without_wind_and_locate_refuses(payload):
    from typer.testing import CliRunner

    from olfato.cli import app

    mapping, csv, winds, _ = payload
    runner = CliRunner()
    r = runner.invoke(app, ["survey", "info", str(csv), "-m", str(mapping), "--json"])
    assert r.exit_code == 0, r.output
    info = json.loads(r.output)
    assert [f["flight"] for f in info["flights"]] == [1, 2, 3] and info["wind"] is None
    r = runner.invoke(
        app,
        [
            "survey",
            "info",
            str(csv),
            "-m",
            str(mapping),
            "--wind",
            str(winds[1][0]),
            "--flight",
            "2",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "flight 2 of 3" in r.output and "0 dropped" in r.output
    r = runner.invoke(app, ["detect", str(csv), "-m", str(mapping), "--flight", "1"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["locate", str(csv), "-m", str(mapping), "--flight", "1"])
    assert r.exit_code == 1
    assert "wind_speed_ms' has no usable readings" in r.output
    assert "Traceback" not in r.output
