"""The Survey: one flight's samples, in local metres, with gas channels in ppb.

A :class:`Survey` is what every later stage reads. Its ``samples`` table has one row
per sample and these columns:

==================  ==========================================================
time                seconds since the Unix epoch, UTC [s]
lat, lon            WGS84 position [deg]
east_m, north_m     position in the survey's local frame [m]
alt_agl_m           height above ground [m]
wind_speed_ms       horizontal wind speed [m/s]
wind_dir_deg        direction the wind blows FROM, clockwise from north [deg]
stability_class     Pasquill-Gifford class A..F, when the input had one
<analyte>           one column per gas channel, e.g. ``ch4``, always [ppb]
==================  ==========================================================

Columns the input had but olfato does not use are kept after these, unchanged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from olfato.survey.projection import LocalFrame

NAV_COLUMNS = ("time", "lat", "lon", "alt_agl_m", "wind_speed_ms", "wind_dir_deg")
LOCAL_COLUMNS = ("east_m", "north_m")


@dataclass
class Problem:
    """One example of a validation problem, located in the input."""

    reason: str
    line: int | None = None
    column: str | None = None
    value: str | None = None

    def location(self) -> str:
        """Where it is: ``line 12, column 'ch4_ppm' (value: 'abc')``.

        Returns
        -------
        str
            The location, empty when nothing is known.
        """
        parts = []
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        text = ", ".join(parts)
        if self.value is not None:
            text += f" (value: {self.value!r})"
        return text

    def describe(self) -> str:
        """The location and the reason, e.g. ``line 12, column 'ch4_ppm': not a number``.

        Returns
        -------
        str
            The description.
        """
        where = self.location()
        return f"{where}: {self.reason}" if where else self.reason


@dataclass
class ValidationReport:
    """What validation found: rows dropped by reason, with located examples."""

    rows_read: int = 0
    rows_kept: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[Problem]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """facts about the reading that are not problems (flight chosen, wind log alignment)"""

    MAX_EXAMPLES = 5

    @property
    def rows_dropped(self) -> int:
        return self.rows_read - self.rows_kept

    @property
    def clean(self) -> bool:
        return self.rows_dropped == 0 and not self.warnings

    def add(self, reason: str, count: int, examples: list[Problem]) -> None:
        """Count ``count`` rows dropped for ``reason``, keeping a few examples.

        Parameters
        ----------
        reason : str
            Why the rows were dropped.
        count : int
            How many rows [-]; nothing is recorded when it is not positive.
        examples : list of Problem
            Located examples (at most :attr:`MAX_EXAMPLES` are kept per reason).
        """
        if count <= 0:
            return
        self.dropped[reason] = self.dropped.get(reason, 0) + count
        kept = self.examples.setdefault(reason, [])
        kept.extend(examples[: self.MAX_EXAMPLES - len(kept)])

    def summary_lines(self) -> list[str]:
        """One line per reason, with its first example.

        Returns
        -------
        list of str
            The lines.
        """
        lines = []
        for reason, n in sorted(self.dropped.items(), key=lambda kv: -kv[1]):
            ex = self.examples.get(reason) or []
            first = f"; first at {ex[0].location()}" if ex and ex[0].location() else ""
            lines.append(f"{n} row(s): {reason}{first}")
        lines.extend(self.warnings)
        return lines

    def to_dict(self) -> dict[str, object]:
        """The report as plain data (JSON-ready).

        Returns
        -------
        dict
            ``rows_read``, ``rows_kept``, ``dropped``, ``examples``, ``warnings``.
        """
        return {
            "rows_read": self.rows_read,
            "rows_kept": self.rows_kept,
            "dropped": dict(self.dropped),
            "examples": {k: [vars(p) for p in v] for k, v in self.examples.items()},
            "warnings": list(self.warnings),
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, d: dict[str, object]) -> ValidationReport:
        """The report back from :meth:`to_dict`'s output.

        Parameters
        ----------
        d : dict
            Plain data as written by :meth:`to_dict`.

        Returns
        -------
        ValidationReport
            The report.
        """
        ex = d.get("examples") or {}
        assert isinstance(ex, dict)
        return cls(
            rows_read=int(d.get("rows_read", 0)),  # type: ignore[call-overload]
            rows_kept=int(d.get("rows_kept", 0)),  # type: ignore[call-overload]
            dropped=dict(d.get("dropped") or {}),  # type: ignore[call-overload]
            examples={k: [Problem(**p) for p in v] for k, v in ex.items()},
            warnings=list(d.get("warnings") or []),  # type: ignore[call-overload]
            notes=list(d.get("notes") or []),  # type: ignore[call-overload]
        )


@dataclass
class Survey:
    """One flight: samples in local metres and ppb, plus where they came from."""

    samples: pd.DataFrame
    frame: LocalFrame
    channels: dict[str, str]
    """gas channel (analyte name) -> unit it was recorded in (``ppm`` or ``ppb``)"""
    source: str
    format: str
    report: ValidationReport = field(default_factory=ValidationReport)

    # -- derived facts -------------------------------------------------------------
    @property
    def n_samples(self) -> int:
        return len(self.samples)

    @property
    def analytes(self) -> list[str]:
        return list(self.channels)

    @property
    def time(self) -> np.ndarray:
        return self.samples["time"].to_numpy(dtype=float)

    @property
    def duration_s(self) -> float:
        t = self.time
        return float(t[-1] - t[0]) if len(t) > 1 else 0.0

    @property
    def sample_rate_hz(self) -> float:
        """Median sampling rate [Hz]."""
        t = self.time
        if len(t) < 2:
            return float("nan")
        dt = float(np.median(np.diff(t)))
        return 1.0 / dt if dt > 0 else float("nan")

    @property
    def track_length_m(self) -> float:
        e = self.samples["east_m"].to_numpy()
        n = self.samples["north_m"].to_numpy()
        return float(np.hypot(np.diff(e), np.diff(n)).sum())

    def gas(self, analyte: str) -> np.ndarray:
        """The ``analyte`` channel [ppb].

        Parameters
        ----------
        analyte : str
            The channel's analyte name.

        Returns
        -------
        ndarray
            Concentration per sample [ppb], NaN where missing.

        Raises
        ------
        KeyError
            When the survey has no such channel.
        """
        if analyte not in self.channels:
            raise KeyError(f"survey has no '{analyte}' channel; it has {self.analytes}")
        return self.samples[analyte].to_numpy(dtype=float)

    @property
    def extra_columns(self) -> list[str]:
        known = {*NAV_COLUMNS, *LOCAL_COLUMNS, "stability_class", *self.channels}
        return [c for c in self.samples.columns if c not in known]

    # -- writing -------------------------------------------------------------------
    def metadata(self) -> dict[str, object]:
        """The survey's metadata as plain data (stored with Parquet files).

        Returns
        -------
        dict
            Source, format, projection frame (``lat0``, ``lon0`` [deg]), channels and the
            validation report.
        """
        return {
            "olfato_survey": 1,
            "source": self.source,
            "format": self.format,
            "frame": {"lat0": self.frame.lat0, "lon0": self.frame.lon0},
            "channels": dict(self.channels),
            "report": self.report.to_dict(),
        }

    def to_csv(self, path: str | Path) -> Path:
        """Write Survey CSV v1, gas channels as ``<analyte>_ppb``, time as epoch seconds.

        Parameters
        ----------
        path : str or Path
            The file to write.

        Returns
        -------
        Path
            The path written.
        """
        path = Path(path)
        cols = [c for c in NAV_COLUMNS if c in self.samples]
        if "stability_class" in self.samples:
            cols.append("stability_class")
        out = self.samples[cols].copy()
        for a in self.channels:
            out[f"{a}_ppb"] = self.samples[a]
        for c in self.extra_columns:
            out[c] = self.samples[c]
        out.to_csv(path, index=False, float_format="%.10g")
        return path

    def to_parquet(self, path: str | Path) -> Path:
        """Write the samples to Parquet, with the survey's metadata in the file.

        Parameters
        ----------
        path : str or Path
            The file to write.

        Returns
        -------
        Path
            The path written.
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = Path(path)
        table = pa.Table.from_pandas(self.samples, preserve_index=False)
        meta = dict(table.schema.metadata or {})
        meta[b"olfato"] = json.dumps(self.metadata()).encode()
        pq.write_table(table.replace_schema_metadata(meta), path)
        return path

    @classmethod
    def from_parquet(cls, path: str | Path) -> Survey:
        """Read a Parquet file written by :meth:`to_parquet`, as it is (the case store's
        own copies); a file from elsewhere goes through :func:`olfato.survey.io.read_survey`,
        which validates its samples.

        Parameters
        ----------
        path : str or Path
            The Parquet file.

        Returns
        -------
        Survey
            The survey.

        Raises
        ------
        SurveyError
            When the file cannot be read or was not written by :meth:`to_parquet`.
        """
        import pyarrow.parquet as pq

        from olfato.errors import SurveyError

        try:
            table = pq.read_table(path)
        except Exception as exc:  # pyarrow raises several types for a bad file
            raise SurveyError(f"not a readable Parquet file: {exc}", path=str(path)) from exc
        from olfato.survey.parquet import survey_metadata

        meta = survey_metadata((table.schema.metadata or {}).get(b"olfato"), Path(path))
        frame = meta["frame"]
        return cls(
            samples=table.to_pandas(),
            frame=LocalFrame(float(frame["lat0"]), float(frame["lon0"])),
            channels=dict(meta["channels"]),
            source=str(meta["source"]),
            format=str(meta["format"]),
            report=ValidationReport.from_dict(meta.get("report") or {}),
        )
