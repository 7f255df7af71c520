"""The partition of hits into sources by marginal evidence (olfato.locate.joint)."""

from __future__ import annotations

import collections
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from olfato.errors import OlfatoError
from olfato.locate import joint
from olfato.locate.likelihood import Settings


def _post(log_z: float, east: float, semi_major: float = 20.0) -> Any:
    return SimpleNamespace(
        log_evidence=log_z,
        mean=(east, 0.0),
        map_position=(east, 0.0, 1.0),
        ellipse=SimpleNamespace(semi_major=semi_major),
    )


def _world(z: dict[frozenset[int], float], east: dict[int, float]) -> tuple[Any, Any]:
    """A fit whose evidences are given per group, and hits whose lateral log-likelihood
    falls off with the distance from where they point (east[h])."""
    ids = sorted(east)

    def fit(members: list[int]) -> tuple[str, Any]:
        key = frozenset(members)
        return "nh3", _post(z[key], float(np.mean([east[h] for h in members])))

    def lateral_at(e: float, n: float) -> Any:
        return np.array([-0.5 * ((e - east[h]) / 5.0) ** 2 for h in ids])

    return fit, lateral_at


def test_a_source_the_data_do_not_need_is_removed_and_its_hits_handed_over() -> None:
    # hits 1, 2 from one source; hit 3 alone nearby. One source for all three has the
    # higher evidence (-30 > -20 + -12.5), so the model without the second source wins
    z = {
        frozenset({1, 2}): -20.0,
        frozenset({3}): -12.5,
        frozenset({1, 2, 3}): -30.0,
    }
    fit, lateral_at = _world(z, {1: 0.0, 2: 2.0, 3: 6.0})
    compat = np.ones((3, 3), dtype=bool)
    groups = [joint.Group([1, 2], *fit([1, 2])), joint.Group([3], *fit([3]))]
    kept, p = joint.remove_and_score(groups, [1, 2, 3], compat, fit, lateral_at)
    assert [sorted(g.members) for g in kept] == [[1, 2, 3]]
    # alone, it has nobody to hand its hits to: certainly separate
    assert p == [1.0]


def test_probability_of_existing_is_the_evidence_ratio() -> None:
    # keeping both sources is better by ln 3: P(separate) = 1 / (1 + 1/3) = 0.75 each
    d = np.log(3.0)
    z = {
        frozenset({1, 2}): -20.0,
        frozenset({3}): -10.0,
        frozenset({1, 2, 3}): -30.0 - d,
    }
    fit, lateral_at = _world(z, {1: 0.0, 2: 2.0, 3: 6.0})
    compat = np.ones((3, 3), dtype=bool)
    groups = [joint.Group([1, 2], *fit([1, 2])), joint.Group([3], *fit([3]))]
    kept, p = joint.remove_and_score(groups, [1, 2, 3], compat, fit, lateral_at)
    assert len(kept) == 2
    assert p == pytest.approx([0.75, 0.75])


def test_incompatible_chemistry_keeps_sources_apart() -> None:
    z = {
        frozenset({1, 2}): -20.0,
        frozenset({3}): -12.5,
        frozenset({1, 2, 3}): -30.0,
    }
    fit, lateral_at = _world(z, {1: 0.0, 2: 2.0, 3: 6.0})
    compat = np.ones((3, 3), dtype=bool)
    compat[2, :2] = compat[:2, 2] = False
    groups = [joint.Group([1, 2], *fit([1, 2])), joint.Group([3], *fit([3]))]
    kept, p = joint.remove_and_score(groups, [1, 2, 3], compat, fit, lateral_at)
    assert len(kept) == 2 and p == [1.0, 1.0]


def test_a_hit_moves_to_the_source_that_explains_it_when_the_evidence_rises() -> None:
    # hit 3 was taken by the source of hit 4 (at 40 m) but points at 1 and 2 (0-6 m)
    z = {
        frozenset({1, 2}): -20.0,
        frozenset({3, 4}): -25.0,
        frozenset({1, 2, 3}): -27.0,
        frozenset({4}): -10.0,
    }
    fit, lateral_at = _world(z, {1: 0.0, 2: 2.0, 3: 6.0, 4: 40.0})
    compat = np.ones((4, 4), dtype=bool)
    groups = [joint.Group([1, 2], *fit([1, 2])), joint.Group([3, 4], *fit([3, 4]))]
    out = joint.reassign(groups, [1, 2, 3, 4], compat, fit, lateral_at)
    assert sorted(sorted(g.members) for g in out) == [[1, 2, 3], [4]]
    assert joint.log_evidence(out) == pytest.approx(-37.0)


