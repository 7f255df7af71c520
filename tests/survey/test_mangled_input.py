"""Every mangled input seen in the field (issue 13), each as a reproducer.

Each must give a clean :class:`OlfatoError` naming the file (and the line, column or
mapping key), or a survey in which every bad value was dropped as one bad row and the
rest of the flight kept.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from olfato.errors import OlfatoError, SurveyError
from olfato.survey.io import read_survey
from tests.survey.conftest import HEADER, rows
from tests.survey.logwriters import write_dataflash
from tests.survey.test_vendor import MAPPING, vendor_csv, wind_log


def _iso(lines: list[str]) -> list[str]:
    out = []
    for r in lines:
        t, rest = r.split(",", 1)
        out.append(pd.Timestamp(float(t), unit="s", tz="UTC").isoformat() + "," + rest)
    return out


# -- Survey CSV v1 -------------------------------------------------------------------


def test_cr_only_file_without_final_newline(tmp_path):
    p = tmp_path / "cr.csv"
    p.write_bytes(("\r".join([HEADER, *rows(20)])).encode())
    s = read_survey(p)
    assert s.n_samples in (19, 20)  # the last row may be judged truncated; never a crash


def test_rows_with_one_extra_field_between_blank_lines(tmp_path):
    r = rows(30)
    r[10] = r[10] + ",extra"
    r[20] = r[20] + ",extra"
    p = tmp_path / "extra.csv"
    p.write_text("\n\n".join([HEADER, *r]) + "\n", encoding="utf-8")
    s = read_survey(p)
    assert s.n_samples == 28
    assert s.report.dropped == {"more fields than the header": 2}


def test_header_field_over_128_kib(tmp_path):
    p = tmp_path / "wide.csv"
    p.write_text(HEADER + "," + "x" * (200 * 1024) + "\n" + "\n".join(rows(5)) + "\n")
    with pytest.raises(SurveyError, match=r"wide.csv, line 1: .*header"):
        read_survey(p)


def test_year_2300_in_an_iso_column(tmp_path):
    r = _iso(rows(40))
    r[7] = "2300" + r[7][4:]
    p = tmp_path / "y2300.csv"
    p.write_text("\n".join([HEADER, *r]) + "\n", encoding="utf-8")
    s = read_survey(p)
    assert s.n_samples == 39 and sum(s.report.dropped.values()) == 1
    (ex,) = [e for v in s.report.examples.values() for e in v]
    assert ex.line == 9 and ex.column == "time"


@pytest.mark.parametrize("bad", ["inf", "1e300", "9999-12-31T00:00:00Z", "0", "-inf", "nan"])
@pytest.mark.parametrize("iso", [False, True])
@pytest.mark.parametrize("where", [0, 100, 199])
def test_one_bad_time_is_one_bad_row(tmp_path, bad, iso, where):
    r = _iso(rows(200)) if iso else rows(200)
    r[where] = bad + "," + r[where].split(",", 1)[1]
    p = tmp_path / "t.csv"
    p.write_text("\n".join([HEADER, *r]) + "\n", encoding="utf-8")
    s = read_survey(p)
    assert s.n_samples == 199, s.report.summary_lines()
    assert s.report.rows_dropped == 1
    t = s.time
    assert np.all(np.diff(t) > 0) and t.min() > 1.7e9 and t.max() < 1.8e9


@pytest.mark.parametrize("iso", [False, True])
def test_one_future_time_at_row_100_drops_only_that_row(tmp_path, iso):
    r = rows(1786)
    t, rest = r[100].split(",", 1)
    r[100] = f"{float(t) + 3 * 86400:.1f},{rest}"  # three days ahead: a clock glitch
    r = _iso(r) if iso else r
    p = tmp_path / "future.csv"
    p.write_text("\n".join([HEADER, *r]) + "\n", encoding="utf-8")
    s = read_survey(p)
    assert s.n_samples == 1785 and s.report.rows_dropped == 1
    (ex,) = [e for v in s.report.examples.values() for e in v]
    assert ex.line == 102


def test_year_2300_row_keeps_flight(tmp_path):
    r = rows(50)
    r[3] = "10413792000.0," + r[3].split(",", 1)[1]  # 2300-01-01 as epoch seconds
    p = tmp_path / "e2300.csv"
    p.write_text("\n".join([HEADER, *r]) + "\n", encoding="utf-8")
    s = read_survey(p)
    assert s.n_samples == 49


# -- vendor mapping YAML --------------------------------------------------------------


@pytest.fixture
def vendor(tmp_path: Path):
    return vendor_csv(tmp_path / "v.csv"), wind_log(tmp_path / "w.csv")


def _mapping(tmp_path: Path, text: str | bytes) -> Path:
    m = tmp_path / "bad.yaml"
    if isinstance(text, bytes):
        m.write_bytes(text)
    else:
        m.write_text(text, encoding="utf-8")
    return m


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.encode().replace(b"Example", b"Ex\xffample"), r"line 1: not UTF-8 text"),
        (lambda t: t.replace('delimiter: ";"', 'delimiter: ";;"'), r"'delimiter'.*one character"),
        (lambda t: t.replace('delimiter: ";"', 'delimiter: ""'), r"'delimiter'.*one character"),
        (lambda t: t + "extra: " + "[" * 5000 + "]" * 5000 + "\n", r"nested more than 64"),
        (lambda t: "encoding: klingon-8\n" + t, r"'encoding'.*unknown text encoding 'klingon-8'"),
        (lambda t: t.replace("%d/%m/%Y", "%d/%Q/%Y"), r"'time.format'.*directive %Q"),
        (lambda t: t.replace("America/Hermosillo", "Mars/Olympus"), r"'time.timezone'.*Mars"),
        (
            lambda t: t.replace(
                "format: seconds_since_takeoff}", "format: seconds_since_takeoff, takeoff: soon}"
            ),
            r"'wind.time.takeoff'.*not an ISO 8601 time",
        ),
        (
            lambda t: t.replace("format: seconds_since_takeoff}", "regex: '(?P<year>\\d+'}"),
            r"'wind.time.regex'.*not a regular expression",
        ),
    ],
)
def test_bad_mapping_names_file_and_key(tmp_path, vendor, edit, message):
    csv, wind = vendor
    m = _mapping(tmp_path, edit(MAPPING))
    with pytest.raises(SurveyError, match=r"bad.yaml.*" + message):
        read_survey(csv, mapping=m, wind=wind)


# -- Parquet ---------------------------------------------------------------------------


def _good_parquet(tmp_path: Path, write_csv) -> Path:
    s = read_survey(write_csv(rows(30)))
    return s.to_parquet(tmp_path / "s.parquet")


def test_parquet_goes_through_validation(tmp_path, write_csv):
    import pyarrow.parquet as pq

    p = _good_parquet(tmp_path, write_csv)
    table = pq.read_table(p)
    df = table.to_pandas()
    df.loc[4, "lat"] = np.nan
    df.loc[9, "time"] = df.loc[2, "time"]  # goes backwards
    import pyarrow as pa

    bad = pa.Table.from_pandas(df, preserve_index=False).replace_schema_metadata(
        table.schema.metadata
    )
    pq.write_table(bad, p)
    s = read_survey(p)
    assert s.n_samples == 28
    assert s.report.dropped == {"missing value": 1, "time goes backwards": 1}


def test_parquet_with_empty_metadata(tmp_path, write_csv):
    import pyarrow.parquet as pq

    p = _good_parquet(tmp_path, write_csv)
    table = pq.read_table(p)
    pq.write_table(table.replace_schema_metadata({b"olfato": b"{}"}), p)
    with pytest.raises(SurveyError, match=r"s.parquet: .*metadata"):
        read_survey(p)


# -- DataFlash --------------------------------------------------------------------------


def test_dataflash_without_gps_clock_is_refused(tmp_path):
    p = tmp_path / "noclock.bin"
    write_dataflash(p, gps_clock=False)
    with pytest.raises(SurveyError, match=r"noclock.bin: .*no GPS clock"):
        read_survey(p)


def test_dataflash_with_renamed_nvf_columns(tmp_path):
    p = tmp_path / "renamed.bin"
    write_dataflash(p, nvf_columns="TimeUS,Nm,Val")
    with pytest.raises(OlfatoError, match=r"renamed.bin: .*NVF.*Name"):
        read_survey(p)


def test_vendor_clock_year_2426_is_one_bad_row(tmp_path, vendor):
    csv, wind = vendor
    text = csv.read_bytes().decode("utf-8-sig").split("\r\n")
    text[3] = text[3].replace("01/03/2026", "01/03/2426", 1)
    csv.write_bytes(("\ufeff" + "\r\n".join(text)).encode())
    m = _mapping(tmp_path, MAPPING)
    s = read_survey(csv, mapping=m, wind=wind)
    assert s.n_samples == 9 and s.report.rows_dropped == 1
    (ex,) = [e for v in s.report.examples.values() for e in v]
    assert ex.line == 4 and ex.column == "time"
