"""What the flight-controller log readers (ULog, MAVLink, DataFlash) share.

A flight log holds separate streams at their own rates: position, wind estimate and
gas values. The survey's samples are the gas readings (the sensor's own clock); the
drone's position and the wind are interpolated to them, wind through its vector.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from olfato.errors import SurveyError
from olfato.physics.analytes import KNOWN_ANALYTES, UNIT_TO_PPB, unknown_gas_warning
from olfato.physics.wind import wind_from_vector
from olfato.survey.mapping import FlightLogMapping
from olfato.survey.model import Survey
from olfato.survey.projection import LocalFrame
from olfato.survey.validate import RowFlags, build_survey

#: position and wind farther than this from a gas reading are not interpolated [s]
MAX_INTERP_GAP_S = 5.0
#: short key names for 10-character MAVLink names, e.g. NAMED_VALUE_FLOAT "acet_ppb"
KEY_ALIASES = {"acet": "acetone", "tolu": "toluene", "benz": "benzene", "meoh": "methanol"}
_AUTO_KEY = re.compile(r"^(?P<analyte>[a-z0-9]+)_(?P<unit>ppm|ppb)$", re.IGNORECASE)


@dataclass
class Streams:
    """The streams read from a flight log, each with ``time`` [s since epoch, UTC]."""

    position: pd.DataFrame
    """time, lat [deg], lon [deg], alt_agl_m [m]"""
    wind: pd.DataFrame | None
    """time, wind_east_ms, wind_north_ms: the vector the air moves TOWARDS [m/s]"""
    gas: dict[str, pd.DataFrame] = field(default_factory=dict)
    """analyte -> time, value [ppb]"""
    units: dict[str, str] = field(default_factory=dict)
    """analyte -> unit it was logged in"""
    warnings: list[str] = field(default_factory=list)


def auto_channel(key: str) -> tuple[str, str] | None:
    """``(analyte, unit)`` for a key-value name like ``ch4_ppm`` or ``ACET_PPB``.

    Parameters
    ----------
    key : str
        The key-value name.

    Returns
    -------
    tuple of (str, str) or None
        (analyte, unit: ``"ppm"`` or ``"ppb"``), or None when the name is no gas channel.
    """
    m = _AUTO_KEY.match(key.strip())
    if not m:
        return None
    analyte = KEY_ALIASES.get(m["analyte"].lower(), m["analyte"].lower())
    return (analyte, m["unit"].lower()) if analyte in KNOWN_ANALYTES else None


def key_value_channels(
    records: pd.DataFrame, mapping: FlightLogMapping, warnings: list[str] | None = None
) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """Gas channels from key-value records (columns time, key, value) per the mapping.

    With ``auto``, a name like ``tvoc_ppb`` whose analyte olfato does not know is left
    out with a warning in ``warnings`` (as every reader does).

    Parameters
    ----------
    records : DataFrame
        Key-value records with columns ``time`` [s epoch], ``key``, ``value``.
    mapping : FlightLogMapping
        Which keys are which gas channels (or ``auto``).
    warnings : list of str, optional
        With ``auto``, collects a warning for each gas-like key whose analyte is
        unknown (appended in place); None drops those warnings.

    Returns
    -------
    tuple of (dict[str, DataFrame], dict[str, str])
        Analyte -> its readings (``time`` [s], ``value`` [ppb]), and analyte -> the
        unit it was recorded in (``ppm`` or ``ppb``).
    """
    gas: dict[str, pd.DataFrame] = {}
    units: dict[str, str] = {}
    if records.empty:
        return gas, units
    keys = records["key"].astype(str).str.strip()
    if mapping.channels == "auto":
        wanted = {k: auto_channel(k) for k in keys.unique()}
        pairs = {k: v for k, v in wanted.items() if v is not None}
        for k, v in wanted.items():
            m = _AUTO_KEY.match(k)
            if v is None and m and warnings is not None:
                warnings.append(unknown_gas_warning(k, m["analyte"].lower()))
    else:
        pairs = {
            src.key: (analyte, src.unit)
            for analyte, src in mapping.channels.items()
            if src.key is not None and analyte in KNOWN_ANALYTES
        }
    for key, (analyte, unit) in pairs.items():
        sel = records.loc[keys == key, ["time", "value"]]
        if len(sel):
            sel = sel.assign(value=sel["value"].astype(float) * UNIT_TO_PPB[unit])
            gas[analyte] = sel.sort_values("time").reset_index(drop=True)
            units[analyte] = unit
    return gas, units


def _interp(t: np.ndarray, tsrc: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Linear interpolation, NaN where the nearest source sample is too far away (and
    everywhere when there is no source sample)."""
    if len(tsrc) == 0:
        return np.full(len(t), np.nan)
    out = np.interp(t, tsrc, values)
    pos = np.clip(np.searchsorted(tsrc, t), 1, max(len(tsrc) - 1, 1))
    near = np.minimum(np.abs(t - tsrc[pos - 1]), np.abs(tsrc[np.minimum(pos, len(tsrc) - 1)] - t))
    out[near > MAX_INTERP_GAP_S] = np.nan
    return out


