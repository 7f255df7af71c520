"""Products are written where asked, or refused with a message naming the file."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pytest

from olfato.errors import OlfatoError
from olfato.output import save_figure, writing


def test_save_figure_writes_png_in_a_new_folder(tmp_path: Path) -> None:
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    out = save_figure(fig, tmp_path / "new" / "map.png", what="map")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not plt.get_fignums()  # closed, so long runs do not pile up figures


def test_unwritable_path_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    fig, _ = plt.subplots()
    with pytest.raises(OlfatoError, match=r"a-file/map.png: cannot write the map"):
        save_figure(fig, blocker / "map.png", what="map")
    assert not plt.get_fignums()


def test_writing_makes_the_folder_and_names_an_unwritable_file(tmp_path: Path) -> None:
    with writing(tmp_path / "a" / "b" / "hits.geojson", "hits GeoJSON") as p:
        p.write_text("{}", encoding="utf-8")
    assert (tmp_path / "a" / "b" / "hits.geojson").read_text() == "{}"
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with (
        pytest.raises(OlfatoError, match=r"a-file/x.geojson: cannot write the hits GeoJSON"),
        writing(blocker / "x.geojson", "hits GeoJSON") as p,
    ):
        p.write_text("{}", encoding="utf-8")


def test_save_figure_into_a_folder_or_without_extension_says_where(tmp_path: Path) -> None:
    fig, _ = plt.subplots()
    assert save_figure(fig, tmp_path, what="map") == tmp_path / "map.png"
    fig, _ = plt.subplots()
    out = save_figure(fig, tmp_path / "hits", what="plot")
    assert out == tmp_path / "hits.png" and out.read_bytes()[:4] == b"\x89PNG"


def _wide_table():
    from rich.table import Table

    t = Table(title="Sources")
    for c in ("id", "lat", "lon", "95% ellipse (m)", "rate g/s [95%]", "signature"):
        t.add_column(c)
    t.add_row(
        "S1 [red]suspect[/]",
        "29.123456",
        "-110.987654",
        "41 x 18 @ 73°",
        "toluene 0.0123 [0.00811, 0.0188]",
        "clandestine_meth_p2p (0.91)",
    )
    return t


def test_tables_are_printed_whole_when_not_a_terminal() -> None:
    import io

    from olfato.output import print_table

    buf = io.StringIO()
    print_table(_wide_table(), "table", file=buf)
    text = buf.getvalue()
    assert "…" not in text and "clandestine_meth_p2p (0.91)" in text
    assert "toluene 0.0123 [0.00811, 0.0188]" in text
    assert max(len(line) for line in text.splitlines()) > 80


def test_tables_as_csv_and_json() -> None:
    import csv
    import io
    import json

    from olfato.output import print_table, print_tables

    buf = io.StringIO()
    print_table(_wide_table(), "csv", file=buf)
    rows = list(csv.reader(io.StringIO(buf.getvalue())))
    assert rows[0][0] == "id" and rows[1][0] == "S1 suspect" and rows[1][4].startswith("toluene")
    buf = io.StringIO()
    print_tables([_wide_table(), _wide_table()], "json", file=buf)
    doc = json.loads(buf.getvalue())
    assert doc["Sources"][0]["signature"] == "clandestine_meth_p2p (0.91)"
    with pytest.raises(OlfatoError, match="format 'xml'"):
        print_table(_wide_table(), "xml")


def test_detect_prints_its_table_as_csv(tmp_path: Path) -> None:
    import csv
    import io

    from typer.testing import CliRunner

    from olfato.cli import app
    from tests.survey.conftest import HEADER, rows

    p = tmp_path / "s.csv"
    p.write_text("\n".join([HEADER, *rows(120)]) + "\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["detect", str(p), "--format", "csv"])
    assert r.exit_code == 0, r.output
    header = next(csv.reader(io.StringIO(r.stdout)))
    assert header[:3] == ["id", "peak UTC", "s"]
    r = CliRunner().invoke(app, ["detect", str(p), "--strict", "true"])
    assert r.exit_code == 2 and "true" in r.output  # --strict is a flag, takes no value
