"""Area coverage: crosswind survey lines over a plan's :class:`~olfato.plan.area.Area`.

The lines themselves (crosswind, downwind first, back and forth, clipped to the
area, references) are :func:`olfato.survey.lines.survey_lines`, shared with the
simulator; here they are centred in the area's downwind extent, so no strip wider
than half a spacing is left at either edge, and kept ``margin_m`` inside its
boundary.
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
