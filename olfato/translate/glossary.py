"""The domain glossary: terms translated one fixed way, in both directions.

A glossary is YAML (the shipped one is ``olfato/data/glossary/es-en.yaml``)::

    version: 1
    terms:
      - es: laboratorio clandestino      # Spanish form, singular
        en: clandestine lab              # English form, singular
        gender: m                        # Spanish gender, for article agreement
        en_variants: [clandestine laboratory]   # also recognised in English text
    keep: [Tijuana, SEDENA]              # names that pass through unchanged

or TMX (``<tu>`` with ``<tuv xml:lang="es">`` and ``<tuv xml:lang="en">``; an optional
``<prop type="gender">f</prop>``). Users extend the shipped glossary with their own
files (``--glossary FILE`` or ``OLFATO_GLOSSARY``); their entries win over the shipped
ones for the same source form. Matching ignores case and Spanish accents, so
``QUIMICO`` still finds ``químico``; plurals are generated unless given.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path

import yaml

from olfato.translate.engine import TranslationError, check_language
from olfato.translate.protect import Span

#: Spanish words that end the part of a term that takes the plural ("tasa de emisión")
_ES_PREPOSITIONS = {"de", "del", "en", "a", "al", "para", "con", "sin", "sobre", "por"}
_EN_PREPOSITIONS = {"of", "in", "on", "at", "for", "from", "with", "above", "per"}


@dataclass(frozen=True)
class Term:
    """One glossary entry: a concept's Spanish and English names.

    Attributes
    ----------
    es, en : str
        Spanish and English forms, singular.
    gender : {"m", "f"}
        Spanish grammatical gender, for article agreement.
    number : {"sg", "pl"}
        ``pl`` for terms that are plural in Spanish (aguas residuales).
    es_plural, en_plural : str or None
        Plurals when the generated ones are wrong.
    es_variants, en_variants : tuple of str
        Other forms also recognised in source text.
    countable : bool
        False for terms whose plural is never used (ammonia, wastewater).
    """

    es: str
    en: str
    gender: str = "m"  # Spanish grammatical gender, "m" or "f"
    number: str = "sg"  # "pl" for terms that are plural in Spanish (aguas residuales)
    es_plural: str | None = None
    en_plural: str | None = None
    es_variants: tuple[str, ...] = ()
    en_variants: tuple[str, ...] = ()
    #: False for terms whose plural is never used (uncountable: ammonia, wastewater)
    countable: bool = True

    def form(self, lang: str, plural: bool) -> str:
        """The term in ``lang``, singular or plural.

        Parameters
        ----------
        lang : {"es", "en"}
            Language of the form.
        plural : bool
            Plural wanted (ignored for an uncountable term).

        Returns
        -------
        str
            The form, the given plural or a generated one.
        """
        if lang == "es":
            return (
                (self.es_plural or pluralise_es(self.es)) if plural and self.countable else self.es
            )
        return (self.en_plural or pluralise_en(self.en)) if plural and self.countable else self.en

    def source_forms(self, lang: str) -> list[tuple[str, bool]]:
        """(form, is_plural) for every way the term may be written in ``lang``.

        Parameters
        ----------
        lang : {"es", "en"}
            Language of the text to search.

        Returns
        -------
        list of (str, bool)
            The base form and variants, each followed by its plural when it has one.
        """
        base = [self.es, *self.es_variants] if lang == "es" else [self.en, *self.en_variants]
        forms: list[tuple[str, bool]] = []
        for b in base:
            forms.append((b, self.number == "pl" and lang == "es"))
            if self.countable and self.number == "sg":
                p = (
                    (self.es_plural if b == self.es else None) or pluralise_es(b)
                    if lang == "es"
                    else (self.en_plural if b == self.en else None) or pluralise_en(b)
                )
                if p != b:
                    forms.append((p, True))
        return forms


def pluralise_es(phrase: str) -> str:
    """Spanish plural of a noun phrase: every word up to the first preposition.

    Parameters
    ----------
    phrase : str
        Spanish noun phrase, singular (``tasa de emisión``).

    Returns
    -------
    str
        Its plural (``tasas de emisión``).
    """
    words = phrase.split()
    out = []
    for i, w in enumerate(words):
        if w.lower() in _ES_PREPOSITIONS:
            out.extend(words[i:])
            break
        out.append(_plural_es_word(w))
    return " ".join(out)


def _plural_es_word(w: str) -> str:
    low = w.lower()
    if low.endswith(("s", "x")) and len(low) > 3 and low[-2] not in "aeiouáéíóú" + "s":
        return w  # tórax, bíceps: invariable
    if low.endswith(("a", "e", "i", "o", "u", "é", "á", "ó")):
        return w + "s"
    if low.endswith("z"):
        return w[:-1] + "ces"
    # drop the written accent that the extra syllable makes unnecessary (emisión -> emisiones)
    unaccent = str.maketrans("áéíóú", "aeiou")
    stem = w
    last_vowel = max((stem.rfind(v) for v in "áéíóú"), default=-1)
    if last_vowel >= len(stem) - 3 and last_vowel >= 0:
        stem = stem[:last_vowel] + stem[last_vowel].translate(unaccent) + stem[last_vowel + 1 :]
    return stem + "es"


def pluralise_en(phrase: str) -> str:
    """English plural of a noun phrase: the head (the word before 'of', or the last).

    Parameters
    ----------
    phrase : str
        English noun phrase, singular (``rate of emission``).

    Returns
    -------
    str
        Its plural (``rates of emission``).
    """
    words = phrase.split()
    head = len(words) - 1
    for i, w in enumerate(words):
        if w.lower() in _EN_PREPOSITIONS and i > 0:
            head = i - 1
            break
    w = words[head]
    low = w.lower()
    if low.endswith(("s", "x", "z", "ch", "sh")):
        p = w + "es"
    elif low.endswith("y") and len(low) > 1 and low[-2] not in "aeiou":
        p = w[:-1] + "ies"
    else:
        p = w + "s"
    return " ".join([*words[:head], p, *words[head + 1 :]])


_FOLD = str.maketrans("áéíóúüÁÉÍÓÚÜàèìòùÀÈÌÒÙ", "aeiouuAEIOUUaeiouAEIOU")


def fold(text: str) -> str:
    """Lower case without Spanish accents, one character per character (offsets hold).

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    str
        The folded text, of the same length as ``text``.
    """
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text.translate(_FOLD))


def guess_gender(es: str) -> str:
    """The usual gender of a Spanish noun phrase from its head's ending (a guess).

    Parameters
    ----------
    es : str
        Spanish noun phrase.

    Returns
    -------
    {"m", "f"}
        ``f`` for heads ending in -a, -ión, -dad, -tad, -tud, -umbre, -as; else ``m``.
    """
    head = es.split()[0].lower() if es.split() else ""
    return "f" if head.endswith(("a", "ión", "dad", "tad", "tud", "umbre", "as")) else "m"


class Glossary:
    """Terms and kept names, with fast matching in either language.

    Parameters
    ----------
    terms : iterable of Term
        The glossary entries.
    keep : iterable of str
        Names that pass through translation unchanged (blank ones and repeats dropped).
    """

    def __init__(self, terms: Iterable[Term] = (), keep: Iterable[str] = ()) -> None:
        self.terms: list[Term] = list(terms)
        self.keep: list[str] = list(dict.fromkeys(k for k in keep if k.strip()))

    def __len__(self) -> int:
        return len(self.terms)

    def merged(self, other: Glossary) -> Glossary:
        """This glossary extended by ``other``; ``other`` wins for the same source forms.

        Parameters
        ----------
        other : Glossary
            The glossary that extends this one.

        Returns
        -------
        Glossary
            A new glossary; this one is unchanged.
        """
        theirs_es = {fold(t.es) for t in other.terms}
        theirs_en = {fold(t.en) for t in other.terms}
        mine = [
            t for t in self.terms if fold(t.es) not in theirs_es and fold(t.en) not in theirs_en
        ]
        return Glossary([*mine, *other.terms], [*self.keep, *other.keep])

    @cached_property
    def _patterns(
        self,
    ) -> dict[str, list[tuple[re.Pattern[str], bool, dict[str, tuple[Term, bool]]]]]:
        # Acronyms (COV, VOC) match only in capitals, so "SARS-CoV-2" stays a name;
        # other forms ignore case and accents. A hyphen next to a match means the
        # form is part of a compound or code (tasa-dron, CoV-2): no match.
        out = {}
        for lang in ("es", "en"):
            folded: dict[str, tuple[Term, bool]] = {}
            exact: dict[str, tuple[Term, bool]] = {}
            for term in self.terms:
                for form, plural in term.source_forms(lang):
                    if form.isupper():
                        exact.setdefault(" ".join(form.split()), (term, plural))
                    else:
                        folded.setdefault(" ".join(fold(form).split()), (term, plural))
            out[lang] = [
                (_alternation(folded), True, folded),
                (_alternation(exact), False, exact),
            ]
        return out

    def find(self, text: str, source: str) -> list[Span]:
        """Glossary terms in ``text`` (written in ``source``), with their target forms.

        Matching ignores case and accents, except for acronyms, which match only in
        capitals.

        Parameters
        ----------
        text : str
            Text to search.
        source : str
            Its language, ``es`` or ``en``.

        Returns
        -------
        list of Span
            ``kind="term"`` spans sorted by start, each with its target form in the
            source's capitalisation, gender and number.

        Raises
        ------
        TranslationError
            An unknown language.
        """
        source = check_language(source)
        target = "en" if source == "es" else "es"
        spans = []
        for pattern, folded, index in self._patterns[source]:
            for m in pattern.finditer(fold(text) if folded else text):
                term, plural = index[" ".join(m.group(0).split())]
                original = text[m.start() : m.end()]
                out = match_case(original, term.form(target, plural))
                number = "pl" if plural or term.number == "pl" else "sg"
                spans.append(Span(m.start(), m.end(), "term", original, out, term.gender, number))
        return sorted(spans, key=lambda s: s.start)


def _alternation(index: dict[str, tuple[Term, bool]]) -> re.Pattern[str]:
    if not index:
        return re.compile(r"(?!x)x")  # matches nothing
    keys = sorted(index, key=len, reverse=True)
    alts = [r"\s+".join(re.escape(w) for w in k.split()) for k in keys]
    return re.compile(r"(?<![\w-])(?:" + "|".join(alts) + r")(?![\w-])")


def match_case(source: str, target: str) -> str:
    """Give ``target`` the capitalisation of ``source``: ALL CAPS, Capitalised, or as is.

    Parameters
    ----------
    source : str
        Text as written in the source.
    target : str
        Its translation.

    Returns
    -------
    str
        ``target`` in the capitalisation of ``source``.
    """
    letters = [c for c in source if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return target.upper()
    if letters and letters[0].isupper() and target[:1].islower():
        return target[:1].upper() + target[1:]
    return target


# --- loading ---------------------------------------------------------------------------


def default_glossary_path() -> Path:
    """The glossary shipped inside the package.

    Returns
    -------
    pathlib.Path
        ``olfato/data/glossary/es-en.yaml`` inside the installed package.
    """
    return Path(str(resources.files("olfato") / "data" / "glossary" / "es-en.yaml"))


def load_glossary(paths: Sequence[str | Path] = (), *, include_default: bool = True) -> Glossary:
    """The shipped glossary extended by the user's files (YAML or TMX), in order.

    Files named in ``OLFATO_GLOSSARY`` (separated by the OS path separator) come
    after the shipped glossary and before ``paths``.

    Parameters
    ----------
    paths : sequence of str or pathlib.Path
        The user's glossary files, applied last (their entries win).
    include_default : bool, default True
        Start from the shipped glossary; False starts from an empty one.

    Returns
    -------
    Glossary
        The merged glossary.

    Raises
    ------
    TranslationError
        A file that is missing or cannot be read as a glossary.
    """
    glossary = read_glossary(default_glossary_path()) if include_default else Glossary()
    env = [p for p in os.environ.get("OLFATO_GLOSSARY", "").split(os.pathsep) if p.strip()]
    for path in [*env, *paths]:
        glossary = glossary.merged(read_glossary(Path(path)))
    return glossary


def read_glossary(path: Path) -> Glossary:
    """One glossary file, YAML or TMX by its extension, or a clear error.

    Parameters
    ----------
    path : pathlib.Path
        A ``.tmx`` file, or YAML (any other extension).

    Returns
    -------
    Glossary
        The file's terms and kept names.

    Raises
    ------
    TranslationError
        The file is missing, unreadable, or not a glossary (a term without both
        ``es`` and ``en``, a gender other than m/f, a TMX file without term pairs).
    """
    if not path.is_file():
        raise TranslationError(f"Glossary file not found: {path}")
    try:
        if path.suffix.lower() == ".tmx":
            return _read_tmx(path)
        return _read_yaml(path)
    except TranslationError:
        raise
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ET.ParseError) as exc:
        raise TranslationError(
            f"Glossary {path} cannot be read: {exc}",
            hint="A glossary is UTF-8 YAML (terms: [{es: ..., en: ...}], keep: [...]) or TMX.",
        ) from exc


def _read_yaml(path: Path) -> Glossary:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict) or not isinstance(data.get("terms", []), list):
        raise TranslationError(
            f"Glossary {path}: expected a mapping with a 'terms' list.",
            hint="See docs/translate.md for the glossary format.",
        )
    terms = []
    for i, entry in enumerate(data.get("terms") or [], start=1):
        if not isinstance(entry, dict) or not entry.get("es") or not entry.get("en"):
            raise TranslationError(f"Glossary {path}: term {i} needs both 'es' and 'en'.")
        gender = str(entry.get("gender") or guess_gender(str(entry["es"])))
        if gender not in ("m", "f"):
            raise TranslationError(
                f"Glossary {path}: term {i} ({entry['es']}): gender must be m or f."
            )
        terms.append(
            Term(
                es=" ".join(str(entry["es"]).split()),
                en=" ".join(str(entry["en"]).split()),
                gender=gender,
                number=str(entry.get("number", "sg")),
                es_plural=entry.get("es_plural"),
                en_plural=entry.get("en_plural"),
                es_variants=tuple(str(v) for v in entry.get("es_variants", ()) or ()),
                en_variants=tuple(str(v) for v in entry.get("en_variants", ()) or ()),
                countable=bool(entry.get("countable", True)),
            )
        )
    keep = [str(k) for k in data.get("keep", []) or []]
    return Glossary(terms, keep)


def _read_tmx(path: Path) -> Glossary:
    root = ET.parse(path).getroot()
    lang_attr = "{http://www.w3.org/XML/1998/namespace}lang"
    terms = []
    for tu in root.iter("tu"):
        segs: dict[str, str] = {}
        for tuv in tu.iter("tuv"):
            lang = (tuv.get(lang_attr) or tuv.get("lang") or "").lower()[:2]
            seg = tuv.find("seg")
            if lang in ("es", "en") and seg is not None:
                segs[lang] = " ".join("".join(seg.itertext()).split())
        if segs.get("es") and segs.get("en"):
            props = {p.get("type"): (p.text or "").strip() for p in tu.iter("prop")}
            gender = props.get("gender") or guess_gender(segs["es"])
            terms.append(
                Term(es=segs["es"], en=segs["en"], gender=gender if gender in "mf" else "m")
            )
    if not terms:
        raise TranslationError(f"Glossary {path}: no <tu> with both an 'es' and an 'en' <tuv>.")
    return Glossary(terms)
