"""Area coverage: crosswind survey lines (boustrophedon) that start downwind.

Plume surveys fly lines across the wind, starting at the downwind edge and stepping
upwind, so every line cuts every plume once and the drone meets each plume's far
field before flying close to its source (Hirst et al. 2013, Atmos. Environ. 74, 354,
crosswind transects; Thoma et al. 2016, EPA OTM 33A). Back-and-forth ("boustrophedon")
order keeps the turns short (Choset 2000, "Coverage of known spaces: the
boustrophedon cellular decomposition", Autonomous Robots 9, 247).

Lines are ``spacing_m`` apart across the area's downwind extent and centred in it, so
no strip wider than half a spacing is left at either edge; each line is clipped to
the area (concave areas and holes give several pieces per line) and kept
``margin_m`` inside its boundary.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from olfato.errors import OlfatoError
from olfato.physics.wind import wind_vector
from olfato.plan import geometry as geo
from olfato.plan.area import Area

F64 = NDArray[np.float64]

#: pieces of a survey line shorter than this are dropped [m]
MIN_PIECE_M = 1.0


def wind_axes(wind_from_deg: float) -> tuple[F64, F64]:
    """Unit vectors (downwind, crosswind-left) in [east, north] for a wind FROM [deg]."""
    u, v = wind_vector(1.0, wind_from_deg)
    d = np.array([float(u), float(v)])
    return d, np.array([-d[1], d[0]])


def survey_lines(
    area: Area,
    wind_from_deg: float,
    spacing_m: float,
    margin_m: float = 2.0,
    offset_m: float = 0.0,
) -> list[F64]:
    """Crosswind survey line pieces covering ``area``, downwind first.

    ``wind_from_deg``: wind direction FROM [deg]; ``spacing_m``: distance between
    lines [m]; ``margin_m``: how far inside the boundary each piece ends [m]. Returns
    a list of (2, 2) [east, north m] pieces ordered from the downwind edge upwind,
    each flown in the direction that continues from the previous one (boustrophedon).
    ``offset_m`` [m] shifts every line upwind (modulo the spacing), e.g. to fly a
    second pass between the lines of the first.
    """
    if not spacing_m > 0:
        raise OlfatoError(f"line spacing must be > 0 m, got {spacing_m} (option --spacing)")
    if margin_m < 0:
        raise OlfatoError(f"the boundary margin must be >= 0 m, got {margin_m}")
    d, c = wind_axes(wind_from_deg)
    pts = np.concatenate(area.rings)
    xs = pts @ d
    x_min, x_max = float(xs.min()), float(xs.max())
    extent = x_max - x_min
    n = max(1, math.ceil(extent / spacing_m - 1e-9))
    first = x_max - (extent - (n - 1) * spacing_m) / 2.0 - math.fmod(offset_m, spacing_m)
    if first > x_max:
        first -= spacing_m
    n = math.floor((first - x_min) / spacing_m + 1e-9) + 1
    pieces: list[F64] = []
    here: F64 | None = None
    for k in range(n):
        x = first - k * spacing_m
        base = x * d
        line: list[F64] = []
        for s0, s1 in geo.clip_line(area.rings, base, c):
            s0, s1 = s0 + margin_m, s1 - margin_m
            if s1 - s0 >= MIN_PIECE_M:
                line.append(np.array([base + s0 * c, base + s1 * c]))
        if not line:
            continue
        # fly the line from the end nearer where the drone is (boustrophedon)
        if here is not None:
            a, b = line[0][0], line[-1][1]
            if np.hypot(*(b - here)) < np.hypot(*(a - here)):
                line = [p[::-1] for p in line[::-1]]
        pieces.extend(line)
        here = line[-1][1]
    if not pieces:
        raise OlfatoError(
            f"{area.source}: the area is too small for one survey line at {spacing_m:g} m "
            f"spacing and a {margin_m:g} m margin"
        )
    return pieces
