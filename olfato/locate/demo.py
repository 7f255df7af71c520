"""The locate step of `make demo`: the sources table and the map."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from olfato.output import print_table
from olfato.progress import console

if TYPE_CHECKING:
    from olfato.detect.pipeline import Hits
    from olfato.locate.pipeline import Sources
    from olfato.survey.model import Survey


def step_locate(survey: Survey, hits: Hits | None, out: Path, *, quiet: bool = False) -> Sources:
    """Locate the sources of ``survey`` (from ``hits``), print the table, write
    sources.geojson and sources.png into ``out``."""
    from olfato.locate.pipeline import locate
    from olfato.locate.plot import plot_sources
    from olfato.locate.table import sources_table

    console.rule("[bold]3. Sources: where, how strong, how sure")
    result = locate(survey, hits)
    if len(result):
        print_table(sources_table(result))
    else:
        console.print(result.message, highlight=False, soft_wrap=True)
    geo = result.write_geojson(out / "sources.geojson")
    png = plot_sources(result, out / "sources.png")
    console.print(f"sources: {geo}\nmap: {png}", highlight=False)
    return result
