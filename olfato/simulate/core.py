"""Run a scenario: the world, the flight and the sensors, into a Survey CSV v1 table."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from olfato.errors import OlfatoError
from olfato.physics.analytes import UNIT_TO_PPB
from olfato.physics.stability import pasquill_class, solar_elevation
from olfato.physics.units import g_m3_to_ppb, molar_mass
from olfato.progress import progress_bar
from olfato.simulate import flight as fl
from olfato.simulate import sensor as sn
from olfato.simulate.lagrangian import BoundaryLayer, boundary_layer, lagrangian_field
from olfato.simulate.scenario import (
    Scenario,
    check_signatures,
    load_scenario,
    scenario_library,
)
from olfato.simulate.world import (
    DEFAULT_MEANDER_DEG,
    WindSeries,
    make_wind,
    steady_field,
    turbulent_field,
)
from olfato.survey.projection import LocalFrame

#: internal time step ceiling [s]: the sensor filter and puffs are evaluated at least
#: this often, and read out at the sample rate
INTERNAL_DT_S = 0.25
#: puffs are kept until they have travelled this factor x the farthest source-to-track
#: distance (+ MARGIN): a meandering path is longer than its displacement
REACH_FACTOR = 1.3
REACH_MARGIN_M = 300.0
#: longest wind history simulated before take-off [s]
MAX_SPINUP_S = 3 * 3600.0


@dataclass
class World:
    """What a run built, kept for plots and benchmarks."""

    frame: LocalFrame
    wind: WindSeries
    sources: np.ndarray  # (k, 3): east, north, height [m]
    stability: str
    mixing_height_m: float | None
    max_travel_m: float
    t: np.ndarray  # sample times since take-off [s]
    east: np.ndarray
    north: np.ndarray
    up: np.ndarray
    n_puffs: int = 0
    pairs: int = 0
    n_particles: int = 0
    boundary: BoundaryLayer | None = None  # the lagrangian model's surface layer
    unit_at_samples: np.ndarray | None = None  # (k, n) [g/m3 per g/s] at the sample times

    def field(
        self, t: float, east: np.ndarray, north: np.ndarray, up: float, scenario: Scenario
    ) -> np.ndarray:
        """Concentration per unit rate [g/m3 per g/s] on points at one time t [s].

        Parameters
        ----------
        t : float
            Time [s since take-off].
        east, north : ndarray
            Receptor positions [m].
        up : float
            Receptor height [m].
        scenario : Scenario
            The scenario (dispersion mode and model).

        Returns
        -------
        ndarray, shape (n_sources, n)
            Concentration per unit rate [g/m3 per g/s].
        """
        tt = np.full(east.shape, float(t))
        zz = np.full(east.shape, float(up))
        if scenario.mode == "steady":
            return steady_field(
                tt,
                east,
                north,
                zz,
                self.sources,
                self.wind,
                self.stability,
                scenario.dispersion_model,
                self.mixing_height_m,
            )
        if self.boundary is not None:
            # the particle model has no closed form: release and move particles up to t
            # (a fresh random stream: a picture of the plume's statistics, not the flight's)
            return lagrangian_field(
                tt,
                east,
                north,
                zz,
                self.sources,
                self.wind,
                self.boundary,
                self.max_travel_m,
                np.random.default_rng(0),
            )[0]
        return turbulent_field(
            tt,
            east,
            north,
            zz,
            self.sources,
            self.wind,
            self.stability,
            self.max_travel_m,
            self.mixing_height_m,
        )[0]


@dataclass
class Simulation:
    """A simulated survey: what the drone logged, the truth, and the clean signal.

    ``samples``: Survey CSV v1 columns; ``truth``: the dict written to truth.json;
    ``clean``: enhancement [ppb] per ``"source_id:analyte"`` after the sensor
    response, without noise or background, one row per sample.
    """

    scenario: Scenario
    seed: int
    samples: pd.DataFrame
    truth: dict[str, Any]
    clean: pd.DataFrame
    world: World = field(repr=False)

    @property
    def site_ratios(self) -> dict[str, dict[str, float]]:
        """Source id -> the molar ratios [-] this simulation drew for the site (to its
        signature's reference gas): what :func:`olfato.simulate.scenario.reflown` keeps."""
        return {s["id"]: dict(s["ratios"]) for s in self.truth["sources"]}

    def write(self, out_dir: str | Path, plot: bool = False) -> dict[str, Path]:
        """Write survey.csv, truth.json, clean.parquet (and map.png) into ``out_dir``.

        Parameters
        ----------
        out_dir : str or Path
            The folder to write into (created if missing).
        plot : bool, default False
            Also write ``map.png``.

        Returns
        -------
        dict[str, Path]
            File kind (``survey``, ``truth``, ``clean``, ``map``) -> its path.

        Raises
        ------
        OlfatoError
            When the output folder cannot be created.
        """
        out = Path(out_dir)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OlfatoError(
                f"{out}: cannot create the output folder: {exc.strerror or exc}"
            ) from None
        paths = {
            "survey": out / "survey.csv",
            "truth": out / "truth.json",
            "clean": out / "clean.parquet",
        }
        self.samples.to_csv(paths["survey"], index=False)
        paths["truth"].write_text(json.dumps(self.truth, indent=2) + "\n", encoding="utf-8")
        clean = self.clean.copy()
        clean.insert(0, "time", self.samples["time"].to_numpy())
        clean.to_parquet(paths["clean"], index=False)
        if plot:
            from olfato.simulate.plot import plot_simulation

            paths["map"] = plot_simulation(self, out / "map.png")
        return paths


def _site_ratios(sig: Any, scatter: bool, rng: np.random.Generator) -> dict[str, float]:
    """This site's molar ratios: the signature's, scattered log-normally by its spread."""
    ratios = {}
    for analyte in sorted(sig.ratios):
        z = rng.standard_normal()
        r = sig.ratios[analyte]
        if scatter and analyte != sig.reference:
            r *= math.exp(sig.spread * z)
        ratios[analyte] = r
    return ratios


def emission_pattern(sources: Any, t_s: np.ndarray, rng: np.random.Generator) -> np.ndarray | None:
    """(n_sources, len(t_s)) 1 while each source emits, 0 while it is off: on for
    ``duty_cycle`` of every ``period_s`` [s] from a random phase (a lab cooking in
    batches); None when every source emits all the time.

    Parameters
    ----------
    sources : sequence of Source
        The scenario's sources (``duty_cycle`` [-], ``period_s`` [s]).
    t_s : ndarray
        Times [s].
    rng : numpy.random.Generator
        Draws each source's phase.

    Returns
    -------
    ndarray or None
        On/off pattern [-], shape (n_sources, len(t_s)), or None.
    """
    if all(s.duty_cycle >= 1.0 for s in sources):
        return None
    out = np.ones((len(sources), len(t_s)))
    for k, s in enumerate(sources):
        if s.duty_cycle < 1.0:
            phase = rng.uniform(0.0, s.period_s)
            out[k] = (np.mod(t_s + phase, s.period_s) < s.duty_cycle * s.period_s).astype(float)
    return out


def simulate(scenario: Scenario | str | Path, seed: int = 0, *, quiet: bool = True) -> Simulation:
    """Simulate the survey a scenario describes; the same seed gives the same result.

    Parameters
    ----------
    scenario : Scenario or str or Path
        The scenario, or its YAML file.
    seed : int, default 0
        Random seed (>= 0).
    quiet : bool, default True
        No progress bars.

    Returns
    -------
    Simulation
        The samples (as a Survey CSV v1 would hold them), the truth and the world.

    Raises
    ------
    OlfatoError
        When ``seed`` is negative, the scenario file is invalid, or the flight is
        shorter than two samples.
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if seed < 0:
        raise OlfatoError(f"seed must be >= 0, got {seed}", parameter="seed")
    ss = np.random.SeedSequence(seed)
    rng_wind, rng_site, rng_sensor, rng_anemo = (np.random.default_rng(s) for s in ss.spawn(4))
    # its own stream, so the puff model's draws (and outputs) are unchanged
    rng_plume = np.random.default_rng(ss.spawn(1)[0])
    frame = LocalFrame(sc.origin.lat, sc.origin.lon)
    library = scenario_library(sc)
    if isinstance(scenario, Scenario):  # load_scenario checked a file's already
        check_signatures(sc, library, str(sc.path or f"scenario {sc.name!r}"))
    t0 = sc.start_time.timestamp()

    # -- flight ------------------------------------------------------------------
    f = sc.flight
    if f.pattern == "lines":
        route = fl.survey_lines(sc.area.bounds, sc.wind.direction_deg, f.line_spacing_m, f.start)
    else:
        route = np.asarray(f.waypoints, dtype=float)
    t_samp, _, _ = fl.fly(route, f.speed_ms, f.sample_rate_hz, f.max_duration_s)
    if len(t_samp) < 2:
        raise OlfatoError(f"{sc.path or sc.name}: the flight is shorter than two samples")
    dt_samp = 1.0 / f.sample_rate_hz
    n_sub = max(1, math.ceil(dt_samp / INTERNAL_DT_S - 1e-9))
    t_int: np.ndarray = np.arange((len(t_samp) - 1) * n_sub + 1) * (dt_samp / n_sub)
    e_int, n_int = fl.position_at(route, f.speed_ms, t_int)
    z_int = np.full(len(t_int), f.altitude_m)

    # -- weather -----------------------------------------------------------------
    if sc.stability == "auto":
        t_mid = t0 + t_samp[-1] / 2
        elev = solar_elevation(t_mid, sc.origin.lat, sc.origin.lon)
        stability = str(pasquill_class(sc.wind.speed_ms, elev, sc.cloud_oktas))
    else:
        stability = sc.stability
    w = sc.wind
    meander = w.meander_deg if w.meander_deg is not None else DEFAULT_MEANDER_DEG[stability]

    # -- sources -----------------------------------------------------------------
    src_rows, src_truth, rates = [], [], []
    for s in sc.sources:
        if s.east_m is not None and s.north_m is not None:
            se, sn_ = float(s.east_m), float(s.north_m)
        else:
            e_a, n_a = frame.to_local([float(s.lat or 0.0)], [float(s.lon or 0.0)])
            se, sn_ = float(e_a[0]), float(n_a[0])
        lat_a, lon_a = frame.to_wgs84([se], [sn_])
        lat, lon = float(lat_a[0]), float(lon_a[0])
        sig = library[s.signature]
        ratios = _site_ratios(sig, s.scatter, rng_site)
        if s.ratios is not None:  # as given (drawn for an earlier flight); draws still made
            ratios = {a: float(s.ratios[a]) for a in sorted(s.ratios)}
        m_ref = molar_mass(sig.reference)
        rate = {a: s.rate_g_s * r * molar_mass(a) / m_ref for a, r in ratios.items()}
        rates.append(rate)
        src_rows.append((se, sn_, s.height_m))
        src_truth.append(
            {
                "id": s.id,
                "lat": round(float(lat), 8),
                "lon": round(float(lon), 8),
                "east_m": se,
                "north_m": sn_,
                "height_m": s.height_m,
                "category": sig.category,
                "suspect": sig.suspect,
                "signature": s.signature,
                "reference_analyte": sig.reference,
                "rate_g_s": s.rate_g_s,
                "rates_g_s": {a: float(v) for a, v in rate.items()},
                "duty_cycle": s.duty_cycle,
                "period_s": s.period_s,
                "ratios": {a: float(v) for a, v in ratios.items()},
            }
        )
    sources = np.array(src_rows, dtype=float).reshape(-1, 3)

    # puffs live until they have travelled past the whole track
    if len(sources):
        d = np.hypot(e_int[None, :] - sources[:, :1], n_int[None, :] - sources[:, 1:2])
        max_travel = REACH_FACTOR * float(d.max()) + REACH_MARGIN_M
    else:
        max_travel = REACH_MARGIN_M
    slowest = min(w.speed_ms, w.shift.speed_ms or w.speed_ms) if w.shift else w.speed_ms
    spinup = (
        min(MAX_SPINUP_S, max_travel / max(0.5 * slowest, 0.1)) if sc.mode == "turbulent" else 0.0
    )
    shift = (
        (w.shift.at_s, w.shift.direction_deg, w.shift.speed_ms, w.shift.ramp_s) if w.shift else None
    )
    wind = make_wind(
        -math.ceil(spinup),
        float(t_int[-1]),
        w.speed_ms,
        w.direction_deg,
        meander,
        w.meander_timescale_s,
        w.gust_fraction,
        w.gust_timescale_s,
        rng_wind,
        shift,
    )
    world = World(
        frame,
        wind,
        sources,
        stability,
        w.mixing_height_m,
        max_travel,
        t_samp,
        e_int[::n_sub],
        n_int[::n_sub],
        z_int[::n_sub],
    )

    # -- the air along the track, per unit rate of each source -----------------------
    with progress_bar(f"simulating {sc.name} ({sc.mode})", len(t_int), quiet=quiet) as advance:
        if sc.mode == "steady" or len(sources) == 0:
            unit = steady_field(
                t_int,
                e_int,
                n_int,
                z_int,
                sources,
                wind,
                stability,
                sc.dispersion_model,
                w.mixing_height_m,
            )
            advance(len(t_int))
        elif sc.plume_model == "lagrangian":
            bl = boundary_layer(
                stability, w.speed_ms, f.altitude_m, sc.roughness_m, w.mixing_height_m
            )
            world.boundary = bl
            unit, world.n_particles = lagrangian_field(
                t_int,
                e_int,
                n_int,
                z_int,
                sources,
                wind,
                bl,
                max_travel,
                rng_plume,
                emission=emission_pattern(sc.sources, wind.t, rng_site),
                progress=advance,
            )
        else:
            unit, world.pairs = turbulent_field(
                t_int,
                e_int,
                n_int,
                z_int,
                sources,
                wind,
                stability,
                max_travel,
                w.mixing_height_m,
                advance,
                emission=emission_pattern(sc.sources, wind.t, rng_site),
            )
            world.n_puffs = len(wind.t) * len(sources)
    world.unit_at_samples = unit[:, ::n_sub]

    # -- sensors -------------------------------------------------------------------
    dt_int = dt_samp / n_sub
    clean_cols: dict[str, np.ndarray] = {}
    gas_cols: dict[str, np.ndarray] = {}
    for sensor in sc.sensors:
        a = sensor.analyte
        per_unit = UNIT_TO_PPB[sensor.unit]
        enh = np.zeros((len(sources), len(t_int)))
        for k, rate in enumerate(rates):
            if a in rate:
                enh[k] = g_m3_to_ppb(
                    unit[k] * rate[a], molar_mass(a), sc.temperature_k, sc.pressure_pa
                )
        filtered = sn.first_order_response(enh, dt_int, sensor.response_time_s, axis=1)
        for k, s in enumerate(sc.sources):
            clean_cols[f"{s.id}:{a}"] = filtered[k, ::n_sub]
        bg = sn.background(
            t_int,
            sensor.background * per_unit,
            sensor.drift_per_hour * per_unit,
            sensor.wander * per_unit,
            sensor.wander_timescale_s,
            rng_sensor,
        )
        truth_ppb = bg + enh.sum(axis=0)
        reading = (
            sn.first_order_response(truth_ppb, dt_int, sensor.response_time_s)[::n_sub] / per_unit
        )
        reading = reading + sn.warmup_offset(
            t_samp, sensor.warmup_amplitude, sensor.warmup_timescale_s
        )
        reading = reading + sensor.noise * rng_sensor.standard_normal(len(reading))
        reading = np.maximum(sn.quantise(reading, sensor.resolution), 0.0)
        reading = sn.saturate(reading, sensor.saturation)
        if sensor.stuck is not None:
            st = sensor.stuck
            reading = sn.stick(t_samp, reading, st.start_s, st.duration_s, st.value)
        drop = sn.dropout_mask(
            t_samp, sensor.dropouts.rate_per_min, sensor.dropouts.mean_duration_s, rng_sensor
        )
        gas_cols[sensor.column] = np.where(drop, np.nan, np.round(reading, 6))

    # -- what the drone logged -------------------------------------------------------
    ws = wind.at(t_samp)
    speed = np.maximum(
        ws["speed"] + w.anemometer_noise_ms * rng_anemo.standard_normal(len(t_samp)), 0.0
    )
    direction = np.mod(
        ws["direction"] + w.anemometer_noise_deg * rng_anemo.standard_normal(len(t_samp)), 360.0
    )
    track_lat, track_lon = frame.to_wgs84(world.east, world.north)
    samples = pd.DataFrame(
        {
            "time": np.round(t0 + t_samp, 3),
            "lat": np.round(track_lat, 8),
            "lon": np.round(track_lon, 8),
            "alt_agl_m": np.round(world.up, 2),
            "wind_speed_ms": np.round(speed, 2),
            "wind_dir_deg": np.round(direction, 1),
        }
    )
    if f.log_stability:
        samples["stability_class"] = stability
    for col, values in gas_cols.items():
        samples[col] = values
    clean = pd.DataFrame(clean_cols, index=samples.index)

    truth = {
        "olfato_truth": 1,
        "scenario": sc.name,
        "scenario_file": str(sc.path) if sc.path else None,
        "seed": seed,
        "mode": sc.mode,
        "lat0": frame.lat0,
        "lon0": frame.lon0,
        "start_time": sc.start_time.isoformat(),
        "duration_s": float(t_samp[-1]),
        "n_samples": len(samples),
        "stability": stability,
        "stability_estimated": sc.stability == "auto",
        "dispersion_model": (
            sc.dispersion_model
            if sc.mode == "steady"
            else "lagrangian_thomson"
            if sc.plume_model == "lagrangian"
            else "slade_puff"
        ),
        "plume_model": sc.plume_model if sc.mode == "turbulent" else "gaussian_plume",
        "temperature_k": sc.temperature_k,
        "pressure_pa": sc.pressure_pa,
        "wind": {
            "speed_ms": w.speed_ms,
            "direction_deg": w.direction_deg,
            "meander_deg": meander,
            "meander_timescale_s": w.meander_timescale_s,
            "gust_fraction": w.gust_fraction,
            "gust_timescale_s": w.gust_timescale_s,
            "shift": w.shift.model_dump() if w.shift else None,
            "mixing_height_m": w.mixing_height_m,
        },
        "sources": src_truth,
        "sensors": [s.model_dump() for s in sc.sensors],
        "flight": {
            "pattern": f.pattern,
            "altitude_m": f.altitude_m,
            "speed_ms": f.speed_ms,
            "sample_rate_hz": f.sample_rate_hz,
            "line_spacing_m": f.line_spacing_m if f.pattern == "lines" else None,
            "route_east_north_m": np.round(route, 2).tolist(),
        },
    }
    return Simulation(sc, seed, samples, truth, clean, world)
