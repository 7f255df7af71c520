"""The reports' figures, drawn with matplotlib from the store (no map tiles, no internet).

:func:`source_map`: the flight track, the plume hits, the posterior probability of
the sources' positions, their 95% ellipses, a latitude/longitude grid, a scale bar
and a north arrow. Maps are drawn in a local transverse-Mercator frame (metres,
grid north = true north at its centre), so distances on the page are true.

:func:`time_series`: the gas readings of the flight against time, with the hits
shaded. Every label comes from the message catalogue of the report's language.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Polygon, Rectangle

from olfato.output.figure import nice_length, north_arrow, scale_bar
from olfato.report.geometry import source_ellipse_local
from olfato.report.i18n import Formatter
from olfato.store import models as m
from olfato.store.cases import SurveyView
from olfato.survey.model import Survey
from olfato.survey.projection import LocalFrame

SUSPECT_COLOUR = "#c0392b"
BENIGN_COLOUR = "#2471a3"
DETECTION_COLOUR = "#7d3c98"
DPI = 150


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def _distance(length_m: float, fmt: Formatter) -> str:
    """A scale-bar length [m] in the locale's number format."""
    if length_m >= 1000:
        return f"{fmt.number(length_m / 1000, 1)} km"
    return f"{fmt.number(length_m, 0)} m"


@dataclass
class MapData:
    """A survey's samples and newest runs, as a map needs them.

    Attributes
    ----------
    view : SurveyView
        The survey with its newest detect and locate runs.
    samples : olfato.survey.model.Survey
        Its samples (positions [deg], time [s], gas channels).
    """

    view: SurveyView
    samples: Survey


