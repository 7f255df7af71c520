"""Where the air at a sample came from: plume coordinates along the wind's history.

A plume is not a straight line when the wind meanders: the air crossed at time t
left a source tau seconds earlier and has since travelled D(t, tau) = W(t) -
W(t - tau), W the time integral of the wind vector. Working backwards from a
receptor along D is a back-trajectory (the Lagrangian view of a plume; e.g. Stohl
1998, "Computation, accuracy and applications of trajectories", Atmos. Environ.
32, 947, and the puff model of :mod:`olfato.simulate.world`, whose puff centroids
follow exactly this path in a spatially uniform wind).

For a candidate source s and a receptor p sampled at t, the travel time tau is
found by a fixed point: start from the straight distance over the mean speed, take
the mean transport vector over [t - tau, t], project p - s onto it
(:func:`olfato.physics.wind.downwind_crosswind`) and set tau from the downwind
distance; two iterations converge to well under a metre for a meandering wind with
time scales of a minute. The result, downwind distance x, crosswind offset y (left
of downwind positive, as in the plume literature) and the mean transport speed u,
feeds the Gaussian plume of :mod:`olfato.physics.dispersion` unchanged.

The air a ground-level plume travels in is slower than the wind the drone logs at
its own height: wind speed grows with height in the surface layer (in ISC3's power law
u(z) = u_ref (z / z_ref)^p, p = 0.07-0.15 from unstable to neutral air and 0.35-0.55
in stable air: the rural exponents of Irwin 1979, Atmos. Environ. 13, 191, as used by
the ISC3 model, US EPA-454/B-95-003b, 1995, Vol. II), and the bulk of a plume released at the
ground moves at the wind speed near its mean height, a few metres up (Lagrangian
similarity: dx/dt = u(c zbar), c about 0.6; Chatwin 1968, Q. J. R. Meteorol. Soc.
94, 350; Horst 1979, J. Appl. Meteorol. 18, 733). From 15-30 m of the drone's
anemometer to 2-6 m the power law gives 0.7-0.9 of the logged speed in neutral air and
0.3-0.7 in stable air. An anemometer that reads fast does the same. In a meandering
wind the air crossed at t then left the source earlier, under an older direction, than
the logged speed says. ``WindHistory.travel_factor`` k is the plume's mean speed as a
fraction of the logged wind's: the travel time is x / (k u), while ``u`` returned (the
dilution speed of the Gaussian plume) stays the logged wind's, as the plume model's
curves are calibrated (:func:`olfato.locate.pipeline.locate`'s ``travel_factors``
averages over k).

``transport="mean"`` replaces the wind history by the flight's vector-mean wind,
turned by ``offset_deg``: the straight, time-averaged plume of steady-state
dispersion models.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np
from numpy.typing import ArrayLike, NDArray

from olfato.errors import OlfatoError
from olfato.physics.wind import wind_from_vector, wind_vector

F64 = NDArray[np.float64]

TRANSPORTS = ("trajectory", "mean")
#: lowest transport speed used for travel times [m/s] (the plume model's calm floor)
MIN_TRANSPORT_MS = 0.5
#: fixed-point iterations for the travel time
N_ITER = 2
#: bytes of each array of a block of :func:`pair_coordinates` (32,768 receptor-source
#: pairs of float64: its dozen arrays stay in a core's L2 cache). Calls of 100,000 to
#: 600,000 pairs take 20-40% less CPU than in one block, with identical values
PAIR_BLOCK_BYTES = 262144


def rows_per_block(row_bytes: int, block_bytes: int) -> int:
    """Rows of ``row_bytes`` bytes each that fill a block of ``block_bytes``, at least
    one: the one rule of locate's blocked loops (:data:`PAIR_BLOCK_BYTES`,
    :data:`olfato.locate.likelihood.PROBE_BLOCK_BYTES`,
    :data:`olfato.locate.likelihood.RATE_BLOCK_BYTES`), each sized so that a block's
    arrays stay in a core's cache.

    Parameters
    ----------
    row_bytes : int
        Bytes of one row of a block's array [B].
    block_bytes : int
        Bytes of each array of a block [B].

    Returns
    -------
    int
        Rows per block [-], at least 1.
    """
    return max(int(block_bytes) // max(int(row_bytes), 1), 1)


@dataclass(frozen=True)
class WindHistory:
    """The survey's wind as a running integral, for back-trajectories.

    ``t`` [s epoch] sample times; ``disp_e``, ``disp_n`` [m] the integral of the
    wind vector from ``t[0]``; ``path`` [m] the integral of the speed;
    ``mean_e``, ``mean_n`` [m/s] the flight's vector-mean wind (used before take-off
    and for ``transport="mean"``); ``transport`` as in the module docstring.
    """

    t: F64
    disp_e: F64
    disp_n: F64
    path: F64
    mean_e: float
    mean_n: float
    transport: str = "trajectory"
    dt: float = 0.0
    """the sampling step [s] when uniform (to 1%), else 0"""
    travel_factor: float = 1.0
    """the plume's mean advection speed as a fraction of the logged wind's [-] (module
    docstring): travel times are the downwind distance over it times the wind's speed"""
    _step_cache: dict[str, F64] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def mean_speed_ms(self) -> float:
        return float(np.hypot(self.mean_e, self.mean_n))

    @property
    def mean_dir_deg(self) -> float:
        return float(wind_from_vector(self.mean_e, self.mean_n)[1])

    def displacement(self, t_from: ArrayLike, t_to: ArrayLike) -> tuple[F64, F64, F64]:
        """Air displacement (east, north) [m] and path length [m] from ``t_from`` to ``t_to``.

        Before the first sample the wind is taken as the flight mean.

        Parameters
        ----------
        t_from, t_to : array_like
            Times [s], broadcast together.

        Returns
        -------
        tuple of (ndarray, ndarray, ndarray)
            East [m], north [m] and path length [m].
        """
        a = np.asarray(t_from, dtype=float)
        b = np.asarray(t_to, dtype=float)
        if self.transport == "mean":
            dt = b - a
            return self.mean_e * dt, self.mean_n * dt, self.mean_speed_ms * dt
        return (
            self._integral(b, self.disp_e, self.mean_e)
            - self._integral(a, self.disp_e, self.mean_e),
            self._integral(b, self.disp_n, self.mean_n)
            - self._integral(a, self.disp_n, self.mean_n),
            self._integral(b, self.path, self.mean_speed_ms)
            - self._integral(a, self.path, self.mean_speed_ms),
        )

    def _integral(self, t: F64, cum: F64, rate_before: float) -> F64:
        return self._integrals(t, (cum,), (rate_before,))[0]

    def _integrals(
        self, t: F64, cums: tuple[F64, ...], rates_before: tuple[float, ...]
    ) -> list[F64]:
        """Running integrals ``cums`` at times ``t``, linear between samples and at
        ``rates_before`` [per s] before the first; the interpolation weights are found
        once for all of them."""
        t = np.asarray(t, dtype=float)
        # before the first sample (rare: a plume older than the log) the rate before it
        lead = np.minimum(t - self.t[0], 0.0) if t.size and float(t.min()) < self.t[0] else None
        if self.dt > 0:  # uniform sampling: index arithmetic instead of a search
            f = t - self.t[0]
            f /= self.dt
            np.clip(f, 0.0, len(self.t) - 1.0, out=f)
            i = f.astype(np.intp)
            np.minimum(i, len(self.t) - 2, out=i)
            w = f
            w -= i
            out = []
            for cum in cums:
                v = cum.take(i)
                step = self._steps(cum).take(i)
                step *= w
                v += step
                out.append(v)
        else:
            out = [np.interp(t, self.t, cum) for cum in cums]
        if lead is not None:
            out = [v + lead * r for v, r in zip(out, rates_before, strict=True)]
        return out

    def _steps(self, cum: F64) -> F64:
        """cum[i + 1] - cum[i]: computed once for the history's own running integrals."""
        for name in ("disp_e", "disp_n", "path"):
            if cum is getattr(self, name):
                if name not in self._step_cache:
                    self._step_cache[name] = np.diff(cum)
                return self._step_cache[name]
        return np.diff(cum)


