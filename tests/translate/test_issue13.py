"""Translation inputs seen in issue 13: wrong direction, empty files, names after an article."""

from __future__ import annotations

from pathlib import Path

import pytest

from olfato.translate import translate_text
from olfato.translate.documents import looks_like, translate_path
from olfato.translate.engine import TranslationError
from olfato.translate.protect import find_protected
from tests.translate.conftest import WordEngine, needs_apertium


def test_language_guess():
    assert looks_like("El laboratorio está cerca de la colonia y tiene una bodega.") == "es"
    assert looks_like("The plume was seen near the road and it came from the north.") == "en"
    assert looks_like("Tepeyac 23") is None


def test_spanish_text_to_spanish_warns(tmp_path: Path, word_engine: WordEngine):
    src = tmp_path / "nota.txt"
    src.write_text("El dron cruzó la pluma de la bodega y detectó el olor en la colonia.\n")
    (r,) = translate_path(src, "es", source="en", engine=word_engine, quiet=True).results
    assert any("looks like Spanish already" in w for w in r.warnings)


def test_empty_text_warns(tmp_path: Path, word_engine: WordEngine):
    src = tmp_path / "empty.txt"
    src.write_text("")
    (r,) = translate_path(src, "en", engine=word_engine, quiet=True).results
    assert r.warnings == ["the document holds no text: nothing was translated"]


def test_direct_call_on_empty_docx_raises_translation_error(tmp_path: Path, word_engine):
    from olfato.translate.documents import translate_file

    src = tmp_path / "empty.docx"
    src.write_bytes(b"")
    with pytest.raises(TranslationError, match="empty"):
        translate_file(src, "en", engine=word_engine)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Vimos el vehículo en El Tepeyac ayer.", "El Tepeyac"),
        ("La Paz queda lejos.", "La Paz"),
        ("Salió de Los Mochis hacia Las Cruces.", "Los Mochis"),
        ("Rancho en La Piedad de Cabadas.", "La Piedad de Cabadas"),
    ],
)
def test_article_and_capitalised_word_is_a_name(text: str, name: str):
    spans = [s.source for s in find_protected(text) if s.kind == "article_name"]
    assert name in spans
    assert not [
        s for s in find_protected("el laboratorio de la colonia") if s.kind == "article_name"
    ]


@needs_apertium
def test_el_tepeyac_is_kept_by_apertium():
    out = translate_text("Vimos un vehículo en El Tepeyac, cerca de La Paz.", "en", "es").text
    assert "El Tepeyac" in out and "La Paz" in out and "The Tepeyac" not in out