def _to_map(frame: LocalFrame, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return frame.to_local(lat, lon)


def _graticule(
    ax: Axes, frame: LocalFrame, box: tuple[float, float, float, float], fmt: Formatter
) -> None:
    """Lines of constant latitude and longitude, labelled on the left and bottom edges."""
    e0, e1, n0, n1 = box
    corners_e = np.array([e0, e1, e0, e1])
    corners_n = np.array([n0, n0, n1, n1])
    lat, lon = frame.to_wgs84(corners_e, corners_n)
    step = nice_length(max(lat.max() - lat.min(), lon.max() - lon.min()) / 3.0)
    digits = max(0, -math.floor(math.log10(step)))
    lat_vals = np.arange(math.ceil(lat.min() / step) * step, lat.max(), step)
    lon_vals = np.arange(math.ceil(lon.min() / step) * step, lon.max(), step)
    yt, yl, xt, xl = [], [], [], []
    for la in lat_vals:
        lo = np.linspace(lon.min() - step, lon.max() + step, 50)
        e, n = frame.to_local(np.full_like(lo, la), lo)
        ax.plot(e, n, color="#888888", lw=0.5, ls=":", zorder=1)
        _, nn = frame.to_local([la], [frame.to_wgs84([e0], [n0])[1][0]])
        yt.append(float(nn[0]))
        yl.append(
            f"{fmt.number(abs(la), digits)}°{fmt.gettext('N') if la >= 0 else fmt.gettext('S')}"
        )
    for lo_ in lon_vals:
        la = np.linspace(lat.min() - step, lat.max() + step, 50)
        e, n = frame.to_local(la, np.full_like(la, lo_))
        ax.plot(e, n, color="#888888", lw=0.5, ls=":", zorder=1)
        ee, _ = frame.to_local([frame.to_wgs84([e0], [n0])[0][0]], [lo_])
        xt.append(float(ee[0]))
        xl.append(
            f"{fmt.number(abs(lo_), digits)}°{fmt.gettext('E') if lo_ >= 0 else fmt.gettext('W')}"
        )
    ax.set_yticks(yt, yl, fontsize=7)
    ax.set_xticks(xt, xl, fontsize=7)


def _small_label(
    ax: Axes, text: str, xy: tuple[float, float], offset: tuple[float, float], colour: str
) -> None:
    """A small boxed map label below-right of ``xy`` [m], ``offset`` [points] away."""
    ax.annotate(
        text,
        xy,
        xytext=offset,
        textcoords="offset points",
        va="top",
        fontsize=6,
        color=colour,
        zorder=6,
        bbox={"boxstyle": "round", "fc": "white", "alpha": 0.7, "lw": 0},
    )


def _probabilities_label(src: m.Source, fmt: Formatter) -> str:
    """The two probabilities of a finding, one per line, in the map's language."""
    return "\n".join(
        [
            fmt.gettext("P(exists) %(p)s", p=fmt.percent(src.probability_exists)),
            fmt.gettext("P(suspect signature) %(p)s", p=fmt.percent(src.p_suspect)),
        ]
    )


def _draw_detection(
    ax: Axes, det: m.Source, sframe: LocalFrame, frame: LocalFrame, reach_m: float, fmt: Formatter
) -> None:
    """A detection: a triangle at its crossing and the wedge its plume came from.

    The wedge's edges and centre line run ``reach_m`` [m] from the crossing along
    ``bearing_deg`` +- ``wedge_deg`` [deg, FROM, clockwise from north] (drawn in the
    survey's frame ``sframe``, then placed in the map's ``frame``): the direction is
    known, the distance is not, so there is no ellipse.
    """
    bearing = float(det.bearing_deg) if det.bearing_deg is not None else float("nan")
    wedge = float(det.wedge_deg) if det.wedge_deg is not None else 0.0
    ends_e, ends_n = [], []
    for off in (-wedge, 0.0, wedge):
        b = np.deg2rad(bearing + off)
        ends_e.append(det.east_m + reach_m * np.sin(b))
        ends_n.append(det.north_m + reach_m * np.cos(b))
    la, lo = sframe.to_wgs84(
        np.array([det.east_m, *ends_e], dtype=float), np.array([det.north_m, *ends_n], dtype=float)
    )
    me, mn = frame.to_local(la, lo)
    if math.isfinite(bearing):
        for k in (1, 2, 3):
            ax.plot(
                [me[0], me[k]],
                [mn[0], mn[k]],
                color=DETECTION_COLOUR,
                lw=1.4 if k == 2 else 1.0,
                ls="-" if k == 2 else "--",
                zorder=5,
            )
    ax.plot(me[0], mn[0], marker="^", ms=8, color=DETECTION_COLOUR, mec="black", zorder=6)
    _small_label(
        ax,
        f"{det.label} ({fmt.signature(det.signature)})\n{_probabilities_label(det, fmt)}",
        (float(me[0]), float(mn[0])),
        (6, -6),
        DETECTION_COLOUR,
    )


def source_map(
    data: list[MapData],
    fmt: Formatter,
    *,
    focus: m.Source | None = None,
    focus_survey: m.Survey | None = None,
    width_in: float = 7.0,
) -> bytes:
    """A PNG map of the surveys' tracks, hits and sources; zoomed on ``focus`` when given.

    The map is in the local frame of ``focus_survey`` (or the first survey) [m], with
    the posterior probability underneath, a graticule, a scale bar and a north arrow.

    Parameters
    ----------
    data : list of MapData
        The surveys to draw; at least one.
    fmt : Formatter
        Language of the labels.
    focus : olfato.store.models.Source, optional
        A located source to zoom on (half-width at least 200 m or four semi-major axes).
    focus_survey : olfato.store.models.Survey, optional
        The survey of ``focus``, whose frame the map uses.
    width_in : float, default 7.0
        Figure width [in]; the height is 0.8 of it.

    Returns
    -------
    bytes
        PNG image.
    """
    ref = focus_survey or data[0].view.survey
    frame = LocalFrame(ref.lat0, ref.lon0)
    fig = Figure(figsize=(width_in, width_in * 0.8))
    ax = fig.add_subplot(1, 1, 1)
    ax.set_facecolor("#f7f7f4")
    all_e, all_n = [], []
    # posterior first (underneath)
    for d in data:
        r = d.view.raster()
        sv = d.view.survey
        if r is None or not np.any(r[2] > 0):
            continue
        ge, gn, dens = r
        ee, nn = np.meshgrid(ge, gn)
        la, lo = LocalFrame(sv.lat0, sv.lon0).to_wgs84(ee.ravel(), nn.ravel())
        me, mn = frame.to_local(la, lo)
        z = dens / dens.max()
        z = np.ma.masked_less(z, 1e-3)
        ax.pcolormesh(
            me.reshape(ee.shape),
            mn.reshape(ee.shape),
            z,
            cmap="YlOrRd",
            alpha=0.8,
            shading="nearest",
            zorder=2,
            vmin=0,
            vmax=1,
        )
    for d in data:
        s = d.samples.samples
        e, n = _to_map(frame, s["lat"].to_numpy(float), s["lon"].to_numpy(float))
        ax.plot(
            e,
            n,
            color="#555555",
            lw=0.6,
            zorder=3,
            label=fmt.gettext("flight track") if d is data[0] else None,
        )
        all_e.append(e)
        all_n.append(n)
        hits = d.view.hits
        if hits:
            he, hn = _to_map(
                frame, np.array([h.lat for h in hits]), np.array([h.lon for h in hits])
            )
            hit_colours = [SUSPECT_COLOUR if h.suspect else BENIGN_COLOUR for h in hits]
            ax.scatter(
                he,
                hn,
                s=18,
                c=hit_colours,
                marker="^",
                edgecolors="black",
                linewidths=0.4,
                zorder=4,
                label=fmt.gettext("plume hit") if d is data[0] else None,
            )
        sv = d.view.survey
        sframe = LocalFrame(sv.lat0, sv.lon0)
        for src in d.view.sources:
            ee, nn = source_ellipse_local(src)
            la, lo = sframe.to_wgs84(ee, nn)
            me, mn = frame.to_local(la, lo)
            col = SUSPECT_COLOUR if src.suspect else BENIGN_COLOUR
            ax.add_patch(
                Polygon(
                    np.column_stack([me, mn]),
                    closed=True,
                    fill=False,
                    ec=col,
                    lw=1.6 if focus is None or src is focus else 0.8,
                    zorder=5,
                )
            )
            ce, cn = frame.to_local([src.lat], [src.lon])
            ax.plot(ce, cn, marker="x", color=col, ms=7, mew=2, zorder=5)
            ax.annotate(
                src.label,
                (float(ce[0]), float(cn[0])),
                xytext=(5, 5),
                textcoords="offset points",
                fontsize=8,
                fontweight="bold",
                color=col,
                zorder=6,
            )
            _small_label(
                ax, _probabilities_label(src, fmt), (float(ce[0]), float(cn[0])), (5, -4), col
            )
        reach = 0.25 * max(float(np.ptp(e)), float(np.ptp(n)), 50.0)
        for det in d.view.detections:
            _draw_detection(ax, det, sframe, frame, reach, fmt)
    e_all, n_all = np.concatenate(all_e), np.concatenate(all_n)
    if focus is not None:
        ce, cn = frame.to_local([focus.lat], [focus.lon])
        half = max(4.0 * focus.region[0], 200.0)
        box = (
            float(ce[0]) - half,
            float(ce[0]) + half,
            float(cn[0]) - half * 0.8,
            float(cn[0]) + half * 0.8,
        )
    else:
        pad = 0.08 * max(np.nanmax(e_all) - np.nanmin(e_all), np.nanmax(n_all) - np.nanmin(n_all))
        box = (
            float(np.nanmin(e_all) - pad),
            float(np.nanmax(e_all) + pad),
            float(np.nanmin(n_all) - pad),
            float(np.nanmax(n_all) + pad),
        )
        # same scale both ways: widen the short side to the axes' 1.25 aspect
        w, h = box[1] - box[0], box[3] - box[2]
        if w < 1.25 * h:
            c = 0.5 * (box[0] + box[1])
            box = (c - 0.625 * h, c + 0.625 * h, box[2], box[3])
        else:
            c = 0.5 * (box[2] + box[3])
            box = (box[0], box[1], c - 0.4 * w, c + 0.4 * w)
    ax.set_xlim(box[0], box[1])
    ax.set_ylim(box[2], box[3])
    ax.set_aspect("equal", adjustable="box")
    _graticule(ax, frame, box, fmt)
    ax.set_xlim(box[0], box[1])
    ax.set_ylim(box[2], box[3])
    scale_bar(ax, box, label=lambda x: _distance(x, fmt))
    north_arrow(ax, box, label=fmt.gettext("N"))
    ax.plot([], [], color=SUSPECT_COLOUR, lw=1.6, label=fmt.gettext("95% ellipse, suspect"))
    ax.plot([], [], color=BENIGN_COLOUR, lw=1.6, label=fmt.gettext("95% ellipse, benign"))
    if any(d.view.detections for d in data):
        ax.plot(
            [],
            [],
            marker="^",
            ms=7,
            color=DETECTION_COLOUR,
            mec="black",
            lw=1.0,
            ls="--",
            label=fmt.gettext("detection: plume seen, not located (wedge it came from)"),
        )
    ax.add_patch(Rectangle((0, 0), 0, 0, fc="#fd8d3c", label=fmt.gettext("posterior probability")))
    ax.legend(loc="upper left", fontsize=7, framealpha=0.9)
    fig.tight_layout()
    return _png(fig)


def time_series(
    data: MapData,
    fmt: Formatter,
    *,
    focus: m.Source | None = None,
    width_in: float = 7.0,
) -> bytes:
    """A PNG of the flight's gas readings against time with its hits shaded.

    With ``focus``, the source's dominant analyte and its hits (others in grey);
    otherwise the analytes of every source of the survey (or every channel).

    Parameters
    ----------
    data : MapData
        The survey.
    fmt : Formatter
        Language of the labels.
    focus : olfato.store.models.Source, optional
        Source whose analyte and hits to show.
    width_in : float, default 7.0
        Figure width [in].

    Returns
    -------
    bytes
        PNG image, one panel per analyte (at most four) [ppb] against minutes since
        the start of the flight.
    """
    samples = data.samples
    t = samples.time
    minutes = (t - t[0]) / 60.0
    if focus is not None:
        channels = [focus.analyte]
    else:
        channels = list(dict.fromkeys(s.analyte for s in data.view.sources)) or samples.analytes
    channels = [c for c in channels if c in samples.channels][:4]
    fig = Figure(figsize=(width_in, 1.0 + 1.1 * max(1, len(channels))))
    axes = fig.subplots(max(1, len(channels)), 1, sharex=True, squeeze=False)[:, 0]
    mine = set(focus.hit_numbers) if focus is not None else None
    for ax, c in zip(axes, channels, strict=False):
        ax.plot(minutes, samples.gas(c), color="#333333", lw=0.6)
        ax.set_ylabel(f"{c} (ppb)", fontsize=8)
        ax.tick_params(labelsize=7)
        for h in data.view.hits:
            a, b = (h.start_time - t[0]) / 60.0, (h.end_time - t[0]) / 60.0
            if mine is None or h.number in mine:
                colour = SUSPECT_COLOUR if h.suspect else BENIGN_COLOUR
                ax.axvspan(a, b, color=colour, alpha=0.3, lw=0)
            else:
                ax.axvspan(a, b, color="#aaaaaa", alpha=0.25, lw=0)
    axes[-1].set_xlabel(fmt.gettext("minutes since the start of the flight"), fontsize=8)
    axes[0].set_title(fmt.gettext("Gas readings; shaded: plume hits"), fontsize=9)
    fig.tight_layout()
    return _png(fig)
