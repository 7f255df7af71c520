"""Non-detection probes: where the track says a plume was not."""

from __future__ import annotations

import numpy as np

from olfato.locate.crossings import probes_from_track

from .conftest import Flight


def test_probes_keep_out_of_hits_and_their_edges(one_lab: Flight) -> None:
    hits = one_lab.hits
    ch = hits.channels[0]
    pr = probes_from_track(hits, ch, 0.0, 15.0)
    t = hits.survey.time
    assert len(pr) > 10
    for a, b in zip(hits.table["i_start"], hits.table["i_end"], strict=True):
        n = int(b) - int(a) + 1
        lo = t[max(int(a) - n - 1, 0)]
        hi = t[min(int(b) + n - 1, len(t) - 1)]
        # a probe's middle time is never inside a hit or the hit's length either side
        assert not np.any((pr.time > lo) & (pr.time < hi)), (a, b)
