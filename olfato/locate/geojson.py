"""Sources as GeoJSON (RFC 7946): the Sources contract of docs/DESIGN.md.

A FeatureCollection with one Point feature [lon, lat] per source. Properties, as
the contract requires: ``id``, ``rate_g_s``, ``rate_ci95_g_s`` [low, high],
``analyte``, ``ellipse95_m`` {semi_major, semi_minor, azimuth_deg},
``signature``, ``signature_probabilities``, ``suspect``, ``n_hits``, ``kind``
("source"), ``probability_exists``, ``warnings``; and extras: ``p_suspect`` (the
probability of a suspect signature), ``crlb_m`` (Cramer-Rao bound on the RMS
position error [m]), ``east_m``, ``north_m``, ``height_m``, ``hit_ids``, ``mixture``.
A source's ``rate_g_s`` is the rate while it emits: for one that may cook in batches,
averaged over how it may (:mod:`olfato.locate.batches`), so its interval reaches up.
A crossing of overlapping plumes is listed in the ``hit_ids`` of each source whose
plume it crossed (:func:`olfato.locate.multisource.mixed_crossings`), so two sources'
``hit_ids`` may share a hit and ``n_hits`` may add up to more than the hits.

Then one Point feature per detection (a plume seen but not located), at its
strongest crossing: ``kind`` "detection", ``bearing_deg`` (the direction the plume
came FROM, clockwise from north) and ``wedge_deg`` (the wedge's half-width);
``rate_g_s``, ``rate_ci95_g_s`` and ``ellipse95_m`` null, ``suspect`` false. A
detection not located still has a broad posterior, which ``olfato plan next`` needs
to plan a flight that would locate it; it is given as extras, named apart from a
source's so that no reader takes it for a located region: ``search_centre``
[lon, lat] (the posterior mean), ``search_ellipse95_m`` {semi_major, semi_minor,
azimuth_deg} (its 95% region), ``search_rate_g_s`` and ``search_rate_ci95_g_s``
(the rate its crossings read, median and 95% interval) and ``search_height_m``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from olfato import CAVEAT
from olfato.output import writing

if TYPE_CHECKING:
    from olfato.locate.pipeline import Sources


def _num(x: float, digits: int = 6) -> float | None:
    """JSON-safe number: NaN and infinities become null."""
    x = float(x)
    return round(x, digits) if math.isfinite(x) else None


def sources_to_geojson(sources: Sources) -> dict[str, Any]:
    """FeatureCollection of the sources (module docstring).

    Parameters
    ----------
    sources : Sources
        The result of :func:`olfato.locate.locate`.

    Returns
    -------
    dict
        A GeoJSON FeatureCollection [lon, lat in deg].
    """
    features = []
    for s in sources.sources:
        props: dict[str, Any] = {
            "id": s.id,
            "rate_g_s": _num(s.rate_g_s),
            "rate_ci95_g_s": [_num(s.rate_ci95_g_s[0]), _num(s.rate_ci95_g_s[1])],
            "analyte": s.analyte,
            "ellipse95_m": s.ellipse95.as_dict(),
            "signature": s.signature,
            "signature_probabilities": {
                k: round(float(v), 6) for k, v in s.signature_probabilities.items()
            },
            "suspect": bool(s.suspect),
            "n_hits": int(s.n_hits),
            "crlb_m": _num(s.crlb_m, 3),
            "east_m": _num(s.east_m, 2),
            "north_m": _num(s.north_m, 2),
            "height_m": _num(s.height_m, 2),
            "hit_ids": [int(i) for i in s.hit_ids],
            "mixture": {k: round(float(v), 4) for k, v in s.mixture.items()},
            "kind": "source",
            "probability_exists": _num(s.probability_exists, 4),
            "p_suspect": _num(s.p_suspect, 4),
            # the nuisances integrated out: posterior of the stability class, mean wind bias,
            "stability_probabilities": {
                k: round(float(v), 4) for k, v in s.posterior.stability_probs.items()
            },
            "wind_bias_deg": _num(s.posterior.direction_bias_deg, 2),
            # factor on the class's dispersion -> posterior probability (empty: the class's own)
            "dispersion_probabilities": {
                f"{k:g}": round(float(v), 4) for k, v in s.posterior.dispersion_probs.items()
            },
            # transport direction error [deg] -> posterior probability (empty: as set)
            "transport_error_probabilities": {
                f"{k:g}": round(float(v), 4) for k, v in s.posterior.transport_error_probs.items()
            },
            # the plume's travel speed over the logged wind's -> posterior probability
            # (empty: the logged speed)
            "travel_factor_probabilities": {
                f"{k:g}": round(float(v), 4) for k, v in s.posterior.travel_probs.items()
            },
            "warnings": list(s.warnings),
        }
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [_num(s.lon, 8), _num(s.lat, 8)]},
                "properties": props,
            }
        )
    for d in sources.detections:
        search: dict[str, Any] = {}
        if d.posterior is not None:
            post = d.posterior
            lat, lon = sources.survey.frame.to_wgs84([post.mean[0]], [post.mean[1]])
            search = {
                "search_centre": [_num(lon[0], 8), _num(lat[0], 8)],
                "search_ellipse95_m": post.ellipse.as_dict(),
                "search_rate_g_s": _num(post.rate_g_s),
                "search_rate_ci95_g_s": [_num(post.rate_ci95_g_s[0]), _num(post.rate_ci95_g_s[1])],
                "search_height_m": _num(post.height_m, 2),
            }
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [_num(d.lon, 8), _num(d.lat, 8)]},
                "properties": {
                    "id": d.id,
                    "kind": "detection",
                    "rate_g_s": None,
                    "rate_ci95_g_s": None,
                    "analyte": d.analyte,
                    "ellipse95_m": None,
                    "bearing_deg": _num(d.bearing_deg, 1),
                    "wedge_deg": _num(d.wedge_deg, 1),
                    "signature": d.signature,
                    "signature_probabilities": {
                        k: round(float(v), 6) for k, v in d.signature_probabilities.items()
                    },
                    "suspect": False,
                    "n_hits": int(d.n_hits),
                    "probability_exists": _num(d.probability_exists, 4),
                    "p_suspect": _num(d.p_suspect, 4),
                    "east_m": _num(d.east_m, 2),
                    "north_m": _num(d.north_m, 2),
                    "hit_ids": [int(i) for i in d.hit_ids],
                    "warnings": list(d.warnings),
                    **search,
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "properties": {
            "survey": sources.survey.source,
            "n_hits": len(sources.hits),
            "stability": sources.stability,
            "transport": sources.transport,
            "dispersion_model": sources.settings.dispersion_model,
            "sensor_lag_s": dict(sources.lag_s),
            "message": sources.message,
            "thresholds": {
                "min_probability_exists": sources.thresholds.min_probability_exists,
                "min_probability_suspect": sources.thresholds.min_probability_suspect,
                "min_passes": sources.thresholds.min_passes,
            },
            "caveat": CAVEAT,
            "warnings": list(sources.warnings),
        },
        "features": features,
    }


def write_geojson(sources: Sources, path: str | Path) -> Path:
    """Write :func:`sources_to_geojson` to ``path``; :class:`OlfatoError` if it cannot.

    Parameters
    ----------
    sources : Sources
        The result of :func:`olfato.locate.locate`.
    path : str or Path
        The file to write.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    OlfatoError
        When the file cannot be written.
    """
    with writing(path, "sources GeoJSON") as p:
        text = json.dumps(sources_to_geojson(sources), indent=1)
        p.write_text(text + "\n", encoding="utf-8")
    return p
