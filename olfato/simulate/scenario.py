"""The scenario YAML: the world, the weather, the flight and the sensors to simulate.

Every field, with its unit; see ``scenarios/README.md`` for worked examples::

    name: two_labs                      # free text
    origin: {lat: 29.10, lon: -110.95}  # local frame origin (east = north = 0) [deg]
    start_time: 2024-03-14T11:00:00-07:00   # take-off, with a UTC offset
    area: {east_m: 0, north_m: 0, width_m: 800, height_m: 800}  # centre and size [m]
    mode: turbulent                     # turbulent (puffs) | steady (Gaussian plume)
    plume_model: puffs                  # turbulent: puffs (default) | lagrangian (an
                                        # independent particle model, simulate.lagrangian)
    roughness_m: 0.1                    # surface roughness length z0 [m] (lagrangian)
    stability: auto                     # A..F, or auto (Pasquill table: sun, wind, cloud)
    cloud_oktas: 2                      # total cloud [oktas 0..8], for stability: auto
    dispersion_model: briggs_rural      # steady: briggs_rural | briggs_urban | pasquill_gifford
    temperature_c: 25                   # air temperature [degC], for ppb conversion
    pressure_hpa: 1013.25               # air pressure [hPa]
    wind:
      speed_ms: 3.0                     # mean speed [m/s]
      direction_deg: 270                # mean direction the wind blows FROM [deg]
      meander_deg: 12                   # std dev of the direction wander [deg]; default by class
      meander_timescale_s: 120          # its integral time scale [s]
      gust_fraction: 0.2                # std dev of speed / mean speed [-]
      gust_timescale_s: 15              # its integral time scale [s]
      shift: {at_s: 600, direction_deg: 320, speed_ms: 4, ramp_s: 60}   # optional
      mixing_height_m: null             # optional lid [m]
    sources:
      - {id: lab1, east_m: -150, north_m: 40, height_m: 3,
         signature: clandestine_lab, rate_g_s: 2.0, scatter: true,
         duty_cycle: 1.0, period_s: 120}  # on duty_cycle of every period (turbulent)
      # optional per source: ratios: {toluene: 1.0, acetone: 0.4, ...}, the site's molar
      # ratios to the signature's reference gas, used as given (e.g. as an earlier flight
      # drew them: Simulation.site_ratios); default: the signature's, scattered when
      # scatter is true
    flight:
      pattern: lines                    # lines (crosswind, start downwind) | waypoints
      line_spacing_m: 80
      altitude_m: 30                    # above ground [m]
      speed_ms: 6
      sample_rate_hz: 1
      max_duration_s: 1200              # optional cap on the flight time [s]
      waypoints: [[e, n], ...]          # for pattern: waypoints [m]
      log_stability: true               # write the stability_class column
    sensors:
      - {analyte: acetone, unit: ppb, response_time_s: 2, noise: 1.5, background: 3,
         drift_per_hour: 1, wander: 0.5, resolution: 0.1,
         dropouts: {rate_per_min: 0.5, mean_duration_s: 3},
         # sensor faults (optional): a warm-up offset decaying after power-on, a
         # saturating range, a stretch frozen at one value (default: its reading then)
         warmup_amplitude: 40, warmup_timescale_s: 90, saturation: 500,
         stuck: {start_s: 300, duration_s: 120, value: 60}}
    signatures: my_library.yaml         # optional extra library, relative to this file

``noise``, ``background``, ``drift_per_hour``, ``wander``, ``resolution``,
``warmup_amplitude``, ``saturation`` and ``stuck.value`` are in the channel's ``unit``.
``rate_g_s`` is the rate of the signature's reference gas [g/s].
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from olfato.errors import OlfatoError
from olfato.physics.analytes import KNOWN_ANALYTES
from olfato.physics.dispersion import SIGMA_MODELS

if TYPE_CHECKING:
    from olfato.chemistry.signatures import SignatureLibrary

StabilityLiteral = Literal["A", "B", "C", "D", "E", "F"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Origin(_Model):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class Area(_Model):
    east_m: float = 0.0
    north_m: float = 0.0
    width_m: float = Field(gt=0, le=20000)
    height_m: float = Field(gt=0, le=20000)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(east_min, east_max, north_min, north_max) [m]."""
        return (
            self.east_m - self.width_m / 2,
            self.east_m + self.width_m / 2,
            self.north_m - self.height_m / 2,
            self.north_m + self.height_m / 2,
        )


