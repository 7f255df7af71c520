"""Gas channels olfato does not know (tvoc, c2h5oh): treated alike by every reader, command."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from olfato.cli import app
from olfato.errors import SurveyError
from olfato.survey.io import read_survey
from tests.survey.conftest import HEADER, rows

UNKNOWN = HEADER.replace("acetone_ppb", "tvoc_ppb")


def test_csv_v1_keeps_unknown_gas_as_extra_column_with_warning(write_csv):
    s = read_survey(write_csv(rows(40), header=UNKNOWN))
    assert list(s.channels) == ["ch4"] and "tvoc_ppb" in s.extra_columns
    assert any("gas channel 'tvoc_ppb': 'tvoc' is not an analyte" in w for w in s.report.warnings)


def test_only_unknown_gases_is_a_clear_error(write_csv):
    header = UNKNOWN.replace("ch4_ppm", "c2h5oh_ppm")
    with pytest.raises(SurveyError, match=r"c2h5oh_ppm, tvoc_ppb: not analytes olfato knows"):
        read_survey(write_csv(rows(40), header=header))


@pytest.mark.parametrize("command", [["survey", "info"], ["detect"], ["locate"]])
def test_every_command_accepts_and_warns(write_csv, command):
    path = write_csv(rows(120), header=UNKNOWN)
    r = CliRunner().invoke(app, [*command, str(path)])
    assert r.exit_code == 0, r.output
    assert "'tvoc' is not an analyte olfato knows" in r.output


def test_vendor_mapping_to_unknown_analyte_warns(tmp_path):
    from tests.survey.test_vendor import MAPPING, vendor_csv, wind_log

    m = tmp_path / "m.yaml"
    m.write_text(MAPPING.replace("{to: acetone, unit: ppb}", "{to: tvoc, unit: ppb}"), "utf-8")
    s = read_survey(vendor_csv(tmp_path / "v.csv"), mapping=m, wind=wind_log(tmp_path / "w.csv"))
    assert list(s.channels) == ["ch4"] and "Acetona (ppb)" in s.extra_columns
    assert any("'tvoc' is not an analyte" in w for w in s.report.warnings)
