"""The campaign across flights: sites from every survey's newest locate run, whether each
was seen again, and a map.

A flight's *covered area* is the convex hull of its track: a site inside it that the
flight did not see is a miss. This assumes the flight could have seen a source
anywhere inside its track's hull; a plume blown away from every line (a wind that
turned) is a miss that is not an absence, so a "not seen again" site is a question for
the next flight or the ground, never a conclusion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from olfato.batch.sites import (
    F64,
    FLOOR_M,
    LEVEL,
    MIN_CHEMISTRY,
    Sighting,
    Site,
    add_misses,
    merge_sightings,
)
from olfato.errors import OlfatoError
from olfato.locate.posterior import Ellipse, ellipse_covariance
from olfato.store import models as m
from olfato.store.cases import get_case
from olfato.store.db import Store
from olfato.survey.projection import LocalFrame


@dataclass(frozen=True)
class Flight:
    """A survey of the campaign: when it flew and the area it covered."""

    id: int
    name: str
    start_time: float
    n_sources: int
    hull: F64  # covered area's vertices [m east, north of the campaign frame]


@dataclass
class CampaignSummary:
    """Sites merged across a case's flights (see :mod:`olfato.batch.sites`)."""

    case: str
    frame: LocalFrame
    flights: list[Flight]
    sites: list[Site]
    level: float
    min_chemistry: float
    floor_m: float = FLOOR_M

    @property
    def times(self) -> dict[int, float]:
        return {f.id: f.start_time for f in self.flights}

    @property
    def names(self) -> dict[int, str]:
        return {f.id: f.name for f in self.flights}

    def counts(self) -> dict[str, int]:
        """How many sites of each status.

        Returns
        -------
        dict of str to int
        """
        out = {"seen again": 0, "not seen again": 0, "not revisited": 0}
        for s in self.sites:
            out[s.status(self.times)] += 1
        return out

    def site_rows(self) -> list[dict[str, Any]]:
        """One plain row per site (the table and the JSON).

        Returns
        -------
        list of dict
            Position, fused ellipse, chemistry, status, sightings and misses.
        """
        rows = []
        for site in self.sites:
            lat, lon = self.frame.to_wgs84(site.mean[0], site.mean[1])
            ell = site.ellipse(self.level)
            rows.append(
                {
                    "site": site.id,
                    "lat": round(float(lat), 7),
                    "lon": round(float(lon), 7),
                    "ellipse95_m": ell.as_dict(),
                    "signature": site.signature,
                    "signature_probabilities": {
                        k: round(v, 4) for k, v in sorted(site.chemistry.items())
                    },
                    "suspect_sightings": site.n_suspect,
                    "status": site.status(self.times),
                    "sightings": [
                        {
                            "survey_id": s.flight,
                            "survey": self.names[s.flight],
                            "flown": _iso(s.time),
                            "source": s.label,
                            "signature": s.signature,
                            "suspect": s.suspect,
                            "rate_g_s": s.rate_g_s,
                            "analyte": s.analyte,
                        }
                        for s in site.sightings
                    ],
                    "missed_by": [
                        {"survey_id": f, "survey": self.names[f], "flown": _iso(self.times[f])}
                        for f in site.misses
                    ],
                }
            )
        return rows

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON-able data (``olfato batch summary --json``).

        Returns
        -------
        dict
        """
        return {
            "case": self.case,
            "n_flights": len(self.flights),
            "n_sites": len(self.sites),
            "counts": self.counts(),
            "merge": {
                "position_level": self.level,
                "min_chemistry_bc": self.min_chemistry,
                "position_floor_m": self.floor_m,
            },
            "sites": self.site_rows(),
            "caveat": "Every candidate needs ground confirmation.",
        }


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _hull(east: F64, north: F64) -> F64:
    from scipy.spatial import ConvexHull, QhullError

    pts = np.column_stack([east, north])
    pts = pts[np.isfinite(pts).all(axis=1)]
    if len(pts) < 3:
        return np.empty((0, 2))
    try:
        hull = ConvexHull(pts)
    except QhullError:  # all fixes on a line: it covers no area
        return np.empty((0, 2))
    return np.asarray(pts[hull.vertices], dtype=float)


def _track(store: Store, row: m.Survey) -> tuple[F64, F64]:
    import pyarrow.parquet as pq

    path = store.workspace.resolve(row.parquet_path)
    if not path.exists():
        raise OlfatoError(
            f"The samples of survey {row.name} are missing from the workspace ({path}).",
            hint="Restore the workspace's surveys/ folder from backup, or add the survey again.",
        )
    table = pq.read_table(path, columns=["lat", "lon"])
    return (
        table.column("lat").to_numpy().astype(float),
        table.column("lon").to_numpy().astype(float),
    )


def campaign_summary(
    store: Store,
    case_name: str,
    *,
    level: float = LEVEL,
    min_chemistry: float = MIN_CHEMISTRY,
    floor_m: float = FLOOR_M,
) -> CampaignSummary:
    """Merge the located sources of every survey of a case into sites.

    Parameters
    ----------
    store : Store
        The case store.
    case_name : str
        The case.
    level : float
        The position test's level (:func:`olfato.batch.sites.merge_sightings`).
    min_chemistry : float
        The least Bhattacharyya coefficient of two sightings' chemistries [0..1].
    floor_m : float
        Added in quadrature to every sighting's 1-sigma position error [m]: the
        flight-to-flight error a locate ellipse does not include (GPS, wind model).

    Returns
    -------
    CampaignSummary

    Raises
    ------
    OlfatoError
        ``level`` or ``min_chemistry`` out of range, an unknown case, or a survey's
        samples missing from the workspace.
    """
    if not 0.0 <= min_chemistry <= 1.0:
        raise OlfatoError(
            f"min_chemistry must be in [0, 1], got {min_chemistry}", parameter="min_chemistry"
        )
    if not 0.0 < level < 1.0:
        raise OlfatoError(f"level must be in (0, 1), got {level}", parameter="level")
    if not (math.isfinite(floor_m) and floor_m >= 0.0):
        raise OlfatoError(f"floor_m must be >= 0 m, got {floor_m}", parameter="floor_m")
    with store.read() as s:
        case = get_case(s, case_name)
        found = []
        for sv in case.surveys:
            runs = [r for r in sv.runs if r.stage == "locate" and r.status == "done"]
            if not runs:
                continue
            loc = max(runs, key=lambda r: r.version)
            found.append((sv, [x for x in loc.sources if x.located]))
    if not found:
        return CampaignSummary(
            case_name, LocalFrame(0.0, 0.0), [], [], level, min_chemistry, floor_m
        )
    frame = LocalFrame(
        round(float(np.median([sv.lat0 for sv, _ in found])), 7),
        round(float(np.median([sv.lon0 for sv, _ in found])), 7),
    )
    flights, sightings = [], []
    for sv, sources in found:
        lat, lon = _track(store, sv)
        e, n = frame.to_local(lat, lon)
        flights.append(Flight(sv.id, sv.name, sv.start_time, len(sources), _hull(e, n)))
        for src in sources:
            se, sn = frame.to_local(src.lat, src.lon)
            a, b, az = src.region
            sightings.append(
                Sighting(
                    flight=sv.id,
                    time=sv.start_time,
                    label=src.label,
                    east_m=float(se),
                    north_m=float(sn),
                    cov=ellipse_covariance(Ellipse(a, b, az)),
                    signature_probabilities={
                        str(k): float(v)
                        for k, v in src.signature_probabilities.items()
                        if v is not None and math.isfinite(float(v))
                    },
                    signature=src.signature,
                    suspect=src.suspect,
                    rate_g_s=src.rate_g_s,
                    analyte=src.analyte,
                )
            )
    sites = merge_sightings(sightings, level=level, min_chemistry=min_chemistry, floor_m=floor_m)
    add_misses(sites, {f.id: f.hull for f in flights}, {f.id: f.start_time for f in flights})
    return CampaignSummary(case_name, frame, flights, sites, level, min_chemistry, floor_m)


#: map colours per status
STATUS_COLOURS = {"seen again": "tab:green", "not seen again": "tab:red", "not revisited": "0.4"}


def campaign_map(summary: CampaignSummary, path: str | Path) -> Path:
    """Draw the campaign and write it as PNG.

    Each flight's covered area, each site's fused 95 % ellipse coloured by status, and
    its sightings.

    Parameters
    ----------
    summary : CampaignSummary
        What :func:`campaign_summary` returned.
    path : str or Path
        The PNG to write (:func:`olfato.output.save_figure`).

    Returns
    -------
    Path
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Ellipse as MplEllipse
    from matplotlib.patches import Polygon

    from olfato.output import save_figure

    fig, ax = plt.subplots(figsize=(8, 7))
    for f in summary.flights:
        if len(f.hull):
            ax.add_patch(
                Polygon(f.hull, closed=True, fill=False, lw=0.6, ec="0.6", ls="--", alpha=0.8)
            )
    times = summary.times
    for site in summary.sites:
        status = site.status(times)
        colour = STATUS_COLOURS[status]
        ell = site.ellipse(summary.level)
        ax.add_patch(
            MplEllipse(
                (float(site.mean[0]), float(site.mean[1])),
                2 * ell.semi_major,
                2 * ell.semi_minor,
                angle=90.0 - ell.azimuth_deg,
                fill=False,
                lw=1.6,
                ec=colour,
            )
        )
        e = [s.east_m for s in site.sightings]
        n = [s.north_m for s in site.sightings]
        ax.plot(e, n, ".", color=colour, ms=5)
        label = f"S{site.id} {site.signature} ×{len(site.sightings)}"
        if site.n_suspect:
            label += " (suspect)"
        ax.annotate(
            label,
            (float(site.mean[0]), float(site.mean[1])),
            fontsize=7,
            xytext=(4, 4),
            textcoords="offset points",
            color=colour,
        )
    for status, colour in STATUS_COLOURS.items():
        ax.plot([], [], "o", mfc="none", color=colour, label=status)
    ax.plot([], [], "--", color="0.6", lw=0.6, label="flight covered area")
    ax.legend(loc="upper right", fontsize=8)
    ax.set_aspect("equal")
    ax.autoscale_view()
    ax.set_xlabel(f"east of {summary.frame.lat0:.5f}, {summary.frame.lon0:.5f} [m]")
    ax.set_ylabel("north [m]")
    ax.set_title(
        f"Campaign {summary.case}: {len(summary.flights)} flights, {len(summary.sites)} sites\n"
        "Every candidate needs ground confirmation.",
        fontsize=10,
    )
    fig.tight_layout()
    return save_figure(fig, path, what="campaign map")
