"""Offline Spanish <-> English translation with a domain glossary.

Findings go to partner authorities in Spanish; seized and intercepted documents
arrive in Spanish. Nothing here downloads anything: the engines run locally.

Engines (:func:`get_engine`):

``apertium`` (default)
    Apertium's rule-based eng-spa pair (Debian: ``apt-get install apertium-eng-spa``),
    kept running as one persistent null-flush process per direction.
``ctranslate2``
    A neural model *you* supply, converted for CTranslate2 (OPUS-MT / Marian, or an
    Argos Translate package). Convert it once on a machine that has the model::

        ct2-opus-mt-converter --model_dir opus-mt-es-en --output_dir es-en-ct2
        cp opus-mt-es-en/source.spm opus-mt-es-en/target.spm es-en-ct2/
        # or, from a Hugging Face checkpoint:
        ct2-transformers-converter --model Helsinki-NLP/opus-mt-es-en --output_dir es-en-ct2

    The folder needs ``model.bin`` and the sentencepiece models (``source.spm`` and
    ``target.spm``, or one shared ``sentencepiece.model``; an unpacked Argos package
    with ``model/`` and ``sentencepiece.model`` works as is). Then pass
    ``--engine ctranslate2 --model DIR`` or set ``OLFATO_TRANSLATE_MODEL`` (or the
    per-direction ``OLFATO_TRANSLATE_MODEL_ES_EN`` / ``OLFATO_TRANSLATE_MODEL_EN_ES``).

Around any engine, every segment goes through the same steps: glossary terms and
protected tokens (numbers and units, coordinates, dates, times, plates, phones, URLs,
e-mails, kept names) are replaced by placeholders, the engine translates, the target
forms are put back (with Spanish article agreement), and words the engine did not
know are reported in :attr:`Translation.unknown_words` rather than silently passed on.

The report stage calls :func:`translate_text` (or :func:`translate_segments` for many
strings at once); the CLI is ``olfato translate FILE_OR_DIR --to en|es``.
"""

from __future__ import annotations

import atexit
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from olfato.translate.engine import (
    LANGUAGES,
    Engine,
    TranslationError,
    check_language,
    other_language,
)
from olfato.translate.glossary import Glossary, load_glossary
from olfato.translate.protect import (
    Span,
    drop_names_over_terms,
    find_markup,
    find_protected,
    mask,
    resolve_overlaps,
    restore,
)

if TYPE_CHECKING:
    from olfato.translate.documents import BatchResult

__all__ = [
    "LANGUAGES",
    "Engine",
    "Glossary",
    "Translation",
    "TranslationError",
    "close_engines",
    "get_engine",
    "load_glossary",
    "translate_document",
    "translate_segments",
    "translate_text",
]

ENGINES = ("apertium", "ctranslate2")
_SPACES = re.compile(r"(?<=\S)[ \t]{2,}(?=\S)")  # engines leave doubled blanks where words went


@dataclass
class Translation:
    """A translated text and what an analyst should know about it.

    Attributes
    ----------
    text : str
        The translation, with the input's line layout and outer whitespace.
    source, target : str
        Language codes, ``es`` or ``en``.
    engine : str
        Name of the engine that translated it.
    unknown_words : list of str
        Source words the engine did not know, in order of first appearance.
    protected : list of Span
        Glossary terms and protected tokens, with what each became.
    warnings : list of str
        Problems found while putting placeholders back (a term or number lost).
    """

    text: str
    source: str
    target: str
    engine: str
    #: source words the engine did not know, in order of first appearance
    unknown_words: list[str] = field(default_factory=list)
    #: glossary terms and protected tokens, with what each became
    protected: list[Span] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


_engines: dict[tuple[str, str], Engine] = {}
_engines_lock = threading.Lock()
_default_glossary: Glossary | None = None


