"""`olfato simulate SCENARIO.yaml --out DIR`: a synthetic survey with known truth."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def simulate_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML (see scenarios/README.md).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same files.")] = 0,
    plot: Annotated[bool, typer.Option("--plot", help="Also write map.png.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
) -> None:
    """Simulate a survey: writes survey.csv (Survey CSV v1), truth.json, clean.parquet."""
    from olfato.progress import console
    from olfato.simulate import load_scenario, simulate

    sim = simulate(load_scenario(scenario), seed=seed, quiet=quiet)
    paths = sim.write(out, plot=plot)
    if not quiet:
        t = sim.truth
        console.print(
            f"{t['scenario']}: {t['n_samples']} samples over {t['duration_s']:.0f} s, "
            f"{len(t['sources'])} source(s), class {t['stability']}, {t['mode']} mode, seed {seed}"
        )
        for p in paths.values():
            console.print(f"  wrote {p}")
