"""locate(): a survey (and its hits) in, its sources with positions, rates and fingerprints out.

Steps: the wind history and stability of the flight; the sensor lag per channel
(:func:`estimate_lag`); hits grouped into sources by chemistry, geometry and
evidence (:mod:`olfato.locate.multisource`, or with ``grouping="evidence"`` the
partition scored by marginal evidence, :mod:`olfato.locate.joint`); a crossing of
overlapping plumes shared by their sources (:func:`share_mixed_crossings`); each source's
posterior (:mod:`olfato.locate.posterior`), its fingerprint from its hits that are not
such mixed crossings (:meth:`olfato.detect.pipeline.Hits.group`) and its Cramer-Rao bound
(:mod:`olfato.locate.crlb`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from olfato.detect.fingerprint import NONE
from olfato.detect.pipeline import hits_cut_by_log, saturated_flag
from olfato.errors import OlfatoError
from olfato.locate import batches, joint
from olfato.locate import crlb as crlbmod
from olfato.locate import levels as lv
from olfato.locate import multisource as ms
from olfato.locate import refine as rf
from olfato.locate.crossings import DEFAULT_PROBE_LENGTH_M, crossings_from_hits, probes_from_track
from olfato.locate.defaults import (
    AVERAGE_STABILITY,
    DEFAULT_MARGIN_M,
    DIRECTION_BIAS_SD_DEG,
    DISCREPANCY_FACTORS,
    DISPERSION_SCALES,
    TRANSPORT_ERROR_FACTORS,
    TRAVEL_FACTORS,
)
from olfato.locate.levels import Detection, Thresholds
from olfato.locate.likelihood import (
    P_OFF_GRID,
    P_OFF_PRIOR,
    PARTLY_ON_SHARES,
    Crossings,
    PairCache,
    Probes,
    Settings,
)
from olfato.locate.posterior import (  # ellipse_from_cov re-exported: its home is posterior
    DEFAULT_HEIGHTS_M,
    N_BIAS_NODES,
    Domain,
    Ellipse,
    Nuisance,
    Posterior,
    ellipse_from_cov,
    nuisances,
    posterior,
    stability_prior,
)
from olfato.locate.transport import WindHistory, wind_history
from olfato.physics.stability import STABILITY_CLASSES, pasquill_class, solar_elevation

if TYPE_CHECKING:
    from olfato.chemistry.signatures import SignatureLibrary
    from olfato.detect.pipeline import Hits
    from olfato.survey.model import Survey

F64 = NDArray[np.float64]

#: sensor lags tried [s] (:func:`estimate_lag` fits a parabola through them)
LAG_GRID_S = tuple(np.arange(0.0, 4.01, 1.0))
#: a mixture makes a source suspect when its suspect parts hold at least this share
#: (the larger part of its gas: the source's own answer, cf.
#: :attr:`olfato.detect.fingerprint.Classification.primary`)
MIXTURE_SUSPECT_SHARE = 0.5
#: below this median wind speed [m/s] locate refuses: a Gaussian plume needs a wind to
#: carry it (US EPA's ISC3 treats winds under 1 m/s as calms and leaves them out;
#: ISC3 User's Guide, EPA-454/B-95-003a, 1995)
MIN_WIND_MS = 0.5
#: a track whose bounding box's longer side is shorter than this [m] cannot locate
MIN_TRACK_M = 100.0
#: how far [-, times the distance to the farthest crossing] a dispersion factor may move
#: a source along the wind, on top of the bias's arc (:func:`with_nuisances`)
DISPERSION_PAD = 0.7


@dataclass(frozen=True)
class TransportDefaults:
    """The likelihood's defaults for one kind of transport.

    Attributes
    ----------
    dispersion_model : str
        Dispersion-coefficient model (:data:`olfato.physics.dispersion.SIGMA_MODELS`).
    discrepancy : float
        Model discrepancy: the log-sd of the ratio of observed to modelled crossing [-].
    transport_sd_deg : float
        Transport direction error [deg].
    partly_on : tuple of float
        The possible shares of crossings that saw the plume only in part [-]
        (:attr:`olfato.locate.likelihood.Settings.partly_on`; empty: none did).
    """

    dispersion_model: str
    discrepancy: float
    transport_sd_deg: float
    partly_on: tuple[float, ...]


#: default model settings per transport: a turbulent (real) plume and a steady plume
TURBULENT = TransportDefaults(
    dispersion_model="pasquill_gifford",
    discrepancy=0.6,
    transport_sd_deg=3.0,
    partly_on=PARTLY_ON_SHARES,
)
STEADY = TransportDefaults(
    dispersion_model="briggs_rural", discrepancy=0.1, transport_sd_deg=0.0, partly_on=()
)


@dataclass
class Source:
    """One estimated source (see :func:`locate` for the fields)."""

    id: str
    east_m: float
    north_m: float
    height_m: float
    lat: float
    lon: float
    analyte: str
    rate_g_s: float
    rate_ci95_g_s: tuple[float, float]
    ellipse95: Ellipse
    signature: str
    signature_probabilities: dict[str, float]
    suspect: bool
    hit_ids: list[int]
    crlb_m: float
    log_evidence: float
    posterior: Posterior = field(repr=False)
    mixture: dict[str, float] = field(default_factory=dict)
    probability_exists: float = float("nan")
    p_suspect: float = float("nan")
    warnings: list[str] = field(default_factory=list)
    kind: str = "source"

    @property
    def n_hits(self) -> int:
        return len(self.hit_ids)


@dataclass
class Sources:
    """The sources of one survey.

    ``sources`` the located sources (ids S1, S2, ...), ``detections`` the plumes seen
    but not located (D1, D2, ...; :mod:`olfato.locate.levels`); ``hits`` the
    detection it used; ``stability`` the Pasquill class used; ``lag_s`` channel ->
    sensor lag [s]; ``domain`` the search rectangle; ``warnings`` for the analyst.
    """

    sources: list[Source]
    hits: Hits
    stability: str
    lag_s: dict[str, float]
    domain: Domain
    transport: str
    settings: Settings
    warnings: list[str] = field(default_factory=list)
    detections: list[Detection] = field(default_factory=list)
    thresholds: Thresholds = field(default_factory=Thresholds)

    def __len__(self) -> int:
        return len(self.sources)

    def __iter__(self) -> Iterator[Source]:
        return iter(self.sources)

    @property
    def survey(self) -> Survey:
        return self.hits.survey

    @property
    def message(self) -> str:
        """One line for the analyst."""
        if not self.sources and not self.detections:
            if len(self.hits):
                return (
                    f"{self.survey.source}: none of the {len(self.hits)} hit(s) is usable "
                    "(see the warnings), so no sources"
                )
            return (
                f"{self.survey.source}: no plume hits, so no sources: the flight saw no plume "
                "above the detection threshold (an empty collection was written)"
            )
        n_s = sum(s.suspect for s in self.sources)
        return (
            f"{len(self.sources)} source(s) and {len(self.detections)} detection(s) from "
            f"{len(self.hits)} hit(s); {n_s} suspect. "
            "Every candidate needs ground confirmation."
        )

    @property
    def table(self) -> pd.DataFrame:
        """One row per source: id, lat, lon, east_m, north_m, height_m, analyte, rate_g_s,
        rate_lo_g_s, rate_hi_g_s, semi_major_m, semi_minor_m, azimuth_deg, crlb_m,
        signature, probability, p_suspect, probability_exists, suspect, n_hits, kind.
        Detections are not in it (see :attr:`detections`)."""
        rows = []
        for s in self.sources:
            rows.append(
                {
                    "id": s.id,
                    "lat": s.lat,
                    "lon": s.lon,
                    "east_m": s.east_m,
                    "north_m": s.north_m,
                    "height_m": s.height_m,
                    "analyte": s.analyte,
                    "rate_g_s": s.rate_g_s,
                    "rate_lo_g_s": s.rate_ci95_g_s[0],
                    "rate_hi_g_s": s.rate_ci95_g_s[1],
                    "semi_major_m": s.ellipse95.semi_major,
                    "semi_minor_m": s.ellipse95.semi_minor,
                    "azimuth_deg": s.ellipse95.azimuth_deg,
                    "crlb_m": s.crlb_m,
                    "signature": s.signature,
                    "probability": s.signature_probabilities.get(s.signature, float("nan")),
                    "p_suspect": s.p_suspect,
                    "probability_exists": s.probability_exists,
                    "suspect": s.suspect,
                    "n_hits": s.n_hits,
                    "kind": s.kind,
                }
            )
        return pd.DataFrame(rows)

    def raster(self) -> tuple[F64, F64, F64]:
        """(east (nx,), north (ny,), density (ny, nx)): the sum of every source's posterior
        probability per coarse cell, for maps.

        Returns
        -------
        tuple of (ndarray, ndarray, ndarray)
            Cell centres east [m], north [m], and probability per cell [-].
        """
        if not self.sources:
            e, n = self.domain.grid(10.0)
            return e, n, np.zeros((len(n), len(e)))
        c = self.sources[0].posterior.coarse
        total = np.zeros_like(c.prob)
        for s in self.sources:
            total += s.posterior.coarse.prob
        return c.east, c.north, total

    def to_geojson(self) -> dict[str, Any]:
        """FeatureCollection of the sources and detections (:mod:`olfato.locate.geojson`).

        Returns
        -------
        dict
            A GeoJSON FeatureCollection.
        """
        from olfato.locate.geojson import sources_to_geojson

        return sources_to_geojson(self)

    def write_geojson(self, path: str | Path) -> Path:
        """Write :meth:`to_geojson` to ``path``.

        Parameters
        ----------
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
        from olfato.locate.geojson import write_geojson

        return write_geojson(self, path)


def survey_stability(survey: Survey) -> str:
    """The flight's Pasquill class: the logged one (most common), else estimated from
    the median wind speed and the sun at mid-flight (:func:`olfato.physics.pasquill_class`).

    Parameters
    ----------
    survey : Survey
        The survey.

    Returns
    -------
    str
        Pasquill-Gifford class, ``"A"``-``"F"``.
    """
    s = survey.samples
    if "stability_class" in s:
        vals = s["stability_class"].dropna().astype(str).str.strip().str.upper()
        vals = vals[vals.isin(STABILITY_CLASSES)]
        if len(vals):
            return str(vals.mode().iloc[0])
    t = survey.time
    mid = float(np.nanmedian(t))
    elev = solar_elevation(mid, float(np.nanmedian(s["lat"])), float(np.nanmedian(s["lon"])))
    speed = float(np.nanmedian(s["wind_speed_ms"]))
    return str(pasquill_class(speed, elev))


