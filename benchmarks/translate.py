"""Translation quality and speed: Apertium alone against Apertium with olfato's glossary.

Test sets (ES<TAB>EN pairs, translated both ways):

- domain: ``benchmarks/data/translate/domain_es_en.tsv``, 218 pairs written for this
  project about border security, drug trafficking, chemistry, drones and aviation,
  with glossary terms, numbers and units, coordinates, dates, times, plates, phones;
- tico19: a seeded sample of TICO-19 (``../shared/data/tico19-es-en/pairs.tsv``,
  professionally translated, CC0), general language; skipped when absent.

Systems: ``apertium`` is the raw engine (the persistent process, no glossary, no
protection); ``apertium+glossary`` is olfato's full pipeline (glossary terms and
protected tokens through placeholders, Spanish article agreement).

Metrics: corpus BLEU and chrF (sacrebleu, default tokenisation); term accuracy: of the
glossary terms in the source sentences, the share whose glossary target form appears
in the output (case-insensitive); protected accuracy: of the protected tokens in the
source (numbers+units, coordinates, dates, times, plates, phones, e-mails, URLs, kept
names), the share found verbatim in the output; sentences/s of a whole-set batch
(median of 3 runs).

Speed baseline: one ``apertium`` process per sentence (the naive way), against
olfato's persistent null-flush process (one sentence per request, and batched).

Run: ``taskset -c 0,1 .venv/bin/python benchmarks/translate.py [--tico N]``
(about 30 s; needs apertium-eng-spa and sacrebleu).
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from olfato.translate import get_engine, load_glossary, translate_segments
from olfato.translate.apertium import MODES, apertium_available
from olfato.translate.protect import find_protected

REPO = Path(__file__).resolve().parents[1]
DOMAIN = REPO / "benchmarks" / "data" / "translate" / "domain_es_en.tsv"
TICO = REPO.parent / "shared" / "data" / "tico19-es-en" / "pairs.tsv"


def read_pairs(path: Path) -> list[tuple[str, str]]:
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            es, en = line.split("\t")[:2]
            pairs.append((es.strip(), en.strip()))
    return pairs


def term_and_protected_accuracy(
    sources: list[str], outputs: list[str], source: str
) -> tuple[tuple[int, int], tuple[int, int], int]:
    """(terms right, terms), (tokens right, tokens), sentences with any miss."""
    gloss = load_glossary()
    t_ok = t_all = p_ok = p_all = bad = 0
    for src, out in zip(sources, outputs, strict=True):
        miss = False
        low = out.lower()
        for span in gloss.find(src, source):
            t_all += 1
            if span.target.lower() in low:
                t_ok += 1
            else:
                miss = True
        for span in find_protected(src, gloss.keep):
            p_all += 1
            if span.source in out:
                p_ok += 1
            else:
                miss = True
        bad += miss
    return (t_ok, t_all), (p_ok, p_all), bad


def timed(fn: Callable[[], list[str]], repeats: int = 3) -> tuple[list[str], float]:
    times, out = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return out, statistics.median(times)


def evaluate(name: str, pairs: list[tuple[str, str]], rows: list[list[str]]) -> None:
    import sacrebleu

    engine = get_engine("apertium")
    for source, target in (("es", "en"), ("en", "es")):
        si, ti = (0, 1) if source == "es" else (1, 0)
        srcs = [p[si] for p in pairs]
        refs = [p[ti] for p in pairs]
        systems: dict[str, Callable[[], list[str]]] = {
            "apertium": lambda s=srcs, a=source, b=target: [
                o.text for o in engine.translate_batch(s, a, b)
            ],
            "apertium+glossary": lambda s=srcs, a=source, b=target: [
                t.text for t in translate_segments(s, b, source=a, engine=engine)
            ],
        }
        for system, fn in systems.items():
            outs, seconds = timed(fn)
            bleu = sacrebleu.corpus_bleu(outs, [refs]).score
            chrf = sacrebleu.corpus_chrf(outs, [refs]).score
            (tok, tall), (pok, pall), bad = term_and_protected_accuracy(srcs, outs, source)
            rows.append(
                [
                    name,
                    f"{source}->{target}",
                    system,
                    str(len(pairs)),
                    f"{bleu:.1f}",
                    f"{chrf:.1f}",
                    f"{100 * tok / tall:.1f}% ({tok}/{tall})" if tall else "-",
                    f"{100 * pok / pall:.1f}% ({pok}/{pall})" if pall else "-",
                    str(bad),
                    f"{len(pairs) / seconds:.0f}",
                ]
            )


def speed(sentences: list[str], per_process_n: int) -> list[list[str]]:
    """Sentences/s: a process per sentence, the persistent process, and batches."""
    engine = get_engine("apertium")
    mode = MODES[("es", "en")]
    sample = sentences[:per_process_n]
    t0 = time.perf_counter()
    for s in sample:
        subprocess.run(
            ["apertium", "-u", mode], input=s, capture_output=True, text=True, check=True
        )
    per_process = len(sample) / (time.perf_counter() - t0)

    engine.translate_batch(["calentamiento"], "es", "en")  # start the process first
    t0 = time.perf_counter()
    for s in sentences:
        engine.translate_batch([s], "es", "en")
    one_by_one = len(sentences) / (time.perf_counter() - t0)

    _, seconds = timed(lambda: [o.text for o in engine.translate_batch(sentences, "es", "en")])
    batched = len(sentences) / seconds
    _, seconds = timed(lambda: [t.text for t in translate_segments(sentences, "en", source="es")])
    full = len(sentences) / seconds
    return [
        ["apertium, one process per sentence (baseline)", f"{per_process:.1f}", "1.0x"],
        ["persistent process, one sentence per request", f"{one_by_one:.0f}",
         f"{one_by_one / per_process:.0f}x"],
        ["persistent process, whole set in one batch", f"{batched:.0f}",
         f"{batched / per_process:.0f}x"],
        ["olfato pipeline (glossary + protection), batch", f"{full:.0f}",
         f"{full / per_process:.0f}x"],
    ]  # fmt: skip


def print_table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    print(line.format(*header))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(line.format(*r))
    print()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tico", type=int, default=400, help="TICO-19 pairs to sample")
    parser.add_argument("--per-process", type=int, default=40, help="sentences for the baseline")
    args = parser.parse_args()
    if not apertium_available():
        print("Apertium (apertium-eng-spa) is not installed: nothing to benchmark.")
        return 1

    domain = read_pairs(DOMAIN)
    rows: list[list[str]] = []
    evaluate("domain", domain, rows)
    if TICO.is_file():
        tico = read_pairs(TICO)
        evaluate("tico19", random.Random(7).sample(tico, min(args.tico, len(tico))), rows)
    else:
        print(f"(TICO-19 not found at {TICO}: general-language rows skipped)\n")
    print_table(
        ["set", "direction", "system", "pairs", "BLEU", "chrF", "term acc.", "protected acc.",
         "sent. w/ miss", "sent/s"],
        rows,
    )  # fmt: skip
    print_table(
        ["Apertium throughput (es->en, domain set)", "sent/s", "vs baseline"],
        speed([es for es, _ in domain], args.per_process),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
