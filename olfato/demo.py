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
    """The flow of DESIGN.md on a simulated flight: survey -> hits -> sources -> case
    and bilingual products -> the follow-up flight plan."""
    from olfato.detect.demo import step_detect
    from olfato.locate.demo import step_locate
    from olfato.plan.demo import step_plan
    from olfato.report.demo import DEMO_CASE, step_case_products
    from olfato.simulate.demo import step_simulate

    out.mkdir(parents=True, exist_ok=True)
    console.print(f"[bold]olfato demo[/] -> {out}\n{CAVEAT}", highlight=False)
    survey = step_simulate(out, quiet=quiet)  # a flight with known truth, read back
    step_survey_summary(survey)
    hits = step_detect(survey, out, quiet=quiet)
    sources = step_locate(survey, hits, out, quiet=quiet)
    step_case_products(survey, hits, sources, out, quiet=quiet)
    step_plan(sources, out, quiet=quiet, case=DEMO_CASE, workspace=out / "workspace")
