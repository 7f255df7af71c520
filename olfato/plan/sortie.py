"""A sortie: one battery's flight, from take-off at the home point to return to launch.

Distances and times count the climb to altitude and the descent at the end, flown at
:data:`VERTICAL_SPEED_MS`, as well as the horizontal path home -> waypoints -> home at
the cruise speed. A sortie *fits* when that flight time leaves the reserve of the
battery endurance unused: ``flight_time_s <= endurance_s * (1 - reserve)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from olfato.plan.flight_defaults import RESERVE
from olfato.plan.geometry import path_length
from olfato.survey.projection import LocalFrame

F64 = NDArray[np.float64]

#: climb and descent speed of a small multirotor [m/s] (PX4's default MPC_Z_VEL_MAX_UP
#: is 3 m/s and MPC_Z_VEL_MAX_DN 1.5 m/s; the slower one is used for both, to be safe)
VERTICAL_SPEED_MS = 1.5


@dataclass
class Sortie:
    """One flight: take off at ``home``, fly ``waypoints`` in order, return to launch.

    ``waypoints``: (k, 2) [east, north m] in ``frame``; ``home``: (east, north) [m];
    ``altitude_m``: flight height above the home point [m]; ``speed_ms``: cruise
    speed [m/s]; ``endurance_s``: battery endurance [s]; ``reserve``: fraction of the
    endurance kept unused [-]; ``kind``: ``"coverage"`` or ``"follow-up"``;
    ``expected_gain_nats``: the expected information gain of a follow-up [nats];
    ``targets``: candidate source ids the flight is for.
    """

    waypoints: F64
    home: tuple[float, float]
    altitude_m: float
    speed_ms: float
    frame: LocalFrame
    endurance_s: float
    reserve: float = RESERVE
    label: str = "sortie"
    kind: str = "coverage"
    expected_gain_nats: float | None = None
    targets: list[str] = field(default_factory=list)

    @property
    def route(self) -> F64:
        """The horizontal path flown, home -> waypoints -> home, (k + 2, 2) [m]."""
        h = np.asarray(self.home, dtype=float)[None, :]
        return np.concatenate([h, np.asarray(self.waypoints, dtype=float).reshape(-1, 2), h])

    @property
    def horizontal_m(self) -> float:
        """Horizontal path length, home to home [m]."""
        return path_length(self.route)

    @property
    def distance_m(self) -> float:
        """Path length including the climb and the descent [m]."""
        return self.horizontal_m + 2.0 * self.altitude_m

    @property
    def flight_time_s(self) -> float:
        """Time from take-off to landing [s] (module docstring)."""
        return self.horizontal_m / self.speed_ms + 2.0 * self.altitude_m / VERTICAL_SPEED_MS

    @property
    def usable_s(self) -> float:
        """Flight time the battery allows with the reserve kept [s]."""
        return self.endurance_s * (1.0 - self.reserve)

    @property
    def fits(self) -> bool:
        """Whether the flight leaves the reserve unused."""
        return self.flight_time_s <= self.usable_s + 1e-6

    def waypoints_wgs84(self) -> tuple[F64, F64]:
        """The waypoints in WGS84.

        Returns
        -------
        lat, lon : ndarray
            [deg].
        """
        wp = np.asarray(self.waypoints, dtype=float).reshape(-1, 2)
        return self.frame.to_wgs84(wp[:, 0], wp[:, 1])

    def home_wgs84(self) -> tuple[float, float]:
        """The home point in WGS84.

        Returns
        -------
        lat, lon : float
            [deg].
        """
        lat, lon = self.frame.to_wgs84([self.home[0]], [self.home[1]])
        return float(lat[0]), float(lon[0])


def flight_time_s(route: F64, altitude_m: float, speed_ms: float) -> float:
    """Flight time of a home-to-home route (module docstring).

    Parameters
    ----------
    route : (k, 2) array
        Home, waypoints, home [m].
    altitude_m : float
        Flight height above home [m] (climb and descent).
    speed_ms : float
        Cruise speed [m/s].

    Returns
    -------
    float
        [s].
    """
    return path_length(route) / speed_ms + 2.0 * altitude_m / VERTICAL_SPEED_MS