class WindShift(_Model):
    at_s: float = Field(ge=0)
    direction_deg: float = Field(ge=0, le=360)
    speed_ms: float | None = Field(default=None, gt=0, le=30)
    ramp_s: float = Field(default=60.0, ge=0)


class Wind(_Model):
    speed_ms: float = Field(gt=0, le=30)
    direction_deg: float = Field(ge=0, le=360)
    meander_deg: float | None = Field(default=None, ge=0, le=90)
    meander_timescale_s: float = Field(default=120.0, gt=0)
    gust_fraction: float = Field(default=0.2, ge=0, le=1.5)
    gust_timescale_s: float = Field(default=15.0, gt=0)
    shift: WindShift | None = None
    mixing_height_m: float | None = Field(default=None, gt=10)
    anemometer_noise_ms: float = Field(default=0.2, ge=0)
    anemometer_noise_deg: float = Field(default=3.0, ge=0)


class Source(_Model):
    id: str = Field(min_length=1)
    east_m: float | None = None
    north_m: float | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    height_m: float = Field(default=2.0, ge=0, le=300)
    signature: str
    rate_g_s: float = Field(gt=0, le=1e4)
    scatter: bool = True
    duty_cycle: float = Field(default=1.0, gt=0, le=1)
    period_s: float = Field(default=120.0, gt=0)
    ratios: dict[str, float] | None = None

    @model_validator(mode="after")
    def _positive_ratios(self) -> Source:
        if self.ratios is not None:
            bad = {k: v for k, v in self.ratios.items() if not (math.isfinite(v) and v > 0)}
            if bad:
                raise ValueError(f"ratios must be finite and > 0, got {bad}")
        return self

    @model_validator(mode="after")
    def _one_position(self) -> Source:
        local = self.east_m is not None and self.north_m is not None
        wgs = self.lat is not None and self.lon is not None
        if local == wgs:
            raise ValueError("give the position as east_m + north_m or as lat + lon (exactly one)")
        return self


class Flight(_Model):
    pattern: Literal["lines", "waypoints"] = "lines"
    line_spacing_m: float = Field(default=80.0, gt=1)
    start: Literal["downwind", "upwind"] = "downwind"
    altitude_m: float = Field(default=30.0, gt=0, le=500)
    speed_ms: float = Field(default=6.0, gt=0, le=40)
    sample_rate_hz: float = Field(default=1.0, gt=0, le=100)
    max_duration_s: float | None = Field(default=None, gt=0)
    waypoints: list[tuple[float, float]] | None = None
    log_stability: bool = True

    @model_validator(mode="after")
    def _waypoints(self) -> Flight:
        if self.pattern == "waypoints" and (not self.waypoints or len(self.waypoints) < 2):
            raise ValueError(
                "pattern 'waypoints' needs 'waypoints' with at least two [east, north] points"
            )
        return self


class Dropouts(_Model):
    rate_per_min: float = Field(default=0.0, ge=0)
    mean_duration_s: float = Field(default=3.0, gt=0)


class Stuck(_Model):
    start_s: float = Field(ge=0)
    duration_s: float = Field(gt=0)
    value: float | None = None


class Sensor(_Model):
    analyte: str
    unit: Literal["ppb", "ppm"] = "ppb"
    response_time_s: float = Field(default=1.0, ge=0)
    noise: float = Field(default=0.0, ge=0)
    background: float = Field(default=0.0, ge=0)
    drift_per_hour: float = 0.0
    wander: float = Field(default=0.0, ge=0)
    wander_timescale_s: float = Field(default=300.0, gt=0)
    resolution: float = Field(default=0.0, ge=0)
    dropouts: Dropouts = Field(default_factory=Dropouts)
    warmup_amplitude: float = 0.0
    warmup_timescale_s: float = Field(default=90.0, gt=0)
    saturation: float | None = Field(default=None, gt=0)
    stuck: Stuck | None = None

    @field_validator("analyte")
    @classmethod
    def _known(cls, v: str) -> str:
        if v.lower() not in KNOWN_ANALYTES:
            raise ValueError(f"unknown analyte '{v}' (known: {', '.join(sorted(KNOWN_ANALYTES))})")
        return v.lower()

    @property
    def column(self) -> str:
        return f"{self.analyte}_{self.unit}"


