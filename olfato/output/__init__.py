"""Writing what olfato produces: one place that makes the folder and turns an
unwritable path into a clear error naming the file, never a traceback; and printing a
table whole, as a table, CSV or JSON (``--format``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from olfato.errors import OlfatoError


@contextmanager
def writing(path: str | Path, what: str) -> Iterator[Path]:
    """Yield a path with its folder made; an ``OSError`` inside becomes an error naming it.

    Parameters
    ----------
    path : str or Path
        The file about to be written.
    what : str
        What it is, for the message (``"KML"``, ``"map"``).

    Yields
    ------
    pathlib.Path
        ``path``, its folder made.

    Raises
    ------
    OlfatoError
        Saying which file (and ``what`` it is) could not be written.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        yield path
    except OSError as exc:
        raise OlfatoError(f"{path}: cannot write the {what}: {exc.strerror or exc}") from None


def figure_path(path: str | Path, what: str) -> Path:
    """Where a figure asked for at ``path`` goes.

    Parameters
    ----------
    path : str or Path
        What the user gave: a file, a file without extension, or a folder.
    what : str
        What the figure is (``map``, ``plot``): its file name in a folder.

    Returns
    -------
    pathlib.Path
        ``path``; ``path/<what>.png`` for a folder; ``path`` with ``.png`` added when it
        has no extension (as matplotlib would save it).
    """
    path = Path(path)
    if path.is_dir():
        return path / f"{what}.png"
    if not path.suffix:
        return path.with_suffix(".png")
    return path


def save_figure(fig: Any, path: str | Path, *, what: str = "plot", dpi: int = 110) -> Path:
    """Write a matplotlib figure (see :func:`writing`) and close it.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    path : str or Path
        The image file; a folder gets ``<what>.png``, a name without an extension
        ``.png`` (see :func:`figure_path`).
    what : str
        What it is, for errors.
    dpi : int
        Resolution [dots per inch].

    Returns
    -------
    pathlib.Path
        The path written (which may differ from ``path``; say this one).
    """
    import matplotlib.pyplot as plt

    try:
        with writing(figure_path(path, what), what) as p:
            fig.savefig(p, dpi=dpi)
    finally:
        plt.close(fig)
    return p


#: what ``--format`` offers wherever a command prints a table
TABLE_FORMATS = ("table", "csv", "json")


def table_rows(table: Any) -> tuple[list[str], list[list[str]]]:
    """A rich Table's header and rows as plain text (markup and styles left out).

    Parameters
    ----------
    table : rich.table.Table
        The table.

    Returns
    -------
    header : list of str
        The column headers.
    rows : list of list of str
        The cells, row by row.
    """
    from rich.text import Text

    def plain(cell: Any) -> str:
        if isinstance(cell, Text):
            return cell.plain
        if isinstance(cell, str):
            return Text.from_markup(cell).plain
        return str(cell)

    header = [plain(c.header) for c in table.columns]
    columns = [[plain(cell) for cell in c.cells] for c in table.columns]
    rows = [list(r) for r in zip(*columns, strict=True)] if columns else []
    return header, rows


def print_table(table: Any, fmt: str = "table", *, file: Any = None) -> None:
    """Print a rich Table whole.

    Parameters
    ----------
    table : rich.table.Table
        The table.
    fmt : str
        ``table`` (never cut to the terminal's width: wider than a terminal, or into a
        file or pipe, it is printed at its natural width), ``csv`` (header, then rows),
        or ``json`` (a list of objects keyed by the header).
    file : file-like, optional
        Where to print (default: standard output).

    Raises
    ------
    OlfatoError
        ``fmt`` is not one of :data:`TABLE_FORMATS`.
    """
    import csv
    import json
    import sys

    from rich.console import Console

    out = file or sys.stdout
    if fmt not in TABLE_FORMATS:
        raise OlfatoError(f"format {fmt!r} is not one of {', '.join(TABLE_FORMATS)}")
    if fmt == "table":
        probe = Console(file=out)
        width = probe.width if probe.is_terminal else None
        natural = Console(width=10_000, file=out).measure(table).maximum
        console = Console(file=out, width=max(width or 0, natural))
        console.print(table, soft_wrap=True)
        return
    header, rows = table_rows(table)
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    else:
        out.write(json.dumps([dict(zip(header, r, strict=True)) for r in rows], indent=1))
        out.write("\n")


def print_tables(tables: list[Any], fmt: str = "table", *, file: Any = None) -> None:
    """Print several titled tables (see :func:`print_table`).

    Parameters
    ----------
    tables : list of rich.table.Table
        The tables, each with a title.
    fmt : str
        ``table``: one after another; ``csv``: each block after a ``# title`` line;
        ``json``: one object ``{title: [rows...]}``.
    file : file-like, optional
        Where to print (default: standard output).
    """
    import json
    import sys

    out = file or sys.stdout
    if fmt == "json":
        doc = {}
        for t in tables:
            header, rows = table_rows(t)
            doc[str(t.title)] = [dict(zip(header, r, strict=True)) for r in rows]
        out.write(json.dumps(doc, indent=1) + "\n")
        return
    for i, t in enumerate(tables):
        if fmt == "csv":
            out.write(("\n" if i else "") + f"# {t.title}\n")
        print_table(t, fmt, file=out)
