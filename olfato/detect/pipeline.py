"""detect(): a survey in, its plume hits with their fingerprints out.

Background and noise per channel (:mod:`olfato.detect.background`), joint detection
at the user's false-alarm rate (:mod:`olfato.detect.hits`), then per hit the peak and
integrated enhancement of every channel with their errors, the ratios between
channels and the signature it matches (:mod:`olfato.detect.fingerprint`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from olfato.chemistry.signatures import SignatureLibrary, load_signatures
from olfato.detect import hits as hitmod
from olfato.detect.background import DEFAULT_WINDOW_S, ChannelBackground, estimate_background
from olfato.detect.defaults import DEFAULT_FALSE_ALARMS_PER_HOUR
from olfato.detect.faults import ChannelFaults, check_flights
from olfato.detect.fingerprint import (
    Classification,
    YorkFit,
    classify,
    enhancement_ratios,
)
from olfato.errors import OlfatoError
from olfato.physics.wind import wind_from_vector, wind_vector
from olfato.survey.flights import flight_edges, flight_starts
from olfato.survey.model import Survey

#: a channel needs this many finite readings to be used
MIN_READINGS = 10


@dataclass
class Fingerprint:
    """The chemistry of one hit or a group of hits.

    ``integrated``: channel -> (enhancement [ppb s], standard error [ppb s]);
    ``reference``: the channel the ``ratios`` are against; ``ratios``: channel ->
    York fit of its enhancement samples on the reference's (slope [ppb/ppb]);
    ``classification``: the signature answer.
    """

    hit_ids: list[int]
    integrated: dict[str, tuple[float, float]]
    reference: str | None
    ratios: dict[str, YorkFit]
    classification: Classification


@dataclass
class Hits:
    """The plume hits of one survey.

    ``table``: one row per hit (see :func:`detect`); ``fingerprints``: one per hit,
    same order; ``backgrounds``: channel -> :class:`ChannelBackground`;
    ``threshold`` [sd] the detection threshold; ``warnings``: channels skipped and why.
    """

    table: pd.DataFrame
    fingerprints: list[Fingerprint]
    survey: Survey
    library: SignatureLibrary
    backgrounds: dict[str, ChannelBackground]
    statistics: hitmod.Statistics
    threshold: float
    false_alarms_per_hour: float
    warnings: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.table)

    @property
    def channels(self) -> list[str]:
        return list(self.backgrounds)

    def enhancement(self, channel: str) -> np.ndarray:
        """Reading minus background of ``channel`` over the whole flight [ppb].

        Parameters
        ----------
        channel : str
            Channel name.

        Returns
        -------
        ndarray
            Enhancement per sample [ppb].
        """
        return self.backgrounds[channel].enhancement(self.survey.gas(channel))

    def group(self, ids: Iterable[int]) -> Fingerprint:
        """The fingerprint of several hits together (e.g. those of one source); when a
        channel is missing in some of them, from the hits that have every channel. A
        channel that saturates in any of them is a lower bound
        (:func:`olfato.detect.fingerprint.classify`).

        Parameters
        ----------
        ids : Iterable[int]
            Hit ids (the ``id`` column of :attr:`table`).

        Returns
        -------
        Fingerprint
            Integrated enhancements [ppb s], ratios [ppb/ppb] and classification.
        """
        rows = self.table.set_index("id").loc[list(ids)]
        all_ids = [int(i) for i in rows.index]
        vals = rows[[f"{c}_int_ppb_s" for c in self.channels]].to_numpy(dtype=float)
        present = np.isfinite(vals)
        complete = present[:, present.any(axis=0)].all(axis=1)
        if complete.any() and not complete.all():
            # a channel missing in some hits (left out for a sensor fault, a dropout)
            # would bias the ratios of sums taken over different hits: use the hits
            # that have every channel
            rows = rows[complete]
        starts = rows["i_start"].to_numpy(dtype=int)
        ends = rows["i_end"].to_numpy(dtype=int)
        idx = np.concatenate([np.arange(a, b + 1) for a, b in zip(starts, ends, strict=True)])
        integ = {}
        for c in self.channels:
            v = rows[f"{c}_int_ppb_s"].to_numpy(dtype=float)
            s = rows[f"{c}_int_err_ppb_s"].to_numpy(dtype=float)
            ok = np.isfinite(v)
            integ[c] = (float(v[ok].sum()), float(np.sqrt(np.sum(s[ok] ** 2))))
        flags: Iterable[str] = rows["flags"] if "flags" in rows else []
        return _fingerprint(self, all_ids, idx, integ, saturated_channels(flags, self.channels))

    def to_geojson(self) -> dict[str, Any]:
        """FeatureCollection of Point features [lon, lat], one per hit (module docs).

        Returns
        -------
        dict
            A GeoJSON FeatureCollection.
        """
        from olfato.detect.geojson import hits_to_geojson

        return hits_to_geojson(self)

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
        from olfato.detect.geojson import write_geojson

        return write_geojson(self, path)


def saturated_flag(channel: str) -> str:
    """The hit flag saying ``channel`` reached its saturation inside the hit.

    Parameters
    ----------
    channel : str
        The channel's analyte name.

    Returns
    -------
    str
        The flag's text.
    """
    return f"'{channel}' saturated: its peak and integral are lower bounds"


def hits_cut_by_log(table: pd.DataFrame) -> NDArray[np.bool_]:
    """Which hits reach the log's first or last reading (:data:`LOG_EDGE_FLAG`): their
    position counts, but they saw part of their plume, so their gases' ratios may be
    wrong and their integral is a lower bound: locate does not take a source's
    fingerprint from them where it has others, nor a mixed crossing's parts, and does
    not count them as a pass of their own.

    Parameters
    ----------
    table : DataFrame
        The hits table.

    Returns
    -------
    ndarray of bool
        Per row of ``table``.
    """
    if "flags" not in table:
        return np.zeros(len(table), dtype=bool)
    return table["flags"].astype(str).str.contains(LOG_EDGE_FLAG, regex=False).to_numpy()


def saturated_channels(flags: Iterable[str], channels: list[str]) -> set[str]:
    """The channels that reach their saturation in any of the hits whose ``flags`` these are.

    Parameters
    ----------
    flags : Iterable[str]
        Each hit's ``flags`` text.
    channels : list of str
        The channels.

    Returns
    -------
    set of str
        The saturated channels.
    """
    text = "; ".join(str(f) for f in flags)
    return {c for c in channels if saturated_flag(c) in text}


def _fingerprint(
    hits: Hits,
    ids: list[int],
    idx: np.ndarray,
    integ: dict[str, tuple[float, float]],
    lower_bounds: set[str] | None = None,
) -> Fingerprint:
    e = {c: v for c, (v, _) in integ.items()}
    s = {c: v for c, (_, v) in integ.items()}
    cls = classify(e, s, hits.library, lower_bounds=lower_bounds or set())
    # a channel without an integral here (left out for a sensor fault) gives no ratio
    have = [c for c in hits.channels if np.isfinite(e.get(c, np.nan))]
    ref: str | None = None
    if cls.signature in hits.library and hits.library[cls.signature].reference in have:
        ref = hits.library[cls.signature].reference
    elif [c for c in cls.channels if c in have]:
        ref = max((c for c in cls.channels if c in have), key=lambda c: e[c] / s[c])
    ratios: dict[str, YorkFit] = {}
    if ref is not None:
        enh = {c: hits.enhancement(c)[idx] for c in have}
        noise = {c: hits.backgrounds[c].noise for c in hits.channels}
        ratios = enhancement_ratios(enh, noise, ref)
    return Fingerprint(ids, integ, ref, ratios, cls)


def _iso(t: float) -> str:
    return pd.Timestamp(t, unit="s", tz="UTC").isoformat()


def detect(
    survey: Survey,
    *,
    false_alarms_per_hour: float = DEFAULT_FALSE_ALARMS_PER_HOUR,
    signatures: SignatureLibrary | None = None,
    window_s: float = DEFAULT_WINDOW_S,
    smooth_s: float = hitmod.DEFAULT_SMOOTH_S,
    pad_s: float = hitmod.DEFAULT_PAD_S,
) -> Hits:
    """Find every plume crossing of a survey and fingerprint it.

    ``false_alarms_per_hour`` [1/h]: expected hits per flight hour on clean air;
    ``signatures``: the library (default: the shipped one); ``window_s`` [s] the
    background window; ``smooth_s`` [s] the running mean of the smoothed statistics;
    ``pad_s`` [s] added to each side of a hit.

    The table has per hit: ``id``; ``start_time``, ``end_time``, ``peak_time`` [s
    epoch] and ISO UTC strings (``*_utc``); ``i_start``, ``i_end``, ``i_peak`` (sample
    rows); ``lat``, ``lon`` [deg], ``east_m``, ``north_m`` [m] at the peak;
    ``wind_speed_ms`` [m/s] and ``wind_dir_deg`` (FROM) [deg], vector mean over the
    hit; ``snr`` [sd] the peak of the triggering statistic, ``trigger`` its name;
    per channel ``<c>_peak_ppb``, ``<c>_peak_err_ppb``, ``<c>_int_ppb_s``,
    ``<c>_int_err_ppb_s`` (the integral the fingerprint compares across channels, over
    the channel's own background), ``<c>_int_whole_ppb_s``, ``<c>_int_whole_err_ppb_s``
    (the whole crossing's, over the level read with every hit left out:
    :func:`_backgrounds_around_hits`; the strength locate matches), ``<c>_snr``;
    ``signature``, ``probability``, ``suspect``.
    Bad input raises :class:`OlfatoError`; unusable channels are skipped and listed
    in ``warnings``.

    Parameters
    ----------
    survey : Survey
        The flight's samples (time, position, wind, gas channels [ppb]).
    false_alarms_per_hour : float, default DEFAULT_FALSE_ALARMS_PER_HOUR
        Expected hits per flight hour on clean air [1/h].
    signatures : SignatureLibrary or None, default None
        Signature library; None uses the shipped one.
    window_s : float, default DEFAULT_WINDOW_S
        Background running-median window [s].
    smooth_s : float, default DEFAULT_SMOOTH_S
        Running mean of the smoothed statistics [s].
    pad_s : float, default DEFAULT_PAD_S
        Time added to each side of a hit [s].

    Returns
    -------
    Hits
        The hits table, backgrounds, statistics, threshold and warnings.

    Raises
    ------
    OlfatoError
        When ``false_alarms_per_hour`` is not positive, the survey has fewer than 3
        samples, no gas channels, or no channel with readings.
    """
    if not false_alarms_per_hour > 0:
        raise OlfatoError(
            "false_alarms_per_hour must be a positive rate per flight hour, "
            f"got {false_alarms_per_hour}",
            parameter="false_alarms_per_hour",
        )
    library = signatures if signatures is not None else load_signatures()
    where = survey.source
    if survey.n_samples < 3:
        raise OlfatoError(
            f"{where}: the survey has {survey.n_samples} sample(s); detection needs a flight"
        )
    if not survey.channels:
        raise OlfatoError(f"{where}: the survey has no gas channels to detect plumes in")
    t = survey.time
    # a log through a battery change: each flight's sensors power on anew, and no hit
    # spans two flights (olfato.survey.flights)
    starts = flight_starts(t, survey.samples["alt_agl_m"].to_numpy(dtype=float))
    warnings: list[str] = []
    if len(starts):
        warnings.append(
            f"{where}: the log holds {len(starts) + 1} flights; each is checked for sensor "
            "faults on its own and no hit spans two"
        )
    known = {c for sig in library.signatures.values() for c in sig.ratios}
    backgrounds: dict[str, ChannelBackground] = {}
    faults: dict[str, ChannelFaults] = {}
    cleaned: dict[str, np.ndarray] = {}
    levels_from: dict[str, np.ndarray] = {}  # the readings each background is read from
    for c in survey.channels:
        v = survey.gas(c)
        fc = check_flights(c, t, v, starts, window_s=window_s)
        faults[c] = fc
        warnings.extend(f"{where}: {w}" for w in fc.warnings)
        if fc.unusable:
            continue
        # the background is read from every real reading (a settling sensor's too),
        # the hits from the readings kept
        level_from = np.where(fc.excluded & ~fc.level_only, np.nan, v)
        if fc.excluded.any():
            v = np.where(fc.excluded, np.nan, v)
            cleaned[c] = v
        n_ok = int(np.isfinite(v).sum())
        if n_ok < MIN_READINGS:
            warnings.append(
                f"{where}: channel '{c}' has {n_ok} reading(s) (all missing or nearly); skipped"
            )
            continue
        levels_from[c] = level_from
        backgrounds[c] = estimate_background(t, level_from, window_s=window_s)
        if c not in known:
            warnings.append(
                f"{where}: channel '{c}' is in no signature of the library "
                f"({', '.join(library.sources)}); it is used to find hits but not to "
                "fingerprint them"
            )
    if not backgrounds:
        raise OlfatoError(
            f"{where}: no gas channel has readings (all of {', '.join(survey.channels)} are "
            "empty or missing); nothing to detect"
        )
    if cleaned:
        # the readings left out (sensor faults) are missing for every later stage
        survey = dataclasses.replace(survey, samples=survey.samples.assign(**cleaned))
    channels = list(backgrounds)
    enh = np.column_stack([backgrounds[c].enhancement(survey.gas(c)) for c in channels])
    noise = np.array([backgrounds[c].noise for c in channels])
    z = enh / noise
    bg_mask = np.ones(len(t), dtype=bool)
    for k, c in enumerate(channels):
        bg_mask &= backgrounds[c].background_mask | ~np.isfinite(enh[:, k])
    bg_mask &= np.isfinite(enh).any(axis=1)
    combos = {
        name: {c: sig.ratios[c] / backgrounds[c].noise for c in channels if c in sig.ratios}
        for name, sig in library.signatures.items()
    }
    dt = float(np.median(np.diff(t)))
    smooth_n = max(1, round(smooth_s / dt))
    stats = hitmod.detection_statistics(z, channels, combos, bg_mask, smooth_samples=smooth_n)
    u = hitmod.threshold_for_rate(false_alarms_per_hour, 3600.0 / dt, stats.rho1)
    spans = hitmod.hit_spans(stats, u, pad_samples=round(pad_s / dt), starts=starts)

    around = _backgrounds_around_hits(t, levels_from, spans, window_s) if spans else {}
    enh_whole = {c: around[c].enhancement(survey.gas(c)) for c in around}
    s = survey.samples
    rows: list[dict[str, Any]] = []
    for hid, (a, b, p, k) in enumerate(spans, start=1):
        sl = slice(a, b + 1)
        ws = s["wind_speed_ms"].to_numpy(dtype=float)[sl]
        u_east, v_north = wind_vector(ws, s["wind_dir_deg"].to_numpy(dtype=float)[sl])
        mean_speed, mean_from = wind_from_vector(np.nanmean(u_east), np.nanmean(v_north))
        row: dict[str, Any] = {
            "id": hid,
            "start_time": float(t[a]),
            "end_time": float(t[b]),
            "peak_time": float(t[p]),
            "start_utc": _iso(t[a]),
            "end_utc": _iso(t[b]),
            "peak_utc": _iso(t[p]),
            "duration_s": float(t[b] - t[a]),
            "i_start": a,
            "i_end": b,
            "i_peak": p,
            "lat": float(s["lat"].to_numpy(dtype=float)[p]),
            "lon": float(s["lon"].to_numpy(dtype=float)[p]),
            "east_m": float(s["east_m"].to_numpy(dtype=float)[p]),
            "north_m": float(s["north_m"].to_numpy(dtype=float)[p]),
            "alt_agl_m": float(s["alt_agl_m"].to_numpy(dtype=float)[p]),
            "wind_speed_ms": float(mean_speed),
            "wind_dir_deg": float(mean_from),
            "snr": float(stats.values[p, k]),
            "trigger": stats.names[k],
        }
        for j, c in enumerate(channels):
            bgc = backgrounds[c]
            e = enh[sl, j]
            finite = np.isfinite(e)
            row[f"{c}_peak_ppb"] = float(np.nanmax(e)) if finite.any() else float("nan")
            row[f"{c}_peak_err_ppb"] = float(np.hypot(bgc.noise, bgc.level_sd))
            total, err = hitmod.integrate_enhancement(t[sl], e, bgc.noise, bgc.rho1, bgc.level_sd)
            row[f"{c}_int_ppb_s"] = total
            row[f"{c}_int_err_ppb_s"] = err
            row[f"{c}_snr"] = row[f"{c}_peak_ppb"] / bgc.noise
            bga = around[c]
            row[f"{c}_int_whole_ppb_s"], row[f"{c}_int_whole_err_ppb_s"] = (
                hitmod.integrate_enhancement(
                    t[sl], enh_whole[c][sl], bga.noise, bga.rho1, bga.level_sd
                )
            )
        rows.append(row)
    if rows:
        flag_hits(rows, channels, faults, round(pad_s / dt), len(t), starts)
    table = pd.DataFrame(rows)
    n_cut = int(hits_cut_by_log(table).sum())
    if n_cut:
        warnings.append(
            f"{where}: {n_cut} hit(s) reach the first or last reading of the log"
            f"{' or of a flight in it' if len(starts) else ''} (a plume "
            "already there at power-on, or still there at the end): their background and "
            "gases may be partial, so a source takes its fingerprint from its other hits"
        )
    result = Hits(
        table, [], survey, library, backgrounds, stats, u, false_alarms_per_hour, warnings
    )
    fps = []
    for r in rows:
        integ = {c: (r[f"{c}_int_ppb_s"], r[f"{c}_int_err_ppb_s"]) for c in channels}
        span = np.arange(r["i_start"], r["i_end"] + 1)
        top = saturated_channels([r.get("flags", "")], channels)
        fps.append(_fingerprint(result, [r["id"]], span, integ, top))
    result.fingerprints = fps
    if rows:
        table["signature"] = [f.classification.signature for f in fps]
        table["probability"] = [
            f.classification.probabilities.get(f.classification.signature, float("nan"))
            for f in fps
        ]
        table["suspect"] = [f.classification.suspect for f in fps]
    return result


def _backgrounds_around_hits(
    t: np.ndarray,
    levels_from: dict[str, np.ndarray],
    spans: list[tuple[int, int, int, int]],
    window_s: float,
) -> dict[str, ChannelBackground]:
    """Each channel's background read again with the samples of every hit (``spans``:
    first, last, peak, trigger) left out: the level around the hits, under which a
    crossing's whole integral is taken (``<c>_int_whole_ppb_s``).

    The first background masks only the samples that stand out in the channel itself,
    so a plume's wings, and a gas that a crossing carries below its own noise (CO2
    beside a lab's solvents), stay in its running median, which rises under the plume
    and takes a part of the crossing's integral. Over 12 simulated flights (2 seeds x 6
    scenarios), a tenth of the acetone crossings above SNR 10 lost over 3.7% of their
    integral (over 34% on plumes of the independent Lagrangian model); over the level
    around the hits, 1.5% (14%). The fingerprint keeps the integral over the channel's
    own background: over the level around the hits, the integrals of a gas whose
    ambient level wanders (CO2, NH3, CH4 in the simulator) scatter 1.8-2.3 times their
    propagated error at SNR < 3 (1.3-1.8 times over the channel's own background), and
    the signature classifier takes errors at their word."""
    plume = np.zeros(len(t), dtype=bool)
    for a, b, _, _ in spans:
        plume[a : b + 1] = True
    return {
        c: estimate_background(t, values, window_s=window_s, plume=plume)
        for c, values in levels_from.items()
    }


#: the flag of a hit that reaches the log's first or last reading (:func:`flag_hits`)
LOG_EDGE_FLAG = "cut by the log's"
#: a channel supports a hit when its integral reaches this many standard errors
MIN_INTEGRAL_SNR = 2.0
#: ... and, when quantised, its peak this many steps
MIN_PEAK_STEPS = 1.5


def flag_hits(
    rows: list[dict[str, Any]],
    channels: list[str],
    faults: dict[str, ChannelFaults],
    pad_samples: int,
    n_samples: int,
    starts: NDArray[np.int64] | None = None,
) -> None:
    """Add ``flags`` and ``usable`` to each hit row, in place.

    Flagged (:data:`LOG_EDGE_FLAG`): a hit that reaches the first or last of the log's
    ``n_samples`` readings, or of a flight in it (``starts``). The plume was already
    there when the sensors came on (a take-off inside a farm's plume) or still there
    when the log ended: the background before (after) it was never read, and where
    the plume fills most of the running window the background there is the plume
    itself, by an amount that differs between channels, so its gases' ratios may be
    wrong and its integrals partial.
    It stays usable (:func:`hits_cut_by_log`).

    A channel at the edge of a stretch of readings a sensor check left out (the end
    of a warm-up or of a stuck stretch makes a step, not a plume; its integral over
    the hit is partial) is not used for that hit: its peak, integral and SNR become
    NaN, as for a channel left out over the whole hit. Not usable: a hit no other
    channel supports (its integral within :data:`MIN_INTEGRAL_SNR` standard errors
    everywhere, or in a quantised channel a peak within :data:`MIN_PEAK_STEPS`
    steps: smaller than its own uncertainty). Flagged but usable: readings at a
    channel's saturation inside the hit; a channel left out over the whole hit or at
    its edge.

    Parameters
    ----------
    rows : list of dict
        The hit rows, changed in place.
    channels : list of str
        The channels used.
    faults : dict[str, ChannelFaults]
        Channel -> its sensor checks.
    pad_samples : int
        Samples a hit was padded by [-].
    n_samples : int
        Readings in the log [-].
    starts : ndarray of int or None, default None
        Rows where a flight after the first begins: a hit at a flight's first or last
        reading is flagged as one at the log's (None: one flight).
    """
    edges = flight_edges(starts, n_samples)
    for r in rows:
        a, b = int(r["i_start"]), int(r["i_end"])
        flags: list[str] = []
        edge: list[str] = []
        k = int(np.searchsorted(edges, a, side="right")) - 1
        first, last = int(edges[k]), int(edges[k + 1]) - 1
        cut = [w for w, at in (("start", a <= first), ("end", b >= last)) if at]
        if cut:
            whose = f"flight {k + 1}'s" if len(edges) > 2 else "its"
            flags.append(
                f"{LOG_EDGE_FLAG} {' and '.join(cut)} (a plume at {whose} "
                f"{' and '.join({'start': 'first', 'end': 'last'}[w] for w in cut)} reading: "
                "no background on that side; its gases may be partial)"
            )
        for c in channels:
            fc = faults.get(c)
            if fc is None:
                continue
            lo, hi = max(first, a - pad_samples), min(last + 1, b + pad_samples + 1)
            ex = fc.excluded[lo:hi]
            if ex.any() and not ex.all():
                edge.append(c)
                flags.append(
                    f"'{c}' at the edge of readings left out for a sensor fault: not used here"
                )
                for key in (
                    "peak_ppb",
                    "int_ppb_s",
                    "int_err_ppb_s",
                    "int_whole_ppb_s",
                    "int_whole_err_ppb_s",
                    "snr",
                ):
                    r[f"{c}_{key}"] = float("nan")
            elif ex.all():
                flags.append(f"'{c}' left out here (sensor fault): the fingerprint lacks it")
            if fc.saturated[a : b + 1].any():
                flags.append(saturated_flag(c))
        supported = False
        for c in channels:
            integ, err = r[f"{c}_int_ppb_s"], r[f"{c}_int_err_ppb_s"]
            ok = np.isfinite(integ) and err > 0 and integ / err >= MIN_INTEGRAL_SNR
            step = faults[c].step if c in faults else 0.0
            if ok and step > 0 and not r[f"{c}_peak_ppb"] > MIN_PEAK_STEPS * step:
                ok = False
            supported |= bool(ok)
        usable = supported
        if not supported:
            where = "in every channel" if not edge else "in every channel not at such an edge"
            flags.insert(0, f"smaller than its own uncertainty {where}")
        r["flags"] = "; ".join(flags)
        r["usable"] = usable