class Scenario(_Model):
    """A whole simulated survey: see the module docstring for the YAML."""

    name: str = "scenario"
    description: str = ""
    origin: Origin
    start_time: dt.datetime
    area: Area
    mode: Literal["steady", "turbulent"] = "turbulent"
    plume_model: Literal["puffs", "lagrangian"] = "puffs"
    roughness_m: float = Field(default=0.1, gt=0, le=3)
    stability: StabilityLiteral | Literal["auto"] = "auto"
    cloud_oktas: float = Field(default=0.0, ge=0, le=8)
    dispersion_model: str = "briggs_rural"
    temperature_c: float = Field(default=25.0, ge=-60, le=60)
    pressure_hpa: float = Field(default=1013.25, ge=300, le=1100)
    wind: Wind
    sources: list[Source] = Field(default_factory=list)
    flight: Flight = Field(default_factory=Flight)
    sensors: list[Sensor] = Field(min_length=1)
    signatures: str | None = None

    _path: Path | None = PrivateAttr(default=None)

    @field_validator("start_time")
    @classmethod
    def _aware(cls, v: dt.datetime) -> dt.datetime:
        if v.tzinfo is None:
            raise ValueError("needs a UTC offset, e.g. 2024-03-14T11:00:00-07:00")
        return v

    @field_validator("dispersion_model")
    @classmethod
    def _model_known(cls, v: str) -> str:
        if v not in SIGMA_MODELS:
            raise ValueError(f"unknown dispersion model '{v}' (known: {', '.join(SIGMA_MODELS)})")
        return v

    @model_validator(mode="after")
    def _plume_model(self) -> Scenario:
        if self.plume_model == "lagrangian" and self.mode != "turbulent":
            raise ValueError("plume_model 'lagrangian' is time-resolved: it needs mode 'turbulent'")
        return self

    @model_validator(mode="after")
    def _unique(self) -> Scenario:
        ids = [s.id for s in self.sources]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"source ids must be unique; repeated: {', '.join(dup)}")
        names = [s.analyte for s in self.sensors]
        dup = sorted({a for a in names if names.count(a) > 1})
        if dup:
            raise ValueError(f"one sensor per analyte; repeated: {', '.join(dup)}")
        return self

    @property
    def path(self) -> Path | None:
        """The YAML file this scenario was read from, if any."""
        return self._path

    @property
    def temperature_k(self) -> float:
        return self.temperature_c + 273.15

    @property
    def pressure_pa(self) -> float:
        return self.pressure_hpa * 100.0


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for p in loc:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def scenario_from_dict(raw: object, where: str = "scenario") -> Scenario:
    """Validate a parsed scenario mapping; errors name ``where`` and the field.

    Parameters
    ----------
    raw : object
        The parsed YAML.
    where : str, default "scenario"
        What to name in errors (usually the file).

    Returns
    -------
    Scenario
        The validated scenario.

    Raises
    ------
    OlfatoError
        When ``raw`` is not a mapping or a field is invalid.
    """
    if not isinstance(raw, dict):
        raise OlfatoError(f"{where}: a scenario is a YAML mapping (name:, origin:, wind:, ...)")
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        errs = exc.errors()
        err = errs[0]
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        field = _loc(loc) or "(top level)"
        extra = f" ({len(errs) - 1} more problem(s))" if len(errs) > 1 else ""
        value = err.get("input")
        shown = (
            f" (value: {value!r})"
            if not isinstance(value, dict | list) and value is not None
            else ""
        )
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise OlfatoError(f"{where}: field '{field}': {msg}{shown}{extra}") from None
    return scenario