def check_survey(survey: Survey) -> None:
    """Raise :class:`OlfatoError` naming the field when the survey cannot be located.

    Parameters
    ----------
    survey : Survey
        The survey.

    Raises
    ------
    OlfatoError
        When a track or wind field is missing or empty, the survey has fewer than 3
        samples, or the median wind is below :data:`MIN_WIND_MS`.
    """
    where = survey.source
    for col in ("time", "east_m", "north_m", "alt_agl_m", "wind_speed_ms", "wind_dir_deg"):
        if col not in survey.samples:
            raise OlfatoError(
                f"{where}: field '{col}' is missing; locating sources needs the track and the "
                "wind at the drone",
            )
    if survey.n_samples < 3:
        raise OlfatoError(
            f"{where}: the survey has {survey.n_samples} sample(s); nothing to locate"
        )
    for col in ("wind_speed_ms", "wind_dir_deg"):
        v = survey.samples[col].to_numpy(dtype=float)
        if np.isfinite(v).sum() < 2:
            raise OlfatoError(
                f"{where}: field '{col}' has no usable readings; locating a source needs the wind "
                "(speed, and direction FROM clockwise from north) at the drone",
                hint="Give a separate wind log with the survey.",
            )
    speed = survey.samples["wind_speed_ms"].to_numpy(dtype=float)
    med = float(np.nanmedian(speed))
    if not med >= MIN_WIND_MS:
        raise OlfatoError(
            f"{where}: field 'wind_speed_ms' has a median of {med:.2f} m/s, below "
            f"{MIN_WIND_MS} m/s: too calm to work a plume back to its source (in calm air "
            "there is no plume direction to follow); the hits are still reported by detection",
            hint="Fly again in a steady wind, or check the anemometer and the wind log.",
        )


def estimate_lag(
    hits: Hits,
    channel: str,
    hit_ids: list[int],
    cand_e: F64,
    cand_n: F64,
    wind: WindHistory,
    settings: Settings,
    lags: tuple[float, ...] = LAG_GRID_S,
) -> float:
    """The sensor lag [s] of ``channel`` that makes the hits' back-trajectories meet best.

    A lag shifts every crossing centroid along the track, in opposite directions on
    lines flown in opposite directions; the peak of the vote map
    (:func:`olfato.locate.multisource.vote`) is computed at each of ``lags`` and the
    lag is the vertex of the parabola fitted to those peaks by least squares, kept
    within the lags tried (a profile-likelihood estimate of a nuisance; where the
    fitted parabola opens upwards, the best lag tried). The peak of the vote map is a
    noisy function of the lag; the fit over five lags smooths it: on the six
    benchmark scenarios (18 flights, 39 channels) its mean error against the
    simulated response time is 0.96 s, against 1.08 s for the best of nine lags
    0.5 s apart, at 5/9 of the cost. Needs 3 hits, else 0.

    Parameters
    ----------
    hits : Hits
        The detection result.
    channel : str
        The gas channel.
    hit_ids : list of int
        The hits.
    cand_e, cand_n : ndarray
        Candidate positions of the vote map [m].
    wind : WindHistory
        The wind.
    settings : Settings
        Model settings.
    lags : tuple of float, default LAG_GRID_S
        Lags tried [s].

    Returns
    -------
    float
        Sensor lag [s].
    """
    if len(hit_ids) < 3:
        return 0.0
    scores = []
    for lag in lags:
        cr = crossings_from_hits(hits, hit_ids, channel, lag)
        lat = ms.lateral_maps(cand_e, cand_n, cr, wind, settings)
        scores.append(float(ms.vote(lat, np.ones(len(cr), dtype=bool)).max()))
    tried = np.asarray(lags, dtype=float)
    best = float(tried[int(np.argmax(np.round(scores, 6)))])
    if len(tried) < 3:
        return best
    curve = np.polyfit(tried, np.asarray(scores), 2)
    if curve[0] >= 0.0:
        return best
    return float(np.clip(-curve[1] / (2.0 * curve[0]), tried.min(), tried.max()))


def _concat(parts: list[Crossings]) -> Crossings:
    cat = np.concatenate
    return Crossings(
        cat([p.hit_ids for p in parts]),
        cat([p.east for p in parts]),
        cat([p.north for p in parts]),
        cat([p.time for p in parts]),
        cat([p.alt for p in parts]),
        cat([p.vel_e for p in parts]),
        cat([p.vel_n for p in parts]),
        cat([p.integral for p in parts]),
        cat([p.integral_err for p in parts]),
        parts[0].channel,
        parts[0].molar_mass,
        None if any(p.vel_sq is None for p in parts) else cat([p.vel_sq for p in parts]),
    )


