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
