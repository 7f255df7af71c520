"""What every olfato figure shares: writing it, with a clear error instead of a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from olfato.errors import OlfatoError


def save_figure(fig: Any, path: str | Path, *, what: str = "plot", dpi: int = 110) -> Path:
    """Write a matplotlib figure to ``path`` (its folder is made) and close it.

    An unwritable path is an :class:`OlfatoError` naming the file and ``what`` it is.
    """
    import matplotlib.pyplot as plt

    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=dpi)
    except OSError as exc:
        raise OlfatoError(f"{path}: cannot write the {what}: {exc.strerror or exc}") from None
    finally:
        plt.close(fig)
    return path
