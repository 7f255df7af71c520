"""From hits and the track to the likelihood's data: crossings, probes, sensor lag.

A crossing is one hit seen in one channel: the enhancement-weighted centroid of the
hit (time and place), the drone's velocity there, and the hit's time-integrated
enhancement [ppb s] (from :func:`olfato.detect.detect`). A first-order sensor
delays the centroid of what it reads by exactly its time constant (the first moment
of a convolution is the sum of the first moments; e.g. Bracewell, *The Fourier
Transform and its Applications*, 3rd ed., 2000, ch. 8), so the drone's position is
taken at (centroid time - lag).

Probes are the track outside every hit (and a guard band of one hit length either
side of it: the edges of a detected plume are below threshold by definition),
cut into segments of about ``probe_length_m``: the places where a plume would
have been seen and was not. They carry the start times of the track's passes
(straight legs, :func:`olfato.locate.levels.pass_numbers`), so the likelihood can
let the probes of one pass share the source's on/off state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from olfato.locate.levels import pass_numbers
from olfato.locate.likelihood import Crossings, Probes, channel_molar_mass

if TYPE_CHECKING:
    from olfato.detect.pipeline import Hits

F64 = NDArray[np.float64]

#: default length of a non-detection segment [m]
DEFAULT_PROBE_LENGTH_M = 15.0
#: samples this many hit lengths either side of a hit are not probes
GUARD = 1.0


def _velocity(t: F64, e: F64, n: F64) -> tuple[F64, F64]:
    dt = np.gradient(t)
    dt = np.where(dt > 0, dt, np.nan)
    return np.nan_to_num(np.gradient(e) / dt), np.nan_to_num(np.gradient(n) / dt)


def _velocity_between(t: F64, e: F64, n: F64, i0: int, i1: int) -> tuple[F64, F64]:
    """:func:`_velocity` of samples ``i0``..``i1`` (inclusive), from them and one sample
    either side (the central differences need no more), equal to the whole track's."""
    a, b = max(i0 - 1, 0), min(i1 + 2, len(t))
    ve, vn = _velocity(t[a:b], e[a:b], n[a:b])
    return ve[i0 - a : i1 + 1 - a], vn[i0 - a : i1 + 1 - a]


def crossings_from_hits(
    hits: Hits, hit_ids: list[int] | NDArray[np.int64], channel: str, lag_s: float = 0.0
) -> Crossings:
    """The crossings of ``hit_ids`` in ``channel``, positions taken ``lag_s`` [s] earlier.

    Parameters
    ----------
    hits : Hits
        The detection result.
    hit_ids : list of int or ndarray of int
        The hits (``id`` column).
    channel : str
        The gas channel.
    lag_s : float, default 0.0
        Sensor lag [s].

    Returns
    -------
    Crossings
        Centroids [m], times [s], velocities [m/s] and integrals [ppb s] of the hits.

    Raises
    ------
    KeyError
        A hit id is not in the hits table.
    """
    s = hits.survey.samples
    t = hits.survey.time
    e = s["east_m"].to_numpy(dtype=float)
    n = s["north_m"].to_numpy(dtype=float)
    z = s["alt_agl_m"].to_numpy(dtype=float)
    enh = hits.enhancement(channel)
    ids = np.asarray(list(hit_ids), dtype=np.int64)
    row_of = {int(h): r for r, h in enumerate(hits.table["id"].to_numpy())}
    missing = [int(h) for h in ids if int(h) not in row_of]
    if missing:
        raise KeyError(f"hit ids {missing} are not in the hits table")
    # the whole crossing, over the level around the hits (olfato.detect.pipeline), where
    # the table has it
    kind = "int_whole" if f"{channel}_int_whole_ppb_s" in hits.table else "int"
    cols = ["i_start", "i_end", "i_peak", f"{channel}_{kind}_ppb_s", f"{channel}_{kind}_err_ppb_s"]
    rows = hits.table[cols].to_numpy(dtype=float)[[row_of[int(h)] for h in ids]]
    out: dict[str, list[Any]] = {k: [] for k in ("e", "n", "t", "z", "ve", "vn", "vv", "E", "s")}
    for i0, i1, ip, integ_c, err_c in rows:
        sl = slice(int(i0), int(i1) + 1)
        w = np.nan_to_num(np.maximum(enh[sl], 0.0))
        if w.sum() <= 0:
            w = np.zeros_like(w)
            w[int(ip) - int(i0)] = 1.0
        tc = float(np.sum(w * t[sl]) / w.sum()) - lag_s
        ve, vn = _velocity_between(t, e, n, int(i0), int(i1))
        out["t"].append(tc)
        out["e"].append(float(np.interp(tc, t, e)))
        out["n"].append(float(np.interp(tc, t, n)))
        out["z"].append(float(np.nanmean(z[sl])))
        out["ve"].append(float(np.sum(w * ve) / w.sum()))
        out["vn"].append(float(np.sum(w * vn) / w.sum()))
        out["vv"].append(
            [float(np.sum(w * a * b) / w.sum()) for a, b in ((ve, ve), (ve, vn), (vn, vn))]
        )
        out["E"].append(float(integ_c))
        out["s"].append(float(err_c))
    integ = np.array(out["E"])
    err = np.array(out["s"])
    err = np.where(np.isfinite(err) & (err > 0), err, np.nanmax(np.append(err, 1.0)))
    integ = np.where(np.isfinite(integ), integ, 0.0)
    return Crossings(
        ids,
        np.array(out["e"]),
        np.array(out["n"]),
        np.array(out["t"]),
        np.array(out["z"]),
        np.array(out["ve"]),
        np.array(out["vn"]),
        integ,
        err,
        channel,
        channel_molar_mass(channel),
        np.array(out["vv"], dtype=float).reshape(-1, 3),
    )


