"""Nuisances integrated out of a source's posterior: the stability class (Bayesian model
averaging) and a flight-wide wind-direction bias (Gauss-Hermite)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from scipy.special import logsumexp

from olfato.locate import locate
from olfato.locate.crossings import crossings_from_hits, probes_from_track
from olfato.locate.likelihood import Settings
from olfato.locate.multisource import dominant_channel
from olfato.locate.posterior import (
    _raster,
    model_weights,
    nuisances,
    stability_prior,
)
from olfato.locate.transport import wind_history

from .conftest import Flight, scenario
from .test_direction_bias import _mahalanobis2

#: chi-square 95% quantile, 2 degrees of freedom: inside the 95% ellipse when below
CHI2_95 = 5.991


def test_equal_evidence_gives_the_prior_weights() -> None:
    prior = [0.5, 0.25, 0.25]
    assert np.allclose(model_weights([-1234.5] * 3, prior), prior)


def test_weights_follow_the_evidence_ratio_in_closed_form() -> None:
    # equal priors, Z_1 / Z_2 = 2: posterior 2/3 and 1/3; a prior 1:3 against it: 2:3
    assert np.allclose(model_weights([np.log(2.0), 0.0], [1, 1]), [2 / 3, 1 / 3])
    assert np.allclose(model_weights([np.log(2.0), 0.0], [1, 3]), [0.4, 0.6])
    # evidences far below exp's range do not underflow; a zero prior excludes a model
    w = model_weights([-20000.0, -20000.0 + np.log(3.0), -5.0], [1, 1, 0])
    assert np.allclose(w, [0.25, 0.75, 0.0])


def test_stability_prior_favours_the_survey_class_and_its_neighbours() -> None:
    assert stability_prior("D", 0.5) == {"D": 0.5, "C": 0.25, "E": 0.25}
    assert stability_prior("A", 0.5) == {"A": 0.5, "B": 0.5}
    assert stability_prior("D") == pytest.approx({"D": 0.7, "C": 0.15, "E": 0.15})
    assert stability_prior("F", 0.8) == {"F": 0.8, "E": pytest.approx(0.2)}
    with pytest.raises(ValueError, match="survey_class"):
        stability_prior("G")


def test_components_are_the_product_of_bias_nodes_and_classes(one_lab: Flight) -> None:
    sw = one_lab.logged_wind()
    wind = wind_history(*sw)
    comps = nuisances(
        wind, sw, settings=Settings(), bias_sd_deg=4.0, stabilities=stability_prior("D", 0.5)
    )
    assert len(comps) == 9
    assert np.isclose(sum(np.exp(c.log_prior) for c in comps), 1.0)
    # 3-point Gauss-Hermite of N(0, 4^2): nodes 0 and +-sqrt(3) x 4 deg, weights 2/3, 1/6
    assert sorted({round(c.bias_deg, 6) for c in comps}) == pytest.approx(
        [-np.sqrt(3) * 4, 0.0, np.sqrt(3) * 4]
    )
    w_d0 = [np.exp(c.log_prior) for c in comps if c.stability == "D" and c.bias_deg == 0]
    assert w_d0 == pytest.approx([2 / 3 * 0.5])
    assert {c.settings.stability for c in comps if c.settings} == {"C", "D", "E"}
    # the cross: no bias with every class, every bias with the nominal class, renormalised
    cross = nuisances(
        wind,
        sw,
        settings=Settings(),
        bias_sd_deg=4.0,
        stabilities=stability_prior("D", 0.5),
        cross=True,
    )
    w = {(c.stability, round(c.bias_deg, 3)): float(np.exp(c.log_prior)) for c in cross}
    b = round(np.sqrt(3) * 4, 3)
    expect = {("D", 0.0): 0.4, ("C", 0.0): 0.2, ("E", 0.0): 0.2, ("D", b): 0.1, ("D", -b): 0.1}
    assert w == pytest.approx(expect)


def test_the_mixture_is_the_evidence_weighted_average_of_the_classes(one_lab: Flight) -> None:
    # the averaged posterior equals sum_k p(k | D) p(x | D, k), with p(k | D) from each
    # class's own evidence and prior (model_weights): the definition of model averaging
    hits = one_lab.hits
    ids = [int(i) for i in hits.table["id"]]
    ch = dominant_channel(hits, ids)
    cr = crossings_from_hits(hits, ids, ch, 0.0)
    probes = probes_from_track(hits, ch, 0.0, 15.0)
    sw = one_lab.logged_wind()
    wind = wind_history(*sw)
    settings = Settings(stability="D")
    prior = stability_prior("D")
    comps = nuisances(wind, sw, settings=settings, stabilities=prior)
    te, tn = one_lab.truth()
    e = np.linspace(te - 80, te + 80, 17)
    n = np.linspace(tn - 80, tn + 80, 17)
    h = np.array([1.0, 3.0, 6.0])
    mixed = _raster(e, n, h, cr, probes, comps, settings)
    alone = [_raster(e, n, h, cr, probes, [c._replace(log_prior=0.0)], settings) for c in comps]
    w = model_weights([logsumexp(r.loglik) for r in alone], [prior[c.stability] for c in comps])
    expect = sum(wk * r.prob for wk, r in zip(w, alone, strict=True))
    assert np.allclose(mixed.prob, expect, atol=1e-12)
    assert mixed.component_logz is not None
    assert np.allclose(model_weights(mixed.component_logz, np.ones(3)), w)
    assert not np.allclose(w, list(prior.values()))  # the data do weigh the classes


@pytest.fixture(scope="module")
def stable_d_logged_c(tmp_path_factory: pytest.TempPathFactory) -> tuple[Flight, object]:
    """One lab in a neutral (D) boundary layer whose log says slightly unstable (C)."""
    f = Flight(scenario(stability="D"), 3, Path(tmp_path_factory.mktemp("d_as_c")))
    s = f.survey.samples
    return f, dataclasses.replace(f.survey, samples=s.assign(stability_class="C"))


@pytest.mark.slow
def test_a_wrong_stability_class_no_longer_excludes_the_truth(
    stable_d_logged_c: tuple[Flight, object],
) -> None:
    f, wrong = stable_d_logged_c
    te, tn = f.truth()
    q = f.sim.truth["sources"][0]["rates_g_s"]
    # the class alone: no bias and a fixed transport error, so its prior is stability_prior's
    alone = {"direction_bias_sd_deg": 0.0, "transport_error_factors": (1.0,)}
    fixed = locate(wrong, f.hits, average_stability=False, **alone)  # type: ignore[arg-type]
    avg = locate(wrong, f.hits, average_stability=True, **alone)  # type: ignore[arg-type]
    assert len(fixed.sources) == len(avg.sources) == 1
    a, b = fixed.sources[0], avg.sources[0]
    # with the logged class alone the lab is further out in its 95% region (outside
    # it before crossings seen in part were modelled: 8.9 > 6.0; now 4.8)
    assert _mahalanobis2(b, te, tn) < _mahalanobis2(a, te, tn)
    # averaged over C and its neighbours, both cover it, and the true class D gains weight
    assert _mahalanobis2(b, te, tn) < CHI2_95
    assert b.rate_ci95_g_s[0] <= q[b.analyte] <= b.rate_ci95_g_s[1]
    assert b.posterior.stability_probs["D"] > stability_prior("C")["D"]
    assert np.hypot(b.east_m - te, b.north_m - tn) < np.hypot(a.east_m - te, a.north_m - tn)


def test_by_default_the_wind_bias_is_integrated_and_the_logged_class_kept(
    stable_d_logged_c: tuple[Flight, object],
) -> None:
    f, wrong = stable_d_logged_c
    r = locate(wrong, f.hits)  # type: ignore[arg-type]
    assert r.stability == "C" and r.sources
    assert all(s.posterior.stability_probs == {} for s in r.sources)
    fixed = locate(wrong, f.hits, direction_bias_sd_deg=0.0)  # type: ignore[arg-type]
    assert [s.posterior.direction_bias_deg for s in fixed.sources] == [0.0] * len(fixed)
    # the bias's arc widens the region across the wind
    assert r.sources[0].ellipse95.semi_minor > fixed.sources[0].ellipse95.semi_minor


def test_the_class_probabilities_reach_the_geojson(
    stable_d_logged_c: tuple[Flight, object],
) -> None:
    f, wrong = stable_d_logged_c
    gj = locate(wrong, f.hits, average_stability=True).to_geojson()  # type: ignore[arg-type]
    src = [x["properties"] for x in gj["features"] if x["properties"]["kind"] == "source"]
    assert src
    for props in src:
        probs = props["stability_probabilities"]
        assert set(probs) == {"B", "C", "D"}
        assert abs(sum(probs.values()) - 1.0) < 1e-3
        assert abs(props["wind_bias_deg"]) < np.sqrt(3) * 4.0


def test_the_cli_flag_turns_the_class_averaging_on_and_off(one_lab: Flight, tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from olfato.cli import app

    out = tmp_path / "s.geojson"
    for flag, classes in (
        ("--stability-averaging", {"C", "D", "E"}),
        ("--no-stability-averaging", set()),
    ):
        r = CliRunner().invoke(app, ["locate", str(one_lab.path), flag, "--out", str(out), "-q"])
        assert r.exit_code == 0, r.output
        src = [f["properties"] for f in json.loads(out.read_text())["features"]]
        src = [p for p in src if p["kind"] == "source"]
        assert src and set(src[0]["stability_probabilities"]) == classes