def get_engine(
    name: str | None = None,
    *,
    model: str | Path | None = None,
    source: str = "es",
    target: str | None = None,
) -> Engine:
    """The engine to translate with, shared by all callers in this process.

    ``name`` is "apertium" (default) or "ctranslate2"; giving ``model`` (a
    CTranslate2 model folder for the source -> target direction) implies ctranslate2.

    With neither ``name`` nor ``model``, the environment variables
    ``OLFATO_TRANSLATE_MODEL_<SRC>_<TGT>`` and ``OLFATO_TRANSLATE_MODEL`` choose a model.

    Parameters
    ----------
    name : {"apertium", "ctranslate2"}, optional
        Engine name; None chooses as described above.
    model : str or pathlib.Path, optional
        CTranslate2 model folder for ``source`` -> ``target``.
    source : str, default "es"
        Source language (``es``, ``en`` or an alias).
    target : str, optional
        Target language; the other one of the pair when None.

    Returns
    -------
    Engine
        The engine, started once per process and direction and reused.

    Raises
    ------
    TranslationError
        An unknown engine or language, or ctranslate2 without a model
        (``parameter="model"``).
    """
    source = check_language(source, "source language")
    target = check_language(target, "target language") if target else other_language(source)
    env_model = (
        os.environ.get(f"OLFATO_TRANSLATE_MODEL_{source.upper()}_{target.upper()}")
        or os.environ.get("OLFATO_TRANSLATE_MODEL")
        or None
    )
    if name is None:
        name = "ctranslate2" if (model or env_model) else "apertium"
    name = name.strip().lower()
    if name not in ENGINES:
        raise TranslationError(
            f"Unknown translation engine {name!r}.", hint=f"Choose one of: {', '.join(ENGINES)}."
        )
    if name == "ctranslate2":
        model = model or env_model
        if not model:
            raise TranslationError(
                "The ctranslate2 engine needs a model folder.",
                hint="Give a model folder, or set OLFATO_TRANSLATE_MODEL (see docs/translate.md).",
                parameter="model",
            )
        key = (name, f"{source}-{target}:{Path(model).resolve()}")
    else:
        key = (name, "")
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            if name == "apertium":
                from olfato.translate.apertium import ApertiumEngine

                engine = ApertiumEngine()
            else:
                from olfato.translate.ctranslate2_backend import CTranslate2Engine

                engine = CTranslate2Engine({(source, target): Path(str(model))})
            _engines[key] = engine
    return engine


def close_engines() -> None:
    """Stop every engine this process started (Apertium processes, loaded models)."""
    with _engines_lock:
        for engine in _engines.values():
            engine.close()
        _engines.clear()


atexit.register(close_engines)


def _glossary(glossary: Glossary | None) -> Glossary:
    global _default_glossary
    if glossary is not None:
        return glossary
    if _default_glossary is None:
        _default_glossary = load_glossary()
    return _default_glossary


def translate_segments(
    segments: Sequence[str],
    to: str,
    *,
    source: str | None = None,
    engine: Engine | None = None,
    glossary: Glossary | None = None,
    use_glossary: bool = True,
    markup: bool = False,
) -> list[Translation]:
    """Translate many short texts (sentences, lines, cells) in one engine batch.

    Each segment keeps its own leading and trailing whitespace; line breaks inside a
    segment are kept as line breaks. ``use_glossary=False`` still protects numbers,
    dates and the like but leaves terms to the engine (the benchmark's baseline).
    ``markup=True`` keeps inline HTML tags and entities in place (HTML documents).

    Parameters
    ----------
    segments : sequence of str
        The texts to translate; empty ones come back unchanged.
    to : str
        Target language, ``en`` or ``es`` (or an alias).
    source : str, optional
        Source language; the other one of the pair when None.
    engine : Engine, optional
        Engine to use; the shared one from :func:`get_engine` when None.
    glossary : Glossary, optional
        Domain glossary; the shipped one when None.
    use_glossary : bool, default True
        Replace glossary terms with their fixed translations.
    markup : bool, default False
        Keep inline HTML tags and entities in place.

    Returns
    -------
    list of Translation
        One per segment, in order.

    Raises
    ------
    TranslationError
        An unknown language, source equal to target, or an engine that returns a
        different number of segments.
    """
    target = check_language(to, "target language", "to")
    source = check_language(source, "source language") if source else other_language(target)
    if source == target:
        raise TranslationError(f"Source and target language are both {source!r}.")
    engine = engine or get_engine(source=source, target=target)
    gloss = _glossary(glossary)

    masks = []
    unmasked: list[list[Span]] = []  # protected, but left to an engine that keeps them
    todo: list[int] = []
    for i, seg in enumerate(segments):
        core = seg.strip()
        spans: list[Span] = []
        if core:
            terms = gloss.find(core, source) if use_glossary else []
            tags = find_markup(core) if markup else []
            spans = resolve_overlaps(
                drop_names_over_terms([*tags, *terms, *find_protected(core, gloss.keep)])
            )
            todo.append(i)
        kept = [s for s in spans if engine.keeps_numbers and s.kind == "number"]
        masks.append(mask(core, [s for s in spans if s not in kept]))
        unmasked.append(kept)
    outputs = engine.translate_batch([masks[i].text for i in todo], source, target)
    if len(outputs) != len(todo):
        raise TranslationError(
            f"The {engine.name} engine returned {len(outputs)} segments for {len(todo)}."
        )

    results = [
        Translation(seg, source, target, engine.name) for seg in segments
    ]  # empty segments stay as they are
    for i, out in zip(todo, outputs, strict=True):
        seg, masked = segments[i], masks[i]
        raw = out.text if "  " in masked.text else _SPACES.sub(" ", out.text)
        text, warnings = restore(raw, masked, target)
        for span in unmasked[i]:
            if span.source not in text:
                warnings.append(f"the number {span.source!r} is not in the translation")
        placeholder = re.compile(rf"^{masked.prefix}\d+$")
        unknown = list(dict.fromkeys(w for w in out.unknown_words if not placeholder.match(w)))
        lead = seg[: len(seg) - len(seg.lstrip())]
        trail = seg[len(seg.rstrip()) :]
        protected = sorted([*masked.spans, *unmasked[i]], key=lambda s: s.start)
        results[i] = Translation(
            lead + text + trail, source, target, engine.name, unknown, protected, warnings
        )
    return results


