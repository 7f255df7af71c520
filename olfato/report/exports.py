"""A case's candidates as GeoJSON, KML and CSV, for GIS tools and partners.

GeoJSON (RFC 7946, [lon, lat]): per source a Point with the Sources GeoJSON
contract's properties (with ``probability_exists`` and ``p_suspect``) and a Polygon of
its 95% ellipse; per hit a Point. KML: the ellipses as polygons and the sources as
points, styled by category (suspect red, benign blue), and each detection (a plume
seen, not located) as a purple point with the wedge it came from; descriptions give
both probabilities. CSV: one row per source. Every file carries :data:`olfato.CAVEAT`.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import numpy as np

from olfato import CAVEAT
from olfato.output.kml import KmlDocument, Style
from olfato.report.geometry import source_ellipse_wgs84
from olfato.store import models as m
from olfato.store.cases import CaseView
from olfato.survey.projection import LocalFrame


def _source_properties(sv_name: str, src: m.Source) -> dict[str, Any]:
    return {
        "id": src.label,
        "survey": sv_name,
        "rate_g_s": src.rate[0],
        "rate_ci95_g_s": [src.rate[1], src.rate[2]],
        "analyte": src.analyte,
        "ellipse95_m": {
            "semi_major": round(src.region[0], 2),
            "semi_minor": round(src.region[1], 2),
            "azimuth_deg": round(src.region[2], 1),
        },
        "signature": src.signature,
        "signature_probabilities": dict(src.signature_probabilities),
        "suspect": bool(src.suspect),
        "category": "suspect" if src.suspect else "benign",
        "n_hits": src.n_hits,
        "height_m": src.height_m,
        "probability_exists": src.probability_exists,
        "p_suspect": src.p_suspect,
    }


def case_geojson(view: CaseView) -> dict[str, Any]:
    """FeatureCollection: sources (points), their 95% ellipses (polygons) and the hits.

    Parameters
    ----------
    view : CaseView
        The case as :func:`olfato.store.cases.load_case` read it.

    Returns
    -------
    dict
        RFC 7946 FeatureCollection, coordinates ``[lon, lat]`` [deg]; each feature's
        ``feature`` property is ``source``, ``ellipse95`` or ``hit``; the collection's
        properties carry the case name and the caveat.
    """
    features: list[dict[str, Any]] = []
    for sv, src in view.sources:
        props = _source_properties(sv.survey.name, src)
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [src.lon, src.lat]},
                "properties": {**props, "feature": "source"},
            }
        )
        lat, lon = source_ellipse_wgs84(src, sv.survey)
        ring = [[float(x), float(y)] for x, y in zip(lon, lat, strict=True)]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {**props, "feature": "ellipse95"},
            }
        )
    for sv in view.surveys:
        for h in sv.hits:
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [h.lon, h.lat]},
                    "properties": {
                        "feature": "hit",
                        "survey": sv.survey.name,
                        "id": h.number,
                        "peak_time": h.properties.get("peak_time"),
                        "snr": h.snr,
                        "signature": h.signature,
                        "suspect": h.suspect,
                    },
                }
            )
    return {
        "type": "FeatureCollection",
        "properties": {"case": view.case.name, "caveat": CAVEAT},
        "features": features,
    }


def geojson_bytes(view: CaseView) -> bytes:
    """The case's candidates as a GeoJSON file's content (see :func:`case_geojson`).

    Parameters
    ----------
    view : CaseView
        The case as :func:`olfato.store.cases.load_case` read it.

    Returns
    -------
    bytes
        UTF-8 JSON.
    """
    return json.dumps(case_geojson(view), indent=1, allow_nan=False).encode()


_STYLES = {
    "suspect": ("ff2b39c0", "402b39c0"),
    "benign": ("ffa37124", "40a37124"),
    "detection": ("ff983c7d", "40983c7d"),
}
#: length [m] of a detection's wedge lines in the KML: the direction is known, the
#: distance is not (the source may lie farther)
WEDGE_REACH_M = 300.0


def _probabilities(src: m.Source) -> str:
    def pct(x: float | None) -> str:
        return "-" if x is None else f"{x:.0%}"

    return f"P(exists) {pct(src.probability_exists)}, P(suspect signature) {pct(src.p_suspect)}"


def detection_wedge_wgs84(
    det: m.Source, survey: m.Survey, reach_m: float = WEDGE_REACH_M
) -> list[list[list[float]]]:
    """A detection's wedge as three lines [[lon, lat], ...] [deg] from its crossing.

    Parameters
    ----------
    det : olfato.store.models.Source
        A detection: crossing ``east_m``/``north_m`` [m], ``bearing_deg`` (FROM,
        clockwise from north) and ``wedge_deg`` (half-width) [deg].
    survey : olfato.store.models.Survey
        Its survey, whose ``lat0``/``lon0`` [deg] anchor the local frame.
    reach_m : float, default WEDGE_REACH_M
        Length of each line [m].

    Returns
    -------
    list
        The left edge, the bearing and the right edge, each ``[[lon, lat], [lon, lat]]``
        [deg]; empty when the detection has no bearing.
    """
    if det.bearing_deg is None:
        return []
    frame = LocalFrame(survey.lat0, survey.lon0)
    half = float(det.wedge_deg or 0.0)
    lines = []
    for off in (-half, 0.0, half):
        b = np.deg2rad(det.bearing_deg + off)
        e = np.array([det.east_m, det.east_m + reach_m * np.sin(b)])
        n = np.array([det.north_m, det.north_m + reach_m * np.cos(b)])
        lat, lon = frame.to_wgs84(e, n)
        lines.append([[float(lon[0]), float(lat[0])], [float(lon[1]), float(lat[1])]])
    return lines


def kml_bytes(view: CaseView) -> bytes:
    """KML 2.2: the source points and 95% ellipse polygons, styled by category, and
    each detection (a plume seen, not located) as a point at its crossing with the
    wedge it came from (lines, style ``detection``); every description states the
    probability that it exists and that its signature is suspect.

    Written by :mod:`olfato.output.kml`, the one KML writer.

    Parameters
    ----------
    view : CaseView
        The case as :func:`olfato.store.cases.load_case` read it.

    Returns
    -------
    bytes
        UTF-8 KML; coordinates [deg] with 7 decimals.
    """
    styles = [
        Style(cat, line_color=line, line_width=2, poly_color=fill, icon_color=line)
        for cat, (line, fill) in _STYLES.items()
    ]
    doc = KmlDocument(view.case.name, description=CAVEAT, styles=styles, digits=7)
    for sv, src in view.sources:
        cat = "suspect" if src.suspect else "benign"
        p = src.signature_probabilities.get(src.signature, 0.0)
        desc = (
            f"{src.signature} ({p:.1%}); {src.analyte} {src.rate[0]:.3g} g/s "
            f"[{src.rate[1]:.3g}, {src.rate[2]:.3g}]; {_probabilities(src)}; "
            f"survey {sv.survey.name}. {CAVEAT}"
        )
        point = {"type": "Point", "coordinates": [src.lon, src.lat, 0.0]}
        doc.placemark(None, src.label, point, description=desc, style=cat)
        lat, lon = source_ellipse_wgs84(src, sv.survey)
        ring = [[float(x), float(y), 0.0] for x, y in zip(lon, lat, strict=True)]
        polygon = {"type": "Polygon", "coordinates": [ring]}
        doc.placemark(None, f"{src.label} 95%", polygon, description=desc, style=cat)
    for sv in view.surveys:
        for det in sv.detections:
            came = (
                f"it came from {det.bearing_deg:.0f} deg +- {det.wedge_deg or 0.0:.0f} deg "
                "(distance unknown)"
                if det.bearing_deg is not None
                else "the direction it came from is unknown"
            )
            desc = (
                f"Detection: a plume seen but not located; {came}. {det.signature}; "
                f"{_probabilities(det)}; never suspect; "
                f"survey {sv.survey.name}. {CAVEAT}"
            )
            point = {"type": "Point", "coordinates": [det.lon, det.lat, 0.0]}
            doc.placemark(None, det.label, point, description=desc, style="detection")
            wedge = detection_wedge_wgs84(det, sv.survey)
            if wedge:
                lines = {"type": "MultiLineString", "coordinates": wedge}
                doc.placemark(
                    None, f"{det.label} wedge", lines, description=desc, style="detection"
                )
    return doc.to_bytes()


CSV_COLUMNS = (
    "survey",
    "id",
    "lat",
    "lon",
    "semi_major_m",
    "semi_minor_m",
    "azimuth_deg",
    "analyte",
    "rate_g_s",
    "rate_lo_g_s",
    "rate_hi_g_s",
    "signature",
    "probability",
    "suspect",
    "n_hits",
)


def csv_bytes(view: CaseView) -> bytes:
    """One row per candidate source; a comment line first with the caveat.

    Parameters
    ----------
    view : CaseView
        The case as :func:`olfato.store.cases.load_case` read it.

    Returns
    -------
    bytes
        UTF-8 CSV with the columns of :data:`CSV_COLUMNS`: positions [deg], ellipse
        semi-axes [m] and azimuth [deg], rates [g/s], best signature's probability [-].
    """
    out = io.StringIO()
    out.write(f"# {CAVEAT}\n")
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for sv, src in view.sources:
        w.writerow(
            [
                sv.survey.name,
                src.label,
                f"{src.lat:.7f}",
                f"{src.lon:.7f}",
                f"{src.semi_major_m:.1f}",
                f"{src.semi_minor_m:.1f}",
                f"{src.azimuth_deg:.1f}",
                src.analyte,
                f"{src.rate_g_s:.6g}",
                f"{src.rate_lo_g_s:.6g}",
                f"{src.rate_hi_g_s:.6g}",
                src.signature,
                f"{src.signature_probabilities.get(src.signature, 0.0):.4f}",
                str(bool(src.suspect)).lower(),
                src.n_hits,
            ]
        )
    return out.getvalue().encode()


EXPORTERS = {"geojson": geojson_bytes, "kml": kml_bytes, "csv": csv_bytes}