def _fill(t: F64, v: F64, name: str, where: str) -> F64:
    ok = np.isfinite(v)
    if ok.sum() < 2:
        raise OlfatoError(
            f"{where}: field '{name}' has no usable readings; locating a source needs the wind "
            "(direction FROM, clockwise from north, and speed) at the drone",
            hint="Give a wind log, or a survey with wind_speed_ms and wind_dir_deg.",
        )
    return np.interp(t, t[ok], v[ok]) if not ok.all() else v


def wind_history(
    time_s: ArrayLike,
    wind_speed_ms: ArrayLike,
    wind_dir_deg: ArrayLike,
    *,
    transport: str = "trajectory",
    offset_deg: float = 0.0,
    travel_factor: float = 1.0,
    where: str = "survey",
) -> WindHistory:
    """Build a :class:`WindHistory` from the logged wind.

    ``time_s`` [s] sorted; ``wind_speed_ms`` [m/s]; ``wind_dir_deg`` FROM [deg,
    clockwise from north] (:func:`olfato.physics.wind.wind_vector`); gaps (NaN) are
    bridged linearly; ``transport`` one of :data:`TRANSPORTS`; ``offset_deg`` [deg]
    turns every wind vector clockwise (a wind-vane bias); ``travel_factor`` [-] the
    plume's mean speed over the logged wind's (module docstring). Missing wind raises
    :class:`OlfatoError` naming ``where`` and the field.

    Parameters
    ----------
    time_s : array_like
        Sample times [s], sorted.
    wind_speed_ms : array_like
        Wind speed [m/s].
    wind_dir_deg : array_like
        Wind direction FROM [deg].
    transport : str, default "trajectory"
        One of :data:`TRANSPORTS`.
    offset_deg : float, default 0.0
        Clockwise turn of every wind vector [deg].
    travel_factor : float, default 1.0
        The plume's mean advection speed as a fraction of the logged wind's [-].
    where : str, default "survey"
        What to name in errors.

    Returns
    -------
    WindHistory
        The wind and its running integrals.

    Raises
    ------
    OlfatoError
        When ``transport`` is unknown, ``travel_factor`` is not finite and > 0, or the
        wind is missing.
    """
    if transport not in TRANSPORTS:
        raise OlfatoError(f"unknown transport '{transport}'; expected one of {TRANSPORTS}")
    if not (np.isfinite(travel_factor) and travel_factor > 0):
        raise OlfatoError(
            f"travel_factor must be a finite factor > 0, got {travel_factor}",
            parameter="travel_factor",
        )
    t = np.asarray(time_s, dtype=float)
    speed = _fill(t, np.asarray(wind_speed_ms, dtype=float), "wind_speed_ms", where)
    direction = _fill(t, np.asarray(wind_dir_deg, dtype=float), "wind_dir_deg", where)
    ue, vn = wind_vector(speed, direction + offset_deg)
    dt = np.diff(t)
    disp_e = np.concatenate([[0.0], np.cumsum(0.5 * (ue[1:] + ue[:-1]) * dt)])
    disp_n = np.concatenate([[0.0], np.cumsum(0.5 * (vn[1:] + vn[:-1]) * dt)])
    path = np.concatenate([[0.0], np.cumsum(0.5 * (speed[1:] + speed[:-1]) * dt)])
    span = float(t[-1] - t[0]) if len(t) > 1 else 1.0
    mean_e = float(disp_e[-1] / span) if span > 0 else float(ue[0])
    mean_n = float(disp_n[-1] / span) if span > 0 else float(vn[0])
    step = float(np.median(dt)) if len(dt) else 0.0
    uniform = len(dt) > 1 and step > 0 and float(np.max(np.abs(dt - step))) <= 0.01 * step
    return WindHistory(
        t,
        disp_e,
        disp_n,
        path,
        mean_e,
        mean_n,
        transport,
        step if uniform else 0.0,
        float(travel_factor),
    )