def test_an_unknown_grouping_names_the_parameter() -> None:
    with pytest.raises(OlfatoError, match="grouping") as err:
        Settings(grouping="vote")
    assert err.value.parameter == "grouping"


@pytest.mark.parametrize(
    ("fixed_merged", "averaged_merged", "merged", "asked"),
    [
        # fixed nuisances: -33 < -20 + -12.5, a near miss (by 0.5); with them integrated
        # out one source is better by 1.0: merged, and the averaged evidences were asked
        (-33.0, -30.5, True, True),
        # the same near miss, and the averaged evidences agree with the fixed: kept apart
        (-33.0, -33.0, False, True),
        # a miss by 7 (> NUISANCE_WINDOW): not worth the mixture fits, kept apart
        (-39.5, -20.0, False, False),
        # the fixed evidence already prefers one source: merged without asking
        (-31.0, -40.0, True, False),
    ],
)
def test_a_near_miss_merge_is_judged_with_the_nuisances_integrated_out(
    fixed_merged: float, averaged_merged: float, merged: bool, asked: bool
) -> None:
    z = {frozenset({1, 2}): -20.0, frozenset({3}): -12.5, frozenset({1, 2, 3}): fixed_merged}
    # with the nuisances integrated out each part's evidence rises by 0.5 (a wider
    # transport error fits a stray crossing), the merged group's as given
    averaged_z = {frozenset({1, 2}): -19.5, frozenset({3}): -12.0}
    averaged_z[frozenset({1, 2, 3})] = averaged_merged
    fit, _ = _world(z, {1: 0.0, 2: 2.0, 3: 30.0})
    compat = np.ones((3, 3), dtype=bool)
    groups = [joint.Group([1, 2], *fit([1, 2])), joint.Group([3], *fit([3]))]
    seen: list[frozenset[int]] = []

    def averaged(merged: joint.Group, a: joint.Group, b: joint.Group) -> float:
        seen.append(frozenset(merged.members))
        z = [averaged_z[frozenset(g.members)] for g in (merged, a, b)]
        return z[0] - z[1] - z[2]

    out = joint.merge(groups, [1, 2, 3], compat, fit, averaged)
    assert sorted(sorted(g.members) for g in out) == ([[1, 2, 3]] if merged else [[1, 2], [3]])
    assert bool(seen) == asked
    # without the averaged evidences only the fixed-nuisance gain decides
    alone = joint.merge(groups, [1, 2, 3], compat, fit)
    assert len(alone) == (1 if fixed_merged > -32.5 else 2)


def test_a_near_miss_without_an_averaged_answer_keeps_the_fixed_gain() -> None:
    # the averaged evidences would merge them, but there is no answer for the pair (in
    # locate: hit 3 alone may not be located), so the fixed-nuisance gain (-0.5) keeps
    # them apart
    z = {frozenset({1, 2}): -20.0, frozenset({3}): -12.5, frozenset({1, 2, 3}): -33.0}
    fit, _ = _world(z, {1: 0.0, 2: 2.0, 3: 30.0})
    groups = [joint.Group([1, 2], *fit([1, 2])), joint.Group([3], *fit([3]))]
    out = joint.merge(
        groups, [1, 2, 3], np.ones((3, 3), dtype=bool), fit, lambda merged, a, b: None
    )
    assert sorted(sorted(g.members) for g in out) == [[1, 2], [3]]


