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
    """``lang`` unchanged when products can be written in it, or a clear error.

    Parameters
    ----------
    lang : str
        Language code.

    Returns
    -------
    str
        ``en`` or ``es``.

    Raises
    ------
    OlfatoError
        Any other code.
    """
    if lang not in LANGUAGES:
        raise OlfatoError(f"Reports are written in 'en' or 'es' (or 'both'), not {lang!r}.")
    return lang


def catalogue_path(lang: str) -> Path:
    """Where the message catalogue of a language lives in the installed package.

    Parameters
    ----------
    lang : {"en", "es"}
        Language code.

    Returns
    -------
    pathlib.Path
        ``olfato/report/locale/<lang>/LC_MESSAGES/olfato.po``.
    """
    return Path(str(files("olfato.report") / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"))


@cache
def translations(lang: str) -> Translations:
    """The compiled catalogue of ``lang`` (compiled from its .po in memory).

    Parameters
    ----------
    lang : {"en", "es"}
        Language code.

    Returns
    -------
    babel.support.Translations
        The catalogue, compiled once per process.

    Raises
    ------
    OlfatoError
        A language other than ``en`` or ``es``.
    """
    check_lang(lang)
    with open(catalogue_path(lang), "rb") as f:
        catalog = read_po(f, locale=lang, domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf, domain=DOMAIN)


class Formatter:
    """Text, numbers and dates in one language: ``f.gettext(msg)``, ``f.number(x, 2)``...

    Parameters
    ----------
    lang : {"en", "es"}
        Language of the text and locale of the numbers and dates.

    Raises
    ------
    OlfatoError
        A language other than ``en`` or ``es``.
    """

    def __init__(self, lang: str) -> None:
        self.lang = check_lang(lang)
        self.locale = Locale.parse(lang)
        self._t = translations(lang)

    def gettext(self, message: str, **values: object) -> str:
        """A message in the formatter's language, with its ``%(name)s`` fields filled.

        Parameters
        ----------
        message : str
            English message id.
        **values
            Values for the message's ``%(name)s`` fields.

        Returns
        -------
        str
            The translation (the id itself when the catalogue lacks it).
        """
        text = self._t.gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        """A message whose form depends on a count, with ``%(num)s`` set to the count.

        Parameters
        ----------
        singular, plural : str
            English message ids for one and for many.
        n : int
            The count that chooses the form.
        **values
            Values for the message's other ``%(name)s`` fields.

        Returns
        -------
        str
            The translation in the form the language uses for ``n``.
        """
        text = self._t.ngettext(singular, plural, n)
        return text % {"num": n, **values}

    def number(self, x: float | None, digits: int = 1) -> str:
        """``x`` with ``digits`` decimals, locale separators; a dash for missing.

        Parameters
        ----------
        x : float or None
            The number.
        digits : int, default 1
            Decimals shown.

        Returns
        -------
        str
            ``1,234.5`` (en), ``1.234,5`` (es); ``–`` for None, NaN or infinity.
        """
        if x is None or not math.isfinite(float(x)):
            return "–"
        pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
        return format_decimal(float(x), format=pattern, locale=self.locale)

    def sig(self, x: float | None, figures: int = 3) -> str:
        """``x`` to ``figures`` significant figures (rates span decades).

        Parameters
        ----------
        x : float or None
            The number.
        figures : int, default 3
            Significant figures.

        Returns
        -------
        str
            As :meth:`number`; ``–`` for None, NaN or infinity.
        """
        if x is None or not math.isfinite(float(x)):
            return "–"
        if x == 0:
            return self.number(0.0, figures - 1)
        digits = max(0, figures - 1 - math.floor(math.log10(abs(float(x)))))
        return self.number(round(float(x), digits), digits)

    def percent(self, p: float | None) -> str:
        """A fraction as a percentage with one decimal, locale separators; a dash for missing.

        Parameters
        ----------
        p : float or None
            Fraction [-] (0.25 for 25 %).

        Returns
        -------
        str
            ``25.0 %`` (en), ``25,0 %`` (es); ``–`` for None, NaN or infinity.
        """
        if p is None or not math.isfinite(float(p)):
            return "–"
        return format_percent(float(p), format="#,##0.0 %", locale=self.locale)

    def coordinate(self, deg: float, axis: str) -> str:
        """A latitude (``axis='lat'``) or longitude in decimal degrees with hemisphere.

        Parameters
        ----------
        deg : float
            Latitude or longitude [deg], negative south or west.
        axis : {"lat", "lon"}
            Which one ``deg`` is.

        Returns
        -------
        str
            Five decimals and the hemisphere letter in the language (``117.03825° W``
            in English, ``117,03825° O`` in Spanish).
        """
        if axis == "lat":
            hemi = self.gettext("N") if deg >= 0 else self.gettext("S")
        else:
            hemi = self.gettext("E") if deg >= 0 else self.gettext("W")
        return f"{self.number(abs(deg), 5)}° {hemi}"

    def datetime(self, when: float | datetime) -> str:
        """A date and time in UTC, in the locale's medium format.

        Parameters
        ----------
        when : float or datetime.datetime
            Seconds since the Unix epoch [s], or a datetime.

        Returns
        -------
        str
            The date and time with ``UTC`` appended.
        """
        if not isinstance(when, datetime):
            when = datetime.fromtimestamp(float(when), UTC)
        text = format_datetime(when, format="medium", tzinfo=UTC, locale=self.locale)
        return self.gettext("%(time)s UTC", time=text)

    def signature(self, name: str) -> str:
        """A signature's display name (library names are message ids too).

        Parameters
        ----------
        name : str
            Signature name in the library (``clandestine_lab``).

        Returns
        -------
        str
            Its display name in the language; ``name`` itself for a user's signature.
        """
        label = SIGNATURE_LABELS.get(name)
        return self.gettext(label) if label else name


def N_(message: str) -> str:
    """Mark a message id for extraction without translating it here.

    Parameters
    ----------
    message : str
        English message id.

    Returns
    -------
    str
        ``message``, unchanged.
    """
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
