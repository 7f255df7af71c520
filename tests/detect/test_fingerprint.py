"""Fingerprints: York ratios, a calibrated classifier with "none of these", mixtures."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from olfato.chemistry.signatures import load_signatures
from olfato.detect import classify, unmix, york_fit

LIB = load_signatures()
CHANNELS = ["acetone", "voc", "toluene", "hcl", "ch4", "nh3", "co2", "co", "h2s"]
#: integrated-enhancement errors [ppb s] of a typical multi-gas payload
ERRORS = {
    "acetone": 5.0,
    "voc": 20.0,
    "toluene": 1.5,
    "hcl": 2.5,
    "ch4": 20.0,
    "nh3": 10.0,
    "co2": 4000.0,
    "co": 100.0,
    "h2s": 2.5,
}


def test_york_reproduces_the_pearson_york_benchmark() -> None:
    # York et al. 2004, Am. J. Phys. 72, 367, Table II (Pearson's data, York's weights)
    x = [0.0, 0.9, 1.8, 2.6, 3.3, 4.4, 5.2, 6.1, 6.5, 7.4]
    y = [5.9, 5.4, 4.4, 4.6, 3.5, 3.7, 2.8, 2.8, 2.4, 1.5]
    wx = np.array([1000, 1000, 500, 800, 200, 80, 60, 20, 1.8, 1.0])
    wy = np.array([1, 1.8, 4, 8, 20, 20, 70, 70, 100, 500.0])
    f = york_fit(np.array(x), np.array(y), 1 / np.sqrt(wx), 1 / np.sqrt(wy))
    assert f.slope == pytest.approx(-0.48053, abs=1e-5)
    assert f.intercept == pytest.approx(5.47991, abs=1e-5)
    assert f.slope_se == pytest.approx(0.0580, abs=1e-4)
    assert f.intercept_se == pytest.approx(0.2950, abs=1e-4)


def test_york_recovers_a_known_ratio_within_its_stated_error() -> None:
    rng = np.random.default_rng(3)
    z = []
    for _ in range(400):
        true_x = 40.0 * np.exp(-0.5 * ((np.arange(25) - 12) / 4.0) ** 2)
        x = true_x + rng.normal(0, 1.0, 25)
        y = 2.2 * true_x + 3.0 + rng.normal(0, 4.0, 25)
        f = york_fit(x, y, 1.0, 4.0)
        z.append((f.slope - 2.2) / f.slope_se)
    # ordinary least squares would be biased low (errors in x): York is not
    assert abs(np.mean(z)) < 0.15
    assert 0.88 < np.std(z) < 1.12


def _draw(name: str, snr: float, rng: np.random.Generator) -> dict[str, float]:
    """Integrated enhancements of a site drawn from the signature's scatter model."""
    sig = LIB[name]
    ratio = {
        c: sig.ratios.get(c, 0.0)
        * (1.0 if c == sig.reference else np.exp(sig.spread * rng.normal()))
        for c in CHANNELS
    }
    scale = np.sqrt(sum((ratio[c] / ERRORS[c]) ** 2 for c in CHANNELS))
    amp = snr / scale
    return {c: amp * ratio[c] + ERRORS[c] * rng.normal() for c in CHANNELS}


def test_classifier_probabilities_are_calibrated_on_draws_from_the_scatter_model() -> None:
    rng = np.random.default_rng(4)
    conf, right = [], []
    for _ in range(160):
        name = LIB.names[rng.integers(len(LIB))]
        cls = classify(_draw(name, rng.uniform(4.0, 15.0), rng), ERRORS, LIB, prior_none=0.0)
        best = max(cls.probabilities, key=lambda k: cls.probabilities[k])
        conf.append(cls.probabilities[best])
        right.append(best == name)
    conf_a, right_a = np.array(conf), np.array(right, dtype=float)
    # overall: mean confidence matches accuracy; per bin: within sampling error
    assert abs(conf_a.mean() - right_a.mean()) < 0.06
    for lo, hi in ((0.0, 0.7), (0.7, 0.95), (0.95, 1.01)):
        sel = (conf_a >= lo) & (conf_a < hi)
        if sel.sum() >= 20:
            se = np.sqrt(conf_a[sel].mean() * (1 - conf_a[sel].mean()) / sel.sum())
            assert abs(right_a[sel].mean() - conf_a[sel].mean()) < 3 * se + 0.03


def test_a_clear_lab_plume_is_a_suspect_lab() -> None:
    rng = np.random.default_rng(6)
    cls = classify(_draw("clandestine_lab", 40.0, rng), ERRORS, LIB)
    assert cls.signature == "clandestine_lab"
    assert cls.suspect
    assert cls.probabilities["clandestine_lab"] > 0.95


def test_none_of_these_when_no_signature_fits() -> None:
    # equal parts acetone, nh3 and h2s: no signature in the library has that
    e = {c: 0.0 for c in CHANNELS}
    e.update({"acetone": 300.0, "nh3": 600.0, "h2s": 150.0})
    cls = classify(e, ERRORS, LIB)
    assert cls.signature == "none"
    assert cls.probabilities["none"] > 0.9
    assert not cls.suspect


