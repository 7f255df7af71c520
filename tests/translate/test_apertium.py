from __future__ import annotations

import os
import signal
from concurrent.futures import ThreadPoolExecutor

import pytest

from olfato.translate import get_engine, load_glossary, translate_segments, translate_text
from olfato.translate.apertium import ApertiumEngine, pipeline_command
from olfato.translate.engine import TranslationError
from olfato.translate.protect import drop_names_over_terms, find_protected
from tests.translate.conftest import DOMAIN_SET, needs_apertium


@needs_apertium
def test_glossary_terms_come_out_both_ways() -> None:
    es = (
        "El dron detectó una pluma de acetona cerca de un laboratorio clandestino; "
        "los precursores químicos llegaron por una pista clandestina."
    )
    en = translate_text(es, to="en").text
    for t in ("drone", "plume", "acetone", "clandestine lab", "chemical precursors",
              "clandestine airstrip"):  # fmt: skip
        assert t in en, (t, en)
    back = translate_text(
        "The drone crossed the plume near a clandestine lab and a fuel station.", to="es"
    ).text
    assert "El dron" in back and "la pluma" in back
    assert "un laboratorio clandestino" in back and "una gasolinera" in back  # agreement


@needs_apertium
def test_protected_tokens_pass_unchanged_both_ways() -> None:
    es = (
        "La camioneta BCN-4521-A salió de Tijuana el 15/03/2024 a las 14:30 hacia "
        "32.5149, -117.0382; el +52 664 123 4567 emite 3.5 g/s según analisis@ejemplo.mx."
    )
    en = "The van BCN-4521-A left Tijuana on 15/03/2024 at 14:30 towards 32.5149, -117.0382."
    keep = load_glossary().keep
    for text, to in ((es, "en"), (en, "es")):
        out = translate_text(text, to=to).text
        for span in find_protected(text, keep):
            assert span.source in out, (span, out)


@needs_apertium
def test_unknown_words_are_flagged_and_kept() -> None:
    t = translate_text("El dron sobrevoló el zorgumbal del rancho.", to="en")
    assert "zorgumbal" in t.unknown_words
    assert "zorgumbal" in t.text  # passed through, not dropped
    assert "*" not in t.text
    assert "dron" not in t.unknown_words  # a glossary term is not unknown


@needs_apertium
def test_layout_and_empty_lines_are_kept() -> None:
    t = translate_text("  El viento sopla.\n\nEl dron cruzó.\n", to="en")
    assert t.text == "  The wind blows.\n\nThe drone crossed.\n"


@needs_apertium
def test_one_persistent_process_restarted_when_it_dies() -> None:
    engine = ApertiumEngine()
    try:
        engine.translate_batch(["Hola"], "es", "en")
        pid = engine.process_id("es", "en")
        engine.translate_batch(["Adiós"], "es", "en")
        assert engine.process_id("es", "en") == pid  # no process per sentence
        assert pid is not None
        os.killpg(pid, signal.SIGKILL)
        out = engine.translate_batch(["El viento sopla."], "es", "en")
        assert out[0].text == "The wind blows."
        assert engine.process_id("es", "en") not in (None, pid)
    finally:
        engine.close()


@needs_apertium
def test_threads_share_the_engine_safely() -> None:
    sentences = [f"El dron {i} cruzó la pluma a las 10:{i:02d}." for i in range(40)]
    alone = [t.text for t in translate_segments(sentences, "en")]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda s: translate_text(s, to="en").text, sentences))
    assert together == alone
    assert all(f"10:{i:02d}" in t for i, t in enumerate(together))


@needs_apertium
def test_domain_set_terms_and_protected_tokens_are_all_right() -> None:
    """Every glossary term and protected token of the benchmark's 218 pairs, both ways."""
    pairs = [line.split("\t") for line in DOMAIN_SET.read_text(encoding="utf-8").splitlines()]
    gloss = load_glossary()
    for col, to in ((0, "en"), (1, "es")):
        src = [p[col] for p in pairs]
        for s, t in zip(src, translate_segments(src, to), strict=True):
            low = t.text.lower()
            terms = gloss.find(s, t.source)
            for span in terms:
                assert span.target.lower() in low, (s, t.text, span.target)
            # protected tokens as the translator takes them: a name after an article
            # ("La Guardia Nacional") gives way to the glossary term inside it
            for span in drop_names_over_terms([*terms, *find_protected(s, gloss.keep)]):
                if span.kind != "term":
                    assert span.source in t.text, (s, t.text, span.source)


def test_missing_apertium_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    pipeline_command.cache_clear()
    monkeypatch.setenv("PATH", "/nonexistent")
    try:
        with pytest.raises(TranslationError, match="apertium-eng-spa"):
            ApertiumEngine()
    finally:
        pipeline_command.cache_clear()


def test_unknown_language_and_engine_are_clear_errors() -> None:
    with pytest.raises(TranslationError, match="Spanish and English only"):
        translate_text("hola", to="fr")
    with pytest.raises(TranslationError, match="Unknown translation engine"):
        get_engine("google")
