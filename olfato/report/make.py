"""The report stage's functions, as the CLI and the server call them.

:func:`make_report` renders a case's report in one or both languages and formats,
:func:`make_exports` writes its GeoJSON, KML and CSV; each file becomes a product
of the case (versioned, checksummed, marked with the partners it may be released
to) in one transaction.
"""

from __future__ import annotations

from pathlib import Path

from olfato.errors import OlfatoError
from olfato.report.exports import EXPORTERS
from olfato.report.products import (
    check_partners,
    default_folder,
    next_version,
    product_path,
    record_products,
    write_new,
)
from olfato.report.render import FORMATS, languages, render_report
from olfato.store import models as m
from olfato.store.cases import load_case
from olfato.store.db import Store


def _formats(choice: str) -> tuple[str, ...]:
    if choice == "both":
        return FORMATS
    if choice not in FORMATS:
        raise OlfatoError(f"Report formats are html, pdf or both, not {choice!r}.")
    return (choice,)


def make_report(
    store: Store,
    case_name: str,
    *,
    lang: str = "both",
    fmt: str = "pdf",
    out: Path | None = None,
    releasable_to: list[str] | None = None,
) -> list[m.Product]:
    """Render and record the case's report in ``lang`` (en, es, both) and ``fmt``
    (html, pdf, both); returns the products, whose ``path`` is workspace-relative.

    Parameters
    ----------
    store : Store
        The open case store.
    case_name : str
        The case.
    lang : {"both", "en", "es"}, default "both"
        Language(s) of the report.
    fmt : {"pdf", "html", "both"}, default "pdf"
        Format(s) of the report.
    out : pathlib.Path, optional
        Folder for the files; the workspace's ``products/<case>`` when None.
    releasable_to : list of str, optional
        Partner codes the report may go to; with any, analysts' internal notes are
        left out.

    Returns
    -------
    list of olfato.store.models.Product
        One per language and format, each a new version.

    Raises
    ------
    OlfatoError
        An unknown case, language, format or partner code, or a file that exists
        already (``parameter="out"``).
    """
    langs = languages(lang)
    formats = _formats(fmt)
    partners = check_partners(releasable_to or [])
    folder = out or default_folder(store, case_name)
    view = load_case(store, case_name)
    made = []
    for lg in langs:
        r = render_report(store, case_name, lg, formats=formats, releasable_to=partners)
        for f in formats:
            version = next_version(store, case_name, "report", lg, f)
            data = r.html.encode() if f == "html" else (r.pdf or b"")
            path = write_new(product_path(folder, case_name, "report", version, lg, f), data)
            made.append(
                {
                    "kind": "report",
                    "lang": lg,
                    "format": f,
                    "version": version,
                    "path": path,
                    "releasable_to": partners,
                    "run_ids": view.run_ids,
                    "parameters": {"internal_notes": not partners},
                }
            )
    return record_products(store, case_name, made, action="report.render")


def make_exports(
    store: Store,
    case_name: str,
    *,
    out: Path | None = None,
    releasable_to: list[str] | None = None,
    kinds: tuple[str, ...] = ("geojson", "kml", "csv"),
) -> list[m.Product]:
    """Write and record the case's candidates as GeoJSON, KML and CSV.

    Parameters
    ----------
    store : Store
        The open case store.
    case_name : str
        The case.
    out : pathlib.Path, optional
        Folder for the files; the workspace's ``products/<case>`` when None.
    releasable_to : list of str, optional
        Partner codes the files may go to.
    kinds : tuple of str, default ("geojson", "kml", "csv")
        Formats to write (keys of :data:`olfato.report.exports.EXPORTERS`).

    Returns
    -------
    list of olfato.store.models.Product
        One per format, each a new version.

    Raises
    ------
    OlfatoError
        An unknown case or partner code, or a file that exists already
        (``parameter="out"``).
    """
    partners = check_partners(releasable_to or [])
    folder = out or default_folder(store, case_name)
    view = load_case(store, case_name)
    made = []
    for k in kinds:
        version = next_version(store, case_name, "candidates", "", k)
        path = write_new(
            product_path(folder, case_name, "candidates", version, "", k), EXPORTERS[k](view)
        )
        made.append(
            {
                "kind": "candidates",
                "lang": "",
                "format": k,
                "version": version,
                "path": path,
                "releasable_to": partners,
                "run_ids": view.run_ids,
            }
        )
    return record_products(store, case_name, made, action="export.write")
