"""A map of a simulated survey: the truth, and the track coloured by enhancement."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from olfato.output import save_figure
from olfato.physics.units import g_m3_to_ppb, molar_mass
from olfato.physics.wind import wind_vector

if TYPE_CHECKING:
    from olfato.simulate.core import Simulation
    from olfato.simulate.scenario import Scenario


def reference_ppb(sim: Simulation, unit: np.ndarray) -> np.ndarray:
    """Sum over sources of each source's reference-gas mole fraction [ppb].

    ``unit``: (n_sources, n) concentration per unit rate [g/m3 per g/s]. Each source
    contributes its own reference analyte, so every plume shows whatever it emits.

    Parameters
    ----------
    sim : Simulation
        The simulation.
    unit : ndarray, shape (n_sources, n)
        Concentration per unit rate [g/m3 per g/s].

    Returns
    -------
    ndarray, shape (n,)
        Reference-gas mole fraction [ppb].
    """
    sc = sim.scenario
    total = np.zeros(unit.shape[1])
    for k, src in enumerate(sim.truth["sources"]):
        ref = src["reference_analyte"]
        total += g_m3_to_ppb(
            unit[k] * src["rate_g_s"], molar_mass(ref), sc.temperature_k, sc.pressure_pa
        )
    return total


def plot_simulation(sim: Simulation, path: str | Path, grid: int = 140) -> Path:
    """Write a two-panel PNG: track coloured by enhancement, and a snapshot of the air.

    Left: survey area, sources (suspect red, benign green), the track coloured by
    each source's reference-gas enhancement [ppb] (no sensor, no noise).
    Right: the same quantity [ppb] at flight altitude at mid-flight
    (the puff field in turbulent mode, so meander shows), with the track flown so far.

    Parameters
    ----------
    sim : Simulation
        The simulation.
    path : str or Path
        The PNG to write.
    grid : int, default 140
        Cells per side of the snapshot [-].

    Returns
    -------
    Path
        The path written.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sc, world = sim.scenario, sim.world
    unit_track = world.unit_at_samples
    enh = (
        reference_ppb(sim, unit_track)
        if unit_track is not None and len(unit_track)
        else np.zeros(len(world.t))
    )
    e0, e1, n0, n1 = sc.area.bounds
    pad = 0.08 * max(e1 - e0, n1 - n0)

    fig, axes = plt.subplots(1, 2, figsize=(14, 6.4), constrained_layout=True)
    for ax in axes:
        ax.add_patch(plt.Rectangle((e0, n0), e1 - e0, n1 - n0, fill=False, ls="--", color="0.5"))
        ax.set_xlim(e0 - pad, e1 + pad)
        ax.set_ylim(n0 - pad, n1 + pad)
        ax.set_aspect("equal")
        ax.set_xlabel("east [m]")
        ax.set_ylabel("north [m]")

    ax = axes[0]
    ax.plot(world.east, world.north, color="0.85", lw=0.8, zorder=1)
    order = np.argsort(enh)
    vmax = max(float(enh.max()), 1e-3)
    pts = ax.scatter(
        world.east[order],
        world.north[order],
        c=enh[order],
        s=6,
        cmap="viridis",
        vmin=0,
        vmax=vmax,
        zorder=2,
    )
    fig.colorbar(pts, ax=ax, label="reference-gas enhancement at the drone [ppb]", shrink=0.85)
    model = f" ({sc.plume_model})" if sc.mode == "turbulent" else ""
    ax.set_title(f"{sc.name}: {sc.mode}{model}, class {world.stability}, seed {sim.seed}")

    # snapshot at mid-flight
    ax2 = axes[1]
    t_mid = float(world.t[len(world.t) // 2])
    ge, gn = np.meshgrid(
        np.linspace(e0 - pad, e1 + pad, grid), np.linspace(n0 - pad, n1 + pad, grid)
    )
    total = np.zeros(ge.size)
    if len(world.sources):
        total = reference_ppb(
            sim, world.field(t_mid, ge.ravel(), gn.ravel(), sc.flight.altitude_m, sc)
        )
    img = total.reshape(ge.shape)
    if img.max() > 0:
        # linear scale: the instantaneous structure (snaking, gaps) is what matters here
        vmax = (
            float(np.percentile(img[img > 0], 99.5)) if (img > 0).sum() > 10 else float(img.max())
        )
        mesh = ax2.pcolormesh(
            ge, gn, img, cmap="magma_r", vmin=0, vmax=max(vmax, 1e-6), shading="auto"
        )
        fig.colorbar(
            mesh,
            ax=ax2,
            label=f"reference gas at {sc.flight.altitude_m:g} m AGL [ppb]",
            shrink=0.85,
        )
    k_mid = int(np.searchsorted(world.t, t_mid))
    ax2.plot(world.east[: k_mid + 1], world.north[: k_mid + 1], color="tab:blue", lw=0.8)
    ax2.plot(world.east[k_mid], world.north[k_mid], "o", color="tab:blue")
    ax2.set_title(f"snapshot at t = {t_mid:.0f} s ({_snapshot_kind(sc)})")

    for ax in axes:
        for src in sim.truth["sources"]:
            suspect = src["category"] == "suspect"
            ax.plot(
                src["east_m"],
                src["north_m"],
                "^" if suspect else "o",
                ms=10,
                color="red" if suspect else "green",
                mec="k",
                zorder=5,
            )
            ax.annotate(
                f"{src['id']} ({src['signature']})",
                (src["east_m"], src["north_m"]),
                xytext=(6, 6),
                textcoords="offset points",
                fontsize=8,
                zorder=6,
            )
    # wind arrow (where it blows to), mean direction at mid-flight
    w = world.wind.at(np.array([t_mid]))
    ue, vn = wind_vector(1.0, w["mean_direction"])
    L = 0.12 * (e1 - e0)
    axes[0].annotate(
        "",
        xy=(e0 + L * (1 + ue[0]), n1 - L * (1 - vn[0])),
        xytext=(e0 + L, n1 - L),
        arrowprops={"arrowstyle": "->", "lw": 2, "color": "tab:blue"},
    )
    axes[0].text(
        e0 + L,
        n1 - L * 0.2,
        f"wind {w['mean_speed'][0]:.1f} m/s from {w['mean_direction'][0]:.0f} deg",
        fontsize=8,
        ha="center",
        color="tab:blue",
    )
    return save_figure(fig, path, what="map")


def _snapshot_kind(sc: Scenario) -> str:
    """What the mid-flight snapshot shows."""
    if sc.mode != "turbulent":
        return "time-averaged plume"
    return "particles, kernel density" if sc.plume_model == "lagrangian" else "instantaneous puffs"
