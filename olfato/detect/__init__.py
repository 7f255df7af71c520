"""Detection: background, plume hits, chemical fingerprints (against the signature library).

    from olfato.detect import detect
    hits = detect(survey, false_alarms_per_hour=0.2)
    hits.table                 # one row per plume crossing
    hits.fingerprints[0]       # its ratios and signature probabilities
    hits.group([1, 4, 7])      # the fingerprint of several hits together
    hits.write_geojson("hits.geojson")

Modules: :mod:`~olfato.detect.background` (baseline and noise),
:mod:`~olfato.detect.hits` (joint detection at a set false-alarm rate),
:mod:`~olfato.detect.fingerprint` (York ratios, classifier, mixtures),
:mod:`~olfato.chemistry.signatures` (the library), :mod:`~olfato.detect.pipeline`
(:func:`detect`), :mod:`~olfato.detect.geojson`, :mod:`~olfato.detect.plot`,
:mod:`~olfato.detect.table`.
"""

from typing import TYPE_CHECKING

from olfato.lazy import exports

if TYPE_CHECKING:
    from olfato.detect.background import ChannelBackground, estimate_background
    from olfato.detect.defaults import DEFAULT_FALSE_ALARMS_PER_HOUR
    from olfato.detect.fingerprint import Classification, YorkFit, classify, unmix, york_fit
    from olfato.detect.pipeline import Fingerprint, Hits, detect

__all__ = [
    "DEFAULT_FALSE_ALARMS_PER_HOUR",
    "ChannelBackground",
    "Classification",
    "Fingerprint",
    "Hits",
    "YorkFit",
    "classify",
    "detect",
    "estimate_background",
    "unmix",
    "york_fit",
]
#: where each export lives; loaded on first use (PEP 562) so that `olfato --help` and
#: stages that only need the signature library do not import SciPy
_MODULE = {
    "ChannelBackground": "background",
    "estimate_background": "background",
    "Classification": "fingerprint",
    "YorkFit": "fingerprint",
    "classify": "fingerprint",
    "unmix": "fingerprint",
    "york_fit": "fingerprint",
    "DEFAULT_FALSE_ALARMS_PER_HOUR": "defaults",
    "Fingerprint": "pipeline",
    "Hits": "pipeline",
    "detect": "pipeline",
}

__getattr__ = exports(__name__, _MODULE)
