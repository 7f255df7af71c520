"""Crossings: a hit's centroid, the drone's velocity there and its integral."""

from __future__ import annotations

import numpy as np
import pytest

from olfato.locate.crossings import crossings_from_hits

from .conftest import Flight


def test_crossing_velocity_is_the_tracks_weighted_by_the_enhancement(one_lab: Flight) -> None:
    hits = one_lab.hits
    ch = hits.channels[0]
    s = hits.survey.samples
    t = hits.survey.time
    e, n = s["east_m"].to_numpy(float), s["north_m"].to_numpy(float)
    # the whole track's velocity, central differences (one-sided at its ends)
    ve, vn = np.gradient(e) / np.gradient(t), np.gradient(n) / np.gradient(t)
    enh = np.maximum(hits.enhancement(ch), 0.0)
    ids = [int(h) for h in hits.table["id"]][::-1]  # asked in another order than the table's
    cr = crossings_from_hits(hits, ids, ch, 0.0)
    assert list(cr.hit_ids) == ids
    by_id = hits.table.set_index("id")
    for k, h in enumerate(ids):
        sl = slice(int(by_id.loc[h, "i_start"]), int(by_id.loc[h, "i_end"]) + 1)
        w = enh[sl]
        assert cr.vel_e[k] == pytest.approx(np.sum(w * ve[sl]) / w.sum(), rel=1e-12, abs=1e-12)
        assert cr.vel_n[k] == pytest.approx(np.sum(w * vn[sl]) / w.sum(), rel=1e-12, abs=1e-12)
        assert cr.time[k] == pytest.approx(np.sum(w * t[sl]) / w.sum())


def test_a_hit_that_is_not_in_the_table_is_named(one_lab: Flight) -> None:
    hits = one_lab.hits
    with pytest.raises(KeyError, match="9999"):
        crossings_from_hits(hits, [int(hits.table["id"].iloc[0]), 9999], hits.channels[0])
