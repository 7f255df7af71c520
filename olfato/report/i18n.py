"""The reports' languages: hand-translated message catalogues and locale formatting.

All fixed text of a product is an English message id looked up in
``locale/<lang>/LC_MESSAGES/olfato.po`` (gettext catalogues, edited by hand). The
catalogues are compiled in memory with Babel when first used, so a .po edit takes
effect at once and no stale .mo can ship. Numbers and dates are formatted per locale
with Babel's CLDR data (e.g. 1,234.5 in English, 1234,5 in Spanish).
"""

from __future__ import annotations

import io
import math
from datetime import UTC, datetime
from functools import cache
from importlib.resources import files
from pathlib import Path

from babel import Locale
from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import Translations

from olfato.errors import OlfatoError

#: the languages products are written in
LANGUAGES = ("en", "es")
DOMAIN = "olfato"


def check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise OlfatoError(f"Reports are written in 'en' or 'es' (or 'both'), not {lang!r}.")
    return lang


def catalogue_path(lang: str) -> Path:
    return Path(str(files("olfato.report") / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"))


@cache
def translations(lang: str) -> Translations:
    """The compiled catalogue of ``lang`` (compiled from its .po in memory)."""
    check_lang(lang)
    with open(catalogue_path(lang), "rb") as f:
        catalog = read_po(f, locale=lang, domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf, domain=DOMAIN)


class Formatter:
    """Text, numbers and dates in one language: ``f.gettext(msg)``, ``f.number(x, 2)``..."""

    def __init__(self, lang: str) -> None:
        self.lang = check_lang(lang)
        self.locale = Locale.parse(lang)
        self._t = translations(lang)

    def gettext(self, message: str, **values: object) -> str:
        text = self._t.gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        text = self._t.ngettext(singular, plural, n)
        return text % {"num": n, **values}

    def number(self, x: float | None, digits: int = 1) -> str:
        """``x`` with ``digits`` decimals, locale separators; a dash for missing."""
        if x is None or not math.isfinite(float(x)):
            return "–"
        pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
        return format_decimal(float(x), format=pattern, locale=self.locale)

    def sig(self, x: float | None, figures: int = 3) -> str:
        """``x`` to ``figures`` significant figures (rates span decades)."""
        if x is None or not math.isfinite(float(x)):
            return "–"
        if x == 0:
            return self.number(0.0, figures - 1)
        digits = max(0, figures - 1 - math.floor(math.log10(abs(float(x)))))
        return self.number(round(float(x), digits), digits)

    def percent(self, p: float | None) -> str:
        if p is None or not math.isfinite(float(p)):
            return "–"
        return format_percent(float(p), format="#,##0.0 %", locale=self.locale)

    def coordinate(self, deg: float, axis: str) -> str:
        """A latitude (``axis='lat'``) or longitude in decimal degrees with hemisphere."""
        if axis == "lat":
            hemi = self.gettext("N") if deg >= 0 else self.gettext("S")
        else:
            hemi = self.gettext("E") if deg >= 0 else self.gettext("W")
        return f"{self.number(abs(deg), 5)}° {hemi}"

    def datetime(self, when: float | datetime) -> str:
        """A date and time in UTC, in the locale's medium format."""
        if not isinstance(when, datetime):
            when = datetime.fromtimestamp(float(when), UTC)
        text = format_datetime(when, format="medium", tzinfo=UTC, locale=self.locale)
        return self.gettext("%(time)s UTC", time=text)

    def signature(self, name: str) -> str:
        """A signature's display name (library names are message ids too)."""
        label = SIGNATURE_LABELS.get(name)
        return self.gettext(label) if label else name


def N_(message: str) -> str:
    """Mark a message id for extraction without translating it here."""
    return message


#: display names of the shipped signature library's entries (message ids)
SIGNATURE_LABELS = {
    "clandestine_lab": N_("clandestine laboratory"),
    "fuel_station": N_("fuel station"),
    "livestock_farm": N_("livestock farm"),
    "landfill": N_("landfill"),
    "open_burning": N_("open burning"),
    "traffic": N_("road traffic"),
    "wastewater": N_("wastewater"),
    "none": N_("no library signature"),
}


#: :data:`olfato.CAVEAT` as a message id (a test checks the two are the same text)
CAVEAT_MSG = N_(
    "olfato detects and reports; it has no targeting function. "
    "Every candidate source needs ground confirmation."
)
