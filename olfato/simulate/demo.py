"""The simulator's `make demo` step: a scenario with known truth, read back as a survey."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from olfato.progress import console
from olfato.survey.model import Survey

DEMO_SCENARIO = "scenarios/demo.yaml"


def step_simulate(out: Path, *, quiet: bool, seed: int = 0) -> Survey:
    """Simulate the packaged demo scenario into ``out/simulated`` and read it back.

    Writes survey.csv, truth.json, clean.parquet and map.png, reads survey.csv with
    :func:`olfato.survey.io.read_survey`, prints what was made, returns the Survey.
    """
    from olfato.simulate import simulate
    from olfato.survey.io import read_survey

    scenario = Path(str(files("olfato") / "data" / DEMO_SCENARIO))
    sim = simulate(scenario, seed=seed, quiet=quiet)
    paths = sim.write(out / "simulated", plot=True)
    survey = read_survey(paths["survey"], quiet=quiet)
    console.rule("[bold]Simulated survey (known truth)")
    t = sim.truth
    console.print(
        f"{t['scenario']}: {survey.n_samples} samples over {survey.duration_s:.0f} s, "
        f"channels {', '.join(survey.analytes)}; class {t['stability']}, {t['mode']} plumes; "
        f"truth: "
        + "; ".join(
            f"{s['id']} ({s['signature']}, {s['rate_g_s']:g} g/s {s['reference_analyte']})"
            for s in t["sources"]
        ),
        highlight=False,
    )
    console.print(f"wrote {', '.join(str(p) for p in paths.values())}", highlight=False)
    return survey
