"""Several flights in one log: where one ends and the next begins.

A payload logger often runs through a battery change, so one file holds several
flights. A new flight starts after a long gap in time (the logger was off) or at a
take-off after the drone stood on the ground for a while (the logger kept running).
Rows on the ground between two flights are split at the middle of that stretch.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

#: a step in time longer than this starts a new flight [s]
FLIGHT_GAP_S = 120.0
#: below this height above ground the drone is on the ground [m]
GROUND_AGL_M = 2.0
#: on the ground at least this long between two airborne stretches: a new flight [s]
GROUND_S = 30.0


@dataclass(frozen=True)
class Flight:
    """One flight: rows ``start`` (inclusive) to ``stop`` (exclusive) of the table."""

    number: int
    start: int
    stop: int
    start_time: float
    """time of its first row [s since epoch]"""
    end_time: float
    """time of its last row [s since epoch]"""

    @property
    def rows(self) -> int:
        return self.stop - self.start

    @property
    def duration_s(self) -> float:
        return self.end_time - self.start_time


def flight_starts(
    time_s: np.ndarray,
    alt_agl_m: np.ndarray,
    *,
    gap_s: float = FLIGHT_GAP_S,
    ground_m: float = GROUND_AGL_M,
    ground_s: float = GROUND_S,
) -> np.ndarray:
    """Row indices where a new flight begins (0 not included), in file order.

    ``time_s`` [s] and ``alt_agl_m`` [m] per row; NaN rows belong to the flight of the
    row before them. A flight starts after a step in time longer than ``gap_s``, or in
    the middle of a stretch of at least ``ground_s`` below ``ground_m`` that has
    airborne rows on both sides.

    Parameters
    ----------
    time_s : ndarray
        Time of each row [s since the Unix epoch]; NaN where unknown.
    alt_agl_m : ndarray
        Height above ground of each row [m]; NaN where unknown.
    gap_s : float, default FLIGHT_GAP_S
        A step in time longer than this starts a new flight [s].
    ground_m : float, default GROUND_AGL_M
        Below this height the drone is on the ground [m].
    ground_s : float, default GROUND_S
        On the ground at least this long between two airborne stretches starts a new
        flight [s].

    Returns
    -------
    ndarray of int64
        Sorted row indices where a new flight begins (0 left out); empty for one
        flight.
    """
    t = np.asarray(time_s, dtype=float)
    alt = np.asarray(alt_agl_m, dtype=float)
    good = np.flatnonzero(np.isfinite(t))
    if good.size < 2:
        return np.zeros(0, dtype=np.int64)
    tg = t[good]
    gap_after = np.flatnonzero(np.diff(tg) > gap_s) + 1  # positions in ``good``
    starts = set(good[gap_after].tolist())
    ag = alt[good]
    known = np.isfinite(ag)
    ground = known & (ag < ground_m)
    airborne = known & ~ground
    # stretches of ground rows, between two airborne rows
    edges = np.diff(np.concatenate(([0], ground.astype(np.int8), [0])))
    for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
        if a == 0 or b >= good.size:
            continue  # before the first take-off or after the last landing
        if not (airborne[:a].any() and airborne[b:].any()):
            continue
        if ((gap_after > a) & (gap_after < b)).any():
            continue  # the logger was off on the ground: the gap already splits it
        if tg[b - 1] - tg[a] >= ground_s:
            starts.add(int(good[(a + b) // 2]))
    return np.array(sorted(starts), dtype=np.int64)


def flight_edges(starts: np.ndarray | None, n_rows: int) -> np.ndarray:
    """Row edges of a log's flights: 0, each flight start after the first, ``n_rows``.

    Flight ``k`` (from 0) holds rows ``edges[k]`` to ``edges[k + 1]`` (exclusive).

    Parameters
    ----------
    starts : ndarray of int or None
        Rows where a flight after the first begins (:func:`flight_starts`); None or
        empty: one flight.
    n_rows : int
        Rows in the log.

    Returns
    -------
    ndarray of int64
        The edges, increasing, ``len(starts) + 2`` of them.
    """
    inner = [] if starts is None else [int(x) for x in starts]
    return np.array([0, *inner, int(n_rows)], dtype=np.int64)


def split_flights(
    time_s: np.ndarray,
    alt_agl_m: np.ndarray,
    *,
    gap_s: float = FLIGHT_GAP_S,
    ground_m: float = GROUND_AGL_M,
    ground_s: float = GROUND_S,
) -> list[Flight]:
    """The flights in a table, numbered from 1; see :func:`flight_starts`.

    Parameters
    ----------
    time_s : ndarray
        Time of each row [s since the Unix epoch]; NaN where unknown.
    alt_agl_m : ndarray
        Height above ground of each row [m]; NaN where unknown.
    gap_s : float, default FLIGHT_GAP_S
        A step in time longer than this starts a new flight [s].
    ground_m : float, default GROUND_AGL_M
        Below this height the drone is on the ground [m].
    ground_s : float, default GROUND_S
        On the ground at least this long between two airborne stretches starts a new
        flight [s].

    Returns
    -------
    list of Flight
        The flights in file order, numbered from 1, covering every row; a flight's
        ``start_time``/``end_time`` [s since the Unix epoch] are NaN when none of its
        rows has a time.
    """
    t = np.asarray(time_s, dtype=float)
    cuts = flight_starts(t, alt_agl_m, gap_s=gap_s, ground_m=ground_m, ground_s=ground_s)
    flights = []
    for k, (a, b) in enumerate(itertools.pairwise(flight_edges(cuts, len(t))), start=1):
        tt = t[a:b][np.isfinite(t[a:b])]
        flights.append(
            Flight(
                number=k,
                start=a,
                stop=b,
                start_time=float(tt.min()) if tt.size else float("nan"),
                end_time=float(tt.max()) if tt.size else float("nan"),
            )
        )
    return flights