def locate(
    survey: Survey,
    hits: Hits | None = None,
    *,
    signatures: SignatureLibrary | None = None,
    false_alarms_per_hour: float | None = None,
    transport: str = "trajectory",
    dispersion_model: str | None = None,
    discrepancy: float | None = None,
    transport_sd_deg: float | None = None,
    heights_m: tuple[float, ...] = DEFAULT_HEIGHTS_M,
    margin_m: float = DEFAULT_MARGIN_M,
    coarse_m: float | None = None,
    lag_s: float | dict[str, float] | None = None,
    direction_sd_deg: float | None = None,
    probe_length_m: float = DEFAULT_PROBE_LENGTH_M,
    crlb: bool = True,
    refine: bool = True,
    thresholds: Thresholds | None = None,
    grouping: str = "greedy",
    direction_bias_sd_deg: float | None = None,
    average_stability: bool = AVERAGE_STABILITY,
    dispersion_scales: tuple[float, ...] | None = None,
    transport_error_factors: tuple[float, ...] | None = None,
    discrepancy_factors: tuple[float, ...] | None = None,
    travel_factors: tuple[float, ...] | None = None,
    intermittent: bool = True,
) -> Sources:
    """Estimate every source of a survey: where, how strong, how sure, and what.

    ``hits``: from :func:`olfato.detect.detect` (run here with ``signatures`` and
    ``false_alarms_per_hour`` when None). ``transport``: ``"trajectory"`` (default:
    plumes follow the logged wind's history, for real, meandering plumes) or
    ``"mean"`` (straight time-averaged plumes along the flight's mean wind, whose
    direction uncertainty ``direction_sd_deg`` [deg] is integrated out; estimated
    from the logged wind when None). ``dispersion_model``, ``discrepancy`` [-] and
    ``transport_sd_deg`` [deg] default by transport (:data:`TURBULENT`,
    :data:`STEADY`). ``heights_m`` the prior's source heights [m AGL];
    ``margin_m`` [m] how far beyond the track a source may be; ``coarse_m`` [m] the
    coarse grid (default: about 1/120 of the domain); ``lag_s`` [s] the sensor lag
    (one for all channels, or per channel; estimated when None); ``probe_length_m``
    [m] the non-detection segments; ``crlb`` compute the Cramer-Rao bound;
    ``refine`` with ``transport="mean"``, refine each source on every sample when
    the data fit a steady plume (:mod:`olfato.locate.refine`); ``thresholds`` when a
    source is located and when it may be called suspect
    (:class:`olfato.locate.levels.Thresholds`); ``grouping`` how hits become sources
    (:attr:`olfato.locate.likelihood.Settings.grouping`: ``"greedy"`` or ``"evidence"``);
    ``direction_bias_sd_deg`` [deg] with ``transport="trajectory"``, the prior sd of a
    bias of the logged wind direction shared by the whole flight (a misaligned vane or
    compass; None: :data:`olfato.locate.defaults.DIRECTION_BIAS_SD_DEG`, 0 leaves it
    out) and ``average_stability`` the stability class averaged over the survey's
    class and its neighbours (off by default): nuisances integrated out of the final
    posterior of every group that may be located (:func:`with_nuisances`);
    ``intermittent`` a source may be off during a pass (a lab cooking in batches): the
    non-detections of one pass share its on/off state, whose chance is integrated out
    (the likelihood's "Emission that may be off during a pass",
    :mod:`olfato.locate.likelihood`);
    False: always on, every non-detection segment misses independently.

    The steps: :func:`model_settings`, :func:`search_domain`, :func:`sensor_lags`,
    :func:`may_share_source`, the grouping (:func:`greedy_grouping` or
    :func:`olfato.locate.joint.evidence_grouping`), :func:`on_rate` (the rate while a
    source emits), :func:`refine_steady` (steady plumes), :func:`findings` and
    :func:`name_findings`.

    Groups of hits that are not located (one pass, an unbounded region, a rate at
    the prior's bound) become :class:`olfato.locate.levels.Detection` s in
    ``Sources.detections``; hits the detector flagged as unusable (sensor faults,
    smaller than their own uncertainty) are left out, said so in the warnings.

    Each :class:`Source` has ``east_m``, ``north_m`` [m] and ``lat``, ``lon`` [deg]
    (posterior mean), ``height_m`` [m AGL], ``analyte`` (the dominant channel) with
    ``rate_g_s`` (posterior median of the rate while it emits: a source that may
    cook in batches, :func:`on_rate`) and ``rate_ci95_g_s`` [g/s], ``ellipse95`` (95%
    credible region), ``signature``, ``signature_probabilities`` and ``suspect``
    from the fingerprint of all its hits, ``hit_ids``, ``crlb_m`` [m] and its
    ``posterior`` rasters. No hits give no sources (see :attr:`Sources.message`).

    Parameters
    ----------
    survey : Survey
        The survey.
    hits : Hits or None, default None
        Detection result; None runs detection.
    signatures : SignatureLibrary or None, default None
        Signature library; None uses the shipped one.
    false_alarms_per_hour : float or None, default None
        Detection setting [1/h] when ``hits`` is None.
    transport : str, default "trajectory"
        ``"trajectory"`` or ``"mean"``.
    dispersion_model : str or None, default None
        Dispersion-coefficient model; None picks by transport.
    discrepancy : float or None, default None
        Model discrepancy [-]; None picks by transport.
    transport_sd_deg : float or None, default None
        Transport direction error [deg]; None picks by transport.
    heights_m : tuple of float, default DEFAULT_HEIGHTS_M
        Prior source heights [m AGL].
    margin_m : float, default DEFAULT_MARGIN_M
        How far beyond the track a source may be [m].
    coarse_m : float or None, default None
        Coarse grid spacing [m]; None: about 1/120 of the domain.
    lag_s : float or dict[str, float] or None, default None
        Sensor lag [s], one or per channel; None estimates it.
    direction_sd_deg : float or None, default None
        Mean wind direction uncertainty [deg]; None estimates it.
    probe_length_m : float, default DEFAULT_PROBE_LENGTH_M
        Non-detection segment length [m].
    crlb : bool, default True
        Compute the Cramer-Rao bound.
    refine : bool, default True
        Refine on every sample when the data fit a steady plume (``"mean"``).
    thresholds : Thresholds or None, default None
        When a source is located and when it may be called suspect.
    grouping : str, default "greedy"
        How hits become sources: ``"greedy"`` or ``"evidence"``.
    direction_bias_sd_deg : float or None, default None
        Prior sd of a flight-wide wind-direction bias [deg] (0: none; None:
        :data:`DIRECTION_BIAS_SD_DEG`).
    average_stability : bool, default AVERAGE_STABILITY
        Average each source over the survey's stability class and its neighbours
        (:data:`olfato.locate.defaults.AVERAGE_STABILITY`: off).
    dispersion_scales : tuple of float or None, default None
        Factors [-] on the class's dispersion (sigma_y, sigma_z and the transport
        error), equally likely a priori, averaged over in each located source's final
        posterior, with ``transport="trajectory"`` only (None:
        :data:`olfato.locate.defaults.DISPERSION_SCALES`; () or (1.0,): the class's own;
        one factor: the class's dispersion times it, in every fit).
    transport_error_factors : tuple of float or None, default None
        Factors [-] on the transport direction error ``transport_sd_deg`` alone,
        equally likely a priori, averaged over in each located source's final
        posterior, with ``transport="trajectory"`` only (None:
        :data:`olfato.locate.defaults.TRANSPORT_ERROR_FACTORS`; () or (1.0,): the
        error as set; one factor: the error times it, in every fit).
    discrepancy_factors : tuple of float or None, default None
        Factors [-] on ``discrepancy`` (how far a crossing's integral may stray from
        the plume model's, in ln), equally likely a priori, averaged over in each
        located source's rate while it emits (its region keeps the discrepancy as
        set), with ``transport="trajectory"`` only (None:
        :data:`olfato.locate.defaults.DISCREPANCY_FACTORS`; () or (1.0,): the
        discrepancy as set; one factor: the discrepancy times it, in every fit).
    travel_factors : tuple of float or None, default None
        The plume's mean advection speed as a fraction of the logged wind's [-] (a
        ground-level plume travels in the slower air below the drone, and an anemometer
        may read fast: :mod:`olfato.locate.transport`), equally likely a priori,
        averaged over in each located source's final posterior, with
        ``transport="trajectory"`` only (None:
        :data:`olfato.locate.defaults.TRAVEL_FACTORS`; () or (1.0,): the logged speed;
        one factor: the logged speed times it, in every fit).
    intermittent : bool, default True
        A source may be off during a pass; False: always on.

    Returns
    -------
    Sources
        The located sources, the detections not located, and warnings.

    Raises
    ------
    OlfatoError
        The survey cannot be located, or a setting is out of range.
    """
    check_survey(survey)
    scales = nuisance_factors(
        dispersion_scales, DISPERSION_SCALES, transport, parameter="dispersion_scales"
    )
    transport_factors = nuisance_factors(
        transport_error_factors,
        TRANSPORT_ERROR_FACTORS,
        transport,
        parameter="transport_error_factors",
    )
    disc_factors = nuisance_factors(
        discrepancy_factors, DISCREPANCY_FACTORS, transport, parameter="discrepancy_factors"
    )
    travel = nuisance_factors(travel_factors, TRAVEL_FACTORS, transport, parameter="travel_factors")
    if direction_bias_sd_deg is None:
        direction_bias_sd_deg = DIRECTION_BIAS_SD_DEG
    if not direction_bias_sd_deg >= 0 or not np.isfinite(direction_bias_sd_deg):
        raise OlfatoError(
            f"direction_bias_sd_deg must be a finite angle >= 0 [deg], got {direction_bias_sd_deg}",
            parameter="direction_bias_sd_deg",
        )
    settings = model_settings(
        survey,
        transport=transport,
        dispersion_model=dispersion_model,
        discrepancy=discrepancy,
        transport_sd_deg=transport_sd_deg,
        grouping=grouping,
        intermittent=intermittent,
    )
    if len(scales) == 1:
        settings = replace(settings, dispersion_scale=float(scales[0]))
    if len(transport_factors) == 1:
        settings = replace(
            settings, transport_sd_deg=settings.transport_sd_deg * transport_factors[0]
        )
    if settings.transport_sd_deg <= 0:
        transport_factors = (1.0,)  # no trajectory error to scale
    if len(disc_factors) == 1:
        settings = replace(settings, discrepancy=settings.discrepancy * disc_factors[0])
        disc_factors = (1.0,)
    if hits is None:
        from olfato.detect.pipeline import DEFAULT_FALSE_ALARMS_PER_HOUR, detect

        hits = detect(
            survey,
            signatures=signatures,
            false_alarms_per_hour=false_alarms_per_hour or DEFAULT_FALSE_ALARMS_PER_HOUR,
        )
    s = survey.samples
    t = survey.time
    speed = s["wind_speed_ms"].to_numpy(dtype=float)
    direction = s["wind_dir_deg"].to_numpy(dtype=float)
    wind = wind_history(
        t,
        speed,
        direction,
        transport=transport,
        travel_factor=travel[0] if len(travel) == 1 else 1.0,
        where=survey.source,
    )
    if transport == "mean" and direction_sd_deg is None:
        direction_sd_deg = crlbmod.mean_direction_sd(t, direction)
    dir_sd = float(direction_sd_deg or 0.0) if transport == "mean" else 0.0
    e = s["east_m"].to_numpy(dtype=float)
    n = s["north_m"].to_numpy(dtype=float)
    domain = search_domain(e, n, heights_m=heights_m, margin_m=margin_m)
    if coarse_m is None:
        coarse_m = float(max(5.0, np.sqrt(domain.area_m2) / 120.0))
    base = Sources(
        sources=[],
        hits=hits,
        stability=settings.stability,
        lag_s={},
        domain=domain,
        transport=transport,
        settings=settings,
        warnings=list(hits.warnings),
        thresholds=thresholds or Thresholds(),
    )
    if len(hits) == 0:
        return base
    rows = usable_rows(hits)
    if len(rows) < len(hits):
        base.warnings.append(
            f"{len(hits) - len(rows)} of {len(hits)} hit(s) not used to locate (sensor faults "
            "or smaller than their uncertainty; see the hits' flags)"
        )
    if len(rows) == 0:
        return base

    # -- the hits' ridges on the coarse grid, the sensor lags, which hits may share a source -
    ids = [int(i) for i in hits.table["id"].to_numpy()[rows]]
    ge, gn = domain.grid(coarse_m)
    ee, nn = np.meshgrid(ge, gn)
    ce, cn = ee.ravel(), nn.ravel()
    # the lags' vote maps on every other row and column of the coarse grid: their peak
    # moves smoothly with the lag, and at a quarter of the cost the lags come out as
    # close to the sensors' response times (66 channels of 48 simulated flights: mean
    # error 0.79 s, against 0.74 s on every cell)
    channels = hit_channels(hits, ids)
    lags = sensor_lags(
        hits, channels, ee[::2, ::2].ravel(), nn[::2, ::2].ravel(), wind, settings, lag_s
    )
    passes = lv.pass_numbers(t, e, n)
    chemistry = ms.chemistry_compatible(hits)
    mixed = ms.mixed_crossings(hits, chemistry)
    fitter = SourceFitter(
        hits=hits,
        ids=ids,
        channels=channels,
        lags=lags,
        wind=wind,
        domain=domain,
        settings=settings,
        coarse_m=coarse_m,
        direction_sd_deg=dir_sd,
        survey_wind=(t, speed, direction),
        probe_length_m=probe_length_m,
        passes=passes,
        chemistry=chemistry,
        mixed=mixed,
    )
    lateral = ms.lateral_maps(ce, cn, fitter.crossings, wind, settings)
    compat = may_share_source(hits, rows, fitter.crossings, passes, chemistry, mixed)
    snr = hits.table["snr"].to_numpy(dtype=float)[rows]

    # -- the nuisances (wind bias, class, dispersion, transport error, travel speed) --------
    average = NuisanceAverage(
        fitter,
        locatable=partial(
            may_be_located,
            peak_pass=hits_peak_pass(hits, passes),
            thresholds=base.thresholds,
            domain=domain,
        ),
        bias_sd_deg=direction_bias_sd_deg if transport == "trajectory" else 0.0,
        stabilities=(
            stability_prior(settings.stability)
            if average_stability and transport == "trajectory"
            else None
        ),
        dispersion_scales=dict.fromkeys(scales, 1.0) if len(scales) > 1 else None,
        transport_factors=(
            dict.fromkeys(transport_factors, 1.0) if len(transport_factors) > 1 else None
        ),
        travel_factors=dict.fromkeys(travel, 1.0) if len(travel) > 1 else None,
    )
    averaged = average.merge_gain if average.components else None

    # -- how many sources, and which hits each explains ---------------------------------------
    if settings.grouping == "evidence":
        parts, p_sep = joint.evidence_grouping(
            ids, lateral, compat, snr, fitter, fitter.lateral_at, averaged
        )
        groups = [(g.members, g.channel, g.posterior) for g in parts]
    else:
        groups = greedy_grouping(ids, lateral, compat, snr, fitter, averaged)
        p_sep = separate_probabilities(groups, fitter, compat, fitter.index, snr, averaged)
    groups = share_mixed_crossings(groups, fitter, compat, (ce, cn))

    # -- nuisances out of the final fits ---------------------------------------------------------
    if average.components:
        groups = with_nuisances(groups, average)

    # -- sources that may emit in batches: the rate while they emit (for the located) ------
    rates: list[Callable[[], tuple[float, tuple[float, float]]]] = [
        partial(on_rate, members, ch, post, fitter, discrepancy_factors=disc_factors)
        for members, ch, post in groups
    ]

    # -- steady plumes: every sample, not just crossing summaries ---------------------------
    refined: list[rf.Refined | None] = [None] * len(groups)
    dir_sd_bound = dir_sd_for_crlb(t, direction)
    if transport == "mean" and refine:
        refined = refine_steady(hits, groups, lags, wind, settings, dir_sd_bound)

    # -- levels of finding, probabilities, summaries -------------------------------------------
    short = track_too_short(e, n)
    if short:
        base.warnings.append(short)
    found = findings(
        hits=hits,
        survey=survey,
        groups=groups,
        rates=rates,
        refined=refined,
        p_separate=p_sep,
        passes=passes,
        short=bool(short),
        lags=lags,
        wind=wind,
        settings=settings,
        domain=domain,
        thresholds=base.thresholds,
        transport=transport,
        crlb=crlb,
        dir_sd_bound=dir_sd_bound,
        probe_length_m=probe_length_m,
        mixed=set(fitter.mixed),
    )
    return name_findings(base, found, lags)


def nuisance_factors(
    factors: tuple[float, ...] | None,
    default: tuple[float, ...],
    transport: str,
    *,
    parameter: str,
) -> tuple[float, ...]:
    """The factors of one of :func:`locate`'s nuisances (``dispersion_scales``,
    ``transport_error_factors``, ``discrepancy_factors``, ``travel_factors``), checked.

    Parameters
    ----------
    factors : tuple of float or None
        As given; None takes ``default`` (and (1.0,) for a steady plume); () is (1.0,).
    default : tuple of float
        The default factors [-].
    transport : str
        ``locate``'s transport: the factors apply to ``"trajectory"`` only (a steady
        plume is refined on its class's own model).
    parameter : str
        The parameter's name, for the error.

    Returns
    -------
    tuple of float
        The factors [-], finite and > 0.

    Raises
    ------
    OlfatoError
        A factor is not finite and > 0, or other than (1.0,) with a steady plume.
    """
    if factors is None:
        return default if transport == "trajectory" else (1.0,)
    out = tuple(float(f) for f in factors) or (1.0,)
    if not all(np.isfinite(f) and f > 0 for f in out):
        raise OlfatoError(f"{parameter} must be finite factors > 0, got {out}", parameter=parameter)
    if transport != "trajectory" and out != (1.0,):
        raise OlfatoError(
            f"{parameter} applies to transport='trajectory' (a steady plume is refined on "
            f"its class's own model), got {out} with transport={transport!r}",
            parameter=parameter,
        )
    return out


