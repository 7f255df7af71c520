from __future__ import annotations

from pathlib import Path

import pytest

from olfato.translate import close_engines, get_engine, translate_segments, translate_text
from olfato.translate.ctranslate2_backend import CTranslate2Engine
from olfato.translate.engine import TranslationError
from tests.translate.tiny_model import build_tiny_model


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("ct2") / "es-en")


def test_tiny_model_loads_batches_and_detokenises(tiny_model: Path) -> None:
    engine = CTranslate2Engine({("es", "en"): tiny_model}, max_batch_size=8, max_decoding_length=3)
    segments = [f"el dron detectó una pluma número {i}" for i in range(20)] + ["", "  "]
    out = engine.translate_batch(segments, "es", "en")
    # the model's output bias picks the piece "▁drone" every step: sentencepiece turns
    # the pieces back into words, 20 segments in 3 batches of at most 8
    assert [o.text for o in out] == ["drone drone drone"] * 20 + ["", ""]
    with pytest.raises(TranslationError, match="No CTranslate2 model for en->es"):
        engine.translate_batch(["the drone"], "en", "es")
    engine.close()


def test_protected_tokens_survive_a_model_that_drops_them(tiny_model: Path) -> None:
    engine = CTranslate2Engine({("es", "en"): tiny_model}, max_decoding_length=2)
    t = translate_text("La camioneta ABC-123-D emite 3.5 g/s", to="en", engine=engine)
    assert t.text == "drone drone [ABC-123-D] [3.5 g/s]"
    assert len(t.warnings) == 2
    engine.close()


def test_model_from_environment(tiny_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OLFATO_TRANSLATE_MODEL_ES_EN", str(tiny_model))
    try:
        engine = get_engine(source="es", target="en")
        assert engine.name == "ctranslate2"
        assert translate_segments(["hola"], "en", engine=engine)[0].text.startswith("drone")
    finally:
        close_engines()


def test_bad_model_folders_are_clear_errors(tmp_path: Path, tiny_model: Path) -> None:
    with pytest.raises(TranslationError, match="model folder not found"):
        CTranslate2Engine({("es", "en"): tmp_path / "nope"})
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(TranslationError, match="has no model.bin"):
        CTranslate2Engine({("es", "en"): empty})
    no_spm = tmp_path / "no_spm"
    no_spm.mkdir()
    (no_spm / "model.bin").write_bytes((tiny_model / "model.bin").read_bytes())
    with pytest.raises(TranslationError, match="no sentencepiece model"):
        CTranslate2Engine({("es", "en"): no_spm})
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "model.bin").write_bytes(b"not a model")
    for name in ("source.spm", "target.spm"):
        (broken / name).write_bytes((tiny_model / name).read_bytes())
    engine = CTranslate2Engine({("es", "en"): broken})
    with pytest.raises(TranslationError, match="cannot load the model"):
        engine.translate_batch(["hola"], "es", "en")
    with pytest.raises(TranslationError, match="needs a model folder"):
        get_engine("ctranslate2")
