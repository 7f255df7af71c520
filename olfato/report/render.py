"""The bilingual intelligence report of a case: HTML (self-contained) and PDF.

One document per language: the case summary (map, time series, candidates table),
a site report per suspect source (zoomed map, numbers, confidence statement, the
readings of its hits), the analyst's notes (machine-translated where written in the
other language, and marked so) and the provenance (input files with checksums,
stage runs with code versions and parameters). Every page carries the caveat.

Fixed text comes from the message catalogues (:mod:`olfato.report.i18n`); the PDF
is the same HTML laid out by WeasyPrint, with images embedded and fonts from the
system: nothing is fetched from the network.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.resources import files
from typing import Any

import jinja2

from olfato import __version__
from olfato.errors import OlfatoError
from olfato.report.figures import MapData, source_map, time_series
from olfato.report.i18n import CAVEAT_MSG, LANGUAGES, N_, Formatter, check_lang
from olfato.report.video import video_activity
from olfato.store import models as m
from olfato.store.cases import CaseView, load_case
from olfato.store.db import Store
from olfato.store.records import load_survey_samples
from olfato.store.workspace import actor

FORMATS = ("html", "pdf")
STAGE_NAMES = {"detect": N_("detection"), "locate": N_("location")}


@dataclass
class Rendered:
    """One report in one language: its HTML, and its PDF when asked for.

    Attributes
    ----------
    lang : {"en", "es"}
        Language of the report.
    html : str
        The self-contained HTML (images embedded).
    pdf : bytes or None
        The PDF, when asked for.
    """

    lang: str
    html: str
    pdf: bytes | None = None


def _b64(png: bytes) -> str:
    return base64.b64encode(png).decode("ascii")


def confidence_level(src: m.Source) -> str:
    """``high``, ``moderate`` or ``low``: how far the numbers support the candidate.

    High: the best signature has probability >= 0.9, from >= 3 hits, and the 95%
    ellipse's semi-major axis is <= 100 m; moderate: probability >= 0.6 from >= 2
    hits; low otherwise.

    Parameters
    ----------
    src : olfato.store.models.Source
        A located source (detections have no region).

    Returns
    -------
    {"high", "moderate", "low"}
        The level.
    """
    p = float(src.signature_probabilities.get(src.signature, 0.0) or 0.0)
    if p >= 0.9 and src.n_hits >= 3 and src.region[0] <= 100.0:
        return "high"
    if p >= 0.6 and src.n_hits >= 2:
        return "moderate"
    return "low"


LEVELS = {"high": N_("high"), "moderate": N_("moderate"), "low": N_("low")}


def _confidence(src: m.Source, f: Formatter) -> str:
    p = src.signature_probabilities.get(src.signature, 0.0)
    return f.gettext(
        "Confidence: %(level)s. The chemistry matches the signature %(signature)s with "
        "probability %(p)s, from %(n)s plume crossings; with 95%% probability the source "
        "lies inside an ellipse of %(a)s m by %(b)s m around the position given. This is a "
        "candidate: it needs ground confirmation before any action.",
        level=f.gettext(LEVELS[confidence_level(src)]),
        signature=f.signature(src.signature),
        p=f.percent(p),
        n=src.n_hits,
        a=f.number(src.region[0], 0),
        b=f.number(src.region[1], 0),
    )


def _ellipse(src: m.Source, f: Formatter) -> str:
    return f.gettext(
        "%(a)s m × %(b)s m, major axis at %(az)s°",
        a=f.number(src.region[0], 0),
        b=f.number(src.region[1], 0),
        az=f.number(src.region[2], 0),
    )


def _rate(src: m.Source, f: Formatter) -> str:
    return f.gettext(
        "%(rate)s g/s of %(analyte)s (%(lo)s–%(hi)s)",
        rate=f.sig(src.rate[0]),
        analyte=src.analyte,
        lo=f.sig(src.rate[1]),
        hi=f.sig(src.rate[2]),
    )


def _probabilities(src: m.Source, f: Formatter, top: int = 3) -> list[str]:
    items = sorted(src.signature_probabilities.items(), key=lambda kv: -float(kv[1] or 0))
    return [f"{f.signature(k)}: {f.percent(float(v or 0))}" for k, v in items[:top]]


def _category(src: m.Source, f: Formatter) -> str:
    return f.gettext("suspect") if src.suspect else f.gettext("benign")


def _translate_note(note: m.Note, lang: str, f: Formatter) -> tuple[str, str]:
    """(text in ``lang``, mark) — machine-translated and marked when written in the other."""
    if note.lang == lang:
        return note.text, ""
    from olfato.translate import translate_text

    try:
        result = translate_text(note.text, to=lang, source=note.lang)
    except OlfatoError as exc:
        return note.text, f.gettext(
            "not translated (the translation engine is unavailable: %(reason)s)",
            reason=str(exc).splitlines()[0],
        )
    return result.text, f.gettext(
        "machine-translated from %(language)s by %(engine)s; check against the original",
        language=f.gettext("Spanish") if note.lang == "es" else f.gettext("English"),
        engine=result.engine,
    )


def _network(
    store: Store, view: CaseView, f: Formatter, releasable_to: list[str]
) -> dict[str, Any] | None:
    from olfato.report.network import network_section

    sec = network_section(store, view.case.name, f, releasable_to=releasable_to)
    if sec is None:
        return None
    return {
        "png": _b64(sec.figure_png) if sec.figure_png else None,
        "rows": sec.rows,
        "key_players": ", ".join(sec.key_players),
        "before": f.number(sec.fragmentation_before, 2),
        "after": f.number(sec.fragmentation_after, 2),
        "entities": sec.n_entities,
        "links": sec.n_links,
        "withheld": sec.withheld,
    }


def _environment() -> jinja2.Environment:
    folder = str(files("olfato.report") / "templates")
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )


def report_context(
    store: Store, view: CaseView, lang: str, *, releasable_to: list[str]
) -> dict[str, Any]:
    """Everything the template shows, already in ``lang``.

    Parameters
    ----------
    store : Store
        The open case store (the surveys' samples are read from its workspace).
    view : CaseView
        The case, as :func:`olfato.store.cases.load_case` read it.
    lang : {"en", "es"}
        Language of the report.
    releasable_to : list of str
        Partner codes the report may go to; with any, internal notes are left out.

    Returns
    -------
    dict
        The template's variables: texts, formatted numbers, tables, embedded
        figures (base64 PNG) and provenance.

    Raises
    ------
    OlfatoError
        The case has no surveys, or a survey's samples are missing or changed.
    """
    f = Formatter(lang)
    data = [MapData(sv, load_survey_samples(store, sv.survey)) for sv in view.surveys]
    if not data:
        raise OlfatoError(
            f"Case {view.case.name} has no surveys yet; there is nothing to report.",
            hint=f"Add one with `olfato case add {view.case.name} SURVEY`.",
        )
    srcs = view.sources
    n_s = sum(src.suspect for _, src in srcs)
    n_hits = sum(len(sv.hits) for sv in view.surveys)
    summary_text = " ".join(
        [
            f.ngettext(
                "The case holds %(num)d survey.", "The case holds %(num)d surveys.", len(data)
            ),
            f.ngettext(
                "Their newest analysis found %(num)d plume hit.",
                "Their newest analysis found %(num)d plume hits.",
                n_hits,
            ),
            f.ngettext(
                "It located %(num)d candidate source, %(suspect)d of them with the suspect "
                "signature of a clandestine laboratory.",
                "It located %(num)d candidate sources, %(suspect)d of them with the suspect "
                "signature of a clandestine laboratory.",
                len(srcs),
                suspect=n_s,
            ),
        ]
    )
    n_det = sum(len(sv.detections) for sv in view.surveys)
    if n_det:
        summary_text += " " + f.ngettext(
            "It also saw %(num)d plume it could not locate (a detection: only the direction "
            "it came from is known; never called suspect).",
            "It also saw %(num)d plumes it could not locate (detections: only the direction "
            "they came from is known; never called suspect).",
            n_det,
        )
    candidates = []
    for sv, src in srcs:
        candidates.append(
            {
                "label": src.label,
                "suspect": src.suspect,
                "category": _category(src, f),
                "survey": sv.survey.name,
                "lat": f.coordinate(src.lat, "lat"),
                "lon": f.coordinate(src.lon, "lon"),
                "ellipse": _ellipse(src, f),
                "rate": _rate(src, f),
                "probabilities": _probabilities(src, f),
                "n_hits": src.n_hits,
                "p_exists": f.percent(src.probability_exists),
                "p_suspect": f.percent(src.p_suspect),
            }
        )
    detections = [
        {
            "label": src.label,
            "survey": sv.survey.name,
            "lat": f.coordinate(src.lat, "lat"),
            "lon": f.coordinate(src.lon, "lon"),
            "bearing": f.gettext(
                "from %(bearing)s° ± %(wedge)s°",
                bearing=f.number(src.bearing_deg, 0),
                wedge=f.number(src.wedge_deg, 0),
            ),
            "signature": f.signature(src.signature),
            "p_exists": f.percent(src.probability_exists),
            "p_suspect": f.percent(src.p_suspect),
            "n_hits": src.n_hits,
        }
        for sv in view.surveys
        for src in sv.detections
    ]
    sites = []
    by_survey = {d.view.survey.id: d for d in data}
    for sv, src in srcs:
        if not src.suspect:
            continue
        d = by_survey[sv.survey.id]
        sites.append(
            {
                "label": src.label,
                "survey": sv.survey.name,
                "flown": f.datetime(sv.survey.start_time),
                "map": _b64(source_map(data, f, focus=src, focus_survey=sv.survey)),
                "series": _b64(time_series(d, f, focus=src)),
                "lat": f.coordinate(src.lat, "lat"),
                "lon": f.coordinate(src.lon, "lon"),
                "ellipse": _ellipse(src, f),
                "rate": _rate(src, f),
                "height": f"{f.number(src.height_m, 0)} m",
                "probabilities": _probabilities(src, f, top=5),
                "hits": ", ".join(str(h) for h in src.hit_numbers),
                "p_exists": f.percent(src.probability_exists),
                "p_suspect": f.percent(src.p_suspect),
                "confidence": _confidence(src, f),
                "analyte": src.analyte,
            }
        )
    notes = []
    for note in view.notes:
        if note.internal and releasable_to:
            continue  # internal notes never go into a product releasable to partners
        text, mark = _translate_note(note, lang, f)
        if note.internal:
            mark = (f.gettext("internal note") + (" · " + mark if mark else "")).strip()
        notes.append(
            {"text": text, "mark": mark, "author": note.author, "when": f.datetime(note.created_at)}
        )
    inputs = [
        {
            "name": sv.survey.name,
            "flown": f.datetime(sv.survey.start_time),
            "samples": f.number(sv.survey.n_samples, 0),
            "sha256": sv.survey.input_sha256,
            "parquet": sv.survey.parquet_sha256,
        }
        for sv in view.surveys
    ]
    runs = []
    for sv in view.surveys:
        for r in (sv.detect, sv.locate):
            if r is None:
                continue
            runs.append(
                {
                    "survey": sv.survey.name,
                    "stage": f.gettext(STAGE_NAMES.get(r.stage, r.stage)),
                    "version": r.version,
                    "code": r.code_version,
                    "when": f.datetime(r.finished_at),
                    "parameters": json.dumps(r.parameters, sort_keys=True, separators=(", ", ": ")),
                }
            )
    return {
        "lang": lang,
        "_": f.gettext,
        "case": view.case,
        "generated": f.datetime(datetime.now(UTC)),
        "author": actor(),
        "olfato_version": __version__,
        "releasable_to": releasable_to,
        "caveat": f.gettext(CAVEAT_MSG),
        "summary_text": summary_text,
        "summary_map": _b64(source_map(data, f)),
        "summary_series": [
            {"survey": d.view.survey.name, "png": _b64(time_series(d, f))} for d in data
        ],
        "candidates": candidates,
        "detections": detections,
        "network": _network(store, view, f, releasable_to),
        "video_activity": video_activity(store, view, f),
        "sites": sites,
        "notes": notes,
        "inputs": inputs,
        "runs": runs,
    }


def render_html(context: dict[str, Any]) -> str:
    """The report's HTML from the template ``report.html.j2``.

    Parameters
    ----------
    context : dict
        What :func:`report_context` returned.

    Returns
    -------
    str
        Self-contained HTML.
    """
    return _environment().get_template("report.html.j2").render(**context)


def html_to_pdf(html: str) -> bytes:
    """Lay the HTML out as PDF with WeasyPrint; any URL it would fetch is refused.

    Parameters
    ----------
    html : str
        Self-contained HTML (images as ``data:`` URLs).

    Returns
    -------
    bytes
        The PDF.

    Raises
    ------
    OlfatoError
        WeasyPrint's Pango library is not installed (``parameter="fmt"``).
    """
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except OSError as exc:  # pango missing
        raise OlfatoError(
            f"PDF output needs the Pango library, which is not installed ({exc}).",
            hint="Run `make system-deps` as root, or ask for HTML instead.",
            parameter="fmt",
        ) from exc
    # images are embedded as data: URLs; every other scheme (http, file...) is refused
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    pdf = HTML(string=html, url_fetcher=fetcher).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def render_report(
    store: Store,
    case_name: str,
    lang: str,
    *,
    formats: tuple[str, ...] = ("pdf",),
    releasable_to: list[str] | None = None,
) -> Rendered:
    """Render the case's report in ``lang`` (``en`` or ``es``).

    Parameters
    ----------
    store : Store
        The open case store.
    case_name : str
        The case.
    lang : {"en", "es"}
        Language of the report.
    formats : tuple of str, default ("pdf",)
        ``html`` is always rendered; ``pdf`` adds the PDF.
    releasable_to : list of str, optional
        Partner codes the report may go to; with any, internal notes are left out.

    Returns
    -------
    Rendered
        The HTML, and the PDF when asked for.

    Raises
    ------
    OlfatoError
        An unknown case or language, a case without surveys, or PDF asked for
        without Pango.
    """
    check_lang(lang)
    view = load_case(store, case_name)
    ctx = report_context(store, view, lang, releasable_to=list(releasable_to or []))
    html = render_html(ctx)
    pdf = html_to_pdf(html) if "pdf" in formats else None
    return Rendered(lang, html, pdf)


def languages(choice: str) -> tuple[str, ...]:
    """The report languages a choice stands for.

    Parameters
    ----------
    choice : {"both", "en", "es"}
        The user's choice.

    Returns
    -------
    tuple of str
        ``("en", "es")`` for ``both``, else the one language.

    Raises
    ------
    OlfatoError
        Any other choice.
    """
    if choice == "both":
        return LANGUAGES
    return (check_lang(choice),)
