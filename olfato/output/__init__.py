"""Writing what olfato produces: one place that makes the folder and turns an
unwritable path into a clear error naming the file, never a traceback."""

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


def save_figure(fig: Any, path: str | Path, *, what: str = "plot", dpi: int = 110) -> Path:
    """Write a matplotlib figure (see :func:`writing`) and close it.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    path : str or Path
        The image file.
    what : str
        What it is, for errors.
    dpi : int
        Resolution [dots per inch].

    Returns
    -------
    pathlib.Path
        The path written.
    """
    import matplotlib.pyplot as plt

    try:
        with writing(path, what) as p:
            fig.savefig(p, dpi=dpi)
    finally:
        plt.close(fig)
    return p
