"""Steady-mode refinement: the sensor model's closed form, the estimator at the bound,
the non-detection cache, and when a mixture makes a source a suspect."""

from __future__ import annotations

import numpy as np

from olfato.chemistry.signatures import load_signatures
from olfato.detect.fingerprint import Classification
from olfato.locate import refine as rf
from olfato.locate.crlb import (
    first_order_hold,
    fisher_information,
    position_bound,
    sensor_samples,
)
from olfato.locate.likelihood import PairCache, Probes, Settings, nondetection_loglik
from olfato.locate.pipeline import is_suspect
from olfato.locate.transport import wind_history


def test_first_order_hold_is_exact_for_a_ramp() -> None:
    # dy/dt = (x - y) / tau with x = t, y(0) = 0: y = t - tau (1 - exp(-t / tau))
    tau, dt = 2.0, 0.5
    t = np.arange(0, 30, dt)
    y = first_order_hold(t, dt, tau)
    exact = t - tau * (1.0 - np.exp(-t / tau))
    assert np.max(np.abs(y - exact)) < 1e-12
    # settled start, and no response is the identity
    assert np.allclose(first_order_hold(np.full(5, 3.0), dt, tau), 3.0)
    assert np.array_equal(first_order_hold(t, dt, 0.0), t)


def _track() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # three crosswind lines 80-240 m downwind of a source at the origin, flown at 6 m/s
    # and logged at 2 Hz (3 m between samples), in flight order
    n1 = np.arange(-120.0, 120.0, 3.0)
    e = np.concatenate([np.full(n1.size, x) for x in (240.0, 160.0, 80.0)])
    n = np.concatenate([n1, n1[::-1], n1])
    return e, n, np.full(e.size, 20.0)


def test_sample_fit_reaches_the_cramer_rao_bound() -> None:
    e, n, z = _track()
    theta = np.array([0.0, 0.0, 3.0, 0.0, np.log(1.0), 2.0, 0.3])
    phys = (4.0, 270.0, "D", "briggs_rural", 92.14)
    noise, dir_sd, dt = 0.5, 2.0, 0.5
    mu = sensor_samples(theta, e, n, z, dt, *phys)
    bound, _ = position_bound(fisher_information(theta, e, n, z, noise, *phys, dir_sd, dt_s=dt))
    rng = np.random.default_rng(3)
    use = np.ones(e.size, dtype=bool)
    est = []
    for _ in range(25):
        # the logged mean direction is off the truth by the prior's draw
        d0 = dir_sd * rng.standard_normal()
        y = mu + noise * rng.standard_normal(mu.size)
        start = theta + np.array([4.0, -4.0, 1.0, 0.0, 0.2, -0.5, 0.0])
        ref = rf.refine(
            start, e, n, z, y, use, noise, dt, 4.0, 270.0 + d0, dir_sd, "D", "briggs_rural", 92.14
        )
        est.append(ref.theta[:2])
        assert rf.accept(ref, theta[:2], np.diag([100.0, 100.0]))
    est = np.array(est)
    rms = float(np.sqrt(np.mean(np.sum(est**2, axis=1))))
    # efficient: its RMS radial error sits at the bound (sampling error of 25 draws ~ 14%)
    assert 0.7 < rms / bound < 1.35, (rms, bound)
    assert mu.max() > 10 * noise  # a plume well above the noise


def test_a_turbulent_misfit_is_not_accepted() -> None:
    e, n, z = _track()
    theta = np.array([0.0, 0.0, 3.0, 0.0, 0.0, 2.0, 0.0])
    phys = (4.0, 270.0, "D", "briggs_rural", 92.14)
    rng = np.random.default_rng(5)
    y = sensor_samples(theta, e, n, z, 0.5, *phys)
    # intermittent plume: most of every crossing missing, the rest doubled
    y = y * 2.0 * (rng.uniform(size=y.size) < 0.5) + 0.5 * rng.standard_normal(y.size)
    ref = rf.refine(
        theta,
        e,
        n,
        z,
        y,
        np.ones(e.size, bool),
        0.5,
        0.5,
        4.0,
        270.0,
        2.0,
        "D",
        "briggs_rural",
        92.14,
    )
    assert ref.chi2 > rf.MAX_CHI2
    assert not rf.accept(ref, theta[:2], np.diag([100.0, 100.0]))


