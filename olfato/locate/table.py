"""The sources and detections table an analyst reads on the terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

if TYPE_CHECKING:
    from olfato.locate.pipeline import Sources


def _p(x: float) -> str:
    return "-" if x != x else f"{x:.2f}"


def sources_table(sources: Sources) -> Table:
    """A rich table: one row per located source, then one per detection.

    Columns: id, kind, position [deg], height [m], rate of the dominant analyte with
    its 95% interval [g/s] (a detection: only the analyte), 95% ellipse semi-axes [m]
    and azimuth [deg] (a detection: the bearing its plume came FROM and the wedge's half-width [deg]
    instead, no rate), Cramer-Rao bound [m], hits, signature, P(suspect signature)
    and P(exists) (suspects in bold red; detections dimmed, never suspect).

    Parameters
    ----------
    sources : Sources
        The result of :func:`olfato.locate.locate`.

    Returns
    -------
    rich.table.Table
        The table.
    """
    table = Table(caption="detections: plumes seen but not located (bearing FROM +- wedge)")
    for col in ("id", "kind", "lat, lon", "h m", "rate g/s (95%)", "ellipse95 m / from", "CRLB m"):
        table.add_column(col, justify="right")
    table.add_column("hits", justify="right")
    table.add_column("signature")
    table.add_column("P susp", justify="right")
    table.add_column("P exists", justify="right")
    for s in sources.sources:
        sig = s.signature
        if s.mixture:
            sig = "mix " + "+".join(f"{k} {v:.0%}" for k, v in s.mixture.items())
        e = s.ellipse95
        table.add_row(
            s.id,
            "source",
            f"{s.lat:.6f}, {s.lon:.6f}",
            f"{s.height_m:.0f}",
            f"{s.rate_g_s:.3g} {s.analyte} ({s.rate_ci95_g_s[0]:.2g}-{s.rate_ci95_g_s[1]:.2g})",
            f"{e.semi_major:.0f}x{e.semi_minor:.0f} @{e.azimuth_deg:.0f}",
            f"{s.crlb_m:.1f}",
            str(s.n_hits),
            f"[bold red]{sig}[/]" if s.suspect else sig,
            _p(s.p_suspect),
            _p(s.probability_exists),
        )
    for d in sources.detections:
        table.add_row(
            f"[dim]{d.id}[/]",
            "[dim]detection[/]",
            f"{d.lat:.6f}, {d.lon:.6f}",
            "-",
            f"- {d.analyte}",
            f"from {d.bearing_deg:.0f} +-{d.wedge_deg:.0f}",
            "-",
            str(d.n_hits),
            f"[dim]{d.signature}[/]",
            _p(d.p_suspect),
            _p(d.probability_exists),
        )
    return table
