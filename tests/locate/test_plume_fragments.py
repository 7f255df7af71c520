"""A fragment of one plume that the merges keep apart is not called a second suspect lab."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from olfato.locate import locate

from .conftest import Flight

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_a_fragment_of_a_lab_plume_far_from_the_lab_is_not_a_second_suspect(
    tmp_path: Path,
) -> None:
    # benchmarks/locate.py's "as simulated" condition on scenarios/unstable_noon.yaml,
    # seed 1: the lab's five crossings in a convective noon. Two of them do not fit the
    # other three as one source (merge gain -5.5 with the nuisances fixed, -2.2 with
    # them integrated out), so they stay a source of their own, 270 m east of the lab.
    # Judged with the fixed nuisances it existed with P 0.996 and was a second suspect
    # lab; judged with the gain that kept it apart, P(exists) < 0.9: not suspect
    raw = yaml.safe_load((REPO / "scenarios" / "unstable_noon.yaml").read_text())
    f = Flight(raw, 1, tmp_path)
    res = locate(f.survey, f.hits)
    te, tn = f.truth(0)
    d = {s.id: float(np.hypot(s.east_m - te, s.north_m - tn)) for s in res.sources}
    suspects = [s for s in res.sources if s.suspect]
    assert len(suspects) == 1, d
    assert d[suspects[0].id] < 30.0
    far = [s for s in res.sources if d[s.id] > 150.0]
    assert far, d
    for s in far:
        assert s.probability_exists < 0.9
        assert not s.suspect
