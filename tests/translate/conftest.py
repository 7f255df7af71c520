from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import pytest

from olfato.translate.apertium import apertium_available
from olfato.translate.engine import Engine, EngineOutput

REPO = Path(__file__).resolve().parents[2]
DOMAIN_SET = REPO / "benchmarks" / "data" / "translate" / "domain_es_en.tsv"

needs_apertium = pytest.mark.skipif(
    not apertium_available(),
    reason="Apertium's eng-spa pair is not installed and could not be "
    "(scripts/install-system-deps.sh needs root and apt-get)",
)


class WordEngine(Engine):
    """A tiny word-for-word engine: documents can be tested without Apertium."""

    name = "words"
    reports_unknown_words = True
    WORDS: ClassVar[dict[str, str]] = {
        "el": "the", "la": "the", "cruzó": "crossed", "hola": "hello", "mundo": "world",
        "y": "and", "de": "of", "en": "in", "detectó": "detected",
    }  # fmt: skip

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def translate_batch(
        self, segments: Sequence[str], source: str, target: str
    ) -> list[EngineOutput]:
        self.calls.append(list(segments))
        outs = []
        for seg in segments:
            unknown: list[str] = []

            def word(m: re.Match[str], unknown: list[str] = unknown) -> str:
                w = m.group(0)
                if w.lower() in self.WORDS:
                    t = self.WORDS[w.lower()]
                    return t.capitalize() if w[0].isupper() else t
                if not w.startswith("QZX") and not w.isdigit():
                    unknown.append(w)
                return w

            outs.append(EngineOutput(re.sub(r"\w+", word, seg), unknown))
        return outs


@pytest.fixture
def word_engine() -> WordEngine:
    return WordEngine()