def translate_text(
    text: str,
    to: str,
    source: str | None = None,
    engine: Engine | None = None,
    *,
    glossary: Glossary | None = None,
    use_glossary: bool = True,
) -> Translation:
    """Translate a text of any length, line by line, keeping its line layout.

    ``to`` is "en" or "es"; the source is the other language unless given.

    Parameters
    ----------
    text : str
        Text to translate; may hold many lines.
    to : str
        Target language, ``en`` or ``es``.
    source : str, optional
        Source language; the other one of the pair when None.
    engine : Engine, optional
        Engine to use; the shared one from :func:`get_engine` when None.
    glossary : Glossary, optional
        Domain glossary; the shipped one when None.
    use_glossary : bool, default True
        Replace glossary terms with their fixed translations.

    Returns
    -------
    Translation
        The whole text, with the unknown words, protected spans and warnings of
        all its lines.

    Raises
    ------
    TranslationError
        As :func:`translate_segments`.
    """
    lines = text.split("\n")
    parts = translate_segments(
        lines, to, source=source, engine=engine, glossary=glossary, use_glossary=use_glossary
    )
    unknown = list(dict.fromkeys(w for p in parts for w in p.unknown_words))
    first = parts[0]
    return Translation(
        "\n".join(p.text for p in parts),
        first.source,
        first.target,
        first.engine,
        unknown,
        [s for p in parts for s in p.protected],
        [w for p in parts for w in p.warnings],
    )


def translate_document(
    path: str | Path,
    to: str,
    out: str | Path | None = None,
    *,
    source: str | None = None,
    engine: Engine | None = None,
    glossary: Glossary | None = None,
    quiet: bool = True,
) -> BatchResult:
    """Translate a file, or every document in a folder, beside the input or under ``out``.

    Returns what was written, what was skipped (and why) and the unknown words; see
    :mod:`olfato.translate.documents`.

    Parameters
    ----------
    path : str or pathlib.Path
        A document (``.txt``, ``.md``, ``.html``, ``.docx``, ...) or a folder of them.
    to : str
        Target language, ``en`` or ``es``.
    out : str or pathlib.Path, optional
        Output file or folder; beside the input when None.
    source : str, optional
        Source language; the other one of the pair when None.
    engine : Engine, optional
        Engine to use; the shared one from :func:`get_engine` when None.
    glossary : Glossary, optional
        Domain glossary; the shipped one when None.
    quiet : bool, default True
        Show no progress bar.

    Returns
    -------
    BatchResult
        The documents written, those skipped with the reason, and the unknown words.

    Raises
    ------
    TranslationError
        An unknown language, or an input that does not exist.
    """
    from olfato.translate.documents import translate_path

    return translate_path(
        Path(path),
        to,
        out=Path(out) if out else None,
        source=source,
        engine=engine,
        glossary=glossary,
        quiet=quiet,
    )
