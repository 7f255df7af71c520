"""Sensor faults: what a field gas sensor does that is not the air.

Checked per channel before the background is estimated; each finding is a warning
for the analyst, and the samples it spoils are left out (NaN) so they can neither
make a plume nor hide one.

Warm-up
    A heated metal-oxide or electrochemical cell reads off its baseline after
    power-on (or after take-off, when its airflow and temperature change) and settles
    over minutes. Medians of :data:`BLOCK_S` blocks, which a plume crossing of a few
    seconds cannot move, are compared with the settled level (the median of the
    flight after :data:`SETTLED_AFTER_S`): when the first block is more than
    :data:`WARMUP_SD` noise sd off it and the blocks then approach it, the samples up
    to the first block within :data:`SETTLED_SD` sd (plus one block) are the warm-up.
    Its start is left out; the rest is kept, with the background following the decay
    (:func:`followed_from`): a running median over a monotone decay reads the
    reading at its centre, and the running mean after it is off by the curvature
    times L^2 / 24 (L the mean's window; the boxcar's second moment), the curvature
    of a quadratic through five block medians. Readings are kept from the first
    block from which that error stays under :data:`FOLLOWED_SD` noise sd, over the
    half median window before it too (the background's plume mask would drop readings
    off the running level there), so a lab crossed in the first minutes after
    power-on is not lost; the readings before feed the background, never the hits.
    A departure that blocks later in the flight match (to :data:`PLUME_LIKE` of it) is
    the air, not the sensor: a drone that takes off inside a plume reads it for a
    minute or two, as it reads plumes later on, and those readings are kept.
Quantised channels
    A channel that reports in steps cannot resolve less than a step; its noise is
    taken as at least step / sqrt(12), the standard deviation of the rounding error
    (Widrow & Kollar, *Quantization Noise*, Cambridge 2008, ch. 4). Steps are found
    with an offset allowed (readings k x step + c). A step coarser than the noise is
    reported.
Stuck and saturated channels
    A run of identical readings is improbable in a channel whose noise is larger
    than its step: the chance that the next reading repeats is at most step /
    (2 sqrt(pi) noise) (for Gaussian differences of sd sqrt(2) noise, the mass of one
    step around 0), so a run of n repeats has probability at most that to the n.
    Runs of at least :data:`STUCK_MIN_S` whose probability is below
    :data:`STUCK_P` are left out as stuck (runs at the channel's floor, 0, are
    clipping, not sticking). Shorter improbable runs at the channel's maximum are
    saturation (a plume crossing's top cut off): the readings are kept (the plume
    is there) and the warning says the peaks and integrals there are lower bounds.
Implausible backgrounds
    An ambient level far outside what the open air holds (:data:`AMBIENT_PPB`) or
    below zero says the sensor is uncalibrated or reporting another unit.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from olfato.detect.background import DEFAULT_WINDOW_S
from olfato.survey.flights import flight_edges

F64 = NDArray[np.float64]

#: block length of the warm-up check [s]
BLOCK_S = 30.0
#: the settled level is the median after this time from the start [s]
SETTLED_AFTER_S = 600.0
#: the first block must be this many noise sd off the settled level to be a warm-up
WARMUP_SD = 8.0
#: the warm-up has ended at the first block within this many noise sd
SETTLED_SD = 2.0
#: a warm-up must last at least this long [s] (a plume crossing is seconds)
WARMUP_MIN_S = 60.0
#: no warm-up where a block later in the flight departs this share of the first
#: block's departure (the channel meets such air anyway: a plume at take-off)
PLUME_LIKE = 0.5
#: the background follows a warm-up where its error is below this many noise sd
FOLLOWED_SD = 0.5
#: a run of identical readings at least this long [s] may be stuck
STUCK_MIN_S = 20.0
#: a run less probable than this is stuck
STUCK_P = 1e-6
#: plausible ambient levels [ppb] in open air, (low, high): CO2 and CH4 around their
#: global means (NOAA GML: ~420 ppm CO2, ~1.92 ppm CH4 in 2023-24; Lan, Thoning &
#: Dlugokencky, NOAA Global Monitoring Laboratory trends), CO from clean air to a
#: polluted city's (WHO 2021 air quality guidelines, 24-h guideline 4 mg/m3 = 3.5 ppm)
AMBIENT_PPB = {
    "co2": (300_000.0, 2_000_000.0),
    "ch4": (1_500.0, 20_000.0),
    "co": (0.0, 20_000.0),
}


@dataclass
class ChannelFaults:
    """What the checks found in one channel.

    ``excluded`` True on samples left out (warm-up, stuck); ``level_only`` True on
    those of them the background is estimated from (the start of a warm-up: real
    readings of a settling sensor, left out of the hits only); ``saturated`` True on
    readings at the channel's maximum; ``step`` [ppb] its quantisation step (0 when
    continuous); ``warnings`` for the analyst; ``unusable`` when nothing is left.
    """

    excluded: NDArray[np.bool_]
    saturated: NDArray[np.bool_]
    level_only: NDArray[np.bool_]
    step: float = 0.0
    warnings: list[str] = field(default_factory=list)
    unusable: bool = False


def resolution(values: F64) -> float:
    """The reading's quantisation step [same unit], 0 when it looks continuous.

    The most common difference between neighbouring distinct values, when at
    least 99% of the readings lie on the lattice ``k step + c`` it spans.

    Parameters
    ----------
    values : ndarray of float
        Readings of one channel [any unit], NaN where missing.

    Returns
    -------
    float
        Quantisation step [unit of ``values``]; 0 when the readings look continuous.
    """
    v = values[np.isfinite(values)]
    u = np.unique(v)
    if u.size < 2:
        return 0.0
    d = np.diff(u)
    scale = max(float(np.max(np.abs(u))), 1e-300)
    d = d[d > 1e-9 * scale]
    if d.size == 0:
        return 0.0
    step = float(np.min(d))
    # tolerate float noise from unit conversions: a step is a multiple of the smallest
    k = (v - u[0]) / step
    on = np.abs(k - np.round(k)) < 1e-3
    return step if on.mean() >= 0.99 else 0.0


def difference_noise(values: F64) -> float:
    """Noise sd [same unit] from the first differences: 1.4826 MAD / sqrt(2).

    Parameters
    ----------
    values : ndarray of float
        Readings of one channel in time order [any unit], NaN where missing.

    Returns
    -------
    float
        Noise standard deviation [unit of ``values``].
    """
    d = np.diff(values)
    d = d[np.isfinite(d)]
    if d.size < 3:
        return 0.0
    return float(1.4826 * np.median(np.abs(d - np.median(d))) / np.sqrt(2.0))


def _runs(values: F64) -> list[tuple[int, int]]:
    """(start, end inclusive) of every run of >= 2 identical finite consecutive values."""
    v = values
    same = np.isfinite(v[1:]) & (v[1:] == v[:-1])
    out = []
    i, n = 0, len(same)
    while i < n:
        if same[i]:
            j = i
            while j + 1 < n and same[j + 1]:
                j += 1
            out.append((i, j + 1))
            i = j + 1
        else:
            i += 1
    return out


def block_medians(rel_s: F64, values: F64, blocks: range) -> F64:
    """Median reading of each :data:`BLOCK_S` block (NaN where a block has none).

    Parameters
    ----------
    rel_s : ndarray of float
        Sample times from the first [s].
    values : ndarray of float
        Readings [ppb], NaN where missing.
    blocks : range
        Block numbers (block b spans [b, b + 1) x BLOCK_S).

    Returns
    -------
    ndarray of float
        One median [ppb] per block.
    """
    out = np.full(len(blocks), np.nan)
    for k, b in enumerate(blocks):
        blk = values[(rel_s >= b * BLOCK_S) & (rel_s < (b + 1) * BLOCK_S)]
        blk = blk[np.isfinite(blk)]
        if blk.size:
            out[k] = float(np.median(blk))
    return out


def warmup_end(time_s: F64, values: F64, noise: float) -> float | None:
    """The time [s] the warm-up ends, None when there is none (module docstring).

    Parameters
    ----------
    time_s : ndarray of float
        Sample times [s], increasing.
    values : ndarray of float
        Readings of one channel [ppb], NaN where missing.
    noise : float
        Noise standard deviation of the channel [ppb].

    Returns
    -------
    float or None
        Time [s] at which the warm-up ends, or None when the channel has none.
    """
    t, v = time_s, values
    rel = t - t[0]
    if rel[-1] < 2 * SETTLED_AFTER_S / 3 or not noise > 0:
        return None
    late = v[rel >= min(SETTLED_AFTER_S, rel[-1] / 2)]
    late = late[np.isfinite(late)]
    if late.size < 10:
        return None
    settled = float(np.median(late))
    nb = int(min(SETTLED_AFTER_S, rel[-1] / 2) // BLOCK_S)
    dev = block_medians(rel, v, range(nb)) - settled
    if not np.isfinite(dev[0]) or abs(dev[0]) < WARMUP_SD * noise:
        return None
    sign = np.sign(dev[0])
    off = sign * dev
    within = np.flatnonzero(np.isfinite(off) & (off < SETTLED_SD * noise))
    end_block = int(within[0]) if within.size else nb
    if end_block * BLOCK_S < WARMUP_MIN_S:
        return None
    # it approaches the settled level: no block before the end is further off than the first
    if np.nanmax(off[:end_block]) > 1.2 * off[0]:
        return None
    # the air, not the sensor: where blocks of the rest of the flight depart as far (to
    # PLUME_LIKE of the first block's departure, same sign), the early departure is a
    # plume the drone took off in, and its readings are kept
    later = sign * (block_medians(rel, v, range(end_block + 1, int(rel[-1] // BLOCK_S))) - settled)
    if np.isfinite(later).any() and np.nanmax(later) >= PLUME_LIKE * off[0]:
        return None
    return float(t[0] + min(end_block + 1, nb) * BLOCK_S)


def followed_from(time_s: F64, values: F64, noise: float, end: float, window_s: float) -> float:
    """The time [s] from which the background follows a warm-up that ends at ``end``
    (module docstring): the start of the first block from which every block's level
    error, from half a median window before it up to ``end``, is below
    :data:`FOLLOWED_SD` noise sd; ``end`` when there is none.

    Parameters
    ----------
    time_s : ndarray of float
        Sample times [s], increasing.
    values : ndarray of float
        Readings of one channel [ppb], NaN where missing.
    noise : float
        Noise standard deviation of the channel [ppb].
    end : float
        Time the warm-up ends [s] (:func:`warmup_end`).
    window_s : float
        The background's running-median window [s]
        (:func:`olfato.detect.background.estimate_background`); its running mean
        spans half of it.

    Returns
    -------
    float
        Time [s] from which the readings are kept.
    """
    t, v = time_s, values
    rel = t - t[0]
    nb = int(np.ceil((end - t[0]) / BLOCK_S)) + 1
    meds = block_medians(rel, v, range(nb + 2))
    # curvature at each block from a quadratic through it and two blocks either side
    # (a second difference of block medians is as noisy as the bound it is held to)
    weights = np.array([2.0, -1.0, -2.0, -1.0, 2.0]) / 7.0 / BLOCK_S**2
    error = np.full(nb, np.inf)
    mean_window = window_s / 2.0
    for b in range(2, nb):
        curvature = abs(float(weights @ meds[b - 2 : b + 3]))
        error[b] = curvature * mean_window**2 / 24.0
    ok = np.isfinite(error) & (error < FOLLOWED_SD * noise)
    # the median window before a kept reading must hold no reading the background's
    # plume mask would drop for being off the running level
    half = int(np.ceil(window_s / 2.0 / BLOCK_S))
    for b in range(half + 2, nb):
        if ok[b - half :].all():
            return float(min(t[0] + b * BLOCK_S, end))
    return float(end)


def check_channel(
    name: str, time_s: F64, values_ppb: F64, *, window_s: float = DEFAULT_WINDOW_S
) -> ChannelFaults:
    """Run every check of the module docstring on one channel [ppb].

    Parameters
    ----------
    name : str
        Channel name (e.g. ``"nh3"``), used in warnings and for its ambient range.
    time_s : ndarray of float
        Sample times [s], increasing.
    values_ppb : ndarray of float
        Readings of the channel [ppb], NaN where missing.
    window_s : float, default DEFAULT_WINDOW_S
        The background's running-median window [s] (:func:`followed_from`).

    Returns
    -------
    ChannelFaults
        Samples left out (warm-up, stuck) and at saturation, the quantisation step
        [ppb], the warnings, and whether the channel is unusable.
    """
    t = np.asarray(time_s, dtype=float)
    v = np.asarray(values_ppb, dtype=float)
    n = len(v)
    none = np.zeros(n, dtype=bool)
    out = ChannelFaults(excluded=none.copy(), saturated=none.copy(), level_only=none.copy())
    finite = np.isfinite(v)
    if finite.sum() < 10:
        return out
    dt = float(np.median(np.diff(t))) if n > 1 else 1.0
    step = resolution(v)
    out.step = step
    sd = max(difference_noise(v), step / np.sqrt(12.0))
    fmt = _fmt

    # -- constant or stuck ----------------------------------------------------------------
    vmax = float(np.nanmax(v))
    vmin = float(np.nanmin(v))
    if vmax == vmin:
        out.excluded[:] = True
        out.unusable = True
        out.warnings.append(
            f"channel '{name}' reads {fmt(vmax)} ppb throughout: stuck or disconnected; "
            "it is not used"
        )
        return out
    run_noise = difference_noise(v)
    p_same = 1.0 if run_noise <= 0 else min(1.0, step / (2.0 * np.sqrt(np.pi) * run_noise))
    n_min = max(10, round(STUCK_MIN_S / max(dt, 1e-9)))
    stuck_s = 0.0
    stuck_at: list[str] = []
    sat_n = 0
    log_p = np.log(max(p_same, 1e-300))
    for a, b in _runs(v):
        length = b - a + 1
        val = float(v[a])
        if p_same >= 1.0 or val <= 0.0:
            continue  # a coarse step, or clipping at the floor: repeats are expected
        if val == vmax and length < n_min and (length - 1) * log_p < np.log(1e-3):
            out.saturated[a : b + 1] = True  # a plume's top cut off
            sat_n += length
            continue
        if length < n_min or (length - 1) * log_p > np.log(STUCK_P):
            continue
        out.excluded[a : b + 1] = True
        stuck_s += float(t[b] - t[a])
        stuck_at.append(f"{fmt(val)} ppb from {t[a] - t[0]:.0f} s")
    if stuck_at:
        out.warnings.append(
            f"channel '{name}' is stuck (identical readings, improbable for its noise of "
            f"{fmt(run_noise)} ppb) for {stuck_s:.0f} s ({'; '.join(stuck_at[:3])}"
            f"{'; ...' if len(stuck_at) > 3 else ''}); those readings are left out"
        )
    if sat_n and (v >= vmax).sum() < 0.5 * finite.sum():
        out.warnings.append(
            f"channel '{name}' saturates at {fmt(vmax)} ppb on {sat_n} reading(s): peaks and "
            "integrals there are lower bounds"
        )
    else:
        out.saturated[:] = False

    # -- warm-up --------------------------------------------------------------------------
    w = np.where(out.excluded, np.nan, v)
    end = warmup_end(t, w, sd)
    if end is not None:
        kept = followed_from(t, w, sd, end, window_s)
        gone = t < kept
        out.level_only |= gone & ~out.excluded
        out.excluded |= gone
        first = float(np.nanmedian(w[(t - t[0]) < BLOCK_S]))
        rest = (
            f"the first {kept - t[0]:.0f} s are left out and the background follows the rest"
            if kept < end
            else "those readings are left out"
        )
        out.warnings.append(
            f"channel '{name}': warm-up after power-on, readings settling from {fmt(first)} ppb "
            f"over the first {end - t[0]:.0f} s; {rest}"
        )

    # -- quantisation ---------------------------------------------------------------------
    cont = difference_noise(np.where(out.excluded, np.nan, v))
    if step > 0 and step > 2.0 * cont:
        out.warnings.append(
            f"channel '{name}' is quantised in steps of {fmt(step)} ppb, coarser than its "
            f"noise: its noise is taken as at least step/sqrt(12) = {fmt(step / np.sqrt(12))} "
            "ppb and hits of about one step are not trusted"
        )

    # -- background level -----------------------------------------------------------------
    keep = ~out.excluded & finite
    if keep.sum() >= 10:
        level = float(np.median(v[keep]))
        lo, hi = AMBIENT_PPB.get(name, (-np.inf, np.inf))
        if level > hi or level < lo or level < -3.0 * sd:
            out.warnings.append(
                f"channel '{name}' has a background of {fmt(level)} ppb, outside what open air "
                f"holds ({fmt(max(lo, 0.0))}-{fmt(hi)} ppb): check its calibration and unit"
            )
    if keep.sum() < 10:
        out.unusable = True
        out.warnings.append(f"channel '{name}': fewer than 10 readings left; it is not used")
    return out


def check_flights(
    name: str,
    time_s: F64,
    values_ppb: F64,
    starts: NDArray[np.int64],
    *,
    window_s: float = DEFAULT_WINDOW_S,
) -> ChannelFaults:
    """:func:`check_channel` on each flight of a log on its own, joined.

    A log that runs through a battery change holds several flights
    (:func:`olfato.survey.flights.flight_starts`), and the sensors power on, warm up,
    stick or saturate anew in each: a warm-up is looked for after every power-on, not
    only the log's first. A warning found in every flight is given once; one found in
    some is given with the flight's number. A channel unusable in one flight is left
    out of that flight only.

    Parameters
    ----------
    name : str
        Channel name (e.g. ``"nh3"``).
    time_s : ndarray of float
        Sample times [s], increasing.
    values_ppb : ndarray of float
        Readings of the channel [ppb], NaN where missing.
    starts : ndarray of int
        Rows where a flight after the first begins (empty: one flight).
    window_s : float, default DEFAULT_WINDOW_S
        The background's running-median window [s].

    Returns
    -------
    ChannelFaults
        As :func:`check_channel`, over the whole log.
    """
    t = np.asarray(time_s, dtype=float)
    v = np.asarray(values_ppb, dtype=float)
    if len(starts) == 0:
        return check_channel(name, t, v, window_s=window_s)
    parts = [
        check_channel(name, t[a:b], v[a:b], window_s=window_s)
        for a, b in itertools.pairwise(flight_edges(starts, len(v)))
    ]
    for f in parts:
        if f.unusable:
            f.excluded[:] = True
    everywhere = set.intersection(*(set(f.warnings) for f in parts))
    warnings = [w for w in parts[0].warnings if w in everywhere]
    for k, f in enumerate(parts, start=1):
        warnings += [f"flight {k} of {len(parts)}: {w}" for w in f.warnings if w not in everywhere]
    return ChannelFaults(
        excluded=np.concatenate([f.excluded for f in parts]),
        saturated=np.concatenate([f.saturated for f in parts]),
        level_only=np.concatenate([f.level_only for f in parts]),
        step=max(f.step for f in parts),
        warnings=warnings,
        unusable=all(f.unusable for f in parts),
    )


def _fmt(x: float) -> str:
    return f"{x:.3g}"
