"""The translation engine interface every backend implements.

An engine translates a batch of plain-text segments from one language to the other.
It knows nothing about the glossary: the caller has already replaced glossary terms
and protected tokens with placeholders (see :mod:`olfato.translate.protect`), which
an engine must pass through as opaque words.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field

from olfato.errors import OlfatoError

#: the languages olfato translates between (ISO 639-1)
LANGUAGES = ("es", "en")
LANGUAGE_NAMES = {"es": "Spanish", "en": "English"}


class TranslationError(OlfatoError):
    """A translation engine, model, glossary or document that cannot be used."""


@dataclass
class EngineOutput:
    """One segment as an engine returned it, before placeholders are restored.

    Attributes
    ----------
    text : str
        The translated segment, placeholders still in it.
    unknown_words : list of str
        Source-language words the engine did not know.
    """

    text: str
    #: source-language words the engine did not know (empty for engines that cannot tell)
    unknown_words: list[str] = field(default_factory=list)


class Engine(ABC):
    """A backend that translates batches of segments between Spanish and English."""

    #: short name shown to the user ("apertium", "ctranslate2")
    name: str = "engine"
    #: whether the engine reports unknown words (rule-based engines can; neural ones cannot)
    reports_unknown_words: bool = False
    #: whether plain numbers come out as they went in (then they need no placeholder,
    #: which would hide them from the engine's date and agreement rules)
    keeps_numbers: bool = False

    @abstractmethod
    def translate_batch(
        self, segments: Sequence[str], source: str, target: str
    ) -> list[EngineOutput]:
        """Translate each segment; the result has one entry per segment, in order.

        Parameters
        ----------
        segments : sequence of str
            Plain-text segments; placeholders in them are opaque words to keep.
        source, target : str
            Language codes, ``es`` or ``en``.

        Returns
        -------
        list of EngineOutput
            One per segment, in order.
        """

    def close(self) -> None:  # noqa: B027 - engines without resources need nothing here
        """Release processes or models the engine holds."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def check_language(code: str, what: str = "language", parameter: str | None = None) -> str:
    """Normalise a language code, or raise a clear error for one we cannot translate.

    Parameters
    ----------
    code : str
        ``es``, ``en`` or an alias (``spa``, ``english``...).
    what : str
        What the code is, for the message (``target language``).
    parameter : str, optional
        The name of the caller's parameter that holds it, for the error.

    Returns
    -------
    str
        ``es`` or ``en``.

    Raises
    ------
    TranslationError
        A code that is neither language, naming ``parameter``.
    """
    norm = (code or "").strip().lower()
    aliases = {"spa": "es", "spanish": "es", "español": "es", "eng": "en", "english": "en"}
    norm = aliases.get(norm, norm)
    if norm not in LANGUAGES:
        raise TranslationError(
            f"Unknown {what} {code!r}: olfato translates between Spanish and English only.",
            hint="Use 'es' (Spanish) or 'en' (English).",
            parameter=parameter,
        )
    return norm


def other_language(code: str) -> str:
    """The language on the other side of the pair.

    Parameters
    ----------
    code : str
        ``es``, ``en`` or an alias.

    Returns
    -------
    str
        ``en`` for Spanish, ``es`` for English.

    Raises
    ------
    TranslationError
        A code that is neither language.
    """
    return "en" if check_language(code) == "es" else "es"
