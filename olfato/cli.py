"""The olfato command line: a thin Typer app, one command per stage.

No logic lives here: each command parses its options, calls the stage function the
HTTP server would call too, and prints the result. Errors a user can cause are
:class:`olfato.errors.OlfatoError` and print as one paragraph, never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from olfato import CAVEAT, __version__
from olfato.errors import OlfatoError
from olfato.options import QuietOpt
from olfato.progress import say


class _OlfatoGroup(TyperGroup):
    """The root command group: a user error prints as one paragraph and exits with its code.

    Caught here, where every subcommand runs, so the installed command, ``python -m
    olfato`` and the test runner all behave alike.
    """

    def invoke(self, ctx: Any) -> Any:  # a click Context
        try:
            return super().invoke(ctx)
        except OlfatoError as exc:
            text = str(exc)
            flag = option_for(ctx.command, exc.parameter) if exc.parameter else None
            if flag:
                text = f"{exc.message} (option {flag})" + (f"\n{exc.hint}" if exc.hint else "")
            say("error", text, "bold red")
            ctx.exit(exc.exit_code)


def option_for(command: Any, parameter: str) -> str | None:
    """The flag that sets a library function's ``parameter`` on the command line.

    Library errors name parameters (:attr:`OlfatoError.parameter`); every command that
    takes that parameter gives it the same flag, so the whole command tree is searched
    and the flag is returned only when it is unambiguous.
    """
    flags: set[str] = set()

    def walk(cmd: Any) -> None:
        for p in getattr(cmd, "params", []):
            if getattr(p, "param_type_name", "") == "option" and p.name == parameter:
                flags.add(max(p.opts, key=len))
        for sub in getattr(cmd, "commands", {}).values():
            walk(sub)

    walk(command)
    return flags.pop() if len(flags) == 1 else None


app = typer.Typer(
    cls=_OlfatoGroup,
    name="olfato",
    help=(
        "Find clandestine chemical labs from drone gas surveys: read a flight, find plume "
        "crossings, locate and fingerprint their sources, plan the next flight, and report "
        f"in English and Spanish. {CAVEAT}"
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"olfato {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """olfato: drone gas surveys -> plume hits -> sources -> next flight -> reports."""


# --- the stages' commands, in the order of the flow (DESIGN.md) ----------------------
from olfato.batch.cli import batch_app  # noqa: E402
from olfato.detect.cli import detect_command  # noqa: E402
from olfato.locate.cli import locate_command  # noqa: E402
from olfato.network.cli import network_app  # noqa: E402
from olfato.plan.cli import plan_app  # noqa: E402
from olfato.report.cli import report_command, share_app  # noqa: E402
from olfato.server.cli import serve_command, user_app  # noqa: E402
from olfato.simulate.cli import simulate_command  # noqa: E402
from olfato.store.cli import case_app  # noqa: E402
from olfato.survey.cli import survey_app  # noqa: E402
from olfato.translate.cli import translate_command  # noqa: E402
from olfato.video.cli import add_video_command, video_app  # noqa: E402

app.add_typer(survey_app, name="survey")
app.command(name="simulate")(simulate_command)
app.command(name="detect")(detect_command)
app.command(name="locate")(locate_command)
app.add_typer(plan_app, name="plan")
app.add_typer(case_app, name="case")
app.add_typer(batch_app, name="batch")
app.command(name="report")(report_command)
app.add_typer(share_app, name="share")
app.command(name="translate")(translate_command)
app.add_typer(video_app, name="video")
case_app.command("add-video")(add_video_command)
app.add_typer(network_app, name="network")
app.add_typer(user_app, name="user")
app.command(name="serve")(serve_command)


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the demo's outputs.")] = Path("out/demo"),
    quiet: QuietOpt = False,
) -> None:
    """Run the whole job on an embedded example and print what an analyst would see."""
    from olfato.demo import run_demo

    run_demo(out, quiet=quiet)


def main() -> None:
    """Entry point of the `olfato` command."""
    app()
