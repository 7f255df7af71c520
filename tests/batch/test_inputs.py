"""Which files a batch takes: folders, globs, files, and each survey's wind log."""

from __future__ import annotations

from pathlib import Path

import pytest

from olfato.batch.inputs import find_surveys, wind_log_for
from olfato.errors import OlfatoError


def touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x\n")
    return path


def test_folders_globs_and_files(tmp_path: Path) -> None:
    a = touch(tmp_path / "day1" / "f1.csv")
    b = touch(tmp_path / "day2" / "deep" / "f2.ulg")
    touch(tmp_path / "day2" / "notes.md")  # not a survey ending: left out of a folder
    c = touch(tmp_path / "extra.tlog")
    assert find_surveys([tmp_path / "day1", tmp_path / "day2"]) == sorted([a, b])
    assert find_surveys([str(tmp_path / "**" / "*.csv"), c, a]) == sorted([a, c])


def test_wind_logs_are_not_surveys(tmp_path: Path) -> None:
    f1 = touch(tmp_path / "f1.csv")
    w1 = touch(tmp_path / "f1_wind.csv")
    assert wind_log_for(f1, "{stem}_wind.csv") == w1
    assert wind_log_for(f1, "/winds/{name}") == Path("/winds/f1.csv")
    assert find_surveys([tmp_path], wind_pattern="{stem}_wind.csv") == [f1]
    with pytest.raises(OlfatoError, match="wind pattern") as exc:
        wind_log_for(f1, "{date}.csv")
    assert exc.value.parameter == "wind_pattern"


def test_nothing_there_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(OlfatoError, match="no such file or folder"):
        find_surveys([tmp_path / "nope"])
    with pytest.raises(OlfatoError, match="no file matches"):
        find_surveys([str(tmp_path / "*.csv")])


def test_a_batch_with_no_survey_says_so(tmp_path: Path) -> None:
    from olfato.batch.runner import run_batch
    from olfato.store.cases import new_case
    from olfato.store.db import Store
    from olfato.store.workspace import Workspace

    (tmp_path / "empty").mkdir()
    with Store(Workspace.locate(tmp_path / "ws")) as store:
        new_case(store, "c")
        with pytest.raises(OlfatoError, match="no survey file in") as exc:
            run_batch(store, "c", [tmp_path / "empty"])
    assert exc.value.parameter == "sources"
