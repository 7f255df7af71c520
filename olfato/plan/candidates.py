"""Candidate sources to follow up: from the Sources GeoJSON contract or locate's result.

A candidate is a located source with its 95% credible ellipse (DESIGN.md, "Sources
GeoJSON"): position, ``ellipse95_m`` {semi_major, semi_minor, azimuth_deg}, rate of
its dominant analyte, signature probabilities and the suspect flag. Its position
uncertainty is taken as the bivariate normal whose 95% region is that ellipse:
semi-axes = sqrt(chi2_2(0.95)) x standard deviations, chi2_2(0.95) = -2 ln 0.05 =
5.991 (the chi-square quantile with two degrees of freedom; the ellipse helpers live
in :mod:`olfato.locate.posterior`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from olfato.errors import OlfatoError
from olfato.locate.posterior import Ellipse, ellipse_covariance
from olfato.survey.projection import LocalFrame

F64 = NDArray[np.float64]

#: default source height when the input has none [m above ground]
DEFAULT_HEIGHT_M = 2.0


@dataclass
class Candidate:
    """A candidate source in local metres, with its 95% ellipse.

    ``east_m``, ``north_m`` [m]; ``semi_major_m``, ``semi_minor_m`` [m] and
    ``azimuth_deg`` [deg clockwise from north] of the major axis: the 95% ellipse;
    ``rate_g_s`` [g/s] of ``analyte``; ``p_suspect`` [-] the probability that its
    signature is in the suspect category; ``height_m`` [m] above ground.
    """

    id: str
    east_m: float
    north_m: float
    semi_major_m: float
    semi_minor_m: float
    azimuth_deg: float
    rate_g_s: float
    analyte: str
    p_suspect: float
    suspect: bool
    signature: str = ""
    height_m: float = DEFAULT_HEIGHT_M
    cells: tuple[F64, F64, tuple[float, float]] | None = None
    """the posterior raster when known: cell centres (K, 2) [m], their probabilities
    (K,) and the cell size (east, north) [m]"""
    cell_states: tuple[F64, F64, F64] | None = None
    """with ``cells``: per cell the source height [m], and the posterior mean and sd of
    ln rate [ln g/s] given the cell and that height (one raster cell per height)"""
    n_hits: int | None = None
    """plume crossings attributed to the candidate, when known"""
    rate_log_sd: float = 0.5
    """sd of ln rate [-] when there is no raster (from ``rate_ci95_g_s``)"""

    @property
    def mean(self) -> F64:
        return np.array([self.east_m, self.north_m])

    @property
    def covariance(self) -> F64:
        """Position covariance (2, 2) [m2] whose 95% ellipse is the candidate's
        (semi-axes floored at 1 mm)."""
        ell = Ellipse(max(self.semi_major_m, 1e-3), max(self.semi_minor_m, 1e-3), self.azimuth_deg)
        return ellipse_covariance(ell)

    def particles(self, n: int, rng: np.random.Generator) -> F64:
        """Positions drawn from the candidate's position distribution (:meth:`draw`).

        Parameters
        ----------
        n : int
            How many.
        rng : numpy.random.Generator
            The random source.

        Returns
        -------
        (n, 2) array
            [east, north] [m].
        """
        return self.draw(n, rng)[0]

    def draw(self, n: int, rng: np.random.Generator) -> tuple[F64, F64, F64]:
        """Draws of the source's position, height and ln rate.

        From the posterior raster when there is one (a cell and height by its
        probability, a uniform point inside the cell, ln rate from its normal given that
        cell and height), else from the normal of the 95% ellipse at the stated height, ln
        rate normal around the stated rate with sd ``rate_log_sd``.

        Parameters
        ----------
        n : int
            How many.
        rng : numpy.random.Generator
            The random source.

        Returns
        -------
        position : (n, 2) array
            [east, north] [m].
        height : (n,) array
            Above ground [m].
        log_rate : (n,) array
            [ln g/s].
        """
        if self.cells is not None:
            centres, prob, (de, dn) = self.cells
            k = rng.choice(len(prob), size=n, p=prob / prob.sum())
            jitter = (rng.random((n, 2)) - 0.5) * np.array([de, dn])
            pos = np.asarray(centres[k] + jitter, dtype=float)
            if self.cell_states is not None:
                h, mu, sd = self.cell_states
                return pos, h[k], mu[k] + sd[k] * rng.standard_normal(n)
        else:
            pos = rng.multivariate_normal(self.mean, self.covariance, size=n)
        log_q = math.log(max(self.rate_g_s, 1e-12)) + self.rate_log_sd * rng.standard_normal(n)
        return pos, np.full(n, self.height_m), log_q


def _suspect_probability(props: dict[str, Any]) -> float:
    probs = props.get("signature_probabilities")
    if isinstance(probs, dict) and probs:
        from olfato.chemistry.signatures import load_signatures

        library = load_signatures()
        total = 0.0
        for name, p in probs.items():
            if name in library and library[name].suspect:
                total += float(p)
        return float(min(max(total, 0.0), 1.0))
    return 1.0 if props.get("suspect") else 0.0


def followup_feature(feature: dict[str, Any]) -> dict[str, Any] | None:
    """A Sources GeoJSON Point feature as a candidate to follow up: a located source as
    it is; a detection at its broad posterior (``search_centre``, ``search_ellipse95_m``,
    ``search_rate_g_s``, ``search_rate_ci95_g_s``, ``search_height_m``:
    :mod:`olfato.locate.geojson`), never suspect; None for a detection without them.

    Parameters
    ----------
    feature : dict
        A Point feature of the file.

    Returns
    -------
    dict or None
        The feature to plan from.
    """
    props = feature.get("properties") or {}
    if props.get("kind") != "detection":
        return feature
    centre = props.get("search_centre")
    ellipse = props.get("search_ellipse95_m")
    if not (isinstance(centre, list) and len(centre) >= 2 and isinstance(ellipse, dict)):
        return None
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": centre},
        "properties": {
            **props,
            "ellipse95_m": ellipse,
            "rate_g_s": props.get("search_rate_g_s"),
            "rate_ci95_g_s": props.get("search_rate_ci95_g_s"),
            "height_m": props.get("search_height_m"),
            "suspect": False,
        },
    }


def candidates_from_geojson(
    obj: Any, where: str = "sources", frame: LocalFrame | None = None
) -> tuple[list[Candidate], LocalFrame]:
    """Candidates from a Sources FeatureCollection (DESIGN.md contract), in local metres.

    Parameters
    ----------
    obj : dict
        The parsed GeoJSON.
    where : str
        Names the source in errors (with the feature and the property).
    frame : LocalFrame, optional
        The local frame to use; default one centred on the sources.

    Returns
    -------
    candidates : list of Candidate
        One per Point feature.
    frame : LocalFrame
        The frame they are in.

    Raises
    ------
    OlfatoError
        For a file that is not a Sources GeoJSON or a feature without its ellipse or rate.
    """
    if not isinstance(obj, dict) or obj.get("type") != "FeatureCollection":
        raise OlfatoError(f"{where}: not a Sources GeoJSON (expected a FeatureCollection)")
    # (number in the file, feature): errors name the feature by its place in the file
    numbered = [
        (k, f)
        for k, f in enumerate(obj.get("features") or [], start=1)
        if isinstance(f, dict) and (f.get("geometry") or {}).get("type") == "Point"
    ]
    # a detection (a plume seen, not located) is planned from its broad posterior, the
    # search_* extras of the Sources GeoJSON; one without them (an older file) is not
    kept = [(k, followup_feature(f)) for k, f in numbered]
    points = [(k, f) for k, f in kept if f is not None]
    if not points:
        raise OlfatoError(
            f"{where}: no located sources and no detections with a search region "
            "(search_centre, search_ellipse95_m), so no candidate sources to follow up; "
            "locate the survey again, or plan from the survey"
        )
    lonlat = []
    for k, f in points:
        c = f["geometry"].get("coordinates")
        bad = OlfatoError(
            f"{where}: feature {k}: coordinates (a detection's search_centre) must be "
            "[lon, lat] numbers"
        )
        if not (isinstance(c, list) and len(c) >= 2):
            raise bad
        try:
            lonlat.append((float(c[0]), float(c[1])))
        except (TypeError, ValueError):
            raise bad from None
        if not all(map(math.isfinite, lonlat[-1])):
            raise bad
    arr = np.asarray(lonlat)
    fr = frame or LocalFrame.centred_on(arr[:, 1], arr[:, 0])
    east, north = fr.to_local(arr[:, 1], arr[:, 0])
    out = []
    for j, (k, f) in enumerate(points):
        props = f.get("properties") or {}
        ell = props.get("ellipse95_m")
        if not isinstance(ell, dict) or not {"semi_major", "semi_minor"} <= set(ell):
            raise OlfatoError(
                f"{where}: feature {k}: property 'ellipse95_m' {{semi_major, semi_minor, "
                "azimuth_deg}} is missing; it is needed to plan where to fly"
            )
        try:
            rate = float(props.get("rate_g_s") or 0.0)
            ci = props.get("rate_ci95_g_s")
            log_sd = 0.5
            if isinstance(ci, list | tuple) and len(ci) == 2 and 0 < float(ci[0]) < float(ci[1]):
                log_sd = math.log(float(ci[1]) / float(ci[0])) / (2.0 * 1.959964)
            hits = props.get("n_hits")
            cand = Candidate(
                id=str(props.get("id", k)),
                east_m=float(east[j]),
                north_m=float(north[j]),
                semi_major_m=float(ell["semi_major"]),
                semi_minor_m=float(ell["semi_minor"]),
                azimuth_deg=float(ell.get("azimuth_deg", 0.0)),
                rate_g_s=rate,
                analyte=str(props.get("analyte") or ""),
                p_suspect=_suspect_probability(props),
                suspect=bool(props.get("suspect", False)),
                signature=str(props.get("signature") or ""),
                height_m=float(props.get("height_m") or DEFAULT_HEIGHT_M),
                n_hits=int(hits) if hits is not None else None,
                rate_log_sd=log_sd,
            )
        except (TypeError, ValueError):
            raise OlfatoError(
                f"{where}: feature {k}: rate_g_s and ellipse95_m values must be numbers"
            ) from None
        if not (math.isfinite(cand.semi_major_m) and cand.semi_major_m >= 0):
            raise OlfatoError(f"{where}: feature {k}: ellipse95_m.semi_major must be >= 0")
        if not cand.rate_g_s > 0:
            raise OlfatoError(f"{where}: feature {k}: rate_g_s must be > 0, got {rate}")
        out.append(cand)
    return out, fr


def candidates_from_sources(sources: Any) -> tuple[list[Candidate], LocalFrame]:
    """Candidates from :func:`olfato.locate.locate`'s result, with their posterior rasters.

    Each source's fine posterior raster over position and height (cells holding all
    but 1e-9 of its mass), with the rate given each cell and height, is kept, so that
    follow-up planning samples the real, possibly banana-shaped posterior, with the
    height and rate that go with each position, rather than its ellipse. Detections
    (plumes seen, not located) come too, from their broad posteriors: a flight that
    would locate them is worth planning.

    Parameters
    ----------
    sources : olfato.locate.pipeline.Sources
        Located sources, detections and their survey.

    Returns
    -------
    candidates : list of Candidate
        One per source, then one per detection.
    frame : LocalFrame
        The survey's frame.
    """
    frame = sources.survey.frame
    out = []
    for s in [*sources.sources, *getattr(sources, "detections", [])]:
        if s.posterior is None:
            continue
        fine = s.posterior.fine
        post = s.posterior
        # a located source: its own estimate; a detection: its (broad) posterior's
        located = getattr(s, "kind", "source") == "source"
        ell = s.ellipse95 if located else post.ellipse
        where = (s.east_m, s.north_m) if located else post.mean
        rate = s.rate_g_s if located else post.rate_g_s
        height = s.height_m if located else post.height_m
        n_h = len(fine.heights)
        ee, nn = np.meshgrid(fine.east, fine.north)
        ee3 = np.repeat(ee[:, :, None], n_h, axis=2).ravel()
        nn3 = np.repeat(nn[:, :, None], n_h, axis=2).ravel()
        hh3 = np.broadcast_to(np.asarray(fine.heights, dtype=float), fine.prob3.shape).ravel()
        prob = np.asarray(fine.prob3, dtype=float).ravel()
        keep = prob > 1e-9 * prob.max()
        cells = (
            np.column_stack([ee3[keep], nn3[keep]]),
            prob[keep] / prob[keep].sum(),
            fine.cell_m,
        )
        states = (
            hh3[keep],
            np.asarray(fine.rate_mu, dtype=float).ravel()[keep],
            np.asarray(fine.rate_sd, dtype=float).ravel()[keep],
        )
        probs = dict(s.signature_probabilities)
        out.append(
            Candidate(
                id=str(s.id),
                east_m=float(where[0]),
                north_m=float(where[1]),
                semi_major_m=float(ell.semi_major),
                semi_minor_m=float(ell.semi_minor),
                azimuth_deg=float(ell.azimuth_deg),
                rate_g_s=float(rate),
                analyte=str(s.analyte),
                p_suspect=_suspect_probability(
                    {"signature_probabilities": probs, "suspect": s.suspect}
                ),
                suspect=bool(s.suspect),
                signature=str(s.signature),
                height_m=float(height),
                cells=cells,
                cell_states=states,
                n_hits=len(s.hit_ids),
            )
        )
    return out, frame


def read_candidates(
    path: str | Path, frame: LocalFrame | None = None
) -> tuple[list[Candidate], LocalFrame]:
    """Read a Sources GeoJSON file (``olfato locate --out``) into candidates.

    Parameters
    ----------
    path : str or Path
        The file.
    frame : LocalFrame, optional
        As :func:`candidates_from_geojson`.

    Returns
    -------
    candidates : list of Candidate
    frame : LocalFrame

    Raises
    ------
    OlfatoError
        For an unreadable file or invalid JSON, naming the file.
    """
    p = Path(path)
    try:
        obj = json.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise OlfatoError(f"{p}: cannot read the sources: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise OlfatoError(f"{p}: not valid JSON: {exc.msg} at line {exc.lineno}") from None
    return candidates_from_geojson(obj, str(p), frame)