def may_be_located(
    members: list[int],
    post: Posterior,
    *,
    peak_pass: dict[int, int],
    thresholds: Thresholds,
    domain: Domain,
) -> bool:
    """Whether a group may become a located source, as far as its fixed-nuisance fit
    tells: crossed on enough passes and a bounded 95% region (the nuisances only widen
    it). Only such groups get the nuisances integrated out (:func:`with_nuisances`, the
    merges' near misses); the others' bearings come from the coarse raster.

    Parameters
    ----------
    members : list of int
        The group's hit ids.
    post : Posterior
        Its fixed-nuisance posterior.
    peak_pass : dict[int, int]
        Hit id -> the pass of its peak (:func:`hits_peak_pass`).
    thresholds : Thresholds
        When a source is located.
    domain : Domain
        The search domain.

    Returns
    -------
    bool
        True when it may be located.
    """
    return lv.passes_crossed(members, peak_pass) >= thresholds.min_passes and lv.region_bounded(
        post.ellipse, post.mean[0], post.mean[1], post, domain
    )


def with_nuisances(
    groups: list[tuple[list[int], str, Posterior]],
    average: NuisanceAverage,
) -> list[tuple[list[int], str, Posterior]]:
    """Each group's final posterior with the nuisances integrated out.

    A bias of the whole flight's logged wind direction (normal prior of sd
    ``bias_sd_deg`` [deg], ``n_bias_nodes`` Gauss-Hermite offsets of the logged
    directions), the stability class (``stabilities``: class -> prior weight,
    :func:`olfato.locate.posterior.stability_prior`), a factor on the class's
    dispersion (``dispersion_scales``: factor -> prior weight,
    :data:`olfato.locate.defaults.DISPERSION_SCALES`) and a factor on the transport
    direction error (``transport_factors``: factor -> prior weight,
    :data:`olfato.locate.defaults.TRANSPORT_ERROR_FACTORS`) and the plume's travel
    speed (``travel_factors``: its fraction of the logged wind's speed -> prior weight,
    :data:`olfato.locate.defaults.TRAVEL_FACTORS`), as set in ``average``
    (:class:`NuisanceAverage`), are averaged over in the likelihood of every cell
    (:func:`olfato.locate.posterior.nuisances`; Bayesian model averaging, each
    component weighted by its evidence times its prior). A dispersion factor moves a
    source along the wind (sigma_z grows roughly as x^0.8, so 1.6 x sigma_z is the
    plume of a source 1.8 x as far), so its grid is widened by :data:`DISPERSION_PAD`
    of the distance to the farthest crossing on top of the bias's arc; a larger
    transport error widens it across the wind, by the arc of twice the error it adds.

    Why here and only at the merges' near misses inside the grouping
    (:func:`olfato.locate.joint.merge`): the grouping compares hypotheses about which
    hits share a source, which a common nuisance mostly shifts alike, while it fits
    several times more posteriors than there are findings; the mixture costs one
    likelihood per component, so it is paid once per finding (and per near-miss
    merge, whose fits ``average`` keeps for the final posteriors), on a grid over the
    fixed-nuisance posterior's region widened by how far a bias's arc (the distance to
    the farthest crossing x sin of the largest offset) and a class's along-wind shift
    (taken as 15% of that distance) can move it. Groups that may not be located
    (``average.locatable`` False; in :func:`locate`, :func:`may_be_located`: crossed on
    too few passes, or a fixed-nuisance region already unbounded, so a detection whose
    bearing comes from the coarse raster) keep their posterior.

    Defaults, from ``benchmarks/nuisance.py --seeds 4`` (24 flights per condition, each
    located with every setting, paired; 48 true sources; final posteriors only, so
    false suspects, sources per true source and suspect recall are unchanged). The
    bias, with a 4 deg prior sd, is on: under a 6 deg bias of the wind log the 95%
    position coverage goes 42% -> 100% and the median error 27.2 -> 24.2 m (paired
    change -3.9 m, 95% interval -5.2 to -2.4); as simulated the median error changes
    by -0.5 m (-1.1 to 0.2) and coverage goes 98% -> 100% (the regions are now on the
    wide side); locate's speed run +0.20 s CPU (2.18 -> 2.38 s). The classes (0.7 on
    the survey's) are off (:data:`olfato.locate.defaults.AVERAGE_STABILITY`): with the
    bias they bring a class wrong by one from 85% to 100% coverage and 33.8 to 27.5 m
    (-2.5 m, -3.7 to -1.1), as simulated +0.3 m (-0.9 to 1.6), speed run +0.18 s, but
    move the one-lab test flight's estimate from 23 to 32 m off; a prior of 0.5 on the
    survey's class cost 1.7 m of as-simulated median error (1.0 to 3.5).

    Parameters
    ----------
    groups : list of (members, channel, Posterior)
        The sources, with their fixed-nuisance posteriors.
    average : NuisanceAverage
        The survey's nuisances, which groups get them (``average.locatable``) and the
        averaged fits already made.

    Returns
    -------
    list of (members, channel, Posterior)
        The same sources, their posteriors with the nuisances integrated out.
    """
    return [
        (members, ch, average(members, ch, post) if average.locatable(members, post) else post)
        for members, ch, post in groups
    ]


class NuisanceAverage:
    """One group's posterior with the nuisances integrated out (:func:`with_nuisances`),
    each group's kept: the merges' near misses (:func:`olfato.locate.joint.merge`) and
    the final posteriors share them.

    The nuisances are described in :func:`with_nuisances`; with fewer than two
    components (no nuisance) a group keeps its fixed-nuisance posterior.
    """

    def __init__(
        self,
        fitter: SourceFitter,
        *,
        bias_sd_deg: float = 0.0,
        stabilities: dict[str, float] | None = None,
        dispersion_scales: dict[float, float] | None = None,
        transport_factors: dict[float, float] | None = None,
        travel_factors: dict[float, float] | None = None,
        n_bias_nodes: int = N_BIAS_NODES,
        cross: bool = True,
        locatable: Callable[[list[int], Posterior], bool] | None = None,
    ) -> None:
        """Set up the nuisance components of one survey.

        Parameters
        ----------
        fitter : SourceFitter
            The survey's fitter.
        bias_sd_deg : float, default 0.0
            Prior sd of the wind-direction bias [deg]; 0 leaves it out.
        stabilities : dict[str, float] or None, default None
            Class -> prior weight; None keeps the survey's class.
        dispersion_scales : dict[float, float] or None, default None
            Dispersion factor [-] -> prior weight (the first is the nominal one); None
            keeps the class's dispersion.
        transport_factors : dict[float, float] or None, default None
            Factor [-] on the transport direction error -> prior weight (the first is the
            nominal one); None keeps the settings' error.
        travel_factors : dict[float, float] or None, default None
            The plume's mean speed over the logged wind's [-] -> prior weight (the first
            is the nominal one); None keeps the fitter's wind's.
        n_bias_nodes : int, default N_BIAS_NODES
            Quadrature nodes over the bias.
        cross : bool, default True
            Only the components where at most one nuisance departs from its nominal value
            (:func:`olfato.locate.posterior.nuisances`: 5 likelihoods per cell instead of 9).
        locatable : callable or None, default None
            ``locatable(members, post)``: whether a group may be located
            (:func:`may_be_located`); None: every group.
        """
        self.fitter = fitter
        #: the mixture's components (:func:`olfato.locate.posterior.nuisances`); empty
        #: when there is no nuisance to average over
        self.components: list[Nuisance] = []
        if (
            bias_sd_deg > 0
            or stabilities
            or dispersion_scales
            or transport_factors
            or travel_factors
        ):
            self.components = nuisances(
                fitter.wind,
                fitter.survey_wind if bias_sd_deg > 0 else None,
                settings=fitter.settings,
                bias_sd_deg=bias_sd_deg,
                n_bias_nodes=n_bias_nodes,
                stabilities=stabilities,
                dispersion_scales=dispersion_scales,
                transport_factors=transport_factors,
                travel_factors=travel_factors,
                cross=cross,
            )
        if len(self.components) < 2:
            self.components = []  # one component: nothing to average over
        #: how far a mixture's grid reaches beyond the fixed-nuisance region, per metre
        #: from the source's mean to its farthest crossing [-] (:func:`with_nuisances`)
        self.pad_per_m = 0.0
        if self.components:
            max_off = max(abs(c.bias_deg) for c in self.components)
            nominal = fitter.settings.transport_sd_deg
            added = max((c.transport_sd_deg or nominal) - nominal for c in self.components)
            self.pad_per_m = float(
                np.sin(np.deg2rad(max_off + 2.0 * added))
                + (0.15 if stabilities else 0.0)
                + (DISPERSION_PAD if dispersion_scales else 0.0)
            )
        self.fits: dict[tuple[frozenset[int], str], Posterior] = {}
        #: locatable(members, post): whether a group may be located; only those get the
        #: nuisances (:func:`with_nuisances`), and :meth:`merge_gain` answers only for
        #: pairs of those
        self.locatable = locatable or (lambda members, post: True)

    def __call__(self, members: list[int], channel: str, post: Posterior) -> Posterior:
        """The group's posterior with the nuisances integrated out, computed once.

        Parameters
        ----------
        members : list of int
            The group's hit ids.
        channel : str
            Its channel.
        post : Posterior
            Its fixed-nuisance posterior (its coarse raster and mean set the grid).

        Returns
        -------
        Posterior
            The averaged posterior (``post`` itself when there is no nuisance).
        """
        if not self.components:
            return post
        key = (frozenset(members), channel)
        if key not in self.fits:
            fitter = self.fitter
            cr = fitter.crossings_of(members, channel)
            reach = float(np.max(np.hypot(cr.east - post.mean[0], cr.north - post.mean[1])))
            self.fits[key] = posterior(
                cr,
                fitter.probes[channel],
                fitter.wind,
                fitter.domain,
                fitter.settings,
                coarse_m=fitter.coarse_m,
                coarse=post.coarse,
                mixture=self.components,
                pad_m=max(reach * self.pad_per_m, 2.0 * fitter.coarse_m),
            )
        return self.fits[key]

    def merge_gain(self, merged: joint.Group, a: joint.Group, b: joint.Group) -> float | None:
        """ln Z(merged) - ln Z(a) - ln Z(b) [-], each evidence with the nuisances integrated
        out (the ``averaged`` of :func:`olfato.locate.joint.merge`); None when ``a`` or
        ``b`` may not be located (:attr:`locatable`): a split that leaves a detection
        apart adds no source, and its mixture would be paid for nothing.

        Parameters
        ----------
        merged : Group
            One source explaining the hits of both.
        a, b : Group
            The two sources.

        Returns
        -------
        float or None
            The gain [-], or None.
        """
        if not all(self.locatable(g.members, g.posterior) for g in (a, b)):
            return None
        za, zb, zab = (self(g.members, g.channel, g.posterior).log_evidence for g in (a, b, merged))
        return zab - za - zb


