"""The web UI: sign-in, cases, a case with its map, and a partner's released products.

Pages are rendered on the server (Jinja2) in English or Spanish with the report's
message catalogues (:func:`olfato.report.i18n.translations`); the language comes
from ``?lang=`` (remembered in a cookie), else the browser's Accept-Language. The map
is drawn in the browser by Leaflet (fetched at set-up, served from /static/vendor),
with no base tiles: the track coloured by enhancement, hits, sources with their 95%
ellipses and labels, detections, layer toggles and a scale bar. Every change goes
through the API with the session's CSRF token.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import jinja2
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from olfato import CAVEAT
from olfato.report.i18n import LANGUAGES, N_, translations
from olfato.server.auth import COOKIE
from olfato.store import accounts
from olfato.store.cases import load_case
from olfato.store.workspace import acting_as

router = APIRouter(include_in_schema=False)
LANG_COOKIE = "olfato_lang"
FOLDER = Path(str(files("olfato.server")))


@cache
def environment(lang: str) -> jinja2.Environment:
    """The pages' templates with ``lang``'s catalogue (one environment per language)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(FOLDER / "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    return env


#: texts the page script shows, by key (translated into the page's language)
SCRIPT_TEXTS = {
    "uploading": N_("Uploading"),
    "queued": N_("Waiting to start"),
    "running": N_("Running"),
    "done": N_("Done"),
    "failed": N_("Failed"),
    "track": N_("Track (enhancement)"),
    "hits": N_("Plume crossings"),
    "sources": N_("Sources and 95% ellipses"),
    "detections": N_("Detections (not located)"),
    "suspect": N_("suspect"),
    "posterior": N_("Posterior probability"),
    "plan": N_("Next flight plan"),
    "footprints": N_("Video footprints"),
    "video_tracks": N_("Video tracks"),
    "error": N_("Error"),
}
#: the roles' names as the pages show them
ROLE_NAMES = {
    "analyst": N_("analyst"),
    "supervisor": N_("supervisor"),
    "partner": N_("partner"),
    "admin": N_("admin"),
}


def mount_static(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=FOLDER / "static"), name="static")


def page_lang(request: Request) -> str:
    q = request.query_params.get("lang")
    if q in LANGUAGES:
        return q
    c = request.cookies.get(LANG_COOKIE)
    if c in LANGUAGES:
        return c
    accept = request.headers.get("accept-language", "").lower()
    return "es" if accept.startswith("es") else "en"


def _render(request: Request, template: str, **context: Any) -> HTMLResponse:
    lang = page_lang(request)
    tr = translations(lang)
    texts = {k: tr.gettext(v) for k, v in SCRIPT_TEXTS.items()}
    html = (
        environment(lang)
        .get_template(template)
        .render(
            lang=lang,
            caveat=tr.gettext(CAVEAT),
            texts=texts,
            path=request.url.path,
            tiles=request.app.state.tiles.url if request.app.state.tiles else "",
            **context,
        )
    )
    resp = HTMLResponse(html)
    if request.query_params.get("lang") in LANGUAGES:
        resp.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="strict", path="/")
    return resp


def _signed_in(request: Request) -> tuple[accounts.Account, str] | None:
    sid = request.cookies.get(COOKIE)
    if not sid:
        return None
    acc = account_for(request, sid)
    return (acc, sid) if acc is not None else None


def account_for(request: Request, sid: str) -> accounts.Account | None:
    return accounts.account_for_session(request.app.state.store, sid)


def _login_redirect() -> Response:
    return RedirectResponse("/login", status_code=303)


@router.get("/login")
def login_page(request: Request) -> Response:
    return _render(request, "login.html", user=None, csrf="")


@router.get("/")
def cases_page(request: Request) -> Response:
    from olfato.server.api import cases

    who = _signed_in(request)
    if who is None:
        return _login_redirect()
    acc, sid = who
    if acc.role == "partner":
        return RedirectResponse("/partner", status_code=303)
    from olfato.server.auth import Caller

    rows = cases(request, Caller(acc, sid)) if acc.can("case.read") else []
    return _render(request, "cases.html", user=acc, csrf=accounts.csrf_token(sid), cases=rows)


@router.get("/cases/{case}")
def case_page(case: str, request: Request) -> Response:
    from olfato.server.api import _case, plans, runs
    from olfato.server.auth import Caller
    from olfato.store.jobs import list_jobs

    who = _signed_in(request)
    if who is None:
        return _login_redirect()
    acc, sid = who
    if not acc.can("case.read"):
        return RedirectResponse("/partner", status_code=303)
    store = request.app.state.store
    row = _case(store, case)
    view = load_case(store, case, audit_limit=0)
    with acting_as(acc.name), store.write() as s:
        from olfato.store.audit import record

        record(s, "case.page", row.id, {})
    c = Caller(acc, sid)
    return _render(
        request,
        "case.html",
        user=acc,
        csrf=accounts.csrf_token(sid),
        case=row,
        view=view,
        runs=runs(case, request, c),
        plans=plans(case, request, c),
        jobs=list_jobs(store, row.id, limit=20),
    )


@router.get("/tiles/{z}/{x}/{y}")
def tile(z: int, x: int, y: int, request: Request) -> Response:
    from olfato.server.tiles import read_tile

    source = request.app.state.tiles
    if _signed_in(request) is None or source is None or source.mbtiles is None:
        return Response(status_code=404)
    data = read_tile(source, z, x, y)
    if data is None:
        return Response(status_code=404)
    return Response(data, media_type=source.media_type, headers={"Cache-Control": "max-age=3600"})


@router.get("/partner")
def partner_page(request: Request) -> Response:
    from olfato.server.api import partner_products
    from olfato.server.auth import Caller

    who = _signed_in(request)
    if who is None:
        return _login_redirect()
    acc, sid = who
    if not acc.can("product.released"):
        return RedirectResponse("/", status_code=303)
    rows = partner_products(request, Caller(acc, sid))
    return _render(request, "partner.html", user=acc, csrf=accounts.csrf_token(sid), products=rows)
