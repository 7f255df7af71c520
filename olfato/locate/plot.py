"""The sources map: track, hits, posterior, 95% ellipses, labels, scale bar, north arrow."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from olfato.output import save_figure
from olfato.output.figure import north_arrow, scale_bar

if TYPE_CHECKING:
    from olfato.locate.pipeline import Sources


def _p(x: float) -> str:
    """A probability [-] with two decimals; a dash when unknown (NaN)."""
    return "-" if x != x else f"{x:.2f}"


#: detections listed (with their signature and both probabilities) in the map's key
MAX_KEY_ROWS = 6


def plot_sources(
    sources: Sources,
    path: str | Path,
    *,
    truth: Sequence[tuple[float, float, str]] = (),
) -> Path:
    """Map of the survey in local metres (north up), written as a PNG to ``path``.

    The track (grey), hits at their peaks (red: suspect fingerprint, blue: benign,
    grey: none), the posterior probability of a source per cell (all sources, log
    shading), each source's 95% credible ellipse and label (id, signature, rate),
    each detection (a plume seen, not located) as a purple triangle at its crossing
    with the wedge it came from and a key (lower right) giving each one's signature,
    bearing and both probabilities, the mean wind arrow, a scale bar and a north arrow.
    ``truth``: optional (east, north, label) of known sources, drawn as black crosses
    (for simulations).

    Parameters
    ----------
    sources : Sources
        The result of :func:`olfato.locate.locate`.
    path : str or Path
        The PNG to write.
    truth : sequence of tuple of (float, float, str), default ()
        Known sources: (east [m], north [m], label).

    Returns
    -------
    Path
        The path written.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Ellipse

    path = Path(path)
    s = sources.survey.samples
    e = s["east_m"].to_numpy(dtype=float)
    n = s["north_m"].to_numpy(dtype=float)
    fig, ax = plt.subplots(figsize=(9, 8.5))
    ge, gn, dens = sources.raster()
    if dens.max() > 0:
        de, dn = ge[1] - ge[0], gn[1] - gn[0]
        lv = np.log10(np.maximum(dens / dens.max(), 1e-4))
        img = ax.imshow(
            np.ma.masked_less_equal(lv, -4.0),
            origin="lower",
            extent=(ge[0] - de / 2, ge[-1] + de / 2, gn[0] - dn / 2, gn[-1] + dn / 2),
            cmap="YlOrRd",
            vmin=-4,
            vmax=0,
            alpha=0.75,
            interpolation="nearest",
        )
        fig.colorbar(img, ax=ax, shrink=0.6, label="log10 posterior (relative to peak)")
    ax.plot(e, n, color="0.55", lw=0.6, zorder=2, label="track")
    t = sources.hits.table
    if len(t):
        colours = [
            "tab:red"
            if fp.classification.suspect
            else ("0.4" if fp.classification.signature == "none" else "tab:blue")
            for fp in sources.hits.fingerprints
        ]
        ax.scatter(t["east_m"], t["north_m"], s=28, c=colours, zorder=4, edgecolors="k", lw=0.4)
        for row in t.itertuples():
            ax.annotate(
                str(row.id),
                (row.east_m, row.north_m),
                fontsize=6,
                xytext=(3, 3),
                textcoords="offset points",
                zorder=5,
            )
    for k, src in enumerate(sources.sources):
        el = src.ellipse95
        colour = "tab:red" if src.suspect else "tab:blue"
        ax.add_patch(
            Ellipse(
                (src.east_m, src.north_m),
                2 * el.semi_major,
                2 * el.semi_minor,
                angle=90.0 - el.azimuth_deg,  # matplotlib: counter-clockwise from east
                fill=False,
                color=colour,
                lw=1.6,
                zorder=6,
            )
        )
        ax.plot(src.east_m, src.north_m, marker="*", ms=13, color=colour, mec="k", zorder=7)
        ax.annotate(
            f"{src.id} {src.signature}\n{src.rate_g_s:.2g} g/s {src.analyte}\n"
            f"P(exists) {src.probability_exists:.2f}, P(suspect sig.) {src.p_suspect:.2f}",
            (src.east_m, src.north_m),
            xytext=(8, -14 - 30 * (k % 3)),
            textcoords="offset points",
            fontsize=8,
            fontweight="bold",
            color=colour,
            zorder=8,
            bbox={"boxstyle": "round", "fc": "white", "alpha": 0.7, "lw": 0},
        )
    reach = 0.25 * max(float(np.nanmax(e) - np.nanmin(e)), float(np.nanmax(n) - np.nanmin(n)), 50.0)
    for k, det in enumerate(sources.detections):
        # a wedge from the crossing towards where the plume came from: not located
        for off in (-det.wedge_deg, 0.0, det.wedge_deg):
            b = np.deg2rad(det.bearing_deg + off)
            ax.plot(
                [det.east_m, det.east_m + reach * np.sin(b)],
                [det.north_m, det.north_m + reach * np.cos(b)],
                color="tab:purple",
                lw=1.0 if off else 1.4,
                ls="--" if off else "-",
                zorder=6,
            )
        ax.plot(det.east_m, det.north_m, marker="^", ms=9, color="tab:purple", mec="k", zorder=7)
        # the id only at the crossing (a label each would pile up where several plumes
        # cross one line); the signature and both probabilities go in the key below
        ax.annotate(
            det.id,
            (det.east_m, det.north_m),
            xytext=(6, 6 + 8 * (k % 2)),
            textcoords="offset points",
            fontsize=7,
            color="tab:purple",
            zorder=8,
            bbox={"boxstyle": "round", "fc": "white", "alpha": 0.7, "lw": 0},
        )
    if sources.detections:
        shown = sources.detections[:MAX_KEY_ROWS]
        rows = [
            f"{d.id} {d.signature}, from {d.bearing_deg:.0f}\u00b0 \u00b1{d.wedge_deg:.0f}\u00b0: "
            f"P(exists) {_p(d.probability_exists)}, P(suspect sig.) {_p(d.p_suspect)}"
            for d in shown
        ]
        if len(sources.detections) > len(shown):
            rows.append(f"... and {len(sources.detections) - len(shown)} more (see the table)")
        ax.text(
            0.99,
            0.01,
            "detections (seen, not located; never suspect)\n" + "\n".join(rows),
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=7,
            color="tab:purple",
            zorder=10,
            bbox={"boxstyle": "round", "fc": "white", "alpha": 0.85, "ec": "tab:purple"},
        )
    for te, tn, label in truth:
        ax.plot(te, tn, marker="x", ms=10, mew=2, color="k", zorder=9)
        ax.annotate(label, (te, tn), xytext=(5, 5), textcoords="offset points", fontsize=7)
    pad = 60.0
    dets = sources.detections
    pts_e = np.concatenate(
        [e, [x.east_m for x in sources.sources], [x.east_m for x in dets], [x[0] for x in truth]]
    )
    pts_n = np.concatenate(
        [n, [x.north_m for x in sources.sources], [x.north_m for x in dets], [x[1] for x in truth]]
    )
    span_n = float(np.nanmax(pts_n) - np.nanmin(pts_n))
    ax.set_xlim(np.nanmin(pts_e) - pad, np.nanmax(pts_e) + pad)
    # room at the top for the wind and north arrows, at the bottom for the scale bar
    # and the detections' key, so neither covers a finding
    bottom = pad + (0.04 * (1 + min(len(sources.detections), MAX_KEY_ROWS)) * span_n)
    ax.set_ylim(np.nanmin(pts_n) - bottom, np.nanmax(pts_n) + pad + 0.2 * span_n)
    ax.set_aspect("equal")
    # mean wind: an arrow pointing where the air goes
    from olfato.physics.wind import wind_vector

    ws = s["wind_speed_ms"].to_numpy(dtype=float)
    wd = s["wind_dir_deg"].to_numpy(dtype=float)
    ue, vn = wind_vector(ws, wd)
    mu, mv = float(np.nanmean(ue)), float(np.nanmean(vn))
    sp = max(np.hypot(mu, mv), 1e-9)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    L = 0.08 * (x1 - x0)
    cx, cy = x0 + 0.12 * (x1 - x0), y1 - 0.12 * (y1 - y0)
    ax.annotate(
        "",
        xy=(cx + L * mu / sp, cy + L * mv / sp),
        xytext=(cx - L * mu / sp, cy - L * mv / sp),
        arrowprops={"arrowstyle": "-|>", "color": "tab:green", "lw": 2.5},
    )
    ax.text(
        cx, cy - 0.06 * (y1 - y0), f"wind {sp:.1f} m/s", ha="center", color="tab:green", fontsize=8
    )
    scale_bar(ax)
    north_arrow(ax)
    ax.set_xlabel("east [m]")
    ax.set_ylabel("north [m]")
    ax.set_title(
        f"{Path(sources.survey.source).name}: {len(sources)} source(s), "
        f"{len(sources.detections)} detection(s) from {len(sources.hits)} hit(s)\n95% credible "
        "ellipses (red = suspect); purple wedges = seen, not located. Needs ground confirmation.",
        fontsize=10,
    )
    fig.tight_layout()
    return save_figure(fig, path, what="map")