@dataclass(frozen=True)
class PlumeCoordinates:
    """Receptors relative to candidate sources, along the transport path.

    ``x`` downwind travel [m] (<= 0: the receptor is upwind), ``y`` crosswind [m],
    ``u`` mean transport speed [m/s], ``to_e``, ``to_n`` [-] the unit vector the
    transport blows TO; all broadcast to (candidates, receptors).
    """

    x: F64
    y: F64
    u: F64
    to_e: F64
    to_n: F64

    @property
    def dir_from_deg(self) -> F64:
        """The direction the transport came FROM [deg, clockwise from north]."""
        return wind_from_vector(self.to_e, self.to_n)[1]


def plume_coordinates(
    receptor_e: ArrayLike,
    receptor_n: ArrayLike,
    receptor_t: ArrayLike,
    source_e: ArrayLike,
    source_n: ArrayLike,
    wind: WindHistory,
) -> PlumeCoordinates:
    """Plume coordinates of receptors (at times ``receptor_t`` [s]) for candidate sources.

    ``receptor_*`` shape (m,) [m, s]; ``source_*`` shape (k,) [m]. Returns arrays of
    shape (k, m). See the module docstring for the method.

    Parameters
    ----------
    receptor_e, receptor_n : array_like, shape (m,)
        Receptor positions [m].
    receptor_t : array_like, shape (m,)
        Receptor times [s].
    source_e, source_n : array_like, shape (k,)
        Candidate source positions [m].
    wind : WindHistory
        The wind.

    Returns
    -------
    PlumeCoordinates
        Downwind ``x`` [m], crosswind ``y`` [m], speed ``u`` [m/s], shape (k, m).
    """
    return pair_coordinates(
        np.asarray(receptor_e, dtype=float)[None, :],
        np.asarray(receptor_n, dtype=float)[None, :],
        np.asarray(receptor_t, dtype=float)[None, :],
        np.asarray(source_e, dtype=float)[:, None],
        np.asarray(source_n, dtype=float)[:, None],
        wind,
    )


