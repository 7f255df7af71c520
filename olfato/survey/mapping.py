"""Declarative mappings: how a vendor's CSV, or a flight log's gas channels, map to a Survey.

A vendor mapping (one small YAML per payload) says, for its CSV: the delimiter,
decimal separator and encoding, how to read its time column, and which header is
which canonical column in which unit. An optional ``wind`` section describes a
separate wind log (``--wind``), keyed by clock time or by flight time since take-off.

A flight-log mapping (ULog, MAVLink .tlog, DataFlash .bin) has only ``channels``:
analyte -> where its values are (a key of the key-value messages, or a topic/field).

Example vendor mapping::

    vendor: Example payload v2
    delimiter: ";"
    decimal: ","
    time: {column: "Fecha/Hora", format: "%d/%m/%Y %H:%M:%S", timezone: America/Hermosillo}
    columns:
      "Latitud (°)": lat
      "Longitud (°)": lon
      "Altura AGL (m)": alt_agl_m
      "CH4 (ppm)": {to: ch4, unit: ppm}
      "Acetona (ppb)": {to: acetone, unit: ppb}
    wind:
      time: {column: "t (s)", format: seconds_since_takeoff}
      columns:
        "Vel. viento (km/h)": {to: wind_speed_ms, unit: km/h}
        "Dir. viento (°)": wind_dir_deg
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from olfato.errors import SurveyError
from olfato.physics.analytes import UNIT_TO_PPB
from olfato.survey.model import NAV_COLUMNS

#: factors to the canonical unit of navigation columns
NAV_UNITS: dict[str, dict[str, float]] = {
    "wind_speed_ms": {"m/s": 1.0, "km/h": 1 / 3.6, "kn": 1852 / 3600, "mph": 0.44704},
    "alt_agl_m": {"m": 1.0, "ft": 0.3048},
    "lat": {"deg": 1.0},
    "lon": {"deg": 1.0},
    "wind_dir_deg": {"deg": 1.0},
}
TIME_FORMATS = ("iso8601", "epoch_s", "epoch_ms", "seconds_since_takeoff")


_M = TypeVar("_M", bound=BaseModel)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ColumnMap(_Strict):
    to: str
    unit: str | None = None


class TimeMap(_Strict):
    column: str
    format: str = "iso8601"
    """``iso8601``, ``epoch_s``, ``epoch_ms``, ``seconds_since_takeoff`` or a strptime format"""
    timezone: str | None = None
    """IANA zone or fixed offset for clock times written without one"""
    takeoff: str | None = None
    """ISO 8601 take-off time, for ``seconds_since_takeoff`` (default: the survey's start)"""


class TableMap(_Strict):
    delimiter: str = ","
    decimal: str = "."
    encoding: str = "utf-8-sig"
    time: TimeMap
    columns: dict[str, ColumnMap]

    @field_validator("columns", mode="before")
    @classmethod
    def _short_form(cls, v: object) -> object:
        if isinstance(v, dict):
            return {k: {"to": t} if isinstance(t, str) else t for k, t in v.items()}
        return v

    @field_validator("columns")
    @classmethod
    def _known_targets(cls, v: dict[str, ColumnMap]) -> dict[str, ColumnMap]:
        for header, c in v.items():
            if c.to in NAV_UNITS:
                units = NAV_UNITS[c.to]
                if c.unit is not None and c.unit not in units:
                    raise ValueError(
                        f"column {header!r}: unit {c.unit!r} for {c.to} is not one of "
                        f"{', '.join(units)}"
                    )
            elif c.to in ("time", "stability_class"):
                continue
            elif c.unit is None or c.unit not in UNIT_TO_PPB:
                raise ValueError(
                    f"column {header!r}: gas channel {c.to!r} needs unit ppm or ppb "
                    f"(got {c.unit!r})"
                )
        return v


class WindMap(TableMap):
    max_gap_s: float = Field(5.0, gt=0)
    """a survey sample farther than this from any wind sample gets no wind (dropped)"""


class VendorMapping(TableMap):
    vendor: str = "unnamed vendor"
    wind: WindMap | None = None


class ChannelSource(_Strict):
    key: str | None = None
    """name in key-value messages (ULog debug_key_value, MAVLink NAMED_VALUE_FLOAT)"""
    topic: str | None = None
    """ULog topic / DataFlash message type holding the value in ``field``"""
    field: str | None = None
    instance: int = 0
    unit: Literal["ppm", "ppb"] = "ppb"


class FlightLogMapping(_Strict):
    channels: dict[str, ChannelSource] | Literal["auto"] = "auto"
    """``auto``: every key-value name of the form <analyte>_<ppm|ppb>"""


def _load_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SurveyError(f"cannot read mapping: {exc.strerror}", path=str(path)) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise SurveyError(
            f"not valid YAML: {getattr(exc, 'problem', exc)}",
            path=str(path),
            line=mark.line + 1 if mark is not None else None,
        ) from exc


def _pydantic_error(path: Path, exc: ValidationError) -> SurveyError:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return SurveyError(f"mapping field '{where}': {first['msg']}{more}", path=str(path))


def _load_model(path: Path, model: type[_M]) -> _M:
    """A YAML file validated against ``model``; errors name the file and field."""
    data = _load_yaml(path)
    if not isinstance(data, dict):
        raise SurveyError("a mapping is a YAML mapping (key: value)", path=str(path))
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _pydantic_error(path, exc) from exc


def load_vendor_mapping(path: str | Path) -> VendorMapping:
    """Read and check a vendor mapping YAML; errors name the file and field.

    Parameters
    ----------
    path : str or Path
        The mapping YAML.

    Returns
    -------
    VendorMapping
        The checked mapping.

    Raises
    ------
    SurveyError
        When the file cannot be read, is not valid YAML, a field is invalid, or a
        navigation column has no source.
    """
    path = Path(path)
    mapping = _load_model(path, VendorMapping)
    targets = [c.to for c in mapping.columns.values()]
    missing = [c for c in NAV_COLUMNS if c != "time" and c not in targets]
    if mapping.wind is not None:
        missing = [c for c in missing if c not in [w.to for w in mapping.wind.columns.values()]]
    if missing:
        raise SurveyError(
            f"mapping gives no column for {', '.join(missing)}",
            path=str(path),
            hint="Map a header to each of lat, lon, alt_agl_m, wind_speed_ms, wind_dir_deg "
            "(wind may come from the 'wind' section and --wind).",
        )
    return mapping


def load_flight_log_mapping(path: str | Path | None) -> FlightLogMapping:
    """Read a flight-log gas mapping; ``None`` gives the documented default (``auto``).

    Parameters
    ----------
    path : str or Path or None
        The mapping YAML, or None for the default.

    Returns
    -------
    FlightLogMapping
        The checked mapping.

    Raises
    ------
    SurveyError
        When the file cannot be read, is not valid YAML, or a field is invalid (a
        channel needs either ``key``, or ``topic`` and ``field``).
    """
    if path is None:
        return FlightLogMapping()
    path = Path(path)
    mapping = _load_model(path, FlightLogMapping)
    if isinstance(mapping.channels, dict):
        for analyte, src in mapping.channels.items():
            if (src.key is None) == (src.topic is None) or (src.topic and not src.field):
                raise SurveyError(
                    f"mapping field 'channels.{analyte}': give either key, or topic and field",
                    path=str(path),
                )
    return mapping
