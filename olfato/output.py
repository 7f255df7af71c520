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
    """Yield ``path`` with its folder made; an ``OSError`` inside becomes an
    :class:`OlfatoError` saying which file (and ``what`` it is) could not be written."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        yield path
    except OSError as exc:
        raise OlfatoError(f"{path}: cannot write the {what}: {exc.strerror or exc}") from None


def figure_path(path: str | Path, what: str) -> Path:
    """Where a figure asked for at ``path`` goes: into a folder as ``<what>.png``, and
    with ``.png`` added when ``path`` has no extension (as matplotlib would)."""
    path = Path(path)
    if path.is_dir():
        return path / f"{what}.png"
    if not path.suffix:
        return path.with_suffix(".png")
    return path


def save_figure(fig: Any, path: str | Path, *, what: str = "plot", dpi: int = 110) -> Path:
    """Write a matplotlib figure to ``path`` (see :func:`writing`, :func:`figure_path`)
    and close it; returns the file written."""
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
    """A rich Table's header and rows as plain text (markup and styles left out)."""
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
    """Print a rich Table whole: as a table (never cut to the terminal's width; wider
    than a terminal or into a file it is printed at its natural width), as CSV, or as
    JSON (a list of objects keyed by the header)."""
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
    """Several titled tables (see :func:`print_table`): one after another; as CSV each
    block follows a ``# title`` line; as JSON one object ``{title: [rows...]}``."""
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
