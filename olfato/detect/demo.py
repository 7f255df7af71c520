"""The detection step of `make demo`: the hits table and the time-series plot."""

from __future__ import annotations

from pathlib import Path

from olfato.detect.pipeline import Hits, detect
from olfato.output import print_table
from olfato.progress import console, say
from olfato.survey.model import Survey


def step_detect(survey: Survey, out: Path, *, quiet: bool = False) -> Hits:
    """Detect the plume hits of ``survey``, print the table, write hits.geojson and hits.png."""
    from olfato.detect.plot import plot_hits
    from olfato.detect.table import hits_table

    console.rule("[bold]Plume hits and fingerprints")
    hits = detect(survey)
    for w in hits.warnings:
        say("warning", w)
    print_table(hits_table(hits))
    geo = hits.write_geojson(out / "hits.geojson")
    png = plot_hits(hits, out / "hits.png")
    console.print(f"hits: {geo}\nplot: {png}", highlight=False)
    return hits
