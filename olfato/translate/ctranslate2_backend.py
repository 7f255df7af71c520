"""A user-supplied neural model, run with CTranslate2 and tokenised with sentencepiece.

olfato ships no neural model and downloads none. A user converts one (OPUS-MT /
Marian, or an Argos Translate package) for CTranslate2 on a machine that has it and
points olfato at the folder; see :mod:`olfato.translate` for the commands.

Accepted folder layouts:

* converted OPUS-MT: ``model.bin`` (+ vocabulary files) with ``source.spm`` and
  ``target.spm`` copied in from the original model;
* one shared sentencepiece model: ``model.bin`` with ``sentencepiece.model`` (or
  ``spm.model``);
* an unpacked Argos package: ``model/model.bin`` with ``sentencepiece.model`` beside
  ``model/``.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from olfato.translate.engine import Engine, EngineOutput, TranslationError, check_language

HINT = (
    "A CTranslate2 model folder holds model.bin and the sentencepiece models "
    "(source.spm + target.spm, or one sentencepiece.model); convert one with "
    "ct2-opus-mt-converter or ct2-transformers-converter --output_dir DIR "
    "(see docs/translate.md)."
)


@dataclass
class ModelFiles:
    """Where a model folder keeps its parts.

    Attributes
    ----------
    model_dir : pathlib.Path
        Folder holding ``model.bin``.
    source_spm, target_spm : pathlib.Path
        Sentencepiece models of the source and target language (may be one file).
    """

    model_dir: Path
    source_spm: Path
    target_spm: Path


def locate_model(folder: Path) -> ModelFiles:
    """The model and tokenizer files in ``folder``, or a clear error naming what is missing.

    Parameters
    ----------
    folder : pathlib.Path
        A converted model folder, or an unpacked Argos Translate package.

    Returns
    -------
    ModelFiles
        Where ``model.bin`` and the sentencepiece models are.

    Raises
    ------
    TranslationError
        The folder does not exist, or has no ``model.bin`` or no sentencepiece model.
    """
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise TranslationError(f"Translation model folder not found: {folder}", hint=HINT)
    model_dir = folder
    if not (folder / "model.bin").is_file() and (folder / "model" / "model.bin").is_file():
        model_dir = folder / "model"  # Argos Translate package layout
    if not (model_dir / "model.bin").is_file():
        raise TranslationError(
            f"{folder} is not a CTranslate2 model: it has no model.bin.", hint=HINT
        )
    for src_name, tgt_name in (
        ("source.spm", "target.spm"),
        ("sentencepiece.model", "sentencepiece.model"),
        ("spm.model", "spm.model"),
    ):
        for base in (model_dir, folder):
            if (base / src_name).is_file() and (base / tgt_name).is_file():
                return ModelFiles(model_dir, base / src_name, base / tgt_name)
    raise TranslationError(
        f"{folder} has a model.bin but no sentencepiece model "
        "(source.spm + target.spm, or sentencepiece.model).",
        hint=HINT,
    )


@dataclass
class _Loaded:
    translator: Any
    source_sp: Any
    target_sp: Any
    lock: threading.Lock


class CTranslate2Engine(Engine):
    """Translate with one CTranslate2 model per direction, loaded on first use.

    Segments are tokenised with the source sentencepiece model, translated in batches
    of ``max_batch_size`` (CTranslate2 sorts them by length inside, so padding stays
    small), and detokenised with the target model. Neural models cannot say which
    words they did not know, so ``unknown_words`` stays empty with this engine.

    Parameters
    ----------
    models : dict of (str, str) to pathlib.Path
        ``(source, target)`` language pair -> model folder.
    device : str, default "cpu"
        CTranslate2 device (``cpu``, ``cuda``).
    beam_size : int, default 2
        Beam search width.
    max_batch_size : int, default 32
        Segments per CTranslate2 batch.
    max_decoding_length : int, default 256
        Longest translation of one segment [tokens].
    intra_threads : int, default 0
        CPU threads per translation (0: CTranslate2's default).

    Raises
    ------
    TranslationError
        A language or a model folder that cannot be used (checked here, loaded later).
    """

    name = "ctranslate2"
    reports_unknown_words = False

    def __init__(
        self,
        models: dict[tuple[str, str], Path],
        *,
        device: str = "cpu",
        beam_size: int = 2,
        max_batch_size: int = 32,
        max_decoding_length: int = 256,
        intra_threads: int = 0,
    ) -> None:
        self.models = {
            (check_language(s), check_language(t)): Path(p) for (s, t), p in models.items()
        }
        self.files = {pair: locate_model(p) for pair, p in self.models.items()}  # fail early
        self.device = device
        self.beam_size = beam_size
        self.max_batch_size = max_batch_size
        self.max_decoding_length = max_decoding_length
        self.intra_threads = intra_threads
        self._loaded: dict[tuple[str, str], _Loaded] = {}
        self._load_lock = threading.Lock()

    def _load(self, pair: tuple[str, str]) -> _Loaded:
        with self._load_lock:
            if pair in self._loaded:
                return self._loaded[pair]
            files = self.files.get(pair)
            if files is None:
                have = ", ".join(f"{s}->{t}" for s, t in self.files) or "none"
                raise TranslationError(
                    f"No CTranslate2 model for {pair[0]}->{pair[1]} (models given: {have}).",
                    hint="Give a model folder for that direction, or set "
                    f"OLFATO_TRANSLATE_MODEL_{pair[0].upper()}_{pair[1].upper()}.",
                )
            import ctranslate2
            import sentencepiece as spm

            try:
                translator = ctranslate2.Translator(
                    str(files.model_dir), device=self.device, intra_threads=self.intra_threads
                )
            except (RuntimeError, ValueError, OSError) as exc:
                raise TranslationError(
                    f"CTranslate2 cannot load the model in {files.model_dir}: {exc}", hint=HINT
                ) from exc
            sps = []
            for path in (files.source_spm, files.target_spm):
                try:
                    sps.append(spm.SentencePieceProcessor(model_file=str(path)))
                except (RuntimeError, OSError) as exc:
                    raise TranslationError(
                        f"{path} is not a sentencepiece model: {exc}", hint=HINT
                    ) from exc
            loaded = _Loaded(translator, sps[0], sps[1], threading.Lock())
            self._loaded[pair] = loaded
            return loaded

    def translate_batch(
        self, segments: Sequence[str], source: str, target: str
    ) -> list[EngineOutput]:
        """Translate each segment; the result has one entry per segment, in order.

        Parameters
        ----------
        segments : sequence of str
            Plain-text segments; blank ones come back empty.
        source, target : str
            Language codes, ``es`` or ``en``.

        Returns
        -------
        list of EngineOutput
            One per segment, in order; ``unknown_words`` is always empty.

        Raises
        ------
        TranslationError
            No model for that direction, or a model that CTranslate2 or sentencepiece
            cannot load.
        """
        model = self._load((check_language(source), check_language(target)))
        todo = [i for i, s in enumerate(segments) if s.strip()]
        outputs = [EngineOutput("") for _ in segments]
        if not todo:
            return outputs
        tokens = model.source_sp.encode([segments[i].strip() for i in todo], out_type=str)
        with model.lock:  # one batch at a time per model; CTranslate2 threads inside it
            results = model.translator.translate_batch(
                tokens,
                max_batch_size=self.max_batch_size,
                beam_size=self.beam_size,
                max_decoding_length=self.max_decoding_length,
            )
        for i, res in zip(todo, results, strict=True):
            outputs[i] = EngineOutput(model.target_sp.decode(res.hypotheses[0]).strip())
        return outputs

    def close(self) -> None:
        for loaded in self._loaded.values():
            loaded.translator.unload_model()
        self._loaded.clear()
