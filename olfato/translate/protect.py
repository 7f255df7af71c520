"""Tokens that must come out of a translation exactly as they went in.

Numbers with their units, coordinates, dates, times, vehicle plates, phone numbers,
URLs, e-mail addresses, hashtags and handles, and the proper names in the glossary's
keep list. A rule-based engine mangles many of them (``3,5 g/s`` -> ``3,5 g/*s``), a
neural one may "correct" them; either way an analyst could be misled about a place,
a plate or a quantity. :mod:`olfato.translate.mask` hides every such span behind a
placeholder before the engine runs and puts the original back afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

#: units that may follow a number (longest first so "km/h" wins over "km"); no unit
#: that is also a word after a number ("5 in Europe", "mi", "ha", "pies")
UNITS = (
    "km/h", "m/s", "g/s", "kg/h", "g/h", "L/min", "l/min", "mg/m3", "µg/m3", "ug/m3",
    "ppm", "ppb", "ppmv", "ppbv", "mph", "kts", "kt", "nudos", "knots",
    "km²", "km2", "m²", "m2", "m³", "m3", "km", "cm", "mm", "m",
    "kg", "mg", "µg", "g", "t", "ton", "L", "l", "ml", "mL", "gal",
    "°C", "ºC", "°F", "°", "º", "%", "K", "hPa", "Pa", "kPa", "psi",
    "mAh", "Wh", "kWh", "W", "kW", "V", "mA", "A", "Hz", "kHz", "MHz", "GHz",
    "s", "min", "h", "hrs", "ft", "lb", "lbs", "oz", "USD", "MXN", "US$",
)  # fmt: skip

_NUM = r"[-+−]?\d+(?:[.,]\d+)*"
_UNIT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
# degrees, then optional minutes and seconds: 32°30'54.2"
_DEG = (
    r"\d{1,3}(?:[.,]\d+)?\s?[°º]\s?"
    r"(?:\d{1,2}(?:[.,]\d+)?\s?['′’]\s?(?:\d{1,2}(?:[.,]\d+)?\s?[\"″”])?)?"
)
_HEMI = r"\s?[NSEWO]\b"

#: (kind, pattern), tried in this order; an earlier kind wins a tie on length
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("url", re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")),
    ("email", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")),
    ("handle", re.compile(r"(?<![\w@])[@#][A-Za-z_]\w{1,}")),
    # 32°30'54"N 117°02'18"W, N 32.5149° W 117.0382°, 32.5149°N, -117.0382°
    (
        "coordinate",
        re.compile(
            rf"(?:(?<![\w])[NSEWO]\s?)?{_DEG}(?:{_HEMI})?"
            rf"(?:\s?,?\s?(?:[NSEWO]\s?)?[-−]?{_DEG}(?:{_HEMI})?)?"
        ),
    ),
    # 29.0961 N, 111.0443 O / 29.0961N 111.0443W: decimal degrees with a hemisphere
    # letter and no degree sign (O is Spanish "oeste"); >= 3 decimals, so that "5 N"
    # (newtons) is not taken for one
    (
        "coordinate",
        re.compile(
            r"(?<![\w.,])\d{1,3}\.\d{3,}\s?[NSEWO]\b"
            r"(?:\s?,?\s?[-−]?\d{1,3}\.\d{3,}\s?[NSEWO]\b)?"
        ),
    ),
    # 32.514944, -117.038250 (a decimal-degree pair: both parts need >= 3 decimals)
    (
        "coordinate",
        re.compile(r"(?<![\w.,])[-−]?\d{1,3}\.\d{3,}\s?,\s?[-−]?\d{1,3}\.\d{3,}(?![\d])"),
    ),
    # 2024-03-15, 15/03/2024, 15-03-24, 15.03.2024
    (
        "date",
        re.compile(
            r"(?<![\w/.-])(?:\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?"
            r"|\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2}))(?![\w/])"
        ),
    ),
    # 14:30, 14:30:05, 14:30 h, 2:15 p.m., 0630Z
    (
        "time",
        re.compile(
            r"(?<![\w:])(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?"
            r"(?:\s?(?:h|hrs|[ap]\.\s?m\.|[AP]M|UTC|Z)(?![\w]))?"
            r"|(?<!\w)(?:[01]\d|2[0-3])[0-5]\dZ\b"
        ),
    ),
    # +52 664 123 4567, (664) 123-4567, 664-123-4567, +1 619 555 0142
    (
        "phone",
        re.compile(
            r"(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]\d{2,4}){1,4}(?![\w])"
        ),
    ),
    # ABC-123-D, AB-12-345, 7ABC123, BCN-4521: letters and digits, joined by hyphens
    (
        "plate",
        re.compile(
            r"(?<![\w-])(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])"
            r"(?:[A-Z0-9]{1,4}(?:-[A-Z0-9]{1,5}){1,3}|(?=\w*[A-Z]\w*\d\w*[A-Z]|\d[A-Z]{2,})[A-Z0-9]{6,8})"
            r"(?![\w-])"
        ),
    ),
    # 3.5 g/s, 1,200 m, 40 %, 12 km/h, 25°C, 3 km
    ("quantity", re.compile(rf"(?<![\w.,])(?:{_NUM})\s?(?:{_UNIT})(?![\w/²³])")),
    ("number", re.compile(rf"(?<![\w.,]){_NUM}(?![\w])")),
    # a Spanish article before a capitalised word is part of a place name: El Tepeyac,
    # La Paz, Los Mochis, Las Cruces (Spanish writes common nouns in lower case); a
    # glossary term it overlaps wins (see drop_names_over_terms)
    (
        "article_name",
        re.compile(
            r"(?<![\w])(?:El|La|Los|Las)\s+[A-ZÁÉÍÓÚÑ][a-záéíóúñü]+"
            r"(?:\s+(?:de\s+(?:la\s+|los\s+|las\s+)?|del\s+)?[A-ZÁÉÍÓÚÑ][a-záéíóúñü]+)*"
        ),
    ),
)


def drop_names_over_terms(spans: list[Span]) -> list[Span]:
    """Leave out article-name spans (``El Tepeyac``) that overlap a glossary term.

    Parameters
    ----------
    spans : list of Span
        Candidate spans of one segment, terms among them.

    Returns
    -------
    list of Span
        The spans, without article names that would hide a glossary term.
    """
    terms = [t for t in spans if t.kind == "term"]
    return [
        s
        for s in spans
        if s.kind != "article_name" or not any(t.start < s.end and s.start < t.end for t in terms)
    ]


_PHONE_DIGITS = 7
#: HTML tags and the entities kept as entities, protected in HTML documents only
MARKUP = re.compile(r"<[^<>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]\w*);")


def find_markup(text: str) -> list[Span]:
    """Inline HTML tags and entities in a segment; they come out exactly as they went in.

    Parameters
    ----------
    text : str
        One segment of an HTML document.

    Returns
    -------
    list of Span
        ``kind="markup"`` spans whose target is the tag or entity itself.
    """
    return [
        Span(m.start(), m.end(), "markup", m.group(0), m.group(0)) for m in MARKUP.finditer(text)
    ]


@dataclass(frozen=True)
class Span:
    """A stretch of the source text and what it becomes in the target text.

    Attributes
    ----------
    start, end : int
        Character offsets of the stretch in the source text (``end`` exclusive).
    kind : str
        ``term`` for glossary terms, ``name`` for kept names, ``markup``, or a
        :data:`PATTERNS` kind (``url``, ``coordinate``, ``quantity``, ...).
    source : str
        The stretch as written.
    target : str
        What it becomes in the translation.
    gender, number : str or None
        A term's Spanish gender (``m``/``f``) and number (``sg``/``pl``).
    """

    start: int
    end: int
    kind: str  # "term" for glossary terms, else a PATTERNS kind or "name"
    source: str
    target: str
    #: the term's grammatical gender and number in Spanish ("m"/"f", "sg"/"pl"), for agreement
    gender: str | None = None
    number: str | None = None


def find_protected(text: str, names: Iterable[str] = ()) -> list[Span]:
    """Every protected token in ``text``, as non-overlapping spans in text order.

    Parameters
    ----------
    text : str
        One segment.
    names : iterable of str
        Proper names to keep (the glossary's keep list), matched as whole words.

    Returns
    -------
    list of Span
        Spans whose target equals their source; of overlapping ones the longest is
        kept (see :func:`resolve_overlaps`).
    """
    spans: list[Span] = []
    for kind, pattern in PATTERNS:
        for m in pattern.finditer(text):
            token = m.group(0).rstrip()
            if not token:
                continue
            if kind == "phone" and sum(ch.isdigit() for ch in token) < _PHONE_DIGITS:
                continue
            end = m.start() + len(token)
            spans.append(Span(m.start(), end, kind, token, token))
    name_re = _names_pattern(tuple(sorted(set(names), key=len, reverse=True)))
    if name_re is not None:
        for m in name_re.finditer(text):
            spans.append(Span(m.start(), m.end(), "name", m.group(0), m.group(0)))
    return resolve_overlaps(spans)


_NAME_CACHE: dict[tuple[str, ...], re.Pattern[str] | None] = {}


def _names_pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    if names not in _NAME_CACHE:
        alts = [r"\s+".join(re.escape(w) for w in name.split()) for name in names if name.strip()]
        _NAME_CACHE[names] = (
            re.compile(r"(?<![\w])(?:" + "|".join(alts) + r")(?![\w])") if alts else None
        )
    return _NAME_CACHE[names]


def resolve_overlaps(spans: list[Span]) -> list[Span]:
    """Keep the longest of overlapping spans (the first listed wins a tie), in text order.

    Parameters
    ----------
    spans : list of Span
        Candidate spans, in order of preference for a tie.

    Returns
    -------
    list of Span
        Non-overlapping spans sorted by start.
    """
    order = sorted(enumerate(spans), key=lambda p: (-(p[1].end - p[1].start), p[0]))
    taken: list[Span] = []
    for _, span in order:
        if all(span.end <= t.start or span.start >= t.end for t in taken):
            taken.append(span)
    return sorted(taken, key=lambda s: s.start)


# --- placeholders -----------------------------------------------------------------------

#: Placeholders look like an unknown word (QZX7): tested to pass through Apertium's
#: eng-spa and spa-eng unchanged, and kept whole by sentencepiece models' copy behaviour.
_PREFIXES = ("QZX", "QXZ", "ZQX", "XZQ")


@dataclass
class Masked:
    """A segment with its protected spans replaced by numbered placeholders.

    Attributes
    ----------
    text : str
        The segment with placeholders (``QZX0``, ``QZX1``, ...).
    prefix : str
        The placeholders' prefix, one that does not occur in the segment.
    spans : list of Span
        The replaced spans; placeholder ``i`` stands for ``spans[i]``.
    """

    text: str
    prefix: str
    spans: list[Span]


def mask(text: str, spans: list[Span]) -> Masked:
    """Replace each span with a placeholder the engine will copy through.

    Parameters
    ----------
    text : str
        One segment.
    spans : list of Span
        Non-overlapping spans of ``text``, in text order.

    Returns
    -------
    Masked
        The masked text, its placeholder prefix and the spans.
    """
    prefix = next((p for p in _PREFIXES if p not in text), _PREFIXES[0] + "Q")
    out, pos = [], 0
    for i, span in enumerate(spans):
        out.append(text[pos : span.start])
        out.append(f"{prefix}{i}")
        pos = span.end
    out.append(text[pos:])
    return Masked("".join(out), prefix, spans)


# Spanish determiners by (gender, number): the engine sees an unknown word where the
# term was and picks the masculine singular, so we fix the word before the term.
_DETERMINERS = [
    ("el", "la", "los", "las"),
    ("un", "una", "unos", "unas"),
    ("del", "de la", "de los", "de las"),
    ("al", "a la", "a los", "a las"),
    ("este", "esta", "estos", "estas"),
    ("ese", "esa", "esos", "esas"),
    ("aquel", "aquella", "aquellos", "aquellas"),
    ("otro", "otra", "otros", "otras"),
    ("dicho", "dicha", "dichos", "dichas"),
    ("nuestro", "nuestra", "nuestros", "nuestras"),
    ("mucho", "mucha", "muchos", "muchas"),
    ("algún", "alguna", "algunos", "algunas"),
    ("ningún", "ninguna", "ningunos", "ningunas"),
    ("primer", "primera", "primeros", "primeras"),
    ("cada", "cada", "cada", "cada"),
]
_SLOT = {("m", "sg"): 0, ("f", "sg"): 1, ("m", "pl"): 2, ("f", "pl"): 3}
_DET_INDEX = {form: row for row in _DETERMINERS for form in row}
_DET_BEFORE = re.compile(
    r"(?<![\w])(" + "|".join(sorted(_DET_INDEX, key=len, reverse=True)) + r")(\s+)$",
    re.IGNORECASE,
)
_PARTICIPLE_AFTER = re.compile(r"^(\s)(\w{3,}?[ai]d)(o|os|a|as)(?![\w])")


def restore(output: str, masked: Masked, target: str) -> tuple[str, list[str]]:
    """Put each span's target form back where its placeholder came out.

    Returns the text and a warning for each placeholder the engine lost (the
    protected text is then appended in brackets rather than dropped).

    Spanish determiners before a term and a participle after it are made to agree
    with the term's gender and number; an English ``a``/``an`` is fixed for the word
    that follows.

    Parameters
    ----------
    output : str
        The engine's translation of ``masked.text``.
    masked : Masked
        What :func:`mask` returned for the segment.
    target : str
        Target language, ``es`` or ``en``.

    Returns
    -------
    text : str
        The translation with the protected and glossary forms back in place.
    warnings : list of str
        One for each span the engine dropped.
    """
    pattern = re.compile(rf"{masked.prefix}(\d+)")
    text = ""
    pos = 0
    seen: set[int] = set()
    last: Span | None = None  # the term just restored, whose following word may agree
    for m in pattern.finditer(output):
        i = int(m.group(1))
        chunk = output[pos : m.start()]
        text += _agree_after(chunk, last) if last is not None else chunk
        pos = m.end()
        last = None
        if i >= len(masked.spans):
            text += m.group(0)
            continue
        span = masked.spans[i]
        seen.add(i)
        if target == "es" and span.kind == "term" and span.gender:
            text = _agree_before(text, span)
            last = span
        elif target == "en":
            text = _article_en(text, span.target)
        text += span.target
    tail = output[pos:]
    text += _agree_after(tail, last) if last is not None else tail
    warnings = []
    missing = [s for i, s in enumerate(masked.spans) if i not in seen]
    if missing:
        text = text.rstrip() + " " + " ".join(f"[{s.target}]" for s in missing)
        warnings = [
            f"the engine dropped {s.kind} {s.source!r}; appended in brackets" for s in missing
        ]
    return text, warnings


def _agree_before(text: str, span: Span) -> str:
    # only the last few words can hold the determiner; searching them keeps this linear
    head, before = text[:-_LOOKBACK], text[-_LOOKBACK:]
    m = _DET_BEFORE.search(before)
    if not m:
        return text
    slot = _SLOT[(span.gender or "m", span.number or "sg")]
    word = m.group(1)
    right = _DET_INDEX[word.lower()][slot]
    if word[:1].isupper():
        right = right[:1].upper() + right[1:]
    return head + before[: m.start(1)] + right + m.group(2)


_LOOKBACK = 24


def _agree_after(after: str, span: Span) -> str:
    # a participle right after the term (la pluma detectada), the cheap common case
    m = _PARTICIPLE_AFTER.match(after)
    if not m:
        return after
    ending = {("m", "sg"): "o", ("f", "sg"): "a", ("m", "pl"): "os", ("f", "pl"): "as"}[
        (span.gender or "m", span.number or "sg")
    ]
    return m.group(1) + m.group(2) + ending + after[m.end() :]


def _article_en(text: str, word: str) -> str:
    head, before = text[:-_LOOKBACK], text[-_LOOKBACK:]
    m = re.search(r"(?<![\w])(a|an|A|An)(\s+)$", before)
    if not m:
        return text
    low = word.lower()
    vowel = low[:1] in "aeiou" and not low.startswith(("uni", "use", "usu", "eu", "one"))
    art = "an" if vowel else "a"
    if m.group(1)[0].isupper():
        art = art.capitalize()
    return head + before[: m.start(1)] + art + m.group(2)
