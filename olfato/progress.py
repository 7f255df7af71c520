"""Progress bars for long steps (rich), which the user can silence with --quiet."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

#: the console every olfato message and table goes to (stderr, so stdout stays for data
#: such as --json). Piped into a log (make demo in CI), rich would cut tables to 80
#: columns; 120 keeps the hits and sources tables readable there.
console = Console(
    stderr=True,
    width=None if sys.stderr.isatty() or "COLUMNS" in os.environ else 120,
)


def say(label: str, text: str, style: str = "yellow") -> None:
    """Print ``label: text`` on :data:`console`, the label in ``style``.

    ``text`` is printed as it is: file names and units in brackets ("survey[raw].csv",
    "[deg]") are not taken for console markup.

    Parameters
    ----------
    label : str
        What the line is ("warning", "error", "note").
    text : str
        The message.
    style : str, default "yellow"
        The label's rich style.
    """
    console.print(f"[{style}]{label}:[/] {escape(text)}", highlight=False, soft_wrap=True)


#: what a long-running function is given to report how far it got: ``advance(n)``
ProgressCallback = Callable[[float], None]


def _silent(advance: float) -> None:
    return None


@contextmanager
def progress_bar(
    description: str, total: float | None, *, quiet: bool = False
) -> Iterator[ProgressCallback]:
    """Show a progress bar while the block runs; yields ``advance(n)``.

    Quiet, or when stderr is not a terminal and the step is short, it shows nothing.

    Parameters
    ----------
    description : str
        Label shown left of the bar.
    total : float or None
        Amount of work the block will report through ``advance`` (items, samples);
        None when unknown.
    quiet : bool, default False
        Show nothing.

    Yields
    ------
    ProgressCallback
        ``advance(n)``: report ``n`` more units of work done.
    """
    if quiet:
        yield _silent
        return
    columns = [
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn() if total and total < 1e6 else TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(description, total=total)

        def advance(n: float) -> None:
            bar.advance(task, n)

        yield advance


class Tally:
    """What :func:`tally_bar` yields: count each item as done, failed or skipped.

    Parameters
    ----------
    bar : rich.progress.Progress, optional
        The bar to update; None counts silently (quiet).
    task : rich.progress.TaskID, optional
        The bar's task.
    """

    def __init__(self, bar: Progress | None = None, task: TaskID | None = None) -> None:
        self.counts = {"done": 0, "failed": 0, "skipped": 0}
        self._bar = bar
        self._task = task

    def _count(self, what: str, n: int) -> None:
        self.counts[what] += n
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, advance=n, **self.counts)  # type: ignore[arg-type]

    def done(self, n: int = 1) -> None:
        """Count ``n`` items as done.

        Parameters
        ----------
        n : int
            How many.
        """
        self._count("done", n)

    def failed(self, n: int = 1) -> None:
        """Count ``n`` items as failed.

        Parameters
        ----------
        n : int
            How many.
        """
        self._count("failed", n)

    def skipped(self, n: int = 1) -> None:
        """Count ``n`` items as skipped.

        Parameters
        ----------
        n : int
            How many.
        """
        self._count("skipped", n)


@contextmanager
def tally_bar(description: str, total: int, *, quiet: bool = False) -> Iterator[Tally]:
    """A progress bar over ``total`` items that shows how many are done, failed and left,
    and the time left at the pace so far.

    Parameters
    ----------
    description : str
        What is being done.
    total : int
        How many items.
    quiet : bool
        Show nothing (the counts are still kept).

    Yields
    ------
    Tally
        Call ``done()``, ``failed()`` or ``skipped()`` as each item ends.
    """
    if quiet:
        yield Tally()
        return
    columns = [
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(
            "[green]done {task.fields[done]}[/] · [red]failed {task.fields[failed]}[/] · "
            "left {task.remaining:.0f}"
        ),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(description, total=total, done=0, failed=0, skipped=0)
        yield Tally(bar, task)
