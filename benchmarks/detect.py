"""Plume detection and fingerprinting against the simulator's truth, and a naive baseline.

Suites: the turbulent-mode scenarios in ``scenarios/`` (puff plumes that meander and
gust), each flown with many seeds; ``no_sources`` flights measure false alarms.

Truth, from the simulator's noise-free ``clean`` enhancements: a TRUE CROSSING of a
source is a contiguous stretch where any of its channels' clean enhancement exceeds
1 noise sd of that channel (the sensor's white-noise sd from the scenario); its peak
SNR is the peak clean enhancement of the source's reference analyte over that
channel's noise sd (the highest channel's when the reference is not measured). A hit
MATCHES a crossing when their time spans overlap.

Metrics, for olfato's detector and for a fixed mean + 3 sigma threshold per channel
(mean and sd of the whole flight; a hit is any run of samples above it in any channel,
classified by the nearest signature in log-ratio space of integrated enhancements):

- recall: crossings with peak SNR >= 5 that some hit matches;
- precision: hits that match some true crossing (any SNR);
- false hits per flight hour on the no-source flights;
- signature accuracy over sources with >= 3 hits, each source's hits (those whose
  largest clean signal is that source's) fingerprinted as a group; the answer is
  the group's signature, or the largest part when it is a mixture (overlapping
  plumes); and the confusion matrix (true signature x answer).

Run: ``.venv/bin/python benchmarks/detect.py [--seeds N] [--false-alarms R]``
(about 4 s per flight on one core).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from olfato.chemistry.signatures import SignatureLibrary, load_signatures
from olfato.detect import detect
from olfato.physics.analytes import UNIT_TO_PPB
from olfato.simulate import simulate
from olfato.survey.io import read_survey

REPO = Path(__file__).resolve().parents[1]
SOURCE_SUITES = [
    "two_labs",
    "crowded",
    "benign_only",
    "unstable_noon",
    "wind_shift",
    "weak_lab",
    "sensor_dropouts",
    "calm_stable_night",
]
NULL_SUITE = "no_sources"


@dataclass
class Tally:
    """Counts for one method."""

    strong: int = 0
    strong_found: int = 0
    hits: int = 0
    hits_true: int = 0
    null_hits: int = 0
    null_hours: float = 0.0
    groups: int = 0
    groups_right: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    seconds: float = 0.0
    flight_hours: float = 0.0


def true_crossings(sim, noise: dict[str, float]) -> list[dict]:
    """Crossings per source: (source, start, end sample, peak SNR), from sim.clean."""
    out = []
    for src in sim.truth["sources"]:
        sid = src["id"]
        cols = {c.split(":", 1)[1]: c for c in sim.clean.columns if c.startswith(sid + ":")}
        cols = {a: c for a, c in cols.items() if a in noise}
        if not cols:
            continue
        snr = np.column_stack([sim.clean[c].to_numpy() / noise[a] for a, c in cols.items()])
        on = snr.max(axis=1) > 1.0
        ref = src["reference_analyte"]
        ref_snr = snr[:, list(cols).index(ref)] if ref in cols else snr.max(axis=1)
        idx = np.flatnonzero(on)
        if idx.size == 0:
            continue
        for run in np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1):
            a, b = int(run[0]), int(run[-1])
            out.append(
                {
                    "source": sid,
                    "signature": src["signature"],
                    "a": a,
                    "b": b,
                    "snr": float(ref_snr[a : b + 1].max()),
                }
            )
    return out


def baseline_hits(enh: dict[str, np.ndarray]) -> list[tuple[int, int]]:
    """Mean + 3 sigma per channel over the whole flight; runs above it in any channel."""
    above = np.zeros(len(next(iter(enh.values()))), dtype=bool)
    for v in enh.values():
        m, s = np.nanmean(v), np.nanstd(v)
        above |= np.nan_to_num(v, nan=-np.inf) > m + 3 * s
    idx = np.flatnonzero(above)
    if idx.size == 0:
        return []
    return [(int(r[0]), int(r[-1])) for r in np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1)]


def nearest_signature(integ: dict[str, float], library: SignatureLibrary) -> str:
    """Naive classifier: least mean squared log-ratio error over shared channels."""
    best, best_err = "none", np.inf
    for name, sig in library.signatures.items():
        shared = [c for c in sig.ratios if c in integ]
        pos = [c for c in shared if integ[c] > 0]
        if len(pos) < 2:
            continue
        ref = max(pos, key=lambda c: integ[c] / sig.ratios[c])
        err = np.mean(
            [
                (np.log(max(integ[c], 1e-9) / integ[ref]) - np.log(sig.ratios[c] / sig.ratios[ref]))
                ** 2
                for c in shared
            ]
        )
        if err < best_err:
            best, best_err = name, err
    return best


def overlaps(a: int, b: int, c: int, d: int) -> bool:
    return a <= d and c <= b


def run_flight(name: str, seed: int, far: float, tallies: dict[str, Tally], tmp: Path) -> None:
    sim = simulate(REPO / "scenarios" / f"{name}.yaml", seed=seed)
    path = tmp / f"{name}_{seed}.csv"
    sim.samples.to_csv(path, index=False)
    survey = read_survey(path, quiet=True)
    hours = survey.duration_s / 3600.0
    noise = {s["analyte"]: s["noise"] * UNIT_TO_PPB[s["unit"]] for s in sim.truth["sensors"]}
    truth = true_crossings(sim, noise)
    library = load_signatures()
    t = survey.time

    t0 = time.perf_counter()
    hits = detect(survey, false_alarms_per_hour=far)
    elapsed = time.perf_counter() - t0
    ours = [(int(r.i_start), int(r.i_end)) for r in hits.table.itertuples()]

    chans = list(survey.channels)
    gas = {c: survey.gas(c) for c in chans}
    base = baseline_hits(gas)

    for method, spans in (("olfato", ours), ("mean+3sd", base)):
        tl = tallies[method]
        if method == "olfato":
            tl.seconds += elapsed
            tl.flight_hours += hours
        if name == NULL_SUITE:
            tl.null_hits += len(spans)
            tl.null_hours += hours
            continue
        for cr in truth:
            if cr["snr"] >= 5:
                tl.strong += 1
                tl.strong_found += any(overlaps(a, b, cr["a"], cr["b"]) for a, b in spans)
        tl.hits += len(spans)
        tl.hits_true += sum(any(overlaps(a, b, cr["a"], cr["b"]) for cr in truth) for a, b in spans)
        # attribute each hit to the source with the largest clean SNR inside it
        by_source: dict[str, list[int]] = defaultdict(list)
        for k, (a, b) in enumerate(spans):
            best, best_snr = None, 1.0
            for src in sim.truth["sources"]:
                for col in sim.clean.columns:
                    sid, analyte = col.split(":", 1)
                    if sid != src["id"] or analyte not in noise:
                        continue
                    s = float(sim.clean[col].to_numpy()[a : b + 1].max()) / noise[analyte]
                    if s > best_snr:
                        best, best_snr = sid, s
            if best is not None:
                by_source[best].append(k)
        sig_of = {s["id"]: s["signature"] for s in sim.truth["sources"]}
        for sid, ks in by_source.items():
            if len(ks) < 3:
                continue
            if method == "olfato":
                ids = [int(hits.table["id"].iat[k]) for k in ks]
                answer = hits.group(ids).classification.primary
            else:
                integ = {}
                for c in chans:
                    v = gas[c] - np.nanmean(gas[c])
                    integ[c] = float(
                        sum(np.nansum(v[a : b + 1]) for a, b in (spans[k] for k in ks))
                        * np.median(np.diff(t))
                    )
                answer = nearest_signature(integ, library)
            tl.groups += 1
            tl.groups_right += answer == sig_of[sid]
            tl.confusion[(sig_of[sid], answer)] += 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=6, help="seeds per scenario")
    ap.add_argument("--null-seeds", type=int, default=20, help="seeds of the no-source flight")
    ap.add_argument("--false-alarms", type=float, default=0.2, help="olfato's setting [1/h]")
    args = ap.parse_args()
    tallies = {"olfato": Tally(), "mean+3sd": Tally()}
    jobs = [(s, k) for s in SOURCE_SUITES for k in range(args.seeds)]
    jobs += [(NULL_SUITE, k) for k in range(args.null_seeds)]
    t_start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, seed) in enumerate(jobs, 1):
            run_flight(name, seed, args.false_alarms, tallies, Path(tmp))
            print(f"\r{i}/{len(jobs)} flights", end="", flush=True)
    print(f"\r{len(jobs)} flights in {time.perf_counter() - t_start:.0f} s")
    print(
        f"\nsuites: {', '.join(SOURCE_SUITES)} x {args.seeds} seeds; "
        f"{NULL_SUITE} x {args.null_seeds} seeds; olfato at {args.false_alarms:g} false "
        "alarms per flight hour\n"
    )
    rows = [
        ("crossings with peak SNR >= 5", lambda t: f"{t.strong}"),
        ("recall (SNR >= 5)", lambda t: f"{t.strong_found / max(t.strong, 1):.3f}"),
        ("hits", lambda t: f"{t.hits}"),
        ("precision", lambda t: f"{t.hits_true / max(t.hits, 1):.3f}"),
        (
            "false hits / flight hour (no sources)",
            lambda t: (
                f"{t.null_hits / max(t.null_hours, 1e-9):.2f} ({t.null_hits} in "
                f"{t.null_hours:.1f} h)"
            ),
        ),
        ("sources with >= 3 hits", lambda t: f"{t.groups}"),
        (
            "signature accuracy (>= 3 hits)",
            lambda t: f"{t.groups_right / max(t.groups, 1):.3f}",
        ),
    ]
    w = 40
    print(f"{'metric':<{w}}{'olfato':>22}{'mean+3sd':>22}")
    print("-" * (w + 44))
    for label, f in rows:
        print(f"{label:<{w}}{f(tallies['olfato']):>22}{f(tallies['mean+3sd']):>22}")
    o = tallies["olfato"]
    print(
        f"\nolfato detect speed: {o.seconds:.1f} s for {o.flight_hours:.2f} flight hours "
        f"({o.seconds / max(o.flight_hours, 1e-9):.1f} s per flight hour)"
    )
    for method, tl in tallies.items():
        truths = sorted({k[0] for k in tl.confusion})
        answers = sorted({k[1] for k in tl.confusion})
        print(f"\nconfusion matrix, {method} (rows: true signature, columns: answer)")
        head = "".join(f"{a[:15]:>16}" for a in answers)
        print(f"{'':<18}{head}")
        for tr in truths:
            cells = "".join(f"{tl.confusion.get((tr, a), 0):>16}" for a in answers)
            print(f"{tr[:17]:<18}{cells}")


if __name__ == "__main__":
    main()
