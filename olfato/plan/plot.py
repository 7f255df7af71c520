"""The PNG preview of a flight plan: area, no-fly zones, sorties, home, candidates, wind."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Ellipse as EllipsePatch
from matplotlib.patches import Polygon as PolygonPatch

from olfato.output import save_figure
from olfato.plan.area import Area
from olfato.plan.candidates import Candidate
from olfato.plan.sortie import Sortie


def plot_plan(
    sorties: Sequence[Sortie],
    path: str | Path,
    *,
    area: Area | None = None,
    no_fly: Sequence[Area] = (),
    candidates: Sequence[Candidate] = (),
    wind_from_deg: float | None = None,
    title: str | None = None,
) -> Path:
    """Draw the plan in local metres and write it to a PNG.

    Parameters
    ----------
    sorties : sequence of Sortie
        The flights (routes [m]).
    path : str or Path
        The PNG to write.
    area : Area, optional
        The survey area.
    no_fly : sequence of Area, optional
        No-fly zones.
    candidates : sequence of Candidate, optional
        Drawn with their 95% ellipses.
    wind_from_deg : float, optional
        Draws the wind arrow [deg FROM].
    title : str, optional
        The figure's title.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    p = Path(path)
    fig, ax = plt.subplots(figsize=(8, 7.5), dpi=110)
    if area is not None:
        for k, ring in enumerate(area.rings):
            ax.add_patch(
                PolygonPatch(
                    ring,
                    closed=True,
                    facecolor="#d8f0d8",
                    edgecolor="green",
                    lw=1.2,
                    alpha=0.6,
                    label="survey area" if k == 0 else None,
                )
            )
    for k, zone in enumerate(no_fly):
        for ring in zone.rings:
            ax.add_patch(
                PolygonPatch(
                    ring,
                    closed=True,
                    facecolor="#f5c6c6",
                    edgecolor="red",
                    hatch="//",
                    lw=1.2,
                    label="no-fly zone" if k == 0 else None,
                )
            )
    colours = plt.get_cmap("tab10")
    for k, s in enumerate(sorties):
        r = s.route
        ok = "fits" if s.fits else "DOES NOT FIT"
        ax.plot(
            r[:, 0],
            r[:, 1],
            "-",
            color=colours(k % 10),
            lw=1.6,
            label=f"{s.label}: {s.distance_m / 1000:.2f} km, {s.flight_time_s / 60:.1f} min "
            f"({ok}), {s.altitude_m:g} m",
        )
        mid = r[:-1] + 0.5 * np.diff(r, axis=0)
        d = np.diff(r, axis=0)
        ax.quiver(
            mid[:, 0],
            mid[:, 1],
            d[:, 0],
            d[:, 1],
            color=colours(k % 10),
            angles="xy",
            scale_units="xy",
            scale=None,
            width=0.004,
            headwidth=4,
            pivot="mid",
            alpha=0.8,
            minlength=0,
        )
    if sorties:
        h = sorties[0].home
        ax.plot(h[0], h[1], "k^", ms=10, label="home point")
    for c in candidates:
        ax.add_patch(
            EllipsePatch(
                (c.east_m, c.north_m),
                2 * c.semi_major_m,
                2 * c.semi_minor_m,
                angle=90.0 - c.azimuth_deg,
                fill=False,
                ec="crimson" if c.suspect else "navy",
                lw=1.5,
                ls="--",
            )
        )
        ax.plot(c.east_m, c.north_m, "x", color="crimson" if c.suspect else "navy", ms=8)
        kind = "suspect" if c.suspect else "benign"
        ax.annotate(
            f"{c.id} ({kind}, a95 {c.semi_major_m:.0f} m)",
            (c.east_m, c.north_m),
            textcoords="offset points",
            xytext=(6, 6),
            fontsize=8,
        )
    if wind_from_deg is not None:
        th = math.radians(wind_from_deg)
        ax.annotate(
            f"wind from {wind_from_deg:.0f}°",
            xy=(0.12 - 0.08 * math.sin(th), 0.88 - 0.08 * math.cos(th)),
            xytext=(0.12, 0.88),
            xycoords="axes fraction",
            arrowprops={"arrowstyle": "->", "lw": 2},
            ha="center",
            fontsize=9,
        )
    ax.set_aspect("equal")
    ax.autoscale_view()
    ax.set_xlabel("east [m]")
    ax.set_ylabel("north [m]")
    ax.set_title(title or "olfato flight plan")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=7, framealpha=0.85)
    fig.tight_layout()
    return save_figure(fig, p, what="preview")
