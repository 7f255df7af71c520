"""The crossings' discrepancy learned, not fixed: each located source's rate while it emits
averaged over factors on how far a crossing's integral may stray from the plume model's,
weighted by how well each explains the crossings (checked against quadrature and closed
forms in test_batches.py); the region keeps the discrepancy as set."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from olfato.errors import OlfatoError
from olfato.locate import locate
from olfato.locate.defaults import DISCREPANCY_FACTORS

from .conftest import Flight


def test_on_by_default_in_the_rate_and_not_in_the_region(one_lab: Flight) -> None:
    assert DISCREPANCY_FACTORS == (1.0, 0.5)
    learned = locate(one_lab.survey, one_lab.hits)
    fixed = locate(one_lab.survey, one_lab.hits, discrepancy_factors=(1.0,))
    assert len(learned.sources) == len(fixed.sources) >= 1
    assert learned.settings.discrepancy == fixed.settings.discrepancy == 0.6
    for a, b in zip(learned.sources, fixed.sources, strict=True):
        # the same region and calls
        assert (a.east_m, a.north_m) == (b.east_m, b.north_m)
        assert a.ellipse95.as_dict() == b.ellipse95.as_dict()
        assert (a.suspect, a.probability_exists) == (b.suspect, b.probability_exists)
        # a rate interval of its own: the lab's three crossings agree within 0.3 in ln,
        # so the smaller discrepancy narrows it, and it still holds the true 2 g/s
        assert np.log(a.rate_ci95_g_s[1] / a.rate_ci95_g_s[0]) < 0.95 * np.log(
            b.rate_ci95_g_s[1] / b.rate_ci95_g_s[0]
        )
        assert a.rate_ci95_g_s[0] <= 2.0 <= a.rate_ci95_g_s[1]
    # one other factor multiplies the discrepancy in every fit
    assert locate(
        one_lab.survey, one_lab.hits, discrepancy_factors=(0.5,)
    ).settings.discrepancy == pytest.approx(0.3)


@pytest.mark.parametrize("bad", [0.0, -0.5, float("nan"), float("inf")])
def test_a_bad_factor_is_a_clear_error(bad: float, one_lab: Flight) -> None:
    with pytest.raises(OlfatoError, match="discrepancy_factors") as e:
        locate(one_lab.survey, one_lab.hits, discrepancy_factors=(1.0, bad))
    assert e.value.parameter == "discrepancy_factors"


def test_a_steady_plume_refuses_the_factors(one_lab: Flight) -> None:
    # a steady plume is refined on its class's own model and its own discrepancy
    with pytest.raises(OlfatoError, match="transport='trajectory'") as e:
        locate(one_lab.survey, one_lab.hits, transport="mean", discrepancy_factors=(1.0, 0.5))
    assert e.value.parameter == "discrepancy_factors"


def test_the_cli_option_sets_the_factors_and_refuses_words(one_lab: Flight, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from olfato.cli import app

    def rate_interval(factors: str) -> list[float]:
        out = tmp_path / f"s{factors}.geojson"
        args = ["locate", str(one_lab.path), "--out", str(out), "-q"]
        r = CliRunner().invoke(app, [*args, "--discrepancy-factors", factors])
        assert r.exit_code == 0, r.output
        props = [f["properties"] for f in json.loads(out.read_text())["features"]]
        return next(p for p in props if p["kind"] == "source")["rate_ci95_g_s"]

    fixed, learned = rate_interval("1"), rate_interval("1,0.5")
    assert learned[1] / learned[0] < fixed[1] / fixed[0]
    bad = CliRunner().invoke(
        app, ["locate", str(one_lab.path), "-q", "--discrepancy-factors", "1,half"]
    )
    assert bad.exit_code != 0
    assert "--discrepancy-factors takes comma-separated numbers" in bad.output