def model_settings(
    survey: Survey,
    *,
    transport: str = "trajectory",
    dispersion_model: str | None = None,
    discrepancy: float | None = None,
    transport_sd_deg: float | None = None,
    grouping: str = "greedy",
    intermittent: bool = True,
) -> Settings:
    """The likelihood's settings for a survey: its stability class, and the transport's
    defaults (:data:`TURBULENT`, :data:`STEADY`) where a setting is None.

    Parameters
    ----------
    survey : Survey
        The survey.
    transport : str, default "trajectory"
        ``"trajectory"`` or ``"mean"``.
    dispersion_model : str or None, default None
        Dispersion-coefficient model; None picks by transport.
    discrepancy : float or None, default None
        Model discrepancy [-]; None picks by transport.
    transport_sd_deg : float or None, default None
        Transport direction error [deg]; None picks by transport.
    grouping : str, default "greedy"
        ``"greedy"`` or ``"evidence"``.
    intermittent : bool, default True
        A source may be off during a pass (:attr:`Settings.p_off_grid` and its prior
        at their defaults); False: always on (``p_off_grid = (0.0,)``).

    Returns
    -------
    Settings
        The likelihood's settings.
    """
    defaults = TURBULENT if transport == "trajectory" else STEADY
    p_off: tuple[tuple[float, ...], tuple[float, ...]] = (
        (P_OFF_GRID, P_OFF_PRIOR) if intermittent else ((0.0,), (1.0,))
    )
    return Settings(
        stability=survey_stability(survey),
        dispersion_model=dispersion_model or defaults.dispersion_model,
        transport_sd_deg=float(
            transport_sd_deg if transport_sd_deg is not None else defaults.transport_sd_deg
        ),
        discrepancy=float(discrepancy if discrepancy is not None else defaults.discrepancy),
        grouping=grouping,
        p_off_grid=p_off[0],
        p_off_prior=p_off[1],
        partly_on=defaults.partly_on,
    )


def search_domain(
    east_m: F64, north_m: F64, *, heights_m: tuple[float, ...], margin_m: float
) -> Domain:
    """The search rectangle: the track's bounding box [m] widened by ``margin_m`` [m], with
    the prior's source heights ``heights_m`` [m AGL].

    Parameters
    ----------
    east_m, north_m : ndarray
        The track [m].
    heights_m : tuple of float
        Prior source heights [m AGL].
    margin_m : float
        How far beyond the track a source may be [m].

    Returns
    -------
    Domain
        The search rectangle.
    """
    return Domain(
        float(np.nanmin(east_m) - margin_m),
        float(np.nanmax(east_m) + margin_m),
        float(np.nanmin(north_m) - margin_m),
        float(np.nanmax(north_m) + margin_m),
        tuple(float(h) for h in heights_m),
    )


def hit_channels(hits: Hits, ids: list[int]) -> dict[int, str]:
    """Hit id -> the channel that dominates it (:func:`olfato.locate.multisource.dominant_channel`):
    the channel its crossing is fitted in and its sensor lag estimated from.

    Parameters
    ----------
    hits : Hits
        The detection result.
    ids : list of int
        The usable hits' ids.

    Returns
    -------
    dict[int, str]
        Hit id -> channel, in the order of ``ids``.
    """
    return {i: ms.dominant_channel(hits, [i]) for i in ids}


def sensor_lags(
    hits: Hits,
    channels: dict[int, str],
    cand_e: F64,
    cand_n: F64,
    wind: WindHistory,
    settings: Settings,
    lag_s: float | dict[str, float] | None,
) -> dict[str, float]:
    """Channel -> sensor lag [s] for every channel that dominates a hit: given, or
    estimated from the hits of that channel (:func:`estimate_lag`).

    Parameters
    ----------
    hits : Hits
        The detection result.
    channels : dict[int, str]
        Usable hit id -> its dominant channel (:func:`hit_channels`).
    cand_e, cand_n : ndarray
        The coarse grid's cells [m].
    wind : WindHistory
        The flight's wind.
    settings : Settings
        The likelihood's settings.
    lag_s : float or dict[str, float] or None
        Given lag [s], one or per channel; None estimates it.

    Returns
    -------
    dict[str, float]
        Channel -> lag [s].
    """
    lags: dict[str, float] = {}
    for c in sorted(set(channels.values())):
        if isinstance(lag_s, dict) and c in lag_s:
            lags[c] = float(lag_s[c])
        elif isinstance(lag_s, int | float):
            lags[c] = float(lag_s)
        else:
            lags[c] = estimate_lag(
                hits,
                c,
                [i for i, ch in channels.items() if ch == c],
                cand_e,
                cand_n,
                wind,
                settings,
            )
    return lags


class SourceFitter:
    """One source's posterior from a set of hits, cached; and the hits' lateral
    log-likelihoods at a point.

    Calling it with hit ids gives (channel, :class:`Posterior`): the hits' dominant
    channel, its probes, and :func:`olfato.locate.posterior.posterior` over the
    domain; every fit of one survey shares the probes and the coarse grid's probe
    geometry. ``crossings`` holds every hit in its own dominant channel, in the order
    of ``ids``.
    """

    def __init__(
        self,
        *,
        hits: Hits,
        ids: list[int],
        channels: dict[int, str],
        lags: dict[str, float],
        wind: WindHistory,
        domain: Domain,
        settings: Settings,
        coarse_m: float,
        direction_sd_deg: float,
        survey_wind: tuple[F64, F64, F64],
        probe_length_m: float,
        passes: NDArray[np.int64] | None = None,
        chemistry: NDArray[np.bool_] | None = None,
        mixed: dict[int, ms.MixedCrossing] | None = None,
    ) -> None:
        """Set up the fitter of one survey.

        Parameters
        ----------
        hits : Hits
            The detection result.
        ids : list of int
            The usable hits' ids.
        channels : dict[int, str]
            Each usable hit's dominant channel (:func:`hit_channels`).
        lags : dict[str, float]
            Channel -> sensor lag [s].
        wind : WindHistory
            The flight's wind.
        domain : Domain
            The search domain.
        settings : Settings
            The likelihood's settings.
        coarse_m : float
            Coarse grid spacing [m].
        direction_sd_deg : float
            Wind direction uncertainty integrated out [deg] (0: none).
        survey_wind : tuple of ndarray
            (time [s], speed [m/s], direction FROM [deg]) of the survey.
        probe_length_m : float
            Non-detection segment length [m].
        passes : ndarray of int or None, default None
            The pass of each sample (:func:`olfato.locate.levels.pass_numbers`);
            computed from the track when None.
        chemistry : ndarray of bool, shape (n_hits, n_hits) or None, default None
            :func:`olfato.locate.multisource.chemistry_compatible` of every hit; needed
            with ``mixed``.
        mixed : dict[int, MixedCrossing] or None, default None
            Row of the hits table -> its parts
            (:func:`olfato.locate.multisource.mixed_crossings`); None: no hit is mixed.
        """
        self.hits = hits
        self.ids = ids
        self.index = {h: j for j, h in enumerate(ids)}
        self.lags = lags
        self.wind = wind
        self.domain = domain
        self.settings = settings
        self.coarse_m = coarse_m
        self.direction_sd_deg = direction_sd_deg
        self.survey_wind = survey_wind
        self.probe_length_m = probe_length_m
        self.passes = passes
        self.fits: dict[frozenset[int], tuple[str, Posterior]] = {}
        self.row = {int(h): j for j, h in enumerate(hits.table["id"])}
        table_ids = hits.table["id"].to_numpy()
        #: hit id -> its parts, for the mixed crossings
        self.mixed = {int(table_ids[r]): mx for r, mx in (mixed or {}).items()}
        self.chemistry = chemistry
        self.probes: dict[str, Probes] = {}
        self.pair_cache: dict[Any, PairCache] = {}
        self.crossings = _concat(
            [crossings_from_hits(hits, [i], channels[i], lags[channels[i]]) for i in ids]
        )

    def __call__(self, group: list[int]) -> tuple[str, Posterior]:
        """(channel, posterior) of one source explaining ``group``, cached.

        Parameters
        ----------
        group : list of int
            The hits' ids.

        Returns
        -------
        channel : str
            Their dominant channel.
        posterior : Posterior
            One source explaining them.
        """
        key = frozenset(group)
        if key not in self.fits:
            self.fits[key] = self._fit(group)
        return self.fits[key]

    def pure(self, group: list[int]) -> list[int]:
        """The hits of ``group`` that are not mixed crossings (all of them when every one is).

        Parameters
        ----------
        group : list of int
            Hit ids.

        Returns
        -------
        list of int
            Hit ids.
        """
        return [h for h in group if h not in self.mixed] or list(group)

    def crossings_of(self, group: list[int], channel: str) -> Crossings:
        """The crossings of ``group`` in ``channel``; a mixed crossing's integral is its
        share from the part whose chemistry the group's other hits have (plumes add:
        :class:`olfato.locate.multisource.MixedCrossing`).

        Parameters
        ----------
        group : list of int
            Hit ids.
        channel : str
            The channel.

        Returns
        -------
        Crossings
            The crossings, the mixed ones' integrals scaled by their share (their errors,
            the noise of the whole crossing, kept).
        """
        lag = self.lags.get(channel)
        if lag is None:
            lag = self.lags[channel] = float(np.median(list(self.lags.values())))
        cr = crossings_from_hits(self.hits, group, channel, lag)
        c = self.hits.channels.index(channel)
        share = np.ones(len(cr.hit_ids))
        for k, h in enumerate(cr.hit_ids):
            mx = self.mixed.get(int(h))
            part = None if mx is None else self.part_of(group, mx)
            if mx is not None and part is not None:
                share[k] = mx.shares[part, c]
        return replace(cr, integral=cr.integral * share)

    def part_of(self, group: list[int], mixed: ms.MixedCrossing, least: int = 1) -> int | None:
        """Which part of a mixed crossing has the chemistry of ``group``'s hits that are
        not mixed (:func:`olfato.locate.multisource.part_of`); None when fewer than
        ``least`` of them are, or no single part fits.

        Parameters
        ----------
        group : list of int
            Hit ids.
        mixed : MixedCrossing
            The mixed crossing.
        least : int, default 1
            Fewest hits of the group's own [-].

        Returns
        -------
        int or None
            The part.
        """
        rows = [self.row[h] for h in group if h not in self.mixed]
        if len(rows) < least or self.chemistry is None:
            return None
        return ms.part_of(mixed, rows, self.chemistry)

    def _fit(self, group: list[int]) -> tuple[str, Posterior]:
        group = list(dict.fromkeys(group))
        ch = ms.dominant_channel(self.hits, self.pure(group))
        return ch, self.posterior_of(self.crossings_of(group, ch))

    def posterior_of(self, crossings: Crossings) -> Posterior:
        """One source explaining ``crossings`` (in their channel), with the survey's probes.

        Parameters
        ----------
        crossings : Crossings
            The crossings, from :meth:`crossings_of`.

        Returns
        -------
        Posterior
            Their posterior over the domain.
        """
        ch = crossings.channel
        if ch not in self.probes:
            self.probes[ch] = probes_from_track(
                self.hits, ch, self.lags[ch], self.probe_length_m, passes=self.passes
            )
        return posterior(
            crossings,
            self.probes[ch],
            self.wind,
            self.domain,
            self.settings,
            coarse_m=self.coarse_m,
            direction_sd_deg=self.direction_sd_deg,
            survey_wind=self.survey_wind,
            pair_cache=self.pair_cache,
        )

    def lateral_at(self, east_m: float, north_m: float) -> F64:
        """Each hit's lateral log-likelihood at one point [m], (n_hits,).

        Parameters
        ----------
        east_m, north_m : float
            The point [m].

        Returns
        -------
        ndarray, shape (n_hits,)
            Lateral log-likelihoods [-].
        """
        return ms.lateral_maps(
            np.array([east_m]), np.array([north_m]), self.crossings, self.wind, self.settings
        )[0]


