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

import numpy as np
from numpy.typing import NDArray

from olfato.plan.area import Area
from olfato.survey import lines
from olfato.survey.lines import MIN_PIECE_M, wind_axes

__all__ = ["MIN_PIECE_M", "survey_lines", "wind_axes"]

F64 = NDArray[np.float64]


def survey_lines(
    area: Area,
    wind_from_deg: float,
    spacing_m: float,
    margin_m: float = 2.0,
    offset_m: float = 0.0,
) -> list[F64]:
    """Crosswind survey line pieces covering ``area``, downwind first.

    Parameters
    ----------
    area : Area
        The survey area (holes and several parts work).
    wind_from_deg : float
        Wind direction FROM [deg].
    spacing_m : float
        Distance between lines [m], centred in the area's downwind extent.
    margin_m : float
        How far inside the boundary each piece ends [m].
    offset_m : float
        Shifts every line upwind [m] (modulo the spacing), e.g. to fly a second pass
        between the lines of the first.

    Returns
    -------
    list of (2, 2) arrays
        Pieces [east, north m] from the downwind edge upwind, each flown in the
        direction that continues from the previous one (boustrophedon); see
        :func:`olfato.survey.lines.survey_lines`.
    """
    return lines.survey_lines(
        area.rings,
        wind_from_deg,
        spacing_m,
        margin_m=margin_m,
        offset_m=offset_m,
        placement="centred",
        where=area.source,
    )
