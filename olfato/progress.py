"""Progress bars for long steps (rich), which the user can silence with --quiet."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
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
