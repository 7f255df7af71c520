"""Several sources at once: which hits belong together, and how many sources there are.

1. Chemistry. Gases from one source travel together, so two hits of one source
   have proportional enhancement vectors: the log-ratios log(E_k,c / E_l,c) are the
   same in every channel c both hits measured well. Their weighted scatter is a
   chi-square with (channels - 1) degrees of freedom (each log-ratio's variance:
   the hits' relative errors plus ``ratio_sd`` for turbulence and sensor
   differences); pairs with p < ``chem_p`` cannot share a source. Nor can a hit that
   could only be the other's plume too faint to have been seen, yet carries a gas
   well above what that faint plume explains (a road's CO2 beside a lab's
   solvents). Hits whose fingerprints confidently name different signatures cannot
   either.
2. Geometry. Each hit's lateral likelihood (:func:`olfato.locate.likelihood.lateral_loglik`)
   is a ridge along its back-trajectory; on the coarse grid the robust sum
   sum_k max(l_k(s) - max l_k + c, 0) over the hits not yet assigned is a vote map
   (a Hough transform of the back-trajectories; Duda & Hart 1972, Commun. ACM 15,
   11). Its peak seeds a source; the chemically compatible hits whose ridge passes
   within ``c`` log units of it form the group, except that two hits on one straight
   pass more than :data:`SAME_PASS_APART_M` apart are never one source's (a plume is
   crossed once per pass; to cross one plume twice, seconds apart, its axis would
   have to swing that far in those seconds, while the meander's time scale is
   minutes); its full posterior is computed and
   the group is collected again around the posterior mode. Repeat until every hit
   is assigned: a hit belongs to one source, except where plumes add (4).
3. Evidence. Two groups whose chemistry agrees are merged when one source explains
   their hits better than two: ln Z(A+B) > ln Z(A) + ln Z(B) (each source's uniform
   position prior over the domain is its Occam factor). So one source is never
   reported twice.
4. Plumes add. A crossing of two or three overlapping plumes carries the sum of
   their sources' gases (:func:`mixed_crossings`); it may join any of its parts'
   sources (:func:`with_mixed`), and after the grouping it is shared by them, each
   fitting its own share of the crossing's integral
   (:func:`olfato.locate.pipeline.share_mixed_crossings`).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numpy.typing import NDArray
from scipy.special import chdtrc  # chi-squared survival function (scipy.stats costs 46 MB)

from olfato.detect.fingerprint import NONE
from olfato.detect.pipeline import hits_cut_by_log
from olfato.locate.likelihood import Crossings, Settings, lateral_loglik
from olfato.locate.transport import WindHistory, plume_coordinates

if TYPE_CHECKING:
    from olfato.detect.pipeline import Hits

F64 = NDArray[np.float64]

#: a hit supports a position when its lateral log-likelihood is within this of its best
SUPPORT_LOGLIK = 4.0
#: extra log-ratio sd between two hits of one source [-]
RATIO_SD = 0.2
#: p-value below which two hits' chemistry is taken to differ
CHEM_P = 1e-3
#: a channel takes part in the ratio test when both hits have at least this SNR
CHEM_MIN_SNR = 3.0
#: a fingerprint this sure of its signature cannot share a source with another signature
SURE = 0.95
#: two hits of one pass this far apart [m] are two plumes
SAME_PASS_APART_M = 40.0


def same_pass_apart(
    east_m: F64, north_m: F64, pass_number: NDArray[np.int64], apart_m: float = SAME_PASS_APART_M
) -> NDArray[np.bool_]:
    """(n, n): hits on the same pass whose crossings are more than ``apart_m`` [m] apart.

    Parameters
    ----------
    east_m, north_m : ndarray, shape (n,)
        Hit crossings [m].
    pass_number : ndarray of int, shape (n,)
        Pass of each hit.
    apart_m : float, default SAME_PASS_APART_M
        Separation [m].

    Returns
    -------
    ndarray of bool, shape (n, n)
        True for pairs on one pass farther apart than ``apart_m``.
    """
    same = pass_number[:, None] == pass_number[None, :]
    d = np.hypot(east_m[:, None] - east_m[None, :], north_m[:, None] - north_m[None, :])
    return np.asarray(same & (d > apart_m), dtype=bool)


def clique(
    candidates: NDArray[np.bool_], seed: int, compat: NDArray[np.bool_], support: F64
) -> NDArray[np.bool_]:
    """The seed and, in order of decreasing ``support``, every candidate compatible with
    all those already taken (a greedy clique of ``compat``).

    Parameters
    ----------
    candidates : ndarray of bool, shape (n,)
        The hits that may join.
    seed : int
        Index of the first hit.
    compat : ndarray of bool, shape (n, n)
        Pairwise compatibility.
    support : ndarray, shape (n,)
        Order of preference (largest first).

    Returns
    -------
    ndarray of bool, shape (n,)
        The hits taken.
    """
    out = np.zeros(len(candidates), dtype=bool)
    out[seed] = True
    for j in np.argsort(-support):
        if candidates[j] and not out[j] and compat[j, out].all():
            out[j] = True
    return out


def dominant_channel(hits: Hits, hit_ids: list[int] | NDArray[np.int64]) -> str:
    """The channel with the highest integrated SNR summed over ``hit_ids``.

    Parameters
    ----------
    hits : Hits
        The detection result.
    hit_ids : list of int or ndarray of int
        The hits.

    Returns
    -------
    str
        The channel name.
    """
    table = hits.table
    rows = np.flatnonzero(np.isin(table["id"].to_numpy(), np.asarray(hit_ids)))
    best, best_snr = hits.channels[0], -np.inf
    for c in hits.channels:
        v = table[f"{c}_int_ppb_s"].to_numpy(dtype=float)[rows]
        s = table[f"{c}_int_err_ppb_s"].to_numpy(dtype=float)[rows]
        with np.errstate(divide="ignore", invalid="ignore"):
            snr = float(np.nansum(np.where(s > 0, v / s, np.nan)))
        if snr > best_snr:
            best, best_snr = c, snr
    return best


def enhancements(hits: Hits) -> tuple[F64, F64, NDArray[np.bool_], F64]:
    """Every hit's integrated enhancement and its error in every channel, (n_hits, channels).

    Parameters
    ----------
    hits : Hits
        The detection result.

    Returns
    -------
    e, s : ndarray, shape (n_hits, channels)
        Integrals and their standard errors [ppb s] (NaN where a channel was left out).
    finite : ndarray of bool, shape (n_hits, channels)
        Where both are finite and the error positive.
    snr : ndarray, shape (n_hits, channels)
        e / s where finite, else 0 [-].
    """
    t = hits.table
    e = np.column_stack([t[f"{c}_int_ppb_s"].to_numpy(dtype=float) for c in hits.channels])
    s = np.column_stack([t[f"{c}_int_err_ppb_s"].to_numpy(dtype=float) for c in hits.channels])
    fin = np.isfinite(e) & np.isfinite(s) & (s > 0)
    snr = np.where(fin, e / np.where(fin, s, 1.0), 0.0)
    return e, s, fin, snr


def chemistry_compatible(
    hits: Hits, *, ratio_sd: float = RATIO_SD, p_min: float = CHEM_P
) -> NDArray[np.bool_]:
    """(n, n) boolean matrix: may hits i and j come from one source (module docstring)?

    For each pair, E_j = k E_i in every channel both measured (k fitted by weighted
    least squares, iterated for its variance), with variance s_j^2 + k^2 s_i^2 +
    ratio_sd^2 (E_j^2 + k^2 E_i^2); the weighted residual sum is chi-square with
    (channels - 1) degrees of freedom. Working in enhancement, not log-ratio, space
    lets a channel that is strong in one hit and absent in the other count against
    the pair. A pair is incompatible too where k E_i would reach :data:`CHEM_MIN_SNR`
    in none of j's channels while j's strongest gas stands that far above k E_i
    (:func:`_unexplained`), and where the fingerprints name different signatures
    with probability >= :data:`SURE` each.

    Parameters
    ----------
    hits : Hits
        The detection result.
    ratio_sd : float, default RATIO_SD
        Relative scatter of a source's ratios [-].
    p_min : float, default CHEM_P
        Smallest chi-square p-value of a compatible pair [-].

    Returns
    -------
    ndarray of bool, shape (n, n)
        True where two hits may share a source.
    """
    e, s, fin, snr = enhancements(hits)
    n = len(e)
    ok = np.ones((n, n), dtype=bool)
    labels = []
    for row, fp in enumerate(hits.fingerprints):
        cls = fp.classification
        p = cls.probabilities.get(cls.signature, 0.0)
        # a hit missing a channel (left out for a sensor fault) is not sure of anything
        labels.append(cls.signature if p >= SURE and np.isfinite(e[row]).all() else None)
    for i in range(n):
        for j in range(i + 1, n):
            if labels[i] and labels[j] and labels[i] != labels[j]:
                ok[i, j] = ok[j, i] = False
                continue
            both = fin[i] & fin[j]
            # channels where at least one of the two hits sees something
            both &= (snr[i] > CHEM_MIN_SNR) | (snr[j] > CHEM_MIN_SNR)
            m = int(both.sum())
            if m < 2:
                continue
            ei, ej, si, sj = e[i, both], e[j, both], s[i, both], s[j, both]
            k = float(np.sum(ei * ej / sj**2) / max(np.sum(ei * ei / sj**2), 1e-300))
            for _ in range(3):
                var = sj**2 + k * k * si**2 + ratio_sd**2 * (ej**2 + k * k * ei**2)
                k = float(np.sum(ei * ej / var) / max(np.sum(ei * ei / var), 1e-300))
                k = max(k, 1e-6)
            var = sj**2 + k * k * si**2 + ratio_sd**2 * (ej**2 + k * k * ei**2)
            stat = float(np.sum((ej - k * ei) ** 2 / var))
            if (
                chdtrc(m - 1, stat) < p_min
                or _unexplained(ei, ej, sj, k)
                or _unexplained(ej, ei, si, 1.0 / k)
            ):
                ok[i, j] = ok[j, i] = False
    return ok


def _unexplained(ei: F64, ej: F64, sj: F64, k: float) -> bool:
    """Whether hit j cannot be a faint crossing of hit i's plume, ``k`` times as strong:
    k E_i would reach :data:`CHEM_MIN_SNR` in none of j's channels (j would not have
    been seen), yet j's strongest gas stands that far above what k E_i explains.

    The chi-square alone misses this: fitting k near 0 explains every channel of i's
    away, and j's one excess gas is spread over all their degrees of freedom (a road's
    CO2 against a lab's solvents).
    """
    if np.max(k * ei / sj) >= CHEM_MIN_SNR:
        return False
    c = int(np.argmax(ej / sj))
    return bool((ej[c] - k * ei[c]) / sj[c] >= CHEM_MIN_SNR)


#: each part of a mixed crossing must reach this SNR [-] in some channel (against the
#: hit's own errors): a part below it is the ratio scatter of one source, not a second
MIX_PART_SNR = 5.0
#: numbers of plumes a mixed crossing may be the sum of, tried in this order
MIX_PARTS = (2, 3)


@dataclass(frozen=True)
class MixedCrossing:
    """A hit whose gases are several sources' plumes added where the plumes overlap.

    ``parts`` the rows (of the hits table) of two or three hits, one of each source's
    chemistry; ``shares`` (parts, channels) each part's fraction of the hit's integral
    in every channel of :attr:`Hits.channels` (:func:`mixed_crossings`).
    """

    parts: tuple[int, ...]
    shares: F64


def mixed_crossings(
    hits: Hits,
    compat: NDArray[np.bool_],
    *,
    ratio_sd: float = RATIO_SD,
    p_min: float = CHEM_P,
    part_snr: float = MIX_PART_SNR,
) -> dict[int, MixedCrossing]:
    """The hits whose gases are the sum of other hits' sources' (plumes that add).

    Downwind of a lab 70 m from a farm the drone crosses both plumes at once; the hit's
    enhancements are the sum of the two sources' (concentrations add: the advection-
    diffusion equation is linear in the source). Such a hit cannot share a source with
    either source's own hits (:func:`chemistry_compatible`), so the grouping made it a
    third source. A hit i that cannot share a source with hits j and k, which cannot
    share one either, is a mixed crossing of their sources when

        E_i = a E_j + b E_k,  a, b > 0

    in every channel where one of them sees something (> CHEM_MIN_SNR): a and b by
    weighted least squares, iterated for the variance s_i^2 + a^2 s_j^2 + b^2 s_k^2 +
    ratio_sd^2 (a^2 E_j^2 + b^2 E_k^2) as in :func:`chemistry_compatible`; the weighted
    residual sum is chi-square with (channels - 2) degrees of freedom, at least one.
    Each part, a E_j and b E_k, must reach ``part_snr`` in some channel. Of several
    pairs that pass, the one with the largest p-value. Where no pair passes, three
    hits, pairwise apart, are tried the same way (:data:`MIX_PARTS`; channels - 3
    degrees of freedom). A part is a hit that is not itself mixed, so the mixed
    crossings are taken one at a time: of the hits that are a sum of the parts left,
    the one with the fewest parts and then the largest p-value is mixed, its parts stay
    pure, and the others are tried again without it as a part. (Several crossings of
    one lab, some carrying a farm's plume too, are each "incompatible" with the others;
    tried all at once each is the sum of another and the farm, and none is left pure
    to be the lab.) Sums of parts whose gases the library names (a signature, or a
    mixture of two) are taken first, and only then sums with a part that names none
    (:data:`olfato.detect.fingerprint.NONE`): that may be a source the library lacks
    (a solvent store), or one source's crossing faintly carrying another's plume (a
    farm's crossing with a trace of the lab's solvents, taken as a part first, made
    the crossings of both plumes its own sum with the lab's). Nor is a hit whose
    background stands well above its channel's usual level a part
    (:func:`raised_background`: a running window that plumes filled, as at the start
    of a log that begins inside them, takes the plume's floor for background and a
    lab's crossing there reads as acetone and HCl without its toluene), nor a hit cut
    by the log's start or end (:func:`olfato.detect.pipeline.hits_cut_by_log`): a
    partial background may have changed its ratios, and five whole crossings of one
    lab are not the sum of one such hit and a fuel station's.

    Parameters
    ----------
    hits : Hits
        The detection result.
    compat : ndarray of bool, shape (n_hits, n_hits)
        :func:`chemistry_compatible` of the hits.
    ratio_sd : float, default RATIO_SD
        Relative scatter of a source's ratios [-].
    p_min : float, default CHEM_P
        Smallest chi-square p-value of a mixture [-].
    part_snr : float, default MIX_PART_SNR
        Smallest SNR [-] of each part, in its strongest channel.

    Returns
    -------
    dict[int, MixedCrossing]
        Row of the hits table -> its parts.
    """
    e, s, fin, snr = enhancements(hits)
    gases = _Gases(e, s, fin, snr > CHEM_MIN_SNR)
    # a hit cut by the log's start or end, or one whose background a plume raised, may
    # have the wrong ratios: neither is a part of a sum
    whole = ~np.asarray(hits_cut_by_log(hits.table), dtype=bool) & ~raised_background(hits)
    # a hit whose gases the library names (a signature, or a mixture of two) is explained
    # by known sources; one that names none may be a source the library lacks, or one
    # source's crossing faintly carrying another's: sums of named parts are taken first
    named = np.array([fp.classification.signature != NONE for fp in hits.fingerprints])
    out: dict[int, MixedCrossing] = {}
    locked = np.zeros(len(e), dtype=bool)  # parts of a mixed crossing: never mixed
    _take_mixed_crossings(gases, compat, whole & named, out, locked, ratio_sd, p_min, part_snr)
    if (whole & ~named).any():
        _take_mixed_crossings(gases, compat, whole, out, locked, ratio_sd, p_min, part_snr)
    return out


def _take_mixed_crossings(
    gases: _Gases,
    compat: NDArray[np.bool_],
    parts: NDArray[np.bool_],
    out: dict[int, MixedCrossing],
    locked: NDArray[np.bool_],
    ratio_sd: float,
    p_min: float,
    part_snr: float,
) -> None:
    """Add to ``out`` the hits that are sums of the ``parts`` left, one at a time
    (:func:`mixed_crossings`); the parts taken go into ``locked``."""
    best: dict[int, tuple[MixedCrossing, float] | None] = {}
    while True:
        pure = parts.copy()
        pure[list(out)] = False
        for i in range(len(gases.e)):
            had = best.get(i)
            stale = had is not None and not pure[list(had[0].parts)].all()
            if i not in out and not locked[i] and (i not in best or stale):
                best[i] = _mixture_of(gases, compat, pure, i, ratio_sd, p_min, part_snr)
        open_ = [
            (len(f[0].parts), -f[1], i, f[0])
            for i, f in best.items()
            if f is not None and i not in out and not locked[i]
        ]
        if not open_:
            return
        *_, i, mixed = min(open_)
        out[i] = mixed
        locked[list(mixed.parts)] = True


#: a hit whose background in some channel stands this many of the channel's noise sd
#: above the channel's median background over the flight is no part of a mixed crossing
#: (:func:`raised_background`)
RAISED_BACKGROUND_SD = 3.0


def raised_background(hits: Hits) -> NDArray[np.bool_]:
    """Which hits' background, at their peak, stands :data:`RAISED_BACKGROUND_SD` noise sd
    or more above its channel's median background over the flight, in any channel.

    detect's background is a running median (:mod:`olfato.detect.background`); where
    plumes fill most of its window (a log that begins inside them shrinks the window to
    half and fills it) the median is the plume's floor, by an amount that differs between
    channels, so the hit's ratios are wrong. A drift of a few sd over a flight stays
    below the threshold; the warm-up's decay is left out by detect's sensor checks.

    Parameters
    ----------
    hits : Hits
        The detection result.

    Returns
    -------
    ndarray of bool
        Per row of the hits table.
    """
    peaks = hits.table["i_peak"].to_numpy(dtype=np.int64)
    out = np.zeros(len(peaks), dtype=bool)
    for bg in hits.backgrounds.values():
        level = np.asarray(bg.level, dtype=float)
        with np.errstate(invalid="ignore"):
            out |= level[peaks] - np.nanmedian(level) >= RAISED_BACKGROUND_SD * bg.noise
    return out


class _Gases(NamedTuple):
    """The hits' integrals, errors, where finite and where seen (:func:`enhancements`)."""

    e: F64
    s: F64
    fin: NDArray[np.bool_]
    seen: NDArray[np.bool_]


def _mixture_of(
    gases: _Gases,
    compat: NDArray[np.bool_],
    pure: NDArray[np.bool_],
    i: int,
    ratio_sd: float,
    p_min: float,
    part_snr: float,
) -> tuple[MixedCrossing, float] | None:
    """Hit ``i`` as the sum of the fewest ``pure`` hits' sources that pass
    (:func:`mixed_crossings`), with its p-value; None when none do."""
    other = np.flatnonzero(~compat[i] & pure)
    other = other[other != i]
    for q in MIX_PARTS:
        combos = np.array(list(combinations(other, q)), dtype=np.int64).reshape(-1, q)
        apart = np.ones(len(combos), dtype=bool)
        for x, y in combinations(range(q), 2):
            apart &= ~compat[combos[:, x], combos[:, y]]
        found = _best_mixture(
            gases, i, combos[apart], ratio_sd=ratio_sd, p_min=p_min, part_snr=part_snr
        )
        if found is not None:
            return found
    return None


def _best_mixture(
    gases: _Gases,
    i: int,
    combos: NDArray[np.int64],
    *,
    ratio_sd: float,
    p_min: float,
    part_snr: float,
) -> tuple[MixedCrossing, float] | None:
    """Hit ``i`` as the sum of the sources of the hits in one row of ``combos`` (P, q):
    the row with the largest p-value among those that pass (:func:`mixed_crossings`),
    and that p-value."""
    e, s, fin, seen = gases
    q = combos.shape[1]
    ep_all = e[combos]  # (P, q, channels)
    use = fin[i][None, :] & fin[combos].all(axis=1) & (seen[i][None, :] | seen[combos].any(axis=1))
    m = use.sum(axis=1)
    enough = m >= q + 1
    combos, ep_all, use, m = combos[enough], ep_all[enough], use[enough], m[enough]
    if not len(combos):
        return None
    ei = np.where(use, e[i][None, :], 0.0)
    ep = np.where(use[:, None, :], ep_all, 0.0)
    sp2 = np.where(use[:, None, :], s[combos] ** 2, 0.0)
    si2 = np.where(use, s[i][None, :] ** 2, 1.0)
    var = si2
    eye = np.eye(q)[None, :, :]
    for _ in range(4):
        w = np.where(use, 1.0 / var, 0.0)
        a = np.einsum("pc,pqc,prc->pqr", w, ep, ep)
        r = np.einsum("pc,pqc,pc->pq", w, ep, ei)
        solvable = np.linalg.det(a) > 1e-9 * np.prod(np.diagonal(a, axis1=1, axis2=2), axis=1)
        coef = np.linalg.solve(np.where(solvable[:, None, None], a, eye), r[:, :, None])[:, :, 0]
        coef = np.where(solvable[:, None], coef, 0.0)
        c2 = np.maximum(coef, 0.0) ** 2
        var = si2 + np.einsum("pq,pqc->pc", c2, sp2 + ratio_sd**2 * ep * ep)
    w = np.where(use, 1.0 / var, 0.0)
    stat = (w * (ei - np.einsum("pq,pqc->pc", coef, ep)) ** 2).sum(axis=1)
    p = chdtrc(m - q, stat)
    s_i = np.where(fin[i], s[i], np.inf)[None, None, :]
    parts = np.max(np.where(fin[combos], coef[:, :, None] * ep_all, 0.0) / s_i, axis=2)
    ok = solvable & (coef > 0).all(axis=1) & (p >= p_min) & (parts >= part_snr).all(axis=1)
    if not ok.any():
        return None
    best = int(np.flatnonzero(ok)[np.argmax(p[ok])])
    each = np.maximum(np.nan_to_num(coef[best][:, None] * ep_all[best]), 0.0)
    tot = each.sum(axis=0)
    shares = np.where(tot > 0, each / np.where(tot > 0, tot, 1.0), 1.0 / q)
    return MixedCrossing(tuple(int(x) for x in combos[best]), shares), float(p[best])


def with_mixed(compat: NDArray[np.bool_], mixed: dict[int, MixedCrossing]) -> NDArray[np.bool_]:
    """``compat`` where a mixed crossing may also share a source with every hit that one of
    its parts may share one with (:func:`mixed_crossings`).

    Parameters
    ----------
    compat : ndarray of bool, shape (n_hits, n_hits)
        :func:`chemistry_compatible` of the hits.
    mixed : dict[int, MixedCrossing]
        Row -> parts, from :func:`mixed_crossings`.

    Returns
    -------
    ndarray of bool, shape (n_hits, n_hits)
        The extended compatibility.
    """
    out = compat.copy()
    parts: list[tuple[int, ...]] = [(r,) for r in range(len(compat))]
    for r, mx in mixed.items():
        parts[r] = mx.parts
    for r in mixed:
        for x in range(len(compat)):
            if x != r and any(compat[p, q] for p in parts[r] for q in parts[x]):
                out[r, x] = out[x, r] = True
    return out


def part_of(mixed: MixedCrossing, rows: list[int], compat: NDArray[np.bool_]) -> int | None:
    """Which part of a mixed crossing (its index) has the chemistry of the hits ``rows``;
    None when several or none.

    Parameters
    ----------
    mixed : MixedCrossing
        The mixed crossing.
    rows : list of int
        Rows of the hits table (hits that are not mixed).
    compat : ndarray of bool, shape (n_hits, n_hits)
        :func:`chemistry_compatible` of the hits.

    Returns
    -------
    int or None
        The part.
    """
    fits = [k for k, p in enumerate(mixed.parts) if compat[p, rows].all()]
    return fits[0] if len(fits) == 1 else None


def lateral_maps(
    cand_e: F64, cand_n: F64, crossings: Crossings, wind: WindHistory, settings: Settings
) -> F64:
    """Each crossing's lateral log-likelihood on the candidates, (k, n_hits).

    Parameters
    ----------
    cand_e, cand_n : ndarray, shape (k,)
        Candidate positions [m].
    crossings : Crossings
        The hits.
    wind : WindHistory
        The wind.
    settings : Settings
        Model settings.

    Returns
    -------
    ndarray, shape (k, n_hits)
        Lateral log-likelihood [-].
    """
    co = plume_coordinates(crossings.east, crossings.north, crossings.time, cand_e, cand_n, wind)
    return lateral_loglik(co, settings)


def vote(lateral: F64, active: NDArray[np.bool_], c: float = SUPPORT_LOGLIK) -> F64:
    """The robust vote map of the ``active`` hits (module docstring), (k,).

    Parameters
    ----------
    lateral : ndarray, shape (k, n_hits)
        Lateral log-likelihoods from :func:`lateral_maps`.
    active : ndarray of bool, shape (n_hits,)
        The hits that vote.
    c : float, default SUPPORT_LOGLIK
        Cap of a hit's vote [-, log-likelihood].

    Returns
    -------
    ndarray, shape (k,)
        The vote map [-].
    """
    rel = lateral[:, active] - lateral[:, active].max(axis=0)[None, :]
    return np.asarray(np.maximum(rel + c, 0.0).sum(axis=1), dtype=float)


def supporters(
    lateral_at: F64, lateral_best: F64, active: NDArray[np.bool_], c: float = SUPPORT_LOGLIK
) -> NDArray[np.bool_]:
    """Active hits whose lateral log-likelihood at a position is within ``c`` of their best.

    Parameters
    ----------
    lateral_at : ndarray, shape (n_hits,)
        Each hit's lateral log-likelihood at the position.
    lateral_best : ndarray, shape (n_hits,)
        Each hit's best lateral log-likelihood.
    active : ndarray of bool, shape (n_hits,)
        The hits considered.
    c : float, default SUPPORT_LOGLIK
        Tolerance [-, log-likelihood].

    Returns
    -------
    ndarray of bool, shape (n_hits,)
        The supporting hits.
    """
    return np.asarray(active & (lateral_at > lateral_best - c), dtype=bool)
