"""`make demo`: the whole job on an embedded example, as an analyst would run it.

Each step is a plain function that calls the same stage functions the CLI and the
server call, prints what the analyst would read, and passes its result on.
"""

from __future__ import annotations

from pathlib import Path

from olfato import CAVEAT
from olfato.progress import console
from olfato.survey.model import Survey


def step_survey_summary(survey: Survey) -> None:
    """Print the survey summary an analyst checks first (`olfato survey info`)."""
    from olfato.survey.cli import print_summary
    from olfato.survey.summary import describe

    console.rule("[bold]The survey, as `olfato survey info` shows it")
    print_summary(describe(survey))


def run_demo(out: Path, *, quiet: bool = False) -> None:
    out.mkdir(parents=True, exist_ok=True)
    console.print(f"[bold]olfato demo[/] -> {out}\n{CAVEAT}", highlight=False)
    # --- simulate (issue 3): a flight with known truth, read back through the reader ---
    from olfato.simulate.demo import step_simulate

    survey = step_simulate(out, quiet=quiet)
    step_survey_summary(survey)
    # --- end simulate ---
    # --- detect (issue 4) ---
    from olfato.detect.demo import step_detect

    hits = step_detect(survey, out, quiet=quiet)
    # --- end detect ---
    # --- locate (issue 5) ---
    from olfato.locate.demo import step_locate

    sources = step_locate(survey, hits, out, quiet=quiet)
    # --- end locate ---
    # --- case, reports and partner package (issue 8) ---
    from olfato.report.demo import step_case_products

    step_case_products(survey, hits, sources, out, quiet=quiet)
    # --- end case, reports and partner package ---
    # later stages append their steps here, each taking the survey or the previous result
    del hits, sources