def test_the_probability_of_existing_uses_the_gain_that_kept_the_pair_apart() -> None:
    from olfato.locate.pipeline import separate_probabilities

    # a strong source (hits 1, 2) and a weak one (hit 3) 30 m away; one source for all
    # three misses by ln 9 with the nuisances fixed, by ln 3 with them integrated out
    z = {frozenset({1, 2}): -20.0, frozenset({3}): -12.5, frozenset({1, 2, 3}): -32.5 - np.log(9)}
    fit, _ = _world(z, {1: 0.0, 2: 2.0, 3: 30.0})
    groups = [([1, 2], *fit([1, 2])), ([3], *fit([3]))]
    compat = np.ones((3, 3), dtype=bool)
    idx = {1: 0, 2: 1, 3: 2}
    snr = np.array([8.0, 7.0, 4.0])
    fixed = separate_probabilities(groups, fit, compat, idx, snr)
    # the strong source has no stronger neighbour: certainly separate; the weak one 9:1
    assert fixed == pytest.approx([1.0, 0.9])
    averaged = separate_probabilities(
        groups, fit, compat, idx, snr, lambda merged, a, b: -np.log(3.0)
    )
    assert averaged == pytest.approx([1.0, 0.75])
    # no averaged answer (a part that may not be located): the fixed gain
    unanswered = separate_probabilities(groups, fit, compat, idx, snr, lambda m, a, b: None)
    assert unanswered == pytest.approx([1.0, 0.9])


def test_blocking_hits_are_the_fewest_whose_leaving_out_makes_two_groups_compatible() -> None:
    compat = np.ones((6, 6), dtype=bool)

    def apart(i: int, j: int) -> None:
        compat[i, j] = compat[j, i] = False

    # rows 0-3 one group, 4-5 the other; row 5 disagrees with rows 0 and 1: leaving out
    # row 5 (one hit) resolves both pairs, leaving out rows 0 and 1 would take two
    apart(5, 0)
    apart(5, 1)
    assert joint.blocking_hits(compat, [0, 1, 2, 3], [4, 5]) == [5]
    assert joint.blocking_hits(compat, [4, 5], [0, 1, 2, 3]) == [5]
    # compatible groups: nothing to leave out
    assert joint.blocking_hits(compat, [0, 1, 2, 3], [4]) == []
    # a tie (row 3 against row 4 alone): the weaker group's hit goes
    c2 = np.ones((6, 6), dtype=bool)
    c2[3, 4] = c2[4, 3] = False
    assert joint.blocking_hits(c2, [0, 1, 2, 3], [4, 5]) == [4]
    # half of a group at most, and no more than ``most`` hits: else no merge to try
    assert joint.blocking_hits(compat, [0, 1, 2, 3], [5]) == [0, 1]
    assert joint.blocking_hits(compat, [0, 1, 2], [5]) is None
    assert joint.blocking_hits(compat, [0, 1, 2, 3], [5], most=1) is None
    apart(4, 2)
    apart(4, 3)
    apart(3, 5)
    assert joint.blocking_hits(compat, [0, 1, 2, 3], [4, 5], most=1) is None


@pytest.mark.parametrize(
    ("z_merged", "z_left_out", "merged"),
    [
        # one source for hits 1-4 and hit 5 alone beat the two groups by 2: merged
        (-36.0, -12.0, True),
        # hit 5 alone costs too much: the two groups stay as they were
        (-36.0, -16.0, False),
    ],
)
def test_two_sources_one_trace_crossing_keeps_apart_merge_without_it(
    z_merged: float, z_left_out: float, merged: bool
) -> None:
    # hits 1-3 of a farm, hits 4-5 of the same farm nearby, but hit 5 also caught a
    # trace of a lab's plume: its chemistry disagrees with hits 1 and 2, so the two
    # groups could never merge. Without hit 5 they may, hit 5 a source of its own.
    z = {
        frozenset({1, 2, 3}): -30.0,
        frozenset({4, 5}): -20.0,
        frozenset({1, 2, 3, 4}): z_merged,
        frozenset({5}): z_left_out,
    }
    fit, _ = _world(
        collections.defaultdict(lambda: -100.0, z), {1: 0.0, 2: 2.0, 3: 4.0, 4: 6.0, 5: 8.0}
    )
    compat = np.ones((5, 5), dtype=bool)
    compat[4, 0] = compat[0, 4] = compat[4, 1] = compat[1, 4] = False
    groups = [joint.Group([1, 2, 3], *fit([1, 2, 3])), joint.Group([4, 5], *fit([4, 5]))]
    out = joint.merge(groups, [1, 2, 3, 4, 5], compat, fit)
    expect = [[1, 2, 3, 4], [5]] if merged else [[1, 2, 3], [4, 5]]
    assert sorted(sorted(g.members) for g in out) == expect
    if merged:
        assert joint.log_evidence(out) == pytest.approx(z_merged + z_left_out)
