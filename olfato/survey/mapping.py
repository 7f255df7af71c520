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

import codecs
import re
from pathlib import Path
from typing import Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from olfato.errors import SurveyError
from olfato.physics.analytes import KNOWN_ANALYTES, UNIT_TO_PPB

#: factors to the canonical unit of navigation columns
NAV_UNITS: dict[str, dict[str, float]] = {
    "wind_speed_ms": {"m/s": 1.0, "km/h": 1 / 3.6, "kn": 1852 / 3600, "mph": 0.44704},
    "alt_agl_m": {"m": 1.0, "ft": 0.3048},
    "lat": {"deg": 1.0},
    "lon": {"deg": 1.0},
    "wind_dir_deg": {"deg": 1.0},
}
#: unit spellings found inside cells (``6.6 m``, ``203°``, ``12 km/h``) -> the canonical
#: unit of :data:`NAV_UNITS` / the gas unit they mean
UNIT_SPELLINGS: dict[str, str] = {
    "m": "m",
    "ft": "ft",
    "m/s": "m/s",
    "ms": "m/s",
    "mps": "m/s",
    "km/h": "km/h",
    "kmh": "km/h",
    "kph": "km/h",
    "kn": "kn",
    "kt": "kn",
    "kts": "kn",
    "knots": "kn",
    "mph": "mph",
    "°": "deg",
    "º": "deg",
    "deg": "deg",
    "ppm": "ppm",
    "ppb": "ppb",
}
TIME_FORMATS = ("iso8601", "epoch_s", "epoch_ms", "seconds_since_takeoff", "flight_time")
#: formats that count time from take-off (``flight_time`` reads ``MMm SSs``, ``MM:SS``,
#: ``HH:MM:SS(.f)`` or plain seconds)
FLIGHT_TIME_FORMATS = ("seconds_since_takeoff", "flight_time")
#: named groups a clock ``regex`` may have; year, month, day, hour, minute, second needed
REGEX_GROUPS = ("year", "month", "day", "hour", "minute", "second", "fraction")
#: strptime directives pandas understands
_STRPTIME = set("aAwdbBmyYHIpMSfzZjUWcxXGuV%")
#: deepest bracket nesting a mapping may have (PyYAML recurses once per level)
MAX_NESTING = 64
#: largest mapping file read [bytes]
MAX_MAPPING_BYTES = 1 << 20


_M = TypeVar("_M", bound=BaseModel)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ColumnMap(_Strict):
    to: str
    unit: str | None = None


class TimeMap(_Strict):
    column: str
    format: str = "iso8601"
    """``iso8601``, ``epoch_s``, ``epoch_ms``, ``seconds_since_takeoff``, ``flight_time``
    (``MMm SSs``, ``MM:SS``, ``HH:MM:SS(.f)``) or a strptime format"""
    regex: str | None = None
    """instead of ``format``: a regular expression with named groups year, month, day,
    hour, minute, second (and optional fraction) matched against the whole cell, for
    clocks with fixed text around them (``UTC 221212 101240 5 9``)"""
    timezone: str | None = None
    """IANA zone or fixed offset for clock times written without one"""
    takeoff: str | None = None
    """ISO 8601 take-off time, for flight-time clocks (default: the flight's first sample)"""
    tick_s: float | None = Field(None, ge=0)
    """the clock's resolution [s]; several samples within one tick are spread evenly over
    it in file order (default: 1 s when every time is a whole second; 0: never spread)"""

    @field_validator("format")
    @classmethod
    def _known_format(cls, v: str) -> str:
        if v in TIME_FORMATS:
            return v
        if "%" not in v:
            raise ValueError(f"{v!r} is not one of {', '.join(TIME_FORMATS)} nor a strptime format")
        for m in re.finditer(r"%(.?)", v):
            if m.group(1) not in _STRPTIME:
                raise ValueError(
                    f"strptime directive %{m.group(1)} in {v!r} is not one Python knows"
                )
        return v

    @field_validator("regex")
    @classmethod
    def _clock_regex(cls, v: str | None) -> str | None:
        if v is None:
            return v
        try:
            rx = re.compile(v)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from exc
        unknown = set(rx.groupindex) - set(REGEX_GROUPS)
        missing = set(REGEX_GROUPS[:6]) - set(rx.groupindex)
        if unknown or missing:
            raise ValueError(
                "named groups must be year, month, day, hour, minute, second (and fraction)"
                + (f"; missing {', '.join(sorted(missing))}" if missing else "")
                + (f"; unknown {', '.join(sorted(unknown))}" if unknown else "")
            )
        return v

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str | None) -> str | None:
        if v is None:
            return v
        if re.fullmatch(r"[+-]\d\d:?\d\d", v) or v.upper() in ("UTC", "Z"):
            return v
        from zoneinfo import ZoneInfo

        try:
            ZoneInfo(v)
        except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError
            raise ValueError(
                f"unknown time zone {v!r}; give an IANA name (America/Mexico_City) or an "
                "offset (-06:00)"
            ) from None
        return v

    @field_validator("takeoff")
    @classmethod
    def _takeoff_clock(cls, v: str | None) -> str | None:
        if v is None:
            return v
        import pandas as pd

        try:
            stamp = pd.Timestamp(v)
        except (ValueError, TypeError, OverflowError) as exc:
            raise ValueError(f"not an ISO 8601 time: {v!r}") from exc
        if stamp is pd.NaT or stamp.tzinfo is None:
            raise ValueError(f"{v!r} needs a UTC offset (e.g. 2026-03-01T09:00:00-07:00)")
        return v


