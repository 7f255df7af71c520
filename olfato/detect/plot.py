"""The hits plot: every channel's enhancement against time, hits shaded and labelled."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from olfato.output import save_figure

if TYPE_CHECKING:
    from olfato.detect.pipeline import Hits


def plot_hits(hits: Hits, path: str | Path) -> Path:
    """One panel per channel (enhancement over noise [sd]), hits shaded and labelled.

    Suspect hits are shaded red, benign ones blue, unmatched grey; each label is the
    hit id and its signature. Writes a PNG to ``path``.

    Parameters
    ----------
    hits : Hits
        The result of :func:`olfato.detect.detect`.
    path : str or Path
        The PNG to write.

    Returns
    -------
    Path
        The path written.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    t = hits.survey.time
    minutes = (t - t[0]) / 60.0
    chans = hits.channels
    fig, axes = plt.subplots(
        len(chans), 1, sharex=True, figsize=(11, 1.6 + 1.4 * len(chans)), squeeze=False
    )
    for ax, c in zip(axes[:, 0], chans, strict=True):
        b = hits.backgrounds[c]
        ax.plot(minutes, hits.enhancement(c), lw=0.7, color="k")
        ax.axhline(0.0, color="0.6", lw=0.5)
        ax.axhline(3 * b.noise, color="0.6", lw=0.5, ls=":")
        ax.set_ylabel(f"{c}\n[ppb]")
    for row, fp in zip(hits.table.itertuples(), hits.fingerprints, strict=True):
        cls = fp.classification
        colour = "tab:red" if cls.suspect else ("0.5" if cls.signature in ("none",) else "tab:blue")
        a, b = (row.start_time - t[0]) / 60.0, (row.end_time - t[0]) / 60.0
        for ax in axes[:, 0]:
            ax.axvspan(a, b, color=colour, alpha=0.2, lw=0)
        top = axes[0, 0]
        top.annotate(
            f"{row.id}: {cls.signature}",
            xy=((a + b) / 2, 1.0),
            xycoords=("data", "axes fraction"),
            rotation=60,
            fontsize=7,
            ha="left",
            va="bottom",
        )
    axes[-1, 0].set_xlabel("minutes since take-off")
    n_suspect = int(np.sum([f.classification.suspect for f in hits.fingerprints]))
    fig.suptitle(
        f"{Path(hits.survey.source).name}: {len(hits)} hit(s), {n_suspect} suspect "
        f"(red: suspect, blue: benign, grey: no signature)",
        fontsize=10,
    )
    fig.tight_layout()
    return save_figure(fig, path, what="plot")