def may_share_source(
    hits: Hits,
    rows: NDArray[np.int64],
    crossings: Crossings,
    passes: NDArray[np.int64],
    chemistry: NDArray[np.bool_],
    mixed: dict[int, ms.MixedCrossing],
) -> NDArray[np.bool_]:
    """(n, n) which usable hits may come from one source: compatible chemistry
    (:func:`olfato.locate.multisource.chemistry_compatible`, a mixed crossing with either
    of its parts' sources: :func:`olfato.locate.multisource.with_mixed`) and not two
    plumes of one pass (:func:`olfato.locate.multisource.same_pass_apart`).

    Parameters
    ----------
    hits : Hits
        The detection result.
    rows : ndarray of int
        The usable rows of the hits table.
    crossings : Crossings
        Those hits' crossings, in the same order.
    passes : ndarray of int
        Pass number of every sample.
    chemistry : ndarray of bool, shape (n_hits, n_hits)
        :func:`olfato.locate.multisource.chemistry_compatible` of every hit.
    mixed : dict[int, MixedCrossing]
        Row of the hits table -> its parts
        (:func:`olfato.locate.multisource.mixed_crossings`).

    Returns
    -------
    ndarray of bool, shape (n, n)
        True where two hits may share a source.
    """
    compat = ms.with_mixed(chemistry, mixed)[np.ix_(rows, rows)]
    hit_pass = passes[hits.table["i_peak"].to_numpy(dtype=int)[rows]]
    return np.asarray(
        compat & ~ms.same_pass_apart(crossings.east, crossings.north, hit_pass), dtype=bool
    )


def greedy_grouping(
    ids: list[int],
    lateral: F64,
    compat: NDArray[np.bool_],
    snr: F64,
    fit: SourceFitter,
    averaged: joint.Averaged | None = None,
) -> list[tuple[list[int], str, Posterior]]:
    """The greedy grouping (:mod:`olfato.locate.multisource`): a source at each peak of
    the vote map of the hits not yet taken, the hits it takes never revisited
    (:func:`olfato.locate.joint.forward_selection`), then pairwise merges while one
    source explains two groups better (evidence; :func:`olfato.locate.joint.merge`).

    Parameters
    ----------
    ids : list of int
        The usable hits' ids.
    lateral : ndarray, shape (cells, n)
        The hits' lateral log-likelihoods on the coarse grid.
    compat : ndarray of bool, shape (n, n)
        Which hits may share a source.
    snr : ndarray, shape (n,)
        The hits' SNR [-].
    fit : SourceFitter
        The survey's fitter.
    averaged : callable or None, default None
        ``averaged(merged, a, b) -> gain`` with the nuisances integrated out, for the
        merges' near misses (:meth:`NuisanceAverage.merge_gain`); None: fixed nuisances.

    Returns
    -------
    list of (members, channel, Posterior)
        The sources.
    """
    groups = joint.forward_selection(ids, lateral, compat, snr, fit, fit.lateral_at)
    groups = joint.merge(groups, ids, compat, fit, averaged)
    return [(g.members, g.channel, g.posterior) for g in groups]


def share_mixed_crossings(
    groups: list[tuple[list[int], str, Posterior]],
    fit: SourceFitter,
    compat: NDArray[np.bool_],
    grid: tuple[F64, F64],
) -> list[tuple[list[int], str, Posterior]]:
    """Each mixed crossing also in the source of its other part: plumes add.

    A mixed crossing (:func:`olfato.locate.multisource.mixed_crossings`) was grouped with
    the hits of one of its parts' chemistry; here it joins, as well, the source whose
    hits (two at least: a single crossing and a share of another is not yet a located
    source) have its other part's chemistry, when it may share that source (``compat``)
    and its ridge, seen in that source's channel (where the other plume is the
    crossing's centroid), passes that source's posterior mode or mean (its lateral
    log-likelihood there within :data:`olfato.locate.multisource.SUPPORT_LOGLIK` of its
    best on the coarse ``grid``, as when a source takes its hits), and when that source
    explains the crossing's share better than a source of its own would (ln Z(source
    + crossing) > ln Z(source) + ln Z(the share alone), as in a merge). Each source
    then fits its own share of the crossing (:meth:`SourceFitter.crossings_of`), so the
    crossing is not a third source's.

    Parameters
    ----------
    groups : list of (members, channel, Posterior)
        The sources.
    fit : SourceFitter
        The survey's fitter.
    compat : ndarray of bool, shape (n, n)
        Which usable hits may share a source.
    grid : tuple of ndarray
        East and north [m] of the coarse grid's cells.

    Returns
    -------
    list of (members, channel, Posterior)
        The sources, with the mixed crossings they share.
    """
    if not fit.mixed or fit.chemistry is None:
        return groups
    out = list(groups)
    for h, mx in fit.mixed.items():
        if h not in fit.index:
            continue
        j = fit.index[h]
        held = {p for p in (fit.part_of(m, mx) for m, _, _ in out if h in m) if p is not None}
        if not held:
            continue
        for want in sorted(set(range(len(mx.parts))) - held):
            best, best_lat, alone = None, -ms.SUPPORT_LOGLIK, None
            for g, (m, ch, post) in enumerate(out):
                if (
                    h in m
                    or fit.part_of(m, mx, least=2) != want
                    or not compat[j, [fit.index[x] for x in m]].all()
                ):
                    continue
                cr = fit.crossings_of([h], ch)
                at = np.array([post.map_position[:2], post.mean[:2]], dtype=float)
                east, north = np.append(at[:, 0], grid[0]), np.append(at[:, 1], grid[1])
                lat = ms.lateral_maps(east, north, cr, fit.wind, fit.settings)[:, 0]
                rel = float(lat[:2].max() - lat[2:].max())
                if rel > best_lat:
                    best, best_lat, alone = g, rel, cr
            if best is None or alone is None:
                continue
            # and only when that source explains its share better than a source of its own
            members, ch, post = out[best]
            ch_with, with_h = fit([*members, h])
            c = fit.hits.channels.index(ch)
            alone = replace(alone, integral=alone.integral * mx.shares[want, c])
            gain = with_h.log_evidence - post.log_evidence - fit.posterior_of(alone).log_evidence
            if ch_with == ch and gain > 0.0:
                out[best] = ([*members, h], ch_with, with_h)
    return out


def findings(
    *,
    hits: Hits,
    survey: Survey,
    groups: list[tuple[list[int], str, Posterior]],
    rates: list[Callable[[], tuple[float, tuple[float, float]]]],
    refined: list[rf.Refined | None],
    p_separate: list[float],
    passes: NDArray[np.int64],
    short: bool,
    lags: dict[str, float],
    wind: WindHistory,
    settings: Settings,
    domain: Domain,
    thresholds: Thresholds,
    transport: str,
    crlb: bool,
    dir_sd_bound: float,
    probe_length_m: float,
    mixed: set[int] | None = None,
) -> list[Source | Detection]:
    """Each group as a located :class:`Source` or a :class:`Detection`, with its
    probability of existing: (1 - P(all its hits are noise)) x P(separate).

    Parameters
    ----------
    hits : Hits
        The detection result.
    survey : Survey
        The survey.
    groups : list of (members, channel, Posterior)
        The sources.
    rates : list of callable
        Each group's rate while it emits and its 95% interval [g/s] (:func:`on_rate`),
        called only for the groups that are located.
    refined : list of Refined or None
        Steady-plume refinements, one per group.
    p_separate : list of float
        Each group's probability [-] of being a source of its own.
    passes : ndarray of int
        Pass number of every sample.
    short : bool
        The track is too short to locate anything.
    lags : dict[str, float]
        Channel -> sensor lag [s].
    wind : WindHistory
        The flight's wind.
    settings : Settings
        The likelihood's settings.
    domain : Domain
        The search domain.
    thresholds : Thresholds
        When a source is located and may be called suspect.
    transport : str
        ``"trajectory"`` or ``"mean"``.
    crlb : bool
        Compute the Cramer-Rao bound.
    dir_sd_bound : float
        Mean wind direction sd [deg] for the bound.
    probe_length_m : float
        Non-detection segment length [m].
    mixed : set of int or None, default None
        Ids of the mixed crossings (their gases partly another source's; left out of a
        source's fingerprint when it has other hits).

    Returns
    -------
    list of Source or Detection
        One per group, ids not yet given.
    """
    mixed = mixed or set()
    expected_false = hits.false_alarms_per_hour * survey.duration_s / 3600.0
    full_index = {int(h): j for j, h in enumerate(hits.table["id"])}
    cut = set(np.asarray(hits.table["id"])[hits_cut_by_log(hits.table)].tolist())
    all_snr = hits.table["snr"].to_numpy(dtype=float)
    peak_pass = hits_peak_pass(hits, passes)
    found: list[Source | Detection] = []
    for (members, ch, post), rate, ref, sep in zip(groups, rates, refined, p_separate, strict=True):
        found.append(
            _finding(
                hits=hits,
                survey=survey,
                members=members,
                channel=ch,
                post=post,
                rate_while_on=rate,
                ref=ref,
                p_separate=sep,
                p_noise=lv.noise_probability(
                    all_snr[[full_index[h] for h in members]], hits.threshold, expected_false
                ),
                n_passes=lv.passes_crossed(members, peak_pass, partial=cut),
                short=short,
                full_index=full_index,
                lags=lags,
                wind=wind,
                settings=settings,
                domain=domain,
                thresholds=thresholds,
                transport=transport,
                crlb=crlb,
                dir_sd_bound=dir_sd_bound,
                probe_length_m=probe_length_m,
                mixed=mixed,
                cut=cut,
            )
        )
    return found


def hits_peak_pass(hits: Hits, passes: NDArray[np.int64]) -> dict[int, int]:
    """Hit id -> the pass (:func:`olfato.locate.levels.pass_numbers`) of its peak.

    Parameters
    ----------
    hits : Hits
        The detection result.
    passes : ndarray of int
        The pass of each sample.

    Returns
    -------
    dict[int, int]
        Hit id -> pass.
    """
    tab = hits.table
    return {int(h): int(passes[int(i)]) for h, i in zip(tab["id"], tab["i_peak"], strict=True)}


def name_findings(
    base: Sources, found: list[Source | Detection], lags: dict[str, float]
) -> Sources:
    """Sources S1, S2, ... (most hits first) and detections D1, D2, ... into ``base``,
    their warnings prefixed by their ids.

    Parameters
    ----------
    base : Sources
        The result to fill.
    found : list of Source or Detection
        The findings.
    lags : dict[str, float]
        Channel -> sensor lag [s].

    Returns
    -------
    Sources
        ``base``, filled.
    """
    sources = [f for f in found if isinstance(f, Source)]
    detections = [f for f in found if isinstance(f, Detection)]
    sources.sort(key=lambda x: (-x.n_hits, -x.rate_g_s))
    detections.sort(key=lambda x: (-x.n_hits, -x.probability_exists))
    for j, src in enumerate(sources, start=1):
        src.id = f"S{j}"
        for w in src.warnings:
            base.warnings.append(f"{src.id}: {w}")
    for j, det in enumerate(detections, start=1):
        det.id = f"D{j}"
        for w in det.warnings:
            base.warnings.append(f"{det.id}: {w}")
    base.sources = sources
    base.detections = detections
    base.lag_s = lags
    return base