class TableMap(_Strict):
    delimiter: str = ","
    decimal: str = "."
    encoding: str = "utf-8-sig"
    time: TimeMap
    columns: dict[str, ColumnMap]

    @field_validator("delimiter", "decimal")
    @classmethod
    def _one_character(cls, v: str) -> str:
        if len(v) != 1 or v in '\r\n"':
            raise ValueError(f"must be one character other than a quote or line break (got {v!r})")
        return v

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, v: str) -> str:
        try:
            info = codecs.lookup(v)
        except LookupError:
            raise ValueError(f"unknown text encoding {v!r}") from None
        if not getattr(info, "_is_text_encoding", True):
            raise ValueError(f"{v!r} is not a text encoding")
        return v

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
    offset_s: float | None = None
    """the wind log's clock runs this many seconds behind the survey's [s] (a timer
    started late); added to every wind time"""
    align: Literal["altitude", "none"] | None = None
    """``altitude``: find the offset by matching the wind log's ``alt_agl_m`` column to
    the survey's height (the default when the log has one and no ``offset_s`` is given)"""

    @model_validator(mode="after")
    def _align_needs_altitude(self) -> WindMap:
        if self.align == "altitude" and "alt_agl_m" not in [c.to for c in self.columns.values()]:
            raise ValueError("align: altitude needs a wind-log column mapped to alt_agl_m")
        return self


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


def _nesting_depth(text: str) -> int:
    """The deepest nesting of [ and { in ``text`` (quotes ignored: an upper bound)."""
    depth = deepest = 0
    for m in re.finditer(r"[\[\]{}]", text):
        depth = depth + 1 if m.group() in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


def _load_yaml(path: Path) -> object:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SurveyError(f"cannot read mapping: {exc.strerror}", path=str(path)) from exc
    if len(raw) > MAX_MAPPING_BYTES:
        raise SurveyError(
            f"a mapping is a small YAML file; this one is {len(raw):,} bytes", path=str(path)
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SurveyError(
            f"not UTF-8 text ({exc.reason} at byte {exc.start}); save the mapping as UTF-8",
            path=str(path),
            line=line,
        ) from exc
    if _nesting_depth(text) > MAX_NESTING:
        raise SurveyError(
            f"brackets nested more than {MAX_NESTING} deep: not a mapping", path=str(path)
        )
    try:
        return yaml.safe_load(text)
    except RecursionError as exc:
        raise SurveyError("nested too deeply: not a mapping", path=str(path)) from exc
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
    missing = [c for c in ("lat", "lon", "alt_agl_m") if c not in targets]
    if missing:
        raise SurveyError(
            f"mapping gives no column for {', '.join(missing)}",
            path=str(path),
            hint="Map a header to each of lat, lon, alt_agl_m (and wind_speed_ms, "
            "wind_dir_deg here or in the 'wind' section, for a separate wind log; a survey "
            "without wind can be read and detected, not located).",
        )
    wind_targets = {"wind_speed_ms", "wind_dir_deg"}
    if mapping.wind is not None:
        wind_targets -= {w.to for w in mapping.wind.columns.values()}
        if wind_targets:
            raise SurveyError(
                f"mapping field 'wind.columns': no column for {', '.join(sorted(wind_targets))}",
                path=str(path),
            )
    elif len(wind_targets & set(targets)) == 1:
        raise SurveyError(
            f"mapping gives no column for {', '.join(sorted(wind_targets - set(targets)))}",
            path=str(path),
            hint="Map both wind_speed_ms and wind_dir_deg, or neither (a survey without wind).",
        )
    return mapping


def load_flight_log_mapping(path: str | Path | None) -> FlightLogMapping:
    """Read a flight-log gas mapping; ``None`` gives the documented default (``auto``).

    A channel named for an analyte olfato does not know is an error naming it.

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
        A channel named for an analyte olfato does not know is an error too.
    """
    mapping = _load_flight_log_mapping(path)
    if isinstance(mapping.channels, dict):
        for analyte in mapping.channels:
            if analyte not in KNOWN_ANALYTES:
                raise SurveyError(
                    f"mapping field 'channels.{analyte}': not an analyte olfato knows "
                    f"(known: {', '.join(sorted(KNOWN_ANALYTES))})",
                    path=str(path),
                )
    return mapping


def _load_flight_log_mapping(path: str | Path | None) -> FlightLogMapping:
    """Read a flight-log gas mapping; ``None`` gives the documented default (``auto``)."""
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