def assemble(
    streams: Streams,
    *,
    source: str,
    format: str,
    strict: bool = False,
    frame: LocalFrame | None = None,
    missing_gas: str | None = None,
) -> Survey:
    """Put position, wind and gas streams on the gas sensor's clock and validate.

    ``missing_gas``, when the mapping asked for gas channels and none were found, is
    the message of the error to raise (it names the topics the mapping looked for).

    Parameters
    ----------
    streams : Streams
        Position, wind and gas streams read from the log.
    source : str
        The log file, named in errors and recorded in the survey.
    format : str
        The log's format name (e.g. ``"ulog"``).
    strict : bool, default False
        Any bad row is an error instead of being dropped and reported.
    frame : LocalFrame or None, default None
        The local projection; None centres one on the survey.
    missing_gas : str or None, default None
        Error message when the mapping asked for gas channels and none were found.

    Returns
    -------
    Survey
        The validated, projected survey.

    Raises
    ------
    SurveyError
        When the log has fewer than two position fixes, no gas channel (with
        ``missing_gas``), or no wind.
    """
    pos = streams.position.dropna(subset=["time"]).sort_values("time")
    if len(pos) < 2:
        raise SurveyError("the log has fewer than two position fixes", path=source)
    main: str | None = None
    if not streams.gas:
        if missing_gas is not None:
            raise SurveyError(missing_gas, path=source)
        base = pos["time"].to_numpy(dtype=float)
        streams.warnings.append("no gas channels: a navigation-only survey")
    else:
        # the fastest gas channel sets the sample clock; the others are interpolated
        main = max(streams.gas, key=lambda a: len(streams.gas[a]))
        base = streams.gas[main]["time"].to_numpy(dtype=float)
    tp = pos["time"].to_numpy(dtype=float)
    table = pd.DataFrame({"time": base})
    for col in ("lat", "lon", "alt_agl_m"):
        table[col] = _interp(base, tp, pos[col].to_numpy(dtype=float))
    wind = streams.wind.dropna() if streams.wind is not None else None
    if wind is not None and len(wind) >= 1:
        w = wind.sort_values("time")
        tw = w["time"].to_numpy(dtype=float)
        ve = _interp(base, tw, w["wind_east_ms"].to_numpy(dtype=float))
        vn = _interp(base, tw, w["wind_north_ms"].to_numpy(dtype=float))
        table["wind_speed_ms"], table["wind_dir_deg"] = wind_from_vector(ve, vn)
    else:
        raise SurveyError(
            "the log has no wind estimate it can use; give wind from a separate log or a log "
            "that records it",
            path=source,
        )
    for analyte, g in streams.gas.items():
        tg = g["time"].to_numpy(dtype=float)
        vals = g["value"].to_numpy(dtype=float)
        table[analyte] = vals if analyte == main else _interp(base, tg, vals)
    flags = RowFlags(np.arange(len(table), dtype=np.int64) + 1)
    survey = build_survey(
        table,
        channels=dict(streams.units),
        flags=flags,
        source=source,
        format=format,
        strict=strict,
        frame=frame,
    )
    survey.report.warnings.extend(streams.warnings)
    return survey
