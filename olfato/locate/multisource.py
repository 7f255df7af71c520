"""Several sources at once: which hits belong together, and how many sources there are.

1. Chemistry. Gases from one source travel together, so two hits of one source
   have proportional enhancement vectors: the log-ratios log(E_k,c / E_l,c) are the
   same in every channel c both hits measured well. Their weighted scatter is a
   chi-square with (channels - 1) degrees of freedom (each log-ratio's variance:
   the hits' relative errors plus ``ratio_sd`` for turbulence and sensor
   differences); pairs with p < ``chem_p`` cannot share a source. Hits whose
   fingerprints confidently name different signatures cannot either.
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
   is assigned: a hit belongs to exactly one source.
3. Evidence. Two groups whose chemistry agrees are merged when one source explains
   their hits better than two: ln Z(A+B) > ln Z(A) + ln Z(B) (each source's uniform
   position prior over the domain is its Occam factor). So one source is never
   reported twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray
from scipy.special import chdtrc  # chi-squared survival function (scipy.stats costs 46 MB)

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
    table = hits.table.set_index("id").loc[list(hit_ids)]
    best, best_snr = hits.channels[0], -np.inf
    for c in hits.channels:
        v = table[f"{c}_int_ppb_s"].to_numpy(dtype=float)
        s = table[f"{c}_int_err_ppb_s"].to_numpy(dtype=float)
        snr = float(np.nansum(np.where(s > 0, v / s, np.nan)))
        if snr > best_snr:
            best, best_snr = c, snr
    return best


def chemistry_compatible(
    hits: Hits, *, ratio_sd: float = RATIO_SD, p_min: float = CHEM_P
) -> NDArray[np.bool_]:
    """(n, n) boolean matrix: may hits i and j come from one source (module docstring)?

    For each pair, E_j = k E_i in every channel both measured (k fitted by weighted
    least squares, iterated for its variance), with variance s_j^2 + k^2 s_i^2 +
    ratio_sd^2 (E_j^2 + k^2 E_i^2); the weighted residual sum is chi-square with
    (channels - 1) degrees of freedom. Working in enhancement, not log-ratio, space
    lets a channel that is strong in one hit and absent in the other count against
    the pair. Hits whose fingerprints name different signatures with probability >=
    :data:`SURE` each are incompatible too.

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
    t = hits.table
    n = len(t)
    ch = hits.channels
    e = np.column_stack([t[f"{c}_int_ppb_s"].to_numpy(dtype=float) for c in ch])
    s = np.column_stack([t[f"{c}_int_err_ppb_s"].to_numpy(dtype=float) for c in ch])
    fin = np.isfinite(e) & np.isfinite(s) & (s > 0)
    snr = np.where(fin, e / np.where(fin, s, 1.0), 0.0)
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
            if chdtrc(m - 1, stat) < p_min:
                ok[i, j] = ok[j, i] = False
    return ok


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
