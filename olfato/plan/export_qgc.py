"""QGroundControl mission files (.plan): write one per sortie, and read them back.

The format is QGroundControl's "Plan File Format" (QGC developer guide,
docs/en/qgc-dev-guide/file_formats/plan.md in github.com/mavlink/qgroundcontrol),
checked against a plan saved by QGroundControl itself (MAVSDK's
src/mavsdk/plugins/mission_raw/test_plans/qgroundcontrol_sample.plan)::

    {"fileType": "Plan", "version": 1, "groundStation": "QGroundControl",
     "mission": {"version": 2, "firmwareType": 12, "vehicleType": 2,
                 "cruiseSpeed": .., "hoverSpeed": .., "globalPlanAltitudeMode": 1,
                 "plannedHomePosition": [lat, lon, alt_amsl],
                 "items": [SimpleItem, ...]},
     "geoFence": {"version": 2, "circles": [], "polygons": [...]},
     "rallyPoints": {"version": 2, "points": []}}

Each ``SimpleItem`` is one MAVLink MISSION_ITEM: ``command`` (MAV_CMD), ``frame``
(MAV_FRAME), ``params`` = param1..4, latitude, longitude, altitude, ``autoContinue``,
``doJumpId`` (numbered from 1) and, for items with a position, ``Altitude``,
``AltitudeMode`` (QGroundControl's AltMode enum: 1 = relative to home) and
``AMSLAltAboveTerrain`` (null: no terrain data). A sortie becomes
MAV_CMD_NAV_TAKEOFF (22) at the home point, one MAV_CMD_NAV_WAYPOINT (16) per
waypoint, both in MAV_FRAME_GLOBAL_RELATIVE_ALT (3), then
MAV_CMD_NAV_RETURN_TO_LAUNCH (20) in MAV_FRAME_MISSION (2), as QGroundControl writes
it. Yaw (param4) is null: the vehicle keeps its default heading behaviour. No-fly
zones go into the geofence as exclusion polygons.
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
from olfato.output import writing
from olfato.plan.area import Area
from olfato.plan.sortie import Sortie

F64 = NDArray[np.float64]

MAV_CMD_NAV_WAYPOINT = 16
MAV_CMD_NAV_RETURN_TO_LAUNCH = 20
MAV_CMD_NAV_TAKEOFF = 22
MAV_FRAME_MISSION = 2
MAV_FRAME_GLOBAL_RELATIVE_ALT = 3
#: QGroundControlQmlGlobal::AltMode: AltitudeModeRelative
ALTITUDE_MODE_RELATIVE = 1
#: MAV_AUTOPILOT_PX4
FIRMWARE_PX4 = 12
#: MAV_TYPE_QUADROTOR
VEHICLE_QUADROTOR = 2


def _item(
    jump_id: int, command: int, lat: float, lon: float, alt: float, params4: list[Any]
) -> dict[str, Any]:
    return {
        "AMSLAltAboveTerrain": None,
        "Altitude": round(alt, 2),
        "AltitudeMode": ALTITUDE_MODE_RELATIVE,
        "autoContinue": True,
        "command": command,
        "doJumpId": jump_id,
        "frame": MAV_FRAME_GLOBAL_RELATIVE_ALT,
        "params": [*params4, round(lat, 8), round(lon, 8), round(alt, 2)],
        "type": "SimpleItem",
    }


def plan_dict(
    sortie: Sortie,
    no_fly: list[Area] | None = None,
    home_amsl_m: float = 0.0,
    firmware_type: int = FIRMWARE_PX4,
    vehicle_type: int = VEHICLE_QUADROTOR,
) -> dict[str, Any]:
    """The .plan JSON object of one sortie (module docstring).

    Parameters
    ----------
    sortie : Sortie
        The flight.
    no_fly : sequence of Area
        Zones written as geofence exclusion polygons.
    home_amsl_m : float
        The home point's height above mean sea level [m] (only shown by
        QGroundControl before a vehicle connects; altitudes fly relative to home).
    firmware_type, vehicle_type : int
        MAVLink MAV_AUTOPILOT and MAV_TYPE codes.

    Returns
    -------
    dict
        The .plan document.
    """
    h_lat, h_lon = sortie.home_wgs84()
    lat, lon = sortie.waypoints_wgs84()
    alt = float(sortie.altitude_m)
    items = [_item(1, MAV_CMD_NAV_TAKEOFF, h_lat, h_lon, alt, [0, 0, 0, None])]
    for k, (la, lo) in enumerate(zip(lat, lon, strict=True), start=2):
        items.append(_item(k, MAV_CMD_NAV_WAYPOINT, float(la), float(lo), alt, [0, 0, 0, None]))
    items.append(
        {
            "autoContinue": True,
            "command": MAV_CMD_NAV_RETURN_TO_LAUNCH,
            "doJumpId": len(items) + 1,
            "frame": MAV_FRAME_MISSION,
            "params": [0, 0, 0, 0, 0, 0, 0],
            "type": "SimpleItem",
        }
    )
    polygons = []
    for zone in no_fly or []:
        for ring in zone.in_frame(sortie.frame).wgs84_rings():
            polygons.append(
                {
                    "inclusion": False,
                    "polygon": [[round(float(a), 8), round(float(b), 8)] for a, b in ring],
                    "version": 1,
                }
            )
    return {
        "fileType": "Plan",
        "geoFence": {"circles": [], "polygons": polygons, "version": 2},
        "groundStation": "QGroundControl",
        "mission": {
            "cruiseSpeed": float(sortie.speed_ms),
            "firmwareType": firmware_type,
            "globalPlanAltitudeMode": ALTITUDE_MODE_RELATIVE,
            "hoverSpeed": float(sortie.speed_ms),
            "items": items,
            "plannedHomePosition": [round(h_lat, 8), round(h_lon, 8), float(home_amsl_m)],
            "vehicleType": vehicle_type,
            "version": 2,
        },
        "rallyPoints": {"points": [], "version": 2},
        "version": 1,
    }


def plan_paths(path: str | Path, n: int) -> list[Path]:
    """File names for the sorties of one plan.

    Parameters
    ----------
    path : str or Path
        What the user asked for.
    n : int
        Number of sorties.

    Returns
    -------
    list of Path
        ``path`` itself for one sortie, ``stem_1.plan``, ``stem_2.plan``... for more.
    """
    p = Path(path)
    if n == 1:
        return [p]
    return [p.with_name(f"{p.stem}_{k}{p.suffix or '.plan'}") for k in range(1, n + 1)]


def write_qgc_plan(
    sorties: Sortie | list[Sortie],
    path: str | Path,
    no_fly: list[Area] | None = None,
    home_amsl_m: float = 0.0,
) -> list[Path]:
    """Write one QGroundControl .plan per sortie.

    Parameters
    ----------
    sorties : Sortie or sequence of Sortie
        The flights.
    path : str or Path
        The file, or the stem for several (:func:`plan_paths`).
    no_fly : sequence of Area, optional
        Zones written as geofence exclusions.
    home_amsl_m : float
        Height of the home point above mean sea level [m].

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    OlfatoError
        For an empty plan, or a file that cannot be written (naming it).
    """
    items = [sorties] if isinstance(sorties, Sortie) else list(sorties)
    if not items:
        raise OlfatoError("no sortie to write: the plan is empty")
    paths = plan_paths(path, len(items))
    for sortie, p in zip(items, paths, strict=True):
        with writing(p, "plan"):
            text = json.dumps(plan_dict(sortie, no_fly, home_amsl_m), indent=4)
            p.write_text(text + "\n", encoding="utf-8")
    return paths


@dataclass
class QgcMission:
    """What a .plan holds, as flown: home, take-off, waypoints, return to launch.

    ``home``: (lat, lon, alt AMSL) [deg, deg, m]; ``waypoints``: (k, 3) lat, lon
    [deg] and altitude [m] of the take-off and waypoint items in order (relative to
    home); ``commands``, ``frames``: of every item; ``cruise_speed_ms`` [m/s].
    """

    home: tuple[float, float, float]
    waypoints: F64
    commands: list[int]
    frames: list[int]
    cruise_speed_ms: float
    firmware_type: int
    vehicle_type: int
    exclusion_zones: list[F64]


def read_qgc_plan(path: str | Path) -> QgcMission:
    """Read a QGroundControl .plan (SimpleItems only).

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    QgcMission
        Its waypoints [lat, lon, alt] and exclusion zones.

    Raises
    ------
    OlfatoError
        When the file is not a readable .plan, naming it.
    """
    p = Path(path)
    try:
        obj = json.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise OlfatoError(f"{p}: cannot read the plan: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise OlfatoError(f"{p}: not a QGroundControl plan (invalid JSON: {exc.msg})") from None
    if not isinstance(obj, dict) or obj.get("fileType") != "Plan":
        raise OlfatoError(f"{p}: not a QGroundControl plan (fileType is not 'Plan')")
    if obj.get("version") != 1:
        raise OlfatoError(f"{p}: unsupported plan file version {obj.get('version')!r}; need 1")
    mission = obj.get("mission")
    if not isinstance(mission, dict) or mission.get("version") != 2:
        raise OlfatoError(f"{p}: field 'mission' missing or not mission version 2")
    items = mission.get("items")
    if not isinstance(items, list) or not items:
        raise OlfatoError(f"{p}: field 'mission.items' is empty; a plan needs mission items")
    home = mission.get("plannedHomePosition")
    if not (isinstance(home, list) and len(home) == 3):
        raise OlfatoError(f"{p}: field 'mission.plannedHomePosition' is not [lat, lon, alt]")
    wps, commands, frames = [], [], []
    for k, it in enumerate(items, start=1):
        if not isinstance(it, dict) or it.get("type") != "SimpleItem":
            raise OlfatoError(
                f"{p}: mission item {k} is not a SimpleItem (complex items are not supported)"
            )
        params = it.get("params")
        if not (isinstance(params, list) and len(params) == 7):
            raise OlfatoError(f"{p}: mission item {k}: 'params' must hold 7 values")
        commands.append(int(it["command"]))
        frames.append(int(it["frame"]))
        if it["command"] in (MAV_CMD_NAV_TAKEOFF, MAV_CMD_NAV_WAYPOINT):
            lat, lon, alt = (float(v) if v is not None else math.nan for v in params[4:7])
            wps.append((lat, lon, alt))
    zones = []
    fence = obj.get("geoFence") or {}
    for poly in fence.get("polygons") or []:
        if not poly.get("inclusion", True):
            zones.append(np.asarray(poly["polygon"], dtype=float))
    return QgcMission(
        home=(float(home[0]), float(home[1]), float(home[2])),
        waypoints=np.asarray(wps, dtype=float).reshape(-1, 3),
        commands=commands,
        frames=frames,
        cruise_speed_ms=float(mission.get("cruiseSpeed", math.nan)),
        firmware_type=int(mission.get("firmwareType", 0)),
        vehicle_type=int(mission.get("vehicleType", 0)),
        exclusion_zones=zones,
    )
