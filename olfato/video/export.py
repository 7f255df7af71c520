"""Footprints and tracks as GeoJSON (RFC 7946, [lon, lat]) and KML 2.2, for QGIS and Google Earth.

Footprints: one Polygon Feature per sampled frame (corners 1-2-3-4 closed; properties
``frame``, ``t_s``, ``time`` ISO 8601 UTC, ``source``), the platform's track as a
LineString (``role: "platform"``) and, when known, the frame centres' track
(``role: "frame centre"``). Tracks: one LineString Feature per ground track with
``id``, ``label``, ``start``/``end`` (ISO 8601 UTC or seconds from the video start),
``duration_s``, ``distance_m``, ``mean_speed_ms``, ``heading_deg`` (overall, clockwise
from north), ``points`` and, per vertex, ``times_s``. KML is written from the same
FeatureCollection with the project's KML writer (:mod:`olfato.output.kml`), one
Placemark per Feature, so the two files always hold the same things.
"""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from olfato import CAVEAT
from olfato.output import writing
from olfato.output.kml import KML_NS, KmlDocument, Style
from olfato.video.geolocate import GroundTrack
from olfato.video.metadata import FrameGeometry


def iso_time(time_us: float) -> str | None:
    """ISO 8601 UTC of a MISP time.

    Parameters
    ----------
    time_us : float
        Microseconds since 1970-01-01 UTC; NaN when unknown.

    Returns
    -------
    str or None
    """
    if not math.isfinite(time_us):
        return None
    return datetime.fromtimestamp(time_us / 1e6, tz=UTC).isoformat().replace("+00:00", "Z")


def _r(v: float) -> float:
    return round(float(v), 8)


def footprints_geojson(
    geometry: FrameGeometry, *, every_s: float = 1.0, name: str = ""
) -> dict[str, Any]:
    """Footprints every ``every_s`` seconds, the platform track and the frame-centre track.

    Parameters
    ----------
    geometry : FrameGeometry
        Per-frame footprints.
    every_s : float
        One footprint every so many seconds (and the last frame's) [s].
    name : str
        The collection's name.

    Returns
    -------
    dict
        A GeoJSON FeatureCollection (module docstring).
    """
    g = geometry
    features: list[dict[str, Any]] = []
    ok = np.flatnonzero(g.has_footprint)
    last = -math.inf
    for i in ok:
        if g.t_s[i] - last < every_s - 1e-9 and i != ok[-1]:
            continue
        last = g.t_s[i]
        ring = [[_r(g.corners_lon[i, k]), _r(g.corners_lat[i, k])] for k in (0, 1, 2, 3, 0)]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {
                    "role": "footprint",
                    "frame": int(i),
                    "t_s": round(float(g.t_s[i]), 3),
                    "time": iso_time(g.time_us[i]),
                    "source": str(g.source[i]),
                },
            }
        )
    for role, la, lo in (
        ("platform", g.sensor_lat, g.sensor_lon),
        ("frame centre", g.center_lat, g.center_lon),
    ):
        sel = np.isfinite(la) & np.isfinite(lo)
        if sel.sum() >= 2:
            features.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "LineString",
                        "coordinates": [
                            [_r(a), _r(b)] for b, a in zip(la[sel], lo[sel], strict=True)
                        ],
                    },
                    "properties": {
                        "role": role,
                        "frames": int(sel.sum()),
                        "start": iso_time(g.time_us[sel][0]),
                        "end": iso_time(g.time_us[sel][-1]),
                    },
                }
            )
    return {
        "type": "FeatureCollection",
        "name": name or "video footprints",
        "properties": {"caveat": CAVEAT},
        "features": features,
    }


def _when(tr: GroundTrack, k: int) -> str | float:
    iso = iso_time(tr.time_us[k])
    return iso if iso is not None else round(float(tr.t_s[k]), 3)