def usable_rows(hits: Hits) -> NDArray[np.int64]:
    """Rows of the hits table that locate uses (the detector's ``usable`` column; all
    when there is none).

    Parameters
    ----------
    hits : Hits
        The detection result.

    Returns
    -------
    ndarray of int
        Row positions in ``hits.table``.
    """
    t = hits.table
    if "usable" not in t:
        return np.arange(len(t))
    return np.flatnonzero(t["usable"].to_numpy(dtype=bool))


def track_too_short(east_m: F64, north_m: F64, min_m: float = MIN_TRACK_M) -> str:
    """A warning when the track's bounding box is shorter than ``min_m`` [m] on its longer
    side (too short to locate anything), else ''.

    Parameters
    ----------
    east_m, north_m : ndarray
        Track [m].
    min_m : float, default MIN_TRACK_M
        Shortest usable extent [m].

    Returns
    -------
    str
        The warning, or ``''``.
    """
    span = max(
        float(np.nanmax(east_m) - np.nanmin(east_m)), float(np.nanmax(north_m) - np.nanmin(north_m))
    )
    if span >= min_m:
        return ""
    return (
        f"the track spans {span:.0f} m (< {min_m:.0f} m): too short to locate a source; "
        "its plumes are reported as detections"
    )


def separate_probabilities(
    groups: list[tuple[list[int], str, Posterior]],
    fit: Any,
    compat: NDArray[np.bool_],
    idx: dict[int, int],
    snr: F64,
    averaged: joint.Averaged | None = None,
) -> list[float]:
    """Per group, the probability [-] that it is a source of its own rather than part of
    a stronger, chemically compatible neighbour (:func:`olfato.locate.levels.separate_probability`
    of the merge test, multiplied over the stronger neighbours within reach).

    The merge test's gain is the one that kept them apart (:func:`olfato.locate.joint.merge_gain`):
    for a near miss, with the nuisances integrated out. A fragment of one plume that the
    fixed-nuisance model splits off (two of a lab's crossings in a convective noon, 270 m
    from it: ``tests/locate/test_plume_fragments.py``) then exists with a probability
    below 0.9, not 0.996, and is not called a second suspect lab.

    Parameters
    ----------
    groups : list of tuple of (list of int, str, Posterior)
        Per group: hit ids, channel and posterior.
    fit : callable
        Fits a list of hit ids, returning (channel, posterior) of them as one source.
    compat : ndarray of bool, shape (n, n)
        Chemical compatibility of the hits.
    idx : dict[int, int]
        Hit id -> row in ``compat`` and ``snr``.
    snr : ndarray, shape (n,)
        Peak detection statistic per hit [sd].
    averaged : callable or None, default None
        The merges' gain with the nuisances integrated out
        (:meth:`NuisanceAverage.merge_gain`); None: the fixed-nuisance gain.

    Returns
    -------
    list of float
        Probability per group [-].
    """
    strength = [float(np.sum(snr[[idx[h] for h in g[0]]])) for g in groups]
    out = []
    for a, (ma, cha, pa) in enumerate(groups):
        p = 1.0
        ia = [idx[h] for h in ma]
        for b, (mb, chb, pb) in enumerate(groups):
            if b == a or strength[b] < strength[a] or (strength[b] == strength[a] and b > a):
                continue
            if not joint.may_merge(compat, ia, [idx[h] for h in mb], pa, pb):
                continue
            gain = joint.merge_gain(
                joint.Group(ma + mb, *fit(ma + mb)),
                joint.Group(ma, cha, pa),
                joint.Group(mb, chb, pb),
                averaged,
            )
            p *= lv.separate_probability(gain)
        out.append(p)
    return out


def _finding(
    *,
    hits: Hits,
    survey: Survey,
    members: list[int],
    channel: str,
    post: Posterior,
    rate_while_on: Callable[[], tuple[float, tuple[float, float]]],
    ref: rf.Refined | None,
    p_separate: float,
    p_noise: float,
    n_passes: int,
    short: bool,
    full_index: dict[int, int],
    lags: dict[str, float],
    wind: WindHistory,
    settings: Settings,
    domain: Domain,
    thresholds: Thresholds,
    transport: str,
    crlb: bool,
    dir_sd_bound: float,
    probe_length_m: float,
    mixed: set[int],
    cut: set[int],
) -> Source | Detection:
    """One group of hits as a located :class:`Source` or a :class:`Detection`
    (:mod:`olfato.locate.levels`); ``mixed`` the ids of the mixed crossings, ``cut``
    those of the hits cut by the log's start or end
    (:func:`olfato.detect.pipeline.hits_cut_by_log`). A located source's rate is what
    ``rate_while_on`` returns, the rate while the source emits (:func:`on_rate`; a
    detection has none, so it is not called), or the steady refinement's; the checks
    of the rate's bound and the Cramer-Rao bound use the rate the crossings see, the
    one the likelihood fits."""
    # a mixed crossing's gases are partly another source's, and a hit cut by the log's
    # start or end may have the wrong ratios: the fingerprint of the other hits, where
    # there are any
    unmixed = [h for h in members if h not in mixed] or members
    pure = [h for h in unmixed if h not in cut] or unmixed
    fp = hits.group(pure)
    cls = fp.classification
    signature, suspect = cls.signature, is_suspect(cls, hits.library)
    p_suspect = lv.suspect_probability(cls, hits.library)
    warnings: list[str] = []
    own = (
        hits_verdict(hits, pure, full_index) if cls.signature == NONE and not cls.mixture else None
    )
    if own is not None:
        signature, suspect = own
        p_suspect = float(
            np.mean(
                [
                    lv.suspect_probability(
                        hits.fingerprints[full_index[h]].classification, hits.library
                    )
                    for h in pure
                ]
            )
        )
        if suspect:
            warnings.append(
                f"its hits' summed gases match no signature; most of its hits alone read as "
                f"{signature}"
            )
    sus = {k: v for k, v in cls.mixture.items() if k in hits.library and hits.library[k].suspect}
    if sus and not suspect:
        parts = ", ".join(f"{k} {v:.0%}" for k, v in sus.items())
        warnings.append(
            f"a mixture with a minor suspect part ({parts}): a suspect plume crosses this "
            "source's; check the nearby suspect sources and the ground"
        )
    p_exists = (1.0 - p_noise) * p_separate
    se, sn, sh = post.mean[0], post.mean[1], post.height_m
    rate, rate_ci, ell = post.rate_g_s, post.rate_ci95_g_s, post.ellipse
    tau = (lags.get(channel, 0.0), 0.0)
    steady_rate: tuple[float, tuple[float, float]] | None = None
    if ref is not None and ref.accepted:
        se, sn, sh = (float(v) for v in ref.theta[:3])
        tau = (float(ref.theta[5]), float(ref.theta[6]))
        sd_q = float(np.sqrt(max(ref.cov[4, 4], 0.0)))
        rate = float(np.exp(ref.theta[4]))
        rate_ci = (rate * float(np.exp(-1.96 * sd_q)), rate * float(np.exp(1.96 * sd_q)))
        ell = ellipse_from_cov(ref.position_cov)
        steady_rate = (rate, rate_ci)

    # -- plausibility ------------------------------------------------------------------
    implausible = []
    if lv.rate_at_bound(rate_ci, settings.rate_range_g_s):
        implausible.append(
            f"its rate interval {rate_ci[0]:.2g}-{rate_ci[1]:.2g} g/s reaches the prior's bound "
            f"({settings.rate_range_g_s[0]:g}-{settings.rate_range_g_s[1]:g} g/s): the data do "
            "not fix its strength"
        )
    if channel == "co2" and not _other_gas_seen(fp, "co2"):
        implausible.append(
            "CO2 alone (breathing, engines and fires make CO2 everywhere; a lab's plume "
            "carries solvents or precursors too): never suspect"
        )
    faults = sorted(
        {
            str(f)
            for h in members
            for f in str(
                hits.table["flags"].iloc[full_index[h]] if "flags" in hits.table else ""
            ).split("; ")
            if f
        }
    )
    # a saturated channel is a lower bound in the fingerprint (a censored observation,
    # :func:`olfato.detect.fingerprint.classify`); in the channel the rate comes from,
    # it makes the rate a lower bound
    if saturated_flag(channel) in faults:
        warnings.append(
            f"'{channel}', the gas its rate is in, saturates on some of its hits: the rate "
            "and its interval are lower bounds"
        )
    if faults:
        warnings.append("sensor notes on its hits: " + "; ".join(faults))

    # -- level: located source or detection ----------------------------------------------
    why_not = []
    if short:
        why_not.append("the track is too short to locate it")
    if n_passes < thresholds.min_passes:
        cut_note = (
            " (a hit cut by the log's start or end counts as none)" if cut & set(members) else ""
        )
        why_not.append(
            f"crossed on {n_passes} pass(es) (< {thresholds.min_passes}){cut_note}: only its "
            "bearing is known"
        )
    if not lv.region_bounded(ell, se, sn, post, domain):
        why_not.append(
            "its 95% region is not bounded inside the flown area and margin "
            f"(semi-major {ell.semi_major:.0f} m)"
        )
    if lv.rate_at_bound(rate_ci, settings.rate_range_g_s):
        why_not.append("its rate is at the prior's bound")
    # the reason a detection is never suspect is its level, so the same words once
    implausible = [w for w in implausible if not why_not or "prior's bound" not in w]
    if why_not:
        first = hits.table.iloc[
            max((full_index[h] for h in members), key=lambda j: float(hits.table["snr"].iloc[j]))
        ]
        cr = crossings_from_hits(hits, [int(first["id"])], channel, lags.get(channel, 0.0))
        ce_, cn_ = float(cr.east[0]), float(cr.north[0])
        bearing, wedge = lv.bearing_wedge(post, ce_, cn_)
        lat, lon = survey.frame.to_wgs84([ce_], [cn_])
        return Detection(
            id="",
            east_m=ce_,
            north_m=cn_,
            lat=float(lat[0]),
            lon=float(lon[0]),
            bearing_deg=bearing,
            wedge_deg=wedge,
            analyte=channel,
            signature=signature,
            signature_probabilities=dict(cls.probabilities),
            p_suspect=p_suspect,
            probability_exists=p_exists,
            hit_ids=sorted(members),
            warnings=["a detection, not located: " + "; ".join(why_not), *implausible, *warnings],
            posterior=post,
        )
    if suspect and p_exists < thresholds.min_probability_exists:
        warnings.append(
            f"suspect signature but P(exists) {p_exists:.2f} < "
            f"{thresholds.min_probability_exists}: not called suspect"
        )
    if suspect and p_suspect < thresholds.min_probability_suspect:
        warnings.append(
            f"P(suspect signature) {p_suspect:.2f} < {thresholds.min_probability_suspect}: "
            "not called suspect"
        )
    suspect = bool(
        suspect
        and not implausible
        and p_exists >= thresholds.min_probability_exists
        and p_suspect >= thresholds.min_probability_suspect
    )
    lat, lon = survey.frame.to_wgs84([se], [sn])
    reported = steady_rate if steady_rate is not None else rate_while_on()
    bound = float("nan")
    if crlb:
        bound = source_crlb(
            hits,
            channel,
            post,
            wind,
            settings,
            dir_sd_bound,
            at=(se, sn, sh, rate),
            response_s=tau if transport == "mean" else None,
        )
    return Source(
        id="",
        east_m=se,
        north_m=sn,
        height_m=sh,
        lat=float(lat[0]),
        lon=float(lon[0]),
        analyte=channel,
        rate_g_s=reported[0],
        rate_ci95_g_s=reported[1],
        ellipse95=ell,
        signature=signature,
        signature_probabilities=dict(cls.probabilities),
        suspect=suspect,
        hit_ids=sorted(members),
        crlb_m=bound,
        log_evidence=post.log_evidence,
        posterior=post,
        mixture=dict(cls.mixture),
        probability_exists=p_exists,
        p_suspect=p_suspect,
        warnings=implausible + warnings,
    )


