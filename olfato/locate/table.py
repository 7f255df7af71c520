"""The sources table an analyst reads on the terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

if TYPE_CHECKING:
    from olfato.locate.pipeline import Sources


def sources_table(sources: Sources) -> Table:
    """A rich table: one row per source.

    Columns: id, position [deg], height [m], rate of the dominant analyte with its
    95% interval [g/s], 95% ellipse semi-axes [m] and azimuth [deg], Cramer-Rao
    bound [m], hits, signature and its probability (suspects in bold red).
    """
    table = Table(title=sources.message, title_justify="left")
    for col in (
        "id",
        "lat",
        "lon",
        "h m",
        "analyte",
        "rate g/s",
        "95% g/s",
        "ellipse95 m",
        "CRLB m",
    ):
        table.add_column(col, justify="right")
    table.add_column("hits", justify="right")
    table.add_column("signature")
    table.add_column("P", justify="right")
    for s in sources.sources:
        p = s.signature_probabilities.get(s.signature)
        sig = s.signature
        if s.mixture:
            sig = "mix " + "+".join(f"{k} {v:.0%}" for k, v in s.mixture.items())
        e = s.ellipse95
        table.add_row(
            s.id,
            f"{s.lat:.6f}",
            f"{s.lon:.6f}",
            f"{s.height_m:.0f}",
            s.analyte,
            f"{s.rate_g_s:.3g}",
            f"{s.rate_ci95_g_s[0]:.2g}-{s.rate_ci95_g_s[1]:.2g}",
            f"{e.semi_major:.0f}x{e.semi_minor:.0f} @{e.azimuth_deg:.0f}",
            f"{s.crlb_m:.1f}",
            str(s.n_hits),
            f"[bold red]{sig}[/]" if s.suspect else sig,
            "-" if p is None else f"{p:.2f}",
        )
    return table
