"""The number of sources by marginal evidence: forward selection, reassignment, merges, removal.

The greedy grouping (:mod:`olfato.locate.multisource`) hands each hit to the first
source whose vote-map peak it supports and never revisits it; the only test of the
number of sources is a pairwise merge. Here the partition of the hits into sources
is a model, and every change to it is judged by its marginal evidence,

    ln Z(partition) = sum over its sources g of ln Z(g),

ln Z(g) the evidence of one source explaining the hits of g and the non-detections
of its channel (:attr:`olfato.locate.posterior.Posterior.log_evidence`: the
heavy-tailed, discrepancy-aware crossing likelihood with the rate integrated out in
closed form, summed over the position and height grid against their uniform prior;
the prior's spread over the whole search domain is each source's Occam factor, so
an extra source must buy its keep; MacKay 2003, *Information Theory, Inference and
Learning Algorithms*, ch. 28). The partition is found in four steps:

1. **Forward selection.** Sources are added one at a time at the peak of the vote
   map of the hits no source explains yet (a Hough transform of their
   back-trajectories), each taking the chemically compatible hits that support it
   (as the greedy grouping does): a sparse start, one source per distinct peak.
2. **Reassignment.** A hit may be better explained by another source than the one
   that took it: each hit whose lateral log-likelihood at another compatible
   source's posterior mode beats its own source's by :data:`MOVE_LOGLIK` is moved
   when the move raises ln Z(partition).
3. **Merges.** Two compatible sources within reach of each other become one when
   ln Z(A + B) > ln Z(A) + ln Z(B), best pair first. A pair that just misses (by less
   than :data:`NUISANCE_WINDOW`) is judged again with the nuisances (the wind bias, the
   transport error, ...) integrated out of each of the three evidences, when the caller
   gives them (``merge(averaged=...)``): a plume that strays or spreads more than the
   fixed-nuisance model allows is otherwise split into a source per stray crossing.
   Two sources within reach that one or two hits keep apart by their chemistry alone
   (:func:`blocking_hits`: a crossing that also caught a neighbour's plume, too faintly
   to be found a mixed crossing) are merged without those hits, each left a source of
   its own, when that raises ln Z(partition).
4. **Removal (backward elimination).** For each source, the model without it: each
   of its hits goes to the compatible source within reach that explains it best.
   The evidence ratio ln Z(with) - ln Z(without) = Delta gives the probability that
   the source exists as a source of its own, 1 / (1 + exp(-Delta)) (equal prior
   odds; Kass & Raftery 1995, J. Am. Stat. Assoc. 90, 773); a source with Delta < 0
   is removed and its hits handed over. A source whose hits no other source can
   take (chemistry, distance) has probability 1 of being separate.

Plumes adding where they overlap inside one hit enter through the chemistry only
(:func:`olfato.locate.multisource.mixed_crossings`: a mixed crossing may join any of its
parts' sources, and is shared by them after the partition), not through the partition's
evidence. Not modelled (yet): a wind-direction bias shared by the sources is integrated
out of each source's final posterior on its own (``locate(direction_bias_sd_deg=...)``),
not of the partition's evidence.

Not the default (``Settings.grouping = "greedy"``): on ``benchmarks/locate.py --trust
--seeds 2`` (84 flights, 7 conditions) it gives the same false suspects (0) and sources
per true source (0.95-1.09) as the greedy grouping, the same or a smaller median error,
and one lab fewer called suspect under a wandering wind (11/12 against 12/12); the
starting partition is the greedy one, and the later steps rarely change it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from olfato.locate import multisource as ms
from olfato.locate.posterior import Posterior

F64 = NDArray[np.float64]

#: a hit is proposed to another source when its lateral log-likelihood there is better
#: by this much [-] (below it a move cannot pay for the refits)
MOVE_LOGLIK = 2.0
#: rounds of reassignment at most
MAX_ROUNDS = 2
#: two sources are within reach when their means are closer than
#: REACH_FACTOR x (sum of semi-major axes) + REACH_PAD_M [m]
REACH_FACTOR = 2.0
REACH_PAD_M = 30.0
#: a merge whose fixed-nuisance gain ln Z(A + B) - ln Z(A) - ln Z(B) is below 0 by less
#: than this [-] is judged again with the nuisances integrated out (``merge(averaged=...)``).
#: On ``benchmarks/locate.py``'s six scenarios, seeds 0-7, under the independent Lagrangian
#: model and as simulated (28 such pairs within 10 of 0), integrating the wind bias and the
#: transport error out moved a pair's gain by -0.3 to +2.4: pairs further below than 6
#: are not worth the three mixture fits
NUISANCE_WINDOW = 6.0
#: at most this many hits are left out to merge two sources their chemistry keeps apart
#: (:func:`blocking_hits`). With a follow-up flight of ``benchmarks/locate.py --trust
#: --follow-up``, 1-2 such hits kept apart crossings of one farm, lab or fuel station
#: in the crowded scenario (the other hits of the two sources agreeing pairwise)
MAX_LEFT_OUT = 2


@dataclass
class Group:
    """One source of the partition: its hits (ids), channel and posterior."""

    members: list[int]
    channel: str
    posterior: Posterior


#: fit(members) -> (channel, posterior) of one source explaining these hits
Fit = Callable[[list[int]], tuple[str, Posterior]]
#: lateral_at(east, north) -> each hit's lateral log-likelihood there, (n_hits,)
LateralAt = Callable[[float, float], F64]
#: averaged(merged, a, b) -> ln Z(merged) - ln Z(a) - ln Z(b) [-] with the nuisances
#: integrated out, or None where it has no answer (a part that may not be located:
#: :meth:`olfato.locate.pipeline.NuisanceAverage.merge_gain`)
Averaged = Callable[[Group, Group, Group], float | None]


def within_reach(a: Posterior, b: Posterior) -> bool:
    """Whether two sources' posteriors are close enough to be one (see the constants).

    Parameters
    ----------
    a, b : Posterior
        The two sources' posteriors.

    Returns
    -------
    bool
        True when their means are within reach.
    """
    dist = float(np.hypot(a.mean[0] - b.mean[0], a.mean[1] - b.mean[1]))
    return dist <= REACH_FACTOR * (a.ellipse.semi_major + b.ellipse.semi_major) + REACH_PAD_M


def may_merge(
    compat: NDArray[np.bool_], rows_a: list[int], rows_b: list[int], a: Posterior, b: Posterior
) -> bool:
    """Whether two groups of hits may be one source: every hit of one may share a source
    with every hit of the other, and their posteriors are :func:`within_reach`.

    Parameters
    ----------
    compat : ndarray of bool, shape (n, n)
        Which hits may share a source.
    rows_a, rows_b : list of int
        The two groups' rows of ``compat``.
    a, b : Posterior
        The two groups' posteriors.

    Returns
    -------
    bool
        True when a merge may be tried.
    """
    return bool(compat[np.ix_(rows_a, rows_b)].all()) and within_reach(a, b)


def blocking_hits(
    compat: NDArray[np.bool_], rows_a: list[int], rows_b: list[int], most: int = MAX_LEFT_OUT
) -> list[int] | None:
    """The fewest hits (rows of ``compat``) whose leaving out lets two groups share a source.

    Every incompatible pair has a hit of each group; leaving out all of one group's hits
    that are incompatible with some hit of the other resolves every pair. Of the two
    groups' such sets, the smaller (on a tie, the weaker group's: the one with fewer
    hits), provided it is at most half of its group: the hits left out are the odd
    crossings of a source, not the source.

    Parameters
    ----------
    compat : ndarray of bool, shape (n, n)
        Which hits may share a source (chemistry, passes).
    rows_a, rows_b : list of int
        Rows of ``compat``: the hits of the first group, of the second.
    most : int, default MAX_LEFT_OUT
        The most hits that may be left out.

    Returns
    -------
    list of int or None
        The rows to leave out ([] when the groups are compatible); None when more than
        ``most`` would be, or more than half of a group.
    """
    sub = compat[np.ix_(rows_a, rows_b)]
    if sub.all():
        return []
    ok_a, ok_b = np.asarray(sub.all(axis=1)), np.asarray(sub.all(axis=0))
    bad_a = [r for r, ok in zip(rows_a, ok_a.tolist(), strict=True) if not ok]
    bad_b = [r for r, ok in zip(rows_b, ok_b.tolist(), strict=True) if not ok]
    options = [
        (len(bad), len(rows), bad)
        for bad, rows in ((bad_a, rows_a), (bad_b, rows_b))
        if len(bad) <= most and 2 * len(bad) <= len(rows)
    ]
    return min(options, key=lambda o: (o[0], o[1]))[2] if options else None


def log_evidence(groups: list[Group]) -> float:
    """ln Z of a partition [-]: the sum of its sources' evidences.

    Parameters
    ----------
    groups : list of Group
        The partition's sources.

    Returns
    -------
    float
        ln Z of the partition [-].
    """
    return float(sum(g.posterior.log_evidence for g in groups))


def forward_selection(
    ids: list[int],
    lateral: F64,
    compat: NDArray[np.bool_],
    snr: F64,
    fit: Fit,
    lateral_at: LateralAt,
) -> list[Group]:
    """Step 1: one source per vote-map peak of the hits not yet explained (module docstring).

    ``ids`` the hits' ids; ``lateral`` (cells, n) their lateral log-likelihoods on the
    coarse grid; ``compat`` (n, n) which hits may share a source; ``snr`` (n,) [-].

    Parameters
    ----------
    ids : list of int
        The usable hits' ids.
    lateral : ndarray, shape (cells, n)
        The hits' lateral log-likelihoods on the coarse grid.
    compat : ndarray of bool, shape (n, n)
        Which hits may share a source.
    snr : ndarray, shape (n,)
        The hits' SNR [-].
    fit : callable
        ``fit(members) -> (channel, Posterior)``: one source explaining these hits.
    lateral_at : callable
        ``lateral_at(east, north) -> (n,)``: each hit's lateral log-likelihood at a point [m].

    Returns
    -------
    list of Group
        One source per peak; every hit in exactly one.
    """
    best = lateral.max(axis=0)
    active = np.ones(len(ids), dtype=bool)
    groups: list[Group] = []
    while active.any():
        v = ms.vote(lateral, active)
        k = int(np.argmax(v))
        sup = ms.supporters(lateral[k], best, active)
        if not sup.any():
            sup = active.copy()
        cand = np.flatnonzero(sup)
        seed = int(cand[np.argmax(snr[cand])])
        grp = ms.clique(sup & compat[seed], seed, compat, lateral[k])
        members = [ids[j] for j in np.flatnonzero(grp)]
        ch, post = fit(members)
        me, mn, _ = post.map_position
        lat = lateral_at(me, mn)
        grp2 = ms.clique(ms.supporters(lat, best, active) & compat[seed], seed, compat, lat)
        if not np.array_equal(grp2, grp):
            members = [ids[j] for j in np.flatnonzero(grp2)]
            ch, post = fit(members)
            grp = grp2
        groups.append(Group(members, ch, post))
        active &= ~grp
    return groups


def reassign(
    groups: list[Group],
    ids: list[int],
    compat: NDArray[np.bool_],
    fit: Fit,
    lateral_at: LateralAt,
    *,
    max_rounds: int = MAX_ROUNDS,
    move_loglik: float = MOVE_LOGLIK,
) -> list[Group]:
    """Step 2: move single hits to the source that explains them better, when ln Z rises.

    Parameters
    ----------
    groups : list of Group
        The partition's sources.
    ids : list of int
        The usable hits' ids.
    compat : ndarray of bool, shape (n, n)
        Which hits may share a source.
    fit : callable
        ``fit(members) -> (channel, Posterior)``: one source explaining these hits.
    lateral_at : callable
        ``lateral_at(east, north) -> (n,)``: each hit's lateral log-likelihood at a point [m].
    max_rounds : int, default MAX_ROUNDS
        Passes over the hits at most.
    move_loglik : float, default MOVE_LOGLIK
        How much better [-] another source must explain a hit to be tried.

    Returns
    -------
    list of Group
        The partition after the accepted moves.
    """
    idx = {h: j for j, h in enumerate(ids)}
    groups = list(groups)
    for _ in range(max_rounds):
        moved = False
        at_map = [lateral_at(*g.posterior.map_position[:2]) for g in groups]
        for a in range(len(groups)):
            for h in list(groups[a].members):
                ga = groups[a]
                if len(ga.members) < 2 or h not in ga.members:
                    continue
                j = idx[h]
                own = at_map[a][j]
                for b in np.argsort([-lat[j] for lat in at_map]):
                    b = int(b)
                    gb = groups[b]
                    if b == a or at_map[b][j] < own + move_loglik:
                        continue
                    if not compat[j, [idx[x] for x in gb.members]].all():
                        continue
                    rest = [x for x in ga.members if x != h]
                    ch_a, pa = fit(rest)
                    ch_b, pb = fit([*gb.members, h])
                    before = ga.posterior.log_evidence + gb.posterior.log_evidence
                    if pa.log_evidence + pb.log_evidence > before:
                        groups[a] = Group(rest, ch_a, pa)
                        groups[b] = Group([*gb.members, h], ch_b, pb)
                        at_map[a] = lateral_at(*pa.map_position[:2])
                        at_map[b] = lateral_at(*pb.map_position[:2])
                        moved = True
                    break
        if not moved:
            break
    return groups


def merge_gain(merged: Group, a: Group, b: Group, averaged: Averaged | None = None) -> float:
    """How much better one source explains two sources' hits [-]: ln Z(A + B) - ln Z(A) -
    ln Z(B) with the nuisances fixed; where that is below 0 by less than
    :data:`NUISANCE_WINDOW` and ``averaged`` answers, the same with the nuisances
    integrated out.

    Parameters
    ----------
    merged : Group
        One source explaining the hits of both.
    a, b : Group
        The two sources.
    averaged : callable or None, default None
        ``averaged(merged, a, b) -> gain`` with the nuisances integrated out, or None
        where it has no answer (:data:`Averaged`).

    Returns
    -------
    float
        The gain [-].
    """
    gain = merged.posterior.log_evidence - a.posterior.log_evidence - b.posterior.log_evidence
    if averaged is not None and -NUISANCE_WINDOW < gain <= 0.0:
        answer = averaged(merged, a, b)
        gain = gain if answer is None else answer
    return gain


def merge(
    groups: list[Group],
    ids: list[int],
    compat: NDArray[np.bool_],
    fit: Fit,
    averaged: Averaged | None = None,
) -> list[Group]:
    """Step 3: merge the best pair while one source explains two better than two do.

    A pair's gain is :func:`merge_gain`: ln Z(A + B) - ln Z(A) - ln Z(B) with the
    nuisances fixed, or with them integrated out where that just misses. A pair within
    reach that :func:`blocking_hits` keep apart is merged without them, each a source of
    its own: gain ln Z(A + B - L) + sum over l in L of ln Z(l) - ln Z(A) - ln Z(B), with
    the nuisances fixed.

    Parameters
    ----------
    groups : list of Group
        The partition's sources.
    ids : list of int
        The usable hits' ids.
    compat : ndarray of bool, shape (n, n)
        Which hits may share a source.
    fit : callable
        ``fit(members) -> (channel, Posterior)``: one source explaining these hits.
    averaged : callable or None, default None
        ``averaged(merged, a, b) -> gain`` with the nuisances integrated out (None where
        it has no answer: then the fixed-nuisance gain decides); None: the
        fixed-nuisance gain alone decides.

    Returns
    -------
    list of Group
        The partition after the merges.
    """
    idx = {h: j for j, h in enumerate(ids)}
    groups = list(groups)
    while len(groups) > 1:
        best_gain, best = 0.0, None
        for a in range(len(groups)):
            for b in range(a + 1, len(groups)):
                ga, gb = groups[a], groups[b]
                if not within_reach(ga.posterior, gb.posterior):
                    continue
                ia = [idx[h] for h in ga.members]
                ib = [idx[h] for h in gb.members]
                left_out = blocking_hits(compat, ia, ib)
                if left_out is None:
                    continue
                kept = [h for h in ga.members + gb.members if idx[h] not in left_out]
                both = Group(kept, *fit(kept))
                alone = [Group([ids[r]], *fit([ids[r]])) for r in left_out]
                if alone:
                    gain = log_evidence([both, *alone]) - log_evidence([ga, gb])
                else:
                    gain = merge_gain(both, ga, gb, averaged)
                if gain > best_gain:
                    best_gain, best = gain, (a, b, [both, *alone])
        if best is None:
            break
        a, b, new = best
        groups = [x for j, x in enumerate(groups) if j not in (a, b)] + new
    return groups


def without(
    groups: list[Group],
    a: int,
    ids: list[int],
    compat: NDArray[np.bool_],
    fit: Fit,
    lateral_at: LateralAt,
) -> tuple[float, list[Group] | None]:
    """ln Z(with source ``a``) - ln Z(without it) and the partition without it.

    Without it, each of its hits goes to the compatible source within reach whose
    posterior mode explains it best. (inf, None) when some hit has nowhere to go.

    Parameters
    ----------
    groups : list of Group
        The partition's sources.
    a : int
        The source left out.
    ids : list of int
        The usable hits' ids.
    compat : ndarray of bool, shape (n, n)
        Which hits may share a source.
    fit : callable
        ``fit(members) -> (channel, Posterior)``: one source explaining these hits.
    lateral_at : callable
        ``lateral_at(east, north) -> (n,)``: each hit's lateral log-likelihood at a point [m].

    Returns
    -------
    delta : float
        ln Z(with) - ln Z(without) [-]; inf when its hits have nowhere to go.
    partition : list of Group or None
        The partition without it; None when impossible.
    """
    idx = {h: j for j, h in enumerate(ids)}
    ga = groups[a]
    others = [
        b for b in range(len(groups)) if b != a and within_reach(ga.posterior, groups[b].posterior)
    ]
    if not others:
        return float("inf"), None
    at_map = {b: lateral_at(*groups[b].posterior.map_position[:2]) for b in others}
    extra: dict[int, list[int]] = {}
    for h in ga.members:
        j = idx[h]
        ok = [b for b in others if compat[j, [idx[x] for x in groups[b].members]].all()]
        if not ok:
            return float("inf"), None
        b = max(ok, key=lambda b: float(at_map[b][j]))
        extra.setdefault(b, []).append(h)
    new = [g for j, g in enumerate(groups) if j != a and j not in extra]
    z_with = ga.posterior.log_evidence
    z_without = 0.0
    for b, hs in extra.items():
        gb = groups[b]
        ch, post = fit([*gb.members, *hs])
        z_with += gb.posterior.log_evidence
        z_without += post.log_evidence
        new.append(Group([*gb.members, *hs], ch, post))
    return z_with - z_without, new


def remove_and_score(
    groups: list[Group],
    ids: list[int],
    compat: NDArray[np.bool_],
    fit: Fit,
    lateral_at: LateralAt,
) -> tuple[list[Group], list[float]]:
    """Step 4: drop sources the data do not need; each kept source's P(separate) [-].

    Parameters
    ----------
    groups : list of Group
        The partition's sources.
    ids : list of int
        The usable hits' ids.
    compat : ndarray of bool, shape (n, n)
        Which hits may share a source.
    fit : callable
        ``fit(members) -> (channel, Posterior)``: one source explaining these hits.
    lateral_at : callable
        ``lateral_at(east, north) -> (n,)``: each hit's lateral log-likelihood at a point [m].

    Returns
    -------
    groups : list of Group
        The sources kept.
    p_separate : list of float
        Each kept source's probability [-] of being a source of its own.
    """
    groups = list(groups)
    while True:
        deltas = [without(groups, a, ids, compat, fit, lateral_at) for a in range(len(groups))]
        worst = int(np.argmin([d for d, _ in deltas])) if deltas else -1
        if worst < 0 or deltas[worst][0] >= 0.0 or deltas[worst][1] is None:
            break
        groups = deltas[worst][1] or groups
    p = [
        1.0 if not np.isfinite(d) else float(1.0 / (1.0 + np.exp(-np.clip(d, -700.0, 700.0))))
        for d, _ in deltas
    ]
    return groups, p


def evidence_grouping(
    ids: list[int],
    lateral: F64,
    compat: NDArray[np.bool_],
    snr: F64,
    fit: Fit,
    lateral_at: LateralAt,
    averaged: Averaged | None = None,
) -> tuple[list[Group], list[float]]:
    """The partition of the hits into sources and each source's P(separate) [-].

    Forward selection, reassignment, merges and removal (module docstring). ``ids``
    the usable hits' ids, ``lateral`` (cells, n) their lateral log-likelihoods on the
    coarse grid, ``compat`` (n, n) which may share a source, ``snr`` (n,) [-],
    ``fit`` one source's (channel, posterior) from its hits, ``lateral_at`` each hit's
    lateral log-likelihood at a point.

    Parameters
    ----------
    ids : list of int
        The usable hits' ids.
    lateral : ndarray, shape (cells, n)
        The hits' lateral log-likelihoods on the coarse grid.
    compat : ndarray of bool, shape (n, n)
        Which hits may share a source.
    snr : ndarray, shape (n,)
        The hits' SNR [-].
    fit : callable
        ``fit(members) -> (channel, Posterior)``: one source explaining these hits.
    lateral_at : callable
        ``lateral_at(east, north) -> (n,)``: each hit's lateral log-likelihood at a point [m].
    averaged : callable or None, default None
        ``averaged(merged, a, b) -> gain`` with the nuisances integrated out, for the
        merges' near misses (:func:`merge`); None: fixed nuisances throughout.

    Returns
    -------
    groups : list of Group
        The sources.
    p_separate : list of float
        Each source's probability [-] of being a source of its own.
    """
    groups = forward_selection(ids, lateral, compat, snr, fit, lateral_at)
    groups = reassign(groups, ids, compat, fit, lateral_at)
    groups = merge(groups, ids, compat, fit, averaged)
    return remove_and_score(groups, ids, compat, fit, lateral_at)
