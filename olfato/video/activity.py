"""Activity at candidate sites: which tracks came within a radius of each site, and when.

For each site (a candidate source from a case, or any point) and each ground track, the
track "visits" the site when any of its points is within ``radius_m`` of it (distances
in a local transverse Mercator frame centred on the site, :mod:`olfato.survey.projection`).
Visits are counted by UTC hour of the first point inside the radius (or by the hour from
the start of the video when the track has no absolute time): vehicles arriving at night
stand out.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from olfato.errors import OlfatoError
from olfato.survey.projection import LocalFrame
from olfato.video.geolocate import GroundTrack


@dataclass(frozen=True)
class Site:
    """A place to watch: a candidate source's label and position [deg]."""

    label: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Visit:
    """One track inside the radius of a site."""

    track_id: int
    label: str | None
    first_time_us: float  #: UTC of the first point inside [microseconds since 1970], or NaN
    first_t_s: float  #: from the start of the video [s]
    seconds_inside: float
    closest_m: float
    hour: str  #: "YYYY-MM-DDTHH" UTC, or "+H h" from the video's start


@dataclass
class SiteActivity:
    """The visits to one site."""

    site: Site
    radius_m: float
    visits: list[Visit] = field(default_factory=list)

    @property
    def by_hour(self) -> dict[str, int]:
        return dict(sorted(Counter(v.hour for v in self.visits).items()))


def _hour(time_us: float, t_s: float) -> str:
    if math.isfinite(time_us):
        return datetime.fromtimestamp(time_us / 1e6, tz=UTC).strftime("%Y-%m-%dT%H")
    return f"+{int(t_s // 3600)} h"


def activity_near(
    sites: Sequence[Site], tracks: Sequence[GroundTrack], *, radius_m: float = 150.0
) -> list[SiteActivity]:
    """The tracks that came within ``radius_m`` of each site.

    Parameters
    ----------
    sites : sequence of Site
        Places to watch.
    tracks : sequence of GroundTrack
        Tracks on the ground (tracks without ground points are ignored).
    radius_m : float
        Radius around each site [m].

    Returns
    -------
    list of SiteActivity
        One per site, in order.

    Raises
    ------
    OlfatoError
        ``radius_m`` is not a positive number (the error names the parameter).
    """
    if not (radius_m > 0 and math.isfinite(radius_m)):
        raise OlfatoError(f"radius_m must be positive, got {radius_m}", parameter="radius_m")
    out = []
    for site in sites:
        frame = LocalFrame(site.lat, site.lon)
        act = SiteActivity(site, radius_m)
        for tr in tracks:
            if tr.t_s.size == 0:
                continue
            e, n = frame.to_local(tr.lat, tr.lon)
            d = np.hypot(e, n)
            inside = d <= radius_m
            if not inside.any():
                continue
            k = int(np.argmax(inside))
            dt = np.diff(tr.t_s)
            secs = float(dt[inside[1:] & inside[:-1]].sum()) if dt.size else 0.0
            act.visits.append(
                Visit(
                    track_id=tr.id,
                    label=tr.label,
                    first_time_us=float(tr.time_us[k]),
                    first_t_s=float(tr.t_s[k]),
                    seconds_inside=secs,
                    closest_m=float(d.min()),
                    hour=_hour(float(tr.time_us[k]), float(tr.t_s[k])),
                )
            )
        out.append(act)
    return out