def pair_coordinates(
    re: F64, rn: F64, rt: F64, se: F64, sn: F64, wind: WindHistory
) -> PlumeCoordinates:
    """:func:`plume_coordinates` for receptor/source arrays that broadcast together.

    The projection on the transport vector is that of
    :func:`olfato.physics.wind.downwind_crosswind` (x along the direction the air
    moves TO, y to its left), done on the unit vector rather than through an angle
    (the tests check that they agree).

    Parameters
    ----------
    re, rn : ndarray
        Receptor positions [m].
    rt : ndarray
        Receptor times [s].
    se, sn : ndarray
        Source positions [m].
    wind : WindHistory
        The wind.

    Returns
    -------
    PlumeCoordinates
        Downwind ``x`` [m], crosswind ``y`` [m], speed ``u`` [m/s], broadcast shape.
    """
    shape = np.broadcast_shapes(re.shape, rn.shape, rt.shape, se.shape, sn.shape)
    size = int(np.prod(shape))
    if shape and shape[0] > 1 and 8 * size > 2 * PAIR_BLOCK_BYTES:
        # a block of rows at a time: the iteration's arrays then stay in a core's cache
        rows = rows_per_block(8 * (size // shape[0]), PAIR_BLOCK_BYTES)
        parts = []
        for i in range(0, shape[0], rows):
            b_re, b_rn, b_rt, b_se, b_sn = (
                a[i : i + rows] if a.ndim == len(shape) and a.shape[0] > 1 else a
                for a in (re, rn, rt, se, sn)
            )
            parts.append(_pair_coordinates(b_re, b_rn, b_rt, b_se, b_sn, wind))
        return PlumeCoordinates(
            **{
                f.name: np.concatenate([getattr(p, f.name) for p in parts])
                for f in fields(PlumeCoordinates)
            }
        )
    return _pair_coordinates(re, rn, rt, se, sn, wind)


def _pair_coordinates(
    re: F64, rn: F64, rt: F64, se: F64, sn: F64, wind: WindHistory
) -> PlumeCoordinates:
    """:func:`pair_coordinates` of one block."""
    ex, ny = re - se, rn - sn  # receptor relative to the source
    u0 = max(wind.mean_speed_ms, MIN_TRANSPORT_MS)
    if wind.transport == "mean":
        te0 = wind.mean_e / max(wind.mean_speed_ms, 1e-9)
        tn0 = wind.mean_n / max(wind.mean_speed_ms, 1e-9)
        x = ex * te0 + ny * tn0
        y = -ex * tn0 + ny * te0
        return PlumeCoordinates(
            x, y, np.full(x.shape, u0), np.full(x.shape, te0), np.full(x.shape, tn0)
        )
    # distances as sqrt(e^2 + n^2), not np.hypot: a few metres to kilometres neither
    # overflow nor underflow, and libm's hypot costs five times as much per element
    tau = np.sqrt(ex * ex + ny * ny)
    np.maximum(tau, 1.0, out=tau)
    tau /= u0 * wind.travel_factor
    cums, rates = (wind.disp_e, wind.disp_n), (wind.mean_e, wind.mean_n)
    be, bn = wind._integrals(rt, cums, rates)
    # in place where the arrays are (candidates x receptors): this loop is most of
    # locate's transport cost
    for _ in range(N_ITER + 1):
        te, tn = wind._integrals(rt - tau, cums, rates)
        np.subtract(be, te, out=te)
        np.subtract(bn, tn, out=tn)
        dist = np.multiply(te, te)
        dist += tn * tn
        np.sqrt(dist, out=dist)
        np.maximum(dist, 1e-9, out=dist)
        te /= dist
        tn /= dist
        speed = np.divide(dist, tau, out=dist)
        np.maximum(speed, MIN_TRANSPORT_MS, out=speed)
        x = ex * te
        x += ny * tn
        tau = np.maximum(x, 1.0)
        tau /= speed
        if wind.travel_factor != 1.0:  # the plume's air moves slower than the logged wind
            tau /= wind.travel_factor
    y = ny * te
    y -= ex * tn
    return PlumeCoordinates(x, y, speed, te, tn)