def test_nondetection_cache_gives_the_same_answer() -> None:
    rng = np.random.default_rng(1)
    m = 60
    t = np.arange(m) * 3.0
    probes = Probes(
        rng.uniform(0, 300, m),
        rng.uniform(-150, 150, m),
        t,
        np.full(m, 20.0),
        np.full(m, 7.5),
        np.full(m, 0.0),
        np.full(m, 6.0),
        0.5,
        4.0,
    )
    wind = wind_history(t, np.full(m, 4.0), np.full(m, 270.0))
    ce, cn = np.meshgrid(np.linspace(-100, 200, 20), np.linspace(-150, 150, 20))
    ce, cn = ce.ravel(), cn.ravel()
    h = np.array([1.0, 5.0])
    mu = np.full((ce.size, 2), np.log(0.5))
    sd = np.full((ce.size, 2), 0.4)
    s = Settings()
    plain = nondetection_loglik(ce, cn, h, mu, sd, probes, wind, 58.08, s)
    cache = PairCache(ce, cn, h)
    idx = np.flatnonzero(rng.uniform(size=ce.size) < 0.6)
    for _ in range(2):  # filled on the first call, read on the second
        got = nondetection_loglik(
            ce[idx], cn[idx], h, mu[idx], sd[idx], probes, wind, 58.08, s, cache=cache, index=idx
        )
        assert np.allclose(got, plain[idx], atol=1e-10)
    assert plain.min() < -1.0  # some candidates are ruled out


def test_a_minor_suspect_part_of_a_mixture_is_not_a_suspect() -> None:
    lib = load_signatures()
    sus = next(k for k in lib.names if lib[k].suspect)
    ben = next(k for k in lib.names if not lib[k].suspect)
    mixed = Classification({"none": 1.0}, "mixture", True, [], {sus: 0.38, ben: 0.62})
    assert not is_suspect(mixed, lib)
    mostly = Classification({"none": 1.0}, "mixture", True, [], {sus: 0.95, ben: 0.05})
    assert is_suspect(mostly, lib)
    plain = Classification({sus: 0.9, "none": 0.1}, sus, True, [])
    assert is_suspect(plain, lib)


def test_a_group_whose_sum_matches_nothing_takes_its_hits_majority() -> None:
    from types import SimpleNamespace

    from olfato.locate.pipeline import hits_verdict

    lib = load_signatures()
    sus = next(k for k in lib.names if lib[k].suspect)
    ben = next(k for k in lib.names if not lib[k].suspect)

    def hits_of(*cls: Classification) -> SimpleNamespace:
        return SimpleNamespace(
            library=lib, fingerprints=[SimpleNamespace(classification=c) for c in cls]
        )

    lab = Classification({sus: 1.0}, sus, True, [])
    mix = Classification({"none": 1.0}, "mixture", True, [], {sus: 0.75, ben: 0.25})
    farm = Classification({ben: 1.0}, ben, False, [])
    index = {10: 0, 11: 1, 12: 2}
    assert hits_verdict(hits_of(lab, mix, farm), [10, 11, 12], index) == (sus, True)  # type: ignore[arg-type]
    assert hits_verdict(hits_of(lab, farm, farm), [10, 11, 12], index) == (ben, False)  # type: ignore[arg-type]
    none = Classification({"none": 1.0}, "none", False, [])
    assert hits_verdict(hits_of(lab, farm, none), [10, 11, 12], index) is None  # type: ignore[arg-type]
    assert hits_verdict(hits_of(lab), [10], {10: 0}) is None  # type: ignore[arg-type]
