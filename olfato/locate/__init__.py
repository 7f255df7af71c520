"""Source term estimation: where each plume comes from, how strong it is, how sure we are.

    from olfato.locate import locate
    sources = locate(survey)          # runs detection itself, or pass hits=
    sources.table                     # one row per source
    sources.write_geojson("sources.geojson")

Modules: :mod:`~olfato.locate.transport` (back-trajectories), :mod:`~olfato.locate.likelihood`
(hits, non-detections, the closed-form rate marginal), :mod:`~olfato.locate.crossings`
(the likelihood's data), :mod:`~olfato.locate.posterior` (grids, ellipses, evidence),
:mod:`~olfato.locate.multisource` (association and the number of sources),
:mod:`~olfato.locate.refine` (steady plumes: every sample),
:mod:`~olfato.locate.crlb` (Cramer-Rao bound), :mod:`~olfato.locate.pipeline`
(:func:`locate`), :mod:`~olfato.locate.geojson`, :mod:`~olfato.locate.plot`,
:mod:`~olfato.locate.table`.
"""

from typing import TYPE_CHECKING

from olfato.lazy import exports

if TYPE_CHECKING:
    from olfato.locate.pipeline import Source, Sources, locate

__all__ = ["Source", "Sources", "locate"]

# loaded on first use, so that `olfato --help` does not import SciPy
__getattr__ = exports(__name__, dict.fromkeys(__all__, "pipeline"))