def test_two_overlapping_plumes_are_unmixed_not_forced_into_one_label() -> None:
    lab, farm = LIB["clandestine_lab"], LIB["livestock_farm"]
    a_lab, a_farm = 400.0, 300.0  # acetone and nh3 integrals [ppb s]
    e = {c: a_lab * lab.ratios.get(c, 0.0) + a_farm * farm.ratios.get(c, 0.0) for c in CHANNELS}
    cls = classify(e, ERRORS, LIB)
    assert cls.signature == "mixture"
    assert set(cls.mixture) == {"clandestine_lab", "livestock_farm"}
    assert cls.suspect
    parts, _, p = unmix(
        np.array([e[c] for c in CHANNELS]), np.array([ERRORS[c] for c in CHANNELS]), CHANNELS, LIB
    )
    assert parts["clandestine_lab"] == pytest.approx(a_lab, rel=0.05)
    assert parts["livestock_farm"] == pytest.approx(a_farm, rel=0.05)
    assert p > 0.5


def test_a_saturated_channel_is_a_censored_observation() -> None:
    """A lower bound contributes P(E >= bound): Phi((m - E) / s) without scatter."""
    from scipy.stats import norm

    from olfato.detect.fingerprint import _log_channels

    e, s = np.array([10.0, 4.0]), np.array([1.0, 0.5])
    mean = np.array([[12.0, 4.2], [8.0, 4.2]])  # two amplitudes on the grid
    spread = np.zeros(2)
    got = _log_channels(e, s, mean, spread, np.array([True, False]))
    want = norm.logcdf((mean[:, 0] - 10.0) / 1.0) + norm.logpdf(4.0, mean[:, 1], 0.5)
    assert got == pytest.approx(want, rel=1e-9)


@pytest.mark.parametrize(
    ("e", "s", "mu", "spread"),
    [
        (1.1183, 1.621, 875.4, 0.4),  # far below the signature's level: Newton's steps
        (25.97, 3.358, 0.9548, 0.4),  # far above it
        (1000.0, 10.0, 900.0, 0.3),  # SNR 100: the scatter dwarfs the error
        (50.0, 0.5, 48.0, 0.05),
        (-2.0, 1.0, 5.0, 0.4),  # a negative integral
        (11.6, 3.2, 1.75, 0.5),
        (15.7, 1.4156, 0.1343, 0.4),  # 11 sd above: two modes, near z = 0 and z = 10.9
        (1170.0, 1.255, 0.03639, 0.5),  # a mode at z = 20.8, past the old search's bound
        (-1.15, 0.5635, 153.5, 0.5),  # far below, with a negative integral
    ],
)
def test_the_scatter_integral_matches_adaptive_quadrature(
    e: float, s: float, mu: float, spread: float
) -> None:
    """ln of the integral over z ~ N(0, 1) of N(E; mu e^(spread z), s), against SciPy's
    adaptive quadrature of the same integrand, split at each of its local maxima on a
    dense grid so no narrow mode is missed (values from the speed survey's hits, and
    where the integrand has two modes or one far out)."""
    from scipy.integrate import quad

    from olfato.detect.fingerprint import _log_channels

    def log_f(z: np.ndarray) -> np.ndarray:
        m = mu * np.exp(np.minimum(spread * z, 700.0))
        return -0.5 * ((e - m) / s) ** 2 - 0.5 * z * z - np.log(2.0 * np.pi * s)

    z_e = np.log(e / mu) / spread if e > 0 else 0.0
    lo, hi = min(-60.0, z_e - 10.0), max(60.0, z_e + 10.0)
    grid = np.linspace(lo, hi, 400_001)
    v = log_f(grid)
    top = float(v.max())
    peaks = np.flatnonzero((v[1:-1] >= v[:-2]) & (v[1:-1] >= v[2:])) + 1
    cuts = sorted(
        {grid[p] + d for p in peaks if v[p] > top - 50.0 for d in (0.0, -1e-2, 1e-2, -1.0, 1.0)}
    )
    edges = [lo, *cuts, hi]
    total = sum(
        quad(lambda z: float(np.exp(log_f(np.array(z)) - top)), a, b, limit=200, epsrel=1e-12)[0]
        for a, b in itertools.pairwise(edges)
    )
    want = top + np.log(total)
    got = _log_channels(np.array([e]), np.array([s]), np.array([[mu]]), np.array([spread]))
    assert got[0] == pytest.approx(want, abs=1e-3)


def test_a_lab_whose_acetone_saturates_is_still_told_from_a_fuel_station() -> None:
    """Acetone only known to exceed its saturated integral: the solvent still says lab;
    dropping it would leave toluene and VOC, which a fuel station explains as well."""
    lib = load_signatures()
    lab = lib["clandestine_lab"]
    amp = 400.0
    chans = [c for c in ("acetone", "voc", "toluene") if c in lab.ratios]
    e = {c: amp * lab.ratios[c] for c in chans}
    s = {c: max(0.02 * e[c], 1.0) for c in chans}
    e["acetone"] = 0.4 * e["acetone"]  # the sensor saturated: only a lower bound
    censored = classify(e, s, lib, lower_bounds={"acetone"})
    assert censored.signature == "clandestine_lab" and censored.suspect
    # read as an exact value, the clipped acetone is far below a lab's ratio
    assert (
        classify(e, s, lib).probabilities["clandestine_lab"]
        < censored.probabilities["clandestine_lab"]
    )
