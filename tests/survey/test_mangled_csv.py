"""Property: whatever a mangled CSV holds, reading it gives a clean error or a clean survey."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from olfato.errors import OlfatoError
from olfato.survey.io import read_survey
from tests.survey.conftest import HEADER, rows

GOOD = "\n".join([HEADER, *rows(12)]) + "\n"
# the same flight with ISO 8601 times: Survey CSV v1 parses those while it projects
GOOD_ISO = (
    "\n".join(
        [
            HEADER,
            *(
                pd.Timestamp(float(r.split(",", 1)[0]), unit="s", tz="UTC").isoformat()
                + ","
                + r.split(",", 1)[1]
                for r in rows(12)
            ),
        ]
    )
    + "\n"
)
JUNK = st.sampled_from(
    [
        "",
        ",",
        ",,",
        "\n",
        '"',
        "abc",
        "NaN",
        "-1",
        "1e400",
        "999",
        "\x00",
        "ñ",
        ";",
        "0",
        "\r\n",
        " ",
    ]
)


@st.composite
def mangled(draw: st.DrawFn) -> bytes:
    text = draw(st.sampled_from([GOOD, GOOD_ISO]))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["insert", "delete", "replace_field", "truncate", "swap_lines"]))
        if op == "truncate":
            text = text[: draw(st.integers(0, len(text)))]
        elif op == "insert":
            i = draw(st.integers(0, len(text)))
            text = text[:i] + draw(JUNK) + text[i:]
        elif op == "delete" and text:
            i = draw(st.integers(0, len(text) - 1))
            text = text[:i] + text[i + draw(st.integers(1, 8)) :]
        elif op == "replace_field":
            lines = text.split("\n")
            li = draw(st.integers(0, len(lines) - 1))
            fields = lines[li].split(",")
            fields[draw(st.integers(0, len(fields) - 1))] = draw(JUNK)
            lines[li] = ",".join(fields)
            text = "\n".join(lines)
        else:
            lines = text.split("\n")
            if len(lines) > 2:
                a, b = draw(st.integers(1, len(lines) - 1)), draw(st.integers(1, len(lines) - 1))
                lines[a], lines[b] = lines[b], lines[a]
            text = "\n".join(lines)
    if draw(st.booleans()):
        return text.encode("utf-8")
    return text.encode("latin-1", errors="replace")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=mangled(), strict=st.booleans())
def test_mangled_csv_gives_clean_error_or_clean_survey(data: bytes, strict: bool) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "mangled.csv"
        path.write_bytes(data)
        try:
            s = read_survey(path, strict=strict, quiet=True)
        except OlfatoError as exc:
            msg = str(exc)
            assert msg and str(path) in msg  # names the file
            return
        # a survey that was read is clean: every kept sample is usable
        t = s.time
        assert s.n_samples >= 2 and np.all(np.diff(t) > 0)
        for col in (
            "lat",
            "lon",
            "east_m",
            "north_m",
            "alt_agl_m",
            "wind_speed_ms",
            "wind_dir_deg",
        ):
            assert np.isfinite(s.samples[col]).all(), col
        assert s.samples["lat"].abs().max() <= 90 and s.samples["lon"].abs().max() <= 180
        assert s.samples["wind_dir_deg"].between(0, 360).all()
        assert s.samples["wind_speed_ms"].between(0, 60).all()
        assert s.samples["alt_agl_m"].between(-50, 3000).all()
        for a in s.channels:
            assert not np.isinf(s.gas(a)).any()
        assert s.report.rows_kept == s.n_samples
        if strict:
            assert not s.report.dropped
