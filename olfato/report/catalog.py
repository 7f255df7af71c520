"""The message catalogues' upkeep: extract the fixed text of code and templates, check
that every message has a hand translation, and merge new messages into the .po files.

    python -m olfato.report.catalog update   # add new message ids to both catalogues
    python -m olfato.report.catalog check    # non-zero exit if any is untranslated
"""

from __future__ import annotations

import sys
from importlib.resources import files
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from olfato.report.i18n import DOMAIN, LANGUAGES, catalogue_path

KEYWORDS = {"_": None, "gettext": None, "N_": None, "ngettext": (1, 2)}
METHODS = [
    ("**/templates/**.j2", "jinja2.ext:babel_extract"),
    ("**/templates/**.html", "jinja2.ext:babel_extract"),
    ("**.py", "python"),
]
#: the packages whose fixed text the catalogues hold: the reports, and the server's web UI
#: (its pages reuse these catalogues; the folder is read, the package is not imported)
PACKAGES = ("report", "server")


def extract() -> Catalog:
    """Every message id used by the report package and the server's web UI (code and
    templates).

    Returns
    -------
    babel.messages.catalog.Catalog
        The message ids with their source locations and ``TRANSLATORS:`` comments.
    """
    root = Path(str(files("olfato.report"))).parent
    catalog = Catalog(domain=DOMAIN, project="olfato")
    for package in PACKAGES:
        folder = root / package
        if not folder.is_dir():
            continue
        for filename, lineno, message, comments, context in extract_from_dir(
            str(folder), METHODS, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)
        ):
            catalog.add(
                message,
                None,
                [(f"{package}/{filename}", lineno)],
                auto_comments=comments,
                context=context,
            )
    return catalog


def read(lang: str) -> Catalog:
    """The ``.po`` catalogue of one language.

    Parameters
    ----------
    lang : {"en", "es"}
        Language of the catalogue.

    Returns
    -------
    babel.messages.catalog.Catalog
        The catalogue as on disk.
    """
    with open(catalogue_path(lang), "rb") as f:
        return read_po(f, locale=lang, domain=DOMAIN)


def untranslated(lang: str) -> list[str]:
    """Message ids used in the code with no (or a fuzzy) translation in ``lang``.

    Parameters
    ----------
    lang : {"en", "es"}
        Language of the catalogue to check.

    Returns
    -------
    list of str
        The message ids (the singular for plural messages), in extraction order.
    """
    cat = read(lang)
    missing = []
    for msg in extract():
        if not msg.id:
            continue
        have = cat.get(msg.id)
        if (
            have is None
            or have.fuzzy
            or not (all(have.string) if isinstance(have.string, tuple) else have.string)
        ):
            missing.append(msg.id if isinstance(msg.id, str) else msg.id[0])
    return missing


def update() -> None:
    """Add new message ids to each catalogue (empty, to be translated by hand)."""
    template = extract()
    for lang in LANGUAGES:
        path = catalogue_path(lang)
        cat = read(lang) if path.exists() else Catalog(locale=lang, domain=DOMAIN)
        cat.update(template, no_fuzzy_matching=True)
        with open(path, "wb") as f:
            write_po(f, cat, width=100, omit_header=False, ignore_obsolete=True)


def main(argv: list[str]) -> int:
    """Run ``update`` or ``check`` (the default), as ``python -m olfato.report.catalog``.

    Parameters
    ----------
    argv : list of str
        Command-line arguments after the module name.

    Returns
    -------
    int
        Exit status: 1 when ``check`` finds an untranslated message, else 0.
    """
    if argv[:1] == ["update"]:
        update()
        return 0
    bad = {lang: untranslated(lang) for lang in LANGUAGES}
    for lang, ids in bad.items():
        for i in ids:
            print(f"{lang}: untranslated: {i!r}")
    return 1 if any(bad.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