def on_rate(
    members: list[int],
    channel: str,
    post: Posterior,
    fitter: SourceFitter,
    *,
    discrepancy_factors: tuple[float, ...] = (1.0,),
) -> tuple[float, tuple[float, float]]:
    """A source's rate while it emits [g/s] and its 95% interval, averaged over whether
    and how it emits in batches and over the crossings' discrepancy
    (:func:`olfato.locate.batches.on_rate`); the posterior's own where the settings keep
    every source on or every crossing whole.

    Parameters
    ----------
    members : list of int
        The source's hit ids.
    channel : str
        Its channel.
    post : Posterior
        Its posterior.
    fitter : SourceFitter
        The survey's fits (crossings, probes, wind, settings).
    discrepancy_factors : tuple of float, default (1.0,)
        Factors [-] on the settings' discrepancy, equally likely a priori
        (:func:`locate`'s ``discrepancy_factors``).

    Returns
    -------
    tuple of (float, (float, float))
        Median and 95% interval [g/s].
    """
    st = fitter.settings
    if not st.on_off or not st.partly_on:
        return post.rate_g_s, post.rate_ci95_g_s
    crossings = fitter.crossings_of(members, channel)
    lo, med, hi = batches.on_rate(
        post.fine, crossings, fitter.wind, st, post.mean, discrepancy_factors=discrepancy_factors
    )
    return med, (lo, hi)


def _other_gas_seen(fp: Any, channel: str) -> bool:
    """Whether any channel but ``channel`` reaches :data:`olfato.locate.levels.OTHER_GAS_SNR`
    in the summed hits of a fingerprint."""
    for c, (v, err) in fp.integrated.items():
        if c != channel and err > 0 and np.isfinite(v) and v / err >= lv.OTHER_GAS_SNR:
            return True
    return False


def is_suspect(cls: Any, library: Any) -> bool:
    """Whether a source's fingerprint makes it a suspect.

    A single signature: its category. A mixture of overlapping plumes: only when its
    suspect parts hold at least :data:`MIXTURE_SUSPECT_SHARE` of it, i.e. most of the
    source's own gas is suspect; a mixture whose suspect part is the smaller says
    that a suspect plume passes over this source's, and the suspect is that plume's
    own source (whose hits it dominates) - the analyst is told in
    :attr:`Sources.warnings`.

    Parameters
    ----------
    cls : Classification
        The fingerprint's classification.
    library : SignatureLibrary
        The signature library.

    Returns
    -------
    bool
        True when the source is a suspect.
    """
    if not cls.mixture:
        return bool(cls.suspect)
    share = sum(v for k, v in cls.mixture.items() if k in library and library[k].suspect)
    return bool(share >= MIXTURE_SUSPECT_SHARE)


def hits_verdict(hits: Hits, members: list[int], index: dict[int, int]) -> tuple[str, bool] | None:
    """(signature, suspect) from the hits' own fingerprints, when most of them agree.

    Used when the gases of a source's hits summed match no signature nor a mixture
    (overlapping plumes can contaminate each hit differently, so the sum fits no
    two-part mix while every hit alone does): the source is a suspect when more
    than half of its hits are (:func:`is_suspect`), named by their most common own
    answer (:attr:`olfato.detect.fingerprint.Classification.primary`). None when
    no answer has a majority.

    Parameters
    ----------
    hits : Hits
        The detection result.
    members : list of int
        The source's hit ids.
    index : dict[int, int]
        Hit id -> row of the hits table.

    Returns
    -------
    tuple of (str, bool) or None
        (signature, suspect), or None.
    """
    if len(members) < 2:
        return None
    own = [hits.fingerprints[index[h]].classification for h in members]
    votes = [is_suspect(c, hits.library) for c in own]
    n_sus = sum(votes)
    if 2 * n_sus > len(votes):
        names = Counter(c.primary for c, v in zip(own, votes, strict=True) if v)
        return names.most_common(1)[0][0], True
    names = Counter(c.primary for c in own)
    name, n = names.most_common(1)[0]
    return (name, False) if 2 * n > len(own) else None


def dir_sd_for_crlb(time_s: F64, dir_from_deg: F64) -> float:
    """The mean wind direction's standard error [deg] used as the CRLB's prior.

    Parameters
    ----------
    time_s : ndarray
        Sample times [s].
    dir_from_deg : ndarray
        Logged wind direction FROM [deg].

    Returns
    -------
    float
        Standard error [deg].
    """
    return crlbmod.mean_direction_sd(time_s, dir_from_deg)


def source_crlb(
    hits: Hits,
    channel: str,
    post: Posterior,
    wind: WindHistory,
    settings: Settings,
    direction_sd_deg: float,
    *,
    at: tuple[float, float, float, float] | None = None,
    response_s: tuple[float, float] | None = None,
) -> float:
    """The Cramer-Rao bound [m] of a source at its estimate (:mod:`olfato.locate.crlb`).

    ``at`` (east [m], north [m], height [m], rate [g/s]) where to evaluate it (default:
    the posterior mean). With ``response_s`` (time constant, delay) [s] the bound is
    for the sensor's samples (every sample in time order, the first-order response
    with that time constant and delay, both unknown), the data of
    :mod:`olfato.locate.refine`; else for the plume at the valid samples, without
    the sensor's response.

    Parameters
    ----------
    hits : Hits
        The detection result.
    channel : str
        The gas channel.
    post : Posterior
        The source's posterior.
    wind : WindHistory
        The wind.
    settings : Settings
        Model settings.
    direction_sd_deg : float
        Standard error of the mean wind direction [deg].
    at : tuple of (float, float, float, float) or None, default None
        (east [m], north [m], height [m], rate [g/s]); None: the posterior mean.
    response_s : tuple of (float, float) or None, default None
        Sensor (time constant, delay) [s]; None for the plume alone.

    Returns
    -------
    float
        Position bound [m].
    """
    s = hits.survey.samples
    v = hits.survey.gas(channel)
    ok = np.isfinite(v)
    if at is None:
        at = (post.mean[0], post.mean[1], post.height_m, post.rate_g_s)
    theta = np.array([at[0], at[1], at[2], 0.0, np.log(max(at[3], 1e-12))])
    from olfato.physics.units import molar_mass

    e = s["east_m"].to_numpy(dtype=float)
    n = s["north_m"].to_numpy(dtype=float)
    z = s["alt_agl_m"].to_numpy(dtype=float)
    dt = None
    if response_s is not None:
        theta = np.append(theta, [max(float(response_s[0]), 0.0), float(response_s[1])])
        dt = sample_step(hits.survey.time)
    j = crlbmod.fisher_information(
        theta,
        e if dt is not None else e[ok],
        n if dt is not None else n[ok],
        z if dt is not None else z[ok],
        hits.backgrounds[channel].noise,
        wind.mean_speed_ms,
        wind.mean_dir_deg,
        settings.stability,
        settings.dispersion_model,
        molar_mass(channel),
        direction_sd_deg,
        settings.mixing_height_m,
        dt_s=dt,
        use=ok if dt is not None else None,
    )
    return crlbmod.position_bound(j)[0]


def sample_step(time_s: F64) -> float:
    """The survey's median sampling step [s].

    Parameters
    ----------
    time_s : ndarray
        Sample times [s].

    Returns
    -------
    float
        Median step [s].
    """
    d = np.diff(np.asarray(time_s, dtype=float))
    d = d[np.isfinite(d) & (d > 0)]
    return float(np.median(d)) if d.size else 1.0


def refine_steady(
    hits: Hits,
    groups: list[tuple[list[int], str, Posterior]],
    lags: dict[str, float],
    wind: WindHistory,
    settings: Settings,
    direction_sd_deg: float,
) -> list[rf.Refined | None]:
    """Sample-level refinement of every group (:mod:`olfato.locate.refine`), largest first;
    each accepted source's plume is subtracted from the samples of the next ones.

    Parameters
    ----------
    hits : Hits
        The detection result.
    groups : list of tuple of (list of int, str, Posterior)
        Per group: hit ids, channel and posterior.
    lags : dict[str, float]
        Sensor lag per channel [s].
    wind : WindHistory
        The wind.
    settings : Settings
        Model settings.
    direction_sd_deg : float
        Standard error of the mean wind direction [deg].

    Returns
    -------
    list of Refined or None
        Per group, its refinement, or None when not refined.
    """
    from olfato.physics.units import molar_mass

    survey = hits.survey
    s = survey.samples
    e = s["east_m"].to_numpy(dtype=float)
    n = s["north_m"].to_numpy(dtype=float)
    z = s["alt_agl_m"].to_numpy(dtype=float)
    dt = sample_step(survey.time)
    tab = hits.table.set_index("id")
    in_hit: dict[int, NDArray[np.bool_]] = {}
    for h in tab.index:
        m = np.zeros(len(e), dtype=bool)
        r = tab.loc[h]
        m[int(r["i_start"]) : int(r["i_end"]) + 1] = True
        in_hit[int(h)] = m
    out: list[rf.Refined | None] = [None] * len(groups)
    fitted: dict[str, F64] = {}  # channel -> the accepted sources' plumes [ppb]
    order = sorted(range(len(groups)), key=lambda k: -len(groups[k][0]))
    for k in order:
        _, ch, post = groups[k]
        y = hits.enhancement(ch)
        use = np.isfinite(y)
        for j, (other, _, _) in enumerate(groups):
            if j != k:
                for h in other:
                    use &= ~in_hit[h]
        if use.sum() < 10:
            continue
        y = y - fitted.get(ch, 0.0)
        me, mn, mh = post.map_position
        lag = lags.get(ch, 0.0)
        start = np.array([me, mn, mh, 0.0, np.log(max(post.rate_g_s, 1e-6)), lag, 0.0])
        args = (
            e,
            n,
            z,
            y,
            use,
            hits.backgrounds[ch].noise,
            dt,
            wind.mean_speed_ms,
            wind.mean_dir_deg,
            direction_sd_deg,
            settings.stability,
            settings.dispersion_model,
            molar_mass(ch),
            settings.mixing_height_m,
        )
        ref = rf.refine(start, *args)
        ref.accepted = rf.accept(ref, np.asarray(post.mean), post.cov)
        out[k] = ref
        if ref.accepted:
            mu = crlbmod.sensor_samples(
                ref.theta,
                e,
                n,
                z,
                dt,
                wind.mean_speed_ms,
                wind.mean_dir_deg,
                settings.stability,
                settings.dispersion_model,
                molar_mass(ch),
                settings.mixing_height_m,
            )
            fitted[ch] = fitted.get(ch, 0.0) + mu
    return out
