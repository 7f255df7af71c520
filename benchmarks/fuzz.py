"""Fuzz every survey reader with mangled inputs and count what happens.

For each reader (Survey CSV v1, vendor CSV + mapping + wind log, PX4 ULog, MAVLink
.tlog, ArduPilot DataFlash .bin, olfato Parquet) a good input is mangled N times
(tests/survey/mangle.py: cut short, bytes flipped, lines swapped or doubled, fields
replaced by junk, odd line endings, NaN/inf/absurd values, broken metadata; strict
and default mode alternate) and read. Each read is one of:

- clean error: an OlfatoError that names the file;
- accepted: a survey in which every kept sample is valid;
- crash: any other exception, or an error without the file's name;
- accepted with bad data: a survey that kept something it should have dropped.

The target is 0 crashes and 0 bad data. Run::

    nice .venv/bin/python benchmarks/fuzz.py --n 10000

Examples of crashes and bad data are printed with the seed that reproduces them
(``--reader R --start SEED --n 1``).
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.survey.mangle import OUTCOMES, READERS, mutate, outcome, seeds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="mangled inputs per reader")
    parser.add_argument("--start", type=int, default=0, help="first seed")
    parser.add_argument("--reader", choices=READERS, action="append", help="only these")
    args = parser.parse_args()
    readers = args.reader or list(READERS)
    # every reader's module loaded now: the run tests the code as it was when it began
    import olfato.survey.csv_v1
    import olfato.survey.mavlink
    import olfato.survey.parquet
    import olfato.survey.ulog
    import olfato.survey.vendor  # noqa: F401

    good = seeds()
    rows = []
    examples: dict[str, dict[str, int]] = {}
    for reader in readers:
        counts: collections.Counter[str] = collections.Counter()
        found: dict[str, int] = {}
        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory() as d:
            for seed in range(args.start, args.start + args.n):
                rng = np.random.default_rng([seed, READERS.index(reader)])
                case = mutate(good[reader], rng)
                sub = Path(d) / str(seed)
                sub.mkdir()
                result, why = outcome(case, sub, strict=bool(seed % 2))
                for f in sub.iterdir():
                    f.unlink()
                sub.rmdir()
                counts[result] += 1
                if result in ("crash", "bad-data"):
                    found.setdefault(f"{result}: {why[:120]}", seed)
        seconds = time.perf_counter() - t0
        rows.append((reader, counts, seconds))
        examples[reader] = found
        print(
            f"{reader:10s} " + " ".join(f"{o}={counts[o]}" for o in OUTCOMES),
            f"({seconds:.0f} s)",
            file=sys.stderr,
            flush=True,
        )
    last = args.start + args.n - 1
    print(f"\nmangled inputs per reader: {args.n:,} (seeds {args.start}..{last})")
    print("| reader | clean errors | accepted | crashes | accepted with bad data | ms/input |")
    print("|---|---|---|---|---|---|")
    for reader, c, seconds in rows:
        print(
            f"| {reader} | {c['error']:,} | {c['accepted']:,} | {c['crash']:,} | "
            f"{c['bad-data']:,} | {1000 * seconds / max(args.n, 1):.0f} |"
        )
    for reader, found in examples.items():
        for what, seed in list(found.items())[:10]:
            print(f"  {reader} seed {seed}: {what}")


if __name__ == "__main__":
    main()
