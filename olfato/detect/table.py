"""The hits table an analyst reads on the terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from rich.table import Table

if TYPE_CHECKING:
    from olfato.detect.pipeline import Hits


def _fmt(x: float, err: float | None = None) -> str:
    if not np.isfinite(x):
        return "-"
    digits = 0 if abs(x) >= 100 else 1
    return f"{x:.{digits}f}" if err is None else f"{x:.{digits}f}±{err:.{digits}f}"


def hits_table(hits: Hits, *, max_channels: int = 3) -> Table:
    """A rich table: one row per hit with time, place, wind, SNR, peaks, signature.

    Columns: peak time (UTC), duration [s], position at the peak [deg], mean wind
    [m/s @ FROM deg], SNR [sd], the first ``max_channels`` channels' peak
    enhancement [ppb] with its error, the signature and its probability.

    Parameters
    ----------
    hits : Hits
        The result of :func:`olfato.detect.detect`.
    max_channels : int, default 3
        Number of channels shown [-].

    Returns
    -------
    rich.table.Table
        The table.
    """
    title = (
        f"{len(hits)} plume hit(s) at <= {hits.false_alarms_per_hour:g} false alarm(s) per "
        f"flight hour (threshold {hits.threshold:.2f} sd)"
    )
    table = Table(title=title, title_justify="left")
    for col in ("id", "peak UTC", "s", "lat", "lon", "wind", "SNR"):
        table.add_column(col, justify="right")
    chans = hits.channels[:max_channels]
    for c in chans:
        table.add_column(f"{c} ppb", justify="right")
    table.add_column("signature")
    table.add_column("P", justify="right")
    for row, fp in zip(hits.table.to_dict("records"), hits.fingerprints, strict=True):
        cls = fp.classification
        sig = cls.signature
        if cls.mixture:
            sig = "mix " + "+".join(f"{k} {v:.0%}" for k, v in cls.mixture.items())
        style = "bold red" if cls.suspect else ""
        p = cls.probabilities.get(cls.signature)
        table.add_row(
            str(row["id"]),
            str(row["peak_utc"])[11:19],
            f"{row['duration_s']:.0f}",
            f"{row['lat']:.5f}",
            f"{row['lon']:.5f}",
            f"{row['wind_speed_ms']:.1f}@{row['wind_dir_deg']:03.0f}",
            f"{row['snr']:.1f}",
            *[_fmt(row[f"{c}_peak_ppb"], row[f"{c}_peak_err_ppb"]) for c in chans],
            f"[{style}]{sig}[/]" if style else sig,
            "-" if p is None else f"{p:.2f}",
        )
    return table
