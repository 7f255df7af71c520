"""Splitting a flight route into sorties that each fit one battery with a reserve.

Survey line pieces are taken in order and added to the current sortie while the whole
flight (take-off and climb at the home point, transit, the lines, return to launch
and descent; :mod:`olfato.plan.sortie`) stays within ``endurance_s * (1 - reserve)``;
the next sortie takes over where the last one stopped. Each piece is flown from the
end nearer the drone's position, so the order stays back-and-forth.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from olfato.errors import OlfatoError
from olfato.plan import geometry as geo
from olfato.plan.area import Area
from olfato.plan.flight_defaults import RESERVE
from olfato.plan.sortie import Sortie, flight_time_s

F64 = NDArray[np.float64]


def check_flight_settings(
    alt_m: float, speed_ms: float, endurance_s: float, reserve: float
) -> None:
    """Check the flight settings a plan is made with.

    Parameters
    ----------
    alt_m : float
        Flight height above the home point [m], > 0.
    speed_ms : float
        Cruise speed [m/s], > 0.
    endurance_s : float
        Battery endurance [s], > 0.
    reserve : float
        Fraction of the endurance kept [-], in [0, 1).

    Raises
    ------
    OlfatoError
        For an impossible setting; ``parameter`` names it.
    """
    if not alt_m > 0:
        raise OlfatoError(
            f"altitude must be > 0 m above the home point, got {alt_m}", parameter="alt_m"
        )
    if not speed_ms > 0:
        raise OlfatoError(f"cruise speed must be > 0 m/s, got {speed_ms}", parameter="speed_ms")
    if not endurance_s > 0:
        raise OlfatoError(
            f"battery endurance must be > 0 s, got {endurance_s}", parameter="endurance_s"
        )
    if not 0 <= reserve < 1:
        raise OlfatoError(
            f"battery reserve is a fraction of the endurance in [0, 1), got {reserve}",
            parameter="reserve",
        )


def check_home(
    area: Area, home: tuple[float, float], speed_ms: float, endurance_s: float, reserve: float
) -> float:
    """Distance from the home point to the area; an error when a round trip cannot fit.

    Parameters
    ----------
    area : Area
        The survey area.
    home : (east, north)
        [m].
    speed_ms : float
        Cruise speed [m/s].
    endurance_s : float
        Battery endurance [s].
    reserve : float
        Fraction kept [-].

    Returns
    -------
    float
        Distance [m] (0 inside the area).

    Raises
    ------
    OlfatoError
        With ``parameter="home"`` when the round trip alone exceeds one battery.
    """
    dist = geo.distance_to_area(area.rings, home[0], home[1])
    usable_m = speed_ms * endurance_s * (1.0 - reserve)
    if 2.0 * dist >= usable_m:
        lat, lon = area.frame.to_wgs84([home[0]], [home[1]])
        raise OlfatoError(
            f"the home point ({float(lat[0]):.6f}, {float(lon[0]):.6f}) is {dist:.0f} m from "
            f"the area {area.source}; the round trip alone needs {2 * dist:.0f} m but one "
            f"battery flies {usable_m:.0f} m at {speed_ms:g} m/s with a {reserve:.0%} reserve. "
            "Choose a home point at the area.",
            parameter="home",
        )
    return dist


def split_sorties(
    pieces: list[F64],
    home: tuple[float, float],
    alt_m: float,
    speed_ms: float,
    endurance_s: float,
    reserve: float,
    area: Area,
    kind: str = "coverage",
) -> list[Sortie]:
    """Group survey line pieces, in order, into sorties that each fit one battery.

    Parameters
    ----------
    pieces : list of (2, 2) arrays
        [east, north m], in flying order.
    home : (east, north)
        [m].
    alt_m : float
        Flight height [m].
    speed_ms : float
        [m/s].
    endurance_s : float
        [s].
    reserve : float
        [-].
    area : Area
        Gives the frame.
    kind : str
        Labels the sorties.

    Returns
    -------
    list of Sortie

    Raises
    ------
    OlfatoError
        When even one piece cannot be flown on a full battery (``parameter`` is
        ``endurance_s``).
    """
    check_flight_settings(alt_m, speed_ms, endurance_s, reserve)
    usable = endurance_s * (1.0 - reserve)
    h = np.asarray(home, dtype=float)
    groups: list[list[F64]] = []
    current: list[F64] = []
    for k, piece in enumerate(pieces):
        for attempt in range(2):
            here = current[-1][-1] if current else h
            near_start = np.hypot(*(piece[0] - here)) <= np.hypot(*(piece[-1] - here))
            p = piece if near_start else piece[::-1]
            route = np.concatenate([h[None], *current, p, h[None]])
            if flight_time_s(route, alt_m, speed_ms) <= usable:
                current.append(p)
                break
            if not current or attempt == 1:
                alone = np.concatenate([h[None], p, h[None]])
                need = flight_time_s(alone, alt_m, speed_ms)
                raise OlfatoError(
                    f"battery endurance too short: survey line {k + 1} ({geo.path_length(p):.0f}"
                    f" m) needs a {need:.0f} s sortie from the home point but one battery "
                    f"allows {usable:.0f} s ({endurance_s:g} s with a {reserve:.0%} reserve). "
                    "Raise the endurance, lower the reserve, or split the area.",
                    parameter="endurance_s",
                )
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    n = len(groups)
    return [
        Sortie(
            waypoints=np.concatenate(g),
            home=(float(h[0]), float(h[1])),
            altitude_m=alt_m,
            speed_ms=speed_ms,
            frame=area.frame,
            endurance_s=endurance_s,
            reserve=reserve,
            label=f"{kind} sortie {i}/{n}",
            kind=kind,
        )
        for i, g in enumerate(groups, start=1)
    ]


def cover_area(
    area: Area,
    wind_from_deg: float,
    alt_m: float,
    spacing_m: float,
    speed_ms: float,
    endurance_s: float,
    reserve: float = RESERVE,
    home: tuple[float, float] | None = None,
    margin_m: float = 2.0,
    offset_m: float = 0.0,
) -> list[Sortie]:
    """Crosswind survey lines over an area, starting downwind, split into sorties.

    Parameters
    ----------
    area : Area
        The survey area.
    wind_from_deg : float
        Wind direction FROM [deg].
    alt_m : float
        Flight height above home [m].
    spacing_m : float
        Distance between lines [m].
    speed_ms : float
        Cruise speed [m/s].
    endurance_s : float
        Battery endurance [s].
    reserve : float
        Fraction of the endurance kept [-].
    home : (east, north), optional
        In ``area.frame`` [m]; default the start of the first (downwind) line.
    margin_m : float
        How far inside the boundary lines end [m].
    offset_m : float
        Shifts the lines upwind [m] (:func:`~olfato.plan.coverage.survey_lines`).

    Returns
    -------
    list of Sortie

    Raises
    ------
    OlfatoError
        For impossible settings; ``parameter`` names the one at fault.
    """
    from olfato.plan.coverage import survey_lines

    check_flight_settings(alt_m, speed_ms, endurance_s, reserve)
    pieces = survey_lines(area, wind_from_deg, spacing_m, margin_m, offset_m)
    if home is None:
        home = (float(pieces[0][0][0]), float(pieces[0][0][1]))
    check_home(area, home, speed_ms, endurance_s, reserve)
    return split_sorties(pieces, home, alt_m, speed_ms, endurance_s, reserve, area)
