"""Map furniture for matplotlib maps in local metres: the scale bar and the north arrow.

Every olfato map is drawn in local east/north metres with north up, so a scale bar
of a round length (1, 2 or 5 times a power of ten, the usual cartographic choice)
and an arrow pointing up are all a reader needs to read distance and direction.
One home, so the report's figures and the stages' maps look alike.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

#: (east_min, east_max, north_min, north_max) of the map [m]
Box = tuple[float, float, float, float]


def nice_length(x: float) -> float:
    """The largest 1, 2 or 5 times a power of ten not above ``x``.

    Parameters
    ----------
    x : float
        An upper bound [any unit, e.g. m].

    Returns
    -------
    float
        The round length [same unit]; 1 when ``x`` is not positive.
    """
    if not x > 0:
        return 1.0
    p = 10 ** math.floor(math.log10(x))
    for k in (5, 2, 1):
        if k * p <= x:
            return float(k * p)
    return float(p)


def distance_label(length_m: float) -> str:
    """A scale-bar length as text.

    Parameters
    ----------
    length_m : float
        [m].

    Returns
    -------
    str
        ``"500 m"``, or ``"2 km"`` from 1000 m.
    """
    return f"{length_m / 1000:g} km" if length_m >= 1000 else f"{length_m:g} m"


def _box(ax: Any, box: Box | None) -> Box:
    if box is not None:
        return box
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    return float(x0), float(x1), float(y0), float(y1)


def scale_bar(
    ax: Any,
    box: Box | None = None,
    *,
    fraction: float = 0.25,
    label: Callable[[float], str] = distance_label,
    fontsize: float = 7,
) -> float:
    """Draw a black-and-white scale bar in the lower left corner of a map.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        A map in local metres, equal aspect, north up.
    box : (east_min, east_max, north_min, north_max), optional
        The map's extent [m]; default the axes' limits.
    fraction : float
        The bar is the longest round length (:func:`nice_length`) not above this
        fraction of the map's width [-].
    label : callable
        Turns the length [m] into the label, e.g. a locale's number format.
    fontsize : float
        Of the label [pt].

    Returns
    -------
    float
        The bar's length [m].
    """
    from matplotlib.patches import Rectangle

    e0, e1, n0, n1 = _box(ax, box)
    length = nice_length((e1 - e0) * fraction)
    x, y = e0 + 0.05 * (e1 - e0), n0 + 0.05 * (n1 - n0)
    h = 0.012 * (n1 - n0)
    ax.add_patch(Rectangle((x, y), length / 2, h, fc="black", ec="black", zorder=6))
    ax.add_patch(Rectangle((x + length / 2, y), length / 2, h, fc="white", ec="black", zorder=6))
    text = label(length)
    x_mid, y_text = x + length / 2, y + 2.2 * h
    ax.text(x_mid, y_text, text, ha="center", va="bottom", fontsize=fontsize, zorder=6)
    return length


def north_arrow(ax: Any, box: Box | None = None, *, label: str = "N", fontsize: float = 9) -> None:
    """Draw an arrow pointing north (up) in the upper right corner of a map.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        A map in local metres, north up.
    box : (east_min, east_max, north_min, north_max), optional
        The map's extent [m]; default the axes' limits.
    label : str
        The letter above the arrow (translated where the map is).
    fontsize : float
        Of the letter [pt].
    """
    from matplotlib.patches import FancyArrow

    e0, e1, n0, n1 = _box(ax, box)
    x, y = e1 - 0.07 * (e1 - e0), n1 - 0.17 * (n1 - n0)
    ln = 0.09 * (n1 - n0)
    ax.add_patch(
        FancyArrow(
            x,
            y,
            0,
            ln,
            width=0.012 * (e1 - e0),
            head_width=0.035 * (e1 - e0),
            head_length=0.035 * (n1 - n0),
            length_includes_head=True,
            fc="black",
            zorder=6,
        )
    )
    ax.text(
        x,
        y + ln + 0.01 * (n1 - n0),
        label,
        ha="center",
        va="bottom",
        fontsize=fontsize,
        fontweight="bold",
        zorder=6,
    )