def tracks_geojson(tracks: Sequence[GroundTrack], *, name: str = "") -> dict[str, Any]:
    """One LineString per track that has at least two ground points.

    Parameters
    ----------
    tracks : sequence of GroundTrack
        Tracks on the ground.
    name : str
        The collection's name.

    Returns
    -------
    dict
        A GeoJSON FeatureCollection (module docstring).
    """
    features = []
    for tr in tracks:
        if tr.t_s.size < 2:
            continue
        de, dn = tr.east_m[-1] - tr.east_m[0], tr.north_m[-1] - tr.north_m[0]
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[_r(b), _r(a)] for a, b in zip(tr.lat, tr.lon, strict=True)],
                },
                "properties": {
                    "role": "track",
                    "id": tr.id,
                    "label": tr.label,
                    "start": _when(tr, 0),
                    "end": _when(tr, -1),
                    "duration_s": round(tr.duration_s, 2),
                    "distance_m": round(tr.distance_m, 1),
                    "mean_speed_ms": round(tr.mean_speed_ms, 2)
                    if math.isfinite(tr.mean_speed_ms)
                    else None,
                    "heading_deg": round(math.degrees(math.atan2(de, dn)) % 360, 1),
                    "points": int(tr.t_s.size),
                    "times_s": [round(float(t), 3) for t in tr.t_s],
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "name": name or "video tracks",
        "properties": {"caveat": CAVEAT},
        "features": features,
    }


_STYLES = {
    "footprint": "footprint",
    "platform": "platform",
    "frame centre": "centre",
    "track": "track",
}


def kml_tree(fc: dict[str, Any]) -> ET.ElementTree:
    """A KML document with one Placemark per Feature of ``fc`` (Polygon or LineString).

    Written with :class:`olfato.output.kml.KmlDocument`, the project's KML writer; a
    Feature with a time gets a ``<TimeStamp>`` (footprints) or ``<TimeSpan>`` (tracks),
    KML 2.2 sec. 15.2-15.3, so Google Earth's and QGIS's time sliders play them.

    Parameters
    ----------
    fc : dict
        A FeatureCollection from :func:`footprints_geojson` or :func:`tracks_geojson`.

    Returns
    -------
    xml.etree.ElementTree.ElementTree
    """
    doc = KmlDocument(
        str(fc.get("name", "olfato video")),
        description=CAVEAT,
        styles=[
            Style("footprint", line_color="ff00ffff", line_width=1, poly_color="2200ffff"),
            Style("platform", line_color="ff00a5ff", line_width=2),
            Style("centre", line_color="ff888888", line_width=1),
            Style("track", line_color="ff0000ff", line_width=3),
        ],
    )
    for f in fc["features"]:
        props = f.get("properties", {})
        role = props.get("role", "")
        label = props.get("label")
        title = {
            "footprint": f"frame {props.get('frame')}",
            "track": f"track {props.get('id')}" + (f" ({label})" if label else ""),
        }.get(role, role)
        desc = ", ".join(
            f"{k}: {v}" for k, v in props.items() if k not in ("times_s", "role") and v is not None
        )
        pm = doc.placemark(
            None, title, f["geometry"], description=desc, style=_STYLES.get(role, "track")
        )
        when = props.get("time") or props.get("start")
        if isinstance(when, str):
            if role == "track" and isinstance(props.get("end"), str):
                prim = ET.Element(f"{{{KML_NS}}}TimeSpan")
                ET.SubElement(prim, f"{{{KML_NS}}}begin").text = when
                ET.SubElement(prim, f"{{{KML_NS}}}end").text = props["end"]
            else:
                prim = ET.Element(f"{{{KML_NS}}}TimeStamp")
                ET.SubElement(prim, f"{{{KML_NS}}}when").text = when
            # KML 2.2 orders a Feature's children: name, description, time, style, geometry
            at = next(i for i, el in enumerate(pm) if el.tag == f"{{{KML_NS}}}styleUrl")
            pm.insert(at, prim)
    return doc.tree()


def write_features(fc: dict[str, Any], path: str | Path) -> Path:
    """Write ``fc`` as GeoJSON (``.geojson``/``.json``) or KML (``.kml``), by the suffix.

    Parameters
    ----------
    fc : dict
        A FeatureCollection.
    path : path
        Where to write.

    Returns
    -------
    Path

    Raises
    ------
    ValueError
        Another suffix.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in (".geojson", ".json", ".kml"):
        raise ValueError(f"path must end in .geojson, .json or .kml, not {p.name!r}")
    with writing(p, "GeoJSON" if suffix != ".kml" else "KML") as out:
        if suffix == ".kml":
            tree = kml_tree(fc)
            ET.register_namespace("", KML_NS)  # see olfato.output.kml._default_namespace
            tree.write(out, encoding="UTF-8", xml_declaration=True)
        else:
            out.write_text(json.dumps(fc, indent=1), encoding="utf-8")
    return p