def probes_from_track(
    hits: Hits,
    channel: str,
    lag_s: float = 0.0,
    probe_length_m: float = DEFAULT_PROBE_LENGTH_M,
    passes: NDArray[np.int64] | None = None,
) -> Probes:
    """The non-detection segments of the flight in ``channel`` (module docstring).

    Parameters
    ----------
    hits : Hits
        The detection result (its survey gives the track).
    channel : str
        The gas channel.
    lag_s : float, default 0.0
        Sensor lag [s].
    probe_length_m : float, default DEFAULT_PROBE_LENGTH_M
        Length of one non-detection segment [m].
    passes : ndarray of int or None, default None
        The pass of each sample (:func:`olfato.locate.levels.pass_numbers`);
        computed from the track when None.

    Returns
    -------
    Probes
        The non-detection segments.
    """
    s = hits.survey.samples
    t = hits.survey.time
    e = s["east_m"].to_numpy(dtype=float)
    n = s["north_m"].to_numpy(dtype=float)
    z = s["alt_agl_m"].to_numpy(dtype=float)
    bg = hits.backgrounds[channel]
    ok = np.isfinite(hits.survey.gas(channel))
    if passes is None:
        passes = pass_numbers(t, e, n)
    # a pass starts at the time of its first sample's position (the probes' and the
    # crossings' clock: the time of the position, the sensor lag taken off)
    pass_start = t[np.flatnonzero(np.diff(passes) > 0) + 1].astype(float)
    for a, b in zip(hits.table["i_start"], hits.table["i_end"], strict=True):
        # the hit and a guard band of GUARD x its length on each side: a detected
        # plume's edges are below the threshold by definition (censored parts of the
        # same crossing, whose width the time-averaged plume model overstates), not
        # independent non-detections
        pad = int(np.ceil(GUARD * (int(b) - int(a) + 1)))
        ok[max(int(a) - pad, 0) : int(b) + 1 + pad] = False
    if ok.sum() == 0:
        empty = np.empty(0)
        return Probes(
            empty, empty, empty, empty, empty, empty, empty, bg.noise, hits.threshold, pass_start
        )
    step = np.concatenate([[0.0], np.hypot(np.diff(e), np.diff(n))])
    dist = np.cumsum(step)
    # a new segment where the run of probe samples breaks or every probe_length_m
    brk = np.concatenate([[True], ~ok[:-1]]) & ok
    run = np.cumsum(brk)
    seg_key = run * 1_000_000 + np.floor(dist / probe_length_m).astype(np.int64)
    idx = np.flatnonzero(ok)
    keys, inv = np.unique(seg_key[idx], return_inverse=True)
    cnt = np.bincount(inv).astype(float)
    tp = t[idx] - lag_s

    def mean(v: F64) -> F64:
        return np.bincount(inv, weights=v) / cnt

    tc = mean(tp)
    first = np.full(len(keys), np.inf)
    last = np.full(len(keys), -np.inf)
    np.minimum.at(first, inv, dist[idx])
    np.maximum.at(last, inv, dist[idx])
    t_first = np.full(len(keys), np.inf)
    t_last = np.full(len(keys), -np.inf)
    np.minimum.at(t_first, inv, t[idx])
    np.maximum.at(t_last, inv, t[idx])
    dur = np.maximum(t_last - t_first, 1e-6)
    ec, nc = np.interp(tc, t, e), np.interp(tc, t, n)
    e0, n0 = np.interp(t_first - lag_s, t, e), np.interp(t_first - lag_s, t, n)
    e1, n1 = np.interp(t_last - lag_s, t, e), np.interp(t_last - lag_s, t, n)
    half = 0.5 * np.maximum(last - first, 0.0) + 0.5 * np.median(step[1:] if len(step) > 1 else 0)
    return Probes(
        ec,
        nc,
        tc,
        mean(z[idx]),
        half,
        (e1 - e0) / dur,
        (n1 - n0) / dur,
        float(bg.noise),
        float(hits.threshold),
        pass_start,
    )