def reflown(
    scenario: Scenario,
    waypoints_m: Sequence[tuple[float, float]],
    *,
    altitude_m: float,
    speed_ms: float,
    start_time_s: float,
    site_ratios: Mapping[str, Mapping[str, float]],
) -> Scenario:
    """The same world (sources, wind, sensors) flown again along other waypoints: a
    follow-up sortie after the first flight, for closed-loop checks of ``plan next``.

    The same world includes each site's chemistry as the first flight drew it
    (``site_ratios``, :attr:`olfato.simulate.core.Simulation.site_ratios`): a site's
    molar ratios are scattered about its signature's once per site, and a second draw
    would be another site's composition, which no crossing of the same plume shows.

    Parameters
    ----------
    scenario : Scenario
        The first flight's scenario.
    waypoints_m : sequence of (east, north)
        The route in the scenario's local frame [m], take-off to landing.
    altitude_m : float
        Flight height above ground [m].
    speed_ms : float
        Cruise speed [m/s].
    start_time_s : float
        Take-off [s since the Unix epoch].
    site_ratios : mapping of str to mapping of str to float
        Source id -> its molar ratios to its signature's reference gas, as the first
        flight drew them [-].

    Returns
    -------
    Scenario
        The scenario with that flight (sample rate as before) and those ratios.

    Raises
    ------
    OlfatoError
        When the flight is invalid (fewer than two waypoints, a height or speed out
        of range) or ``site_ratios`` lacks a source.
    """
    raw = scenario.model_dump(mode="json")
    where = f"scenario {scenario.name!r} reflown"
    for i, src in enumerate(raw["sources"]):
        if src["id"] not in site_ratios:
            raise OlfatoError(
                f"{where}: site_ratios has no source '{src['id']}' (sources[{i}])",
                parameter="site_ratios",
            )
        src["ratios"] = {k: float(v) for k, v in site_ratios[src["id"]].items()}
    raw["start_time"] = dt.datetime.fromtimestamp(start_time_s, tz=dt.UTC).isoformat()
    raw["flight"] = {
        "pattern": "waypoints",
        "waypoints": [[round(float(e), 2), round(float(n), 2)] for e, n in waypoints_m],
        "altitude_m": float(altitude_m),
        "speed_ms": float(speed_ms),
        "sample_rate_hz": scenario.flight.sample_rate_hz,
    }
    return scenario_from_dict(raw, where=where)


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file; :class:`OlfatoError` on any problem.

    Signature names are checked against the library (the shipped default plus the
    scenario's optional ``signatures`` file) so that a typo fails here, naming the
    file and the field.

    Parameters
    ----------
    path : str or Path
        The scenario YAML.

    Returns
    -------
    Scenario
        The validated scenario.

    Raises
    ------
    OlfatoError
        When the file cannot be read, is not valid YAML, a field is invalid, or a
        signature name is unknown.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise OlfatoError(f"{p}: cannot read the scenario: {exc.strerror or exc}") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise OlfatoError(f"{p}: not valid YAML: {exc}") from None
    scenario = scenario_from_dict(raw, str(p))
    scenario._path = p
    check_signatures(scenario, scenario_library(scenario), str(p))
    return scenario


def check_signatures(scenario: Scenario, library: SignatureLibrary, where: str) -> None:
    """Every source's signature is in ``library`` and its ``ratios``, when given, name
    exactly that signature's gases; :class:`OlfatoError` naming ``where`` and the field.

    Parameters
    ----------
    scenario : Scenario
        The scenario.
    library : SignatureLibrary
        Its signature library (:func:`scenario_library`).
    where : str
        What to name in errors (usually the file).

    Raises
    ------
    OlfatoError
        On an unknown signature or ratios of other gases than the signature's.
    """
    for i, s in enumerate(scenario.sources):
        if s.signature not in library:
            raise OlfatoError(
                f"{where}: field 'sources[{i}].signature' (source '{s.id}'): unknown signature "
                f"'{s.signature}'; the library has: {', '.join(sorted(library.names))}"
            )
        gases = set(library[s.signature].ratios)
        if s.ratios is not None and set(s.ratios) != gases:
            raise OlfatoError(
                f"{where}: field 'sources[{i}].ratios' (source '{s.id}'): gives "
                f"{', '.join(sorted(s.ratios))}; signature '{s.signature}' has "
                f"{', '.join(sorted(gases))}"
            )


def scenario_library(scenario: Scenario) -> SignatureLibrary:
    """The signature library a scenario uses: the default plus its ``signatures`` file.

    Parameters
    ----------
    scenario : Scenario
        The scenario.

    Returns
    -------
    SignatureLibrary
        The library.
    """
    from olfato.chemistry.signatures import load_signatures

    extra = None
    if scenario.signatures is not None:
        extra = Path(scenario.signatures)
        if not extra.is_absolute() and scenario.path is not None:
            extra = scenario.path.parent / extra
    return load_signatures(extra=extra)
