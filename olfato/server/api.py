"""The HTTP API's routes: thin, each one calls the store's or a stage's function.

Every read of case data and every change is recorded in the audit trail with the
signed-in user (:func:`olfato.store.workspace.acting_as`). Roles decide who may do
what (:data:`olfato.store.accounts.PERMISSIONS`); a case, survey, job, plan, note or
product is found through the case named in the path, so an id of another case is a
404, and a partner reaches only products released to their code.
"""

from __future__ import annotations

import pathlib
import re
import secrets
import shutil
from typing import Annotated, Any, Literal

from fastapi import (
    APIRouter,
    Depends,
    File,
    HTTPException,
    Path,
    Query,
    Request,
    Response,
    UploadFile,
)
from fastapi.responses import FileResponse
from pydantic import AfterValidator, BaseModel, Field
from sqlalchemy import select

from olfato.errors import OlfatoError
from olfato.server import casework
from olfato.server.auth import COOKIE, Caller, allowed, caller
from olfato.store import accounts
from olfato.store import models as m
from olfato.store.audit import record
from olfato.store.cases import CaseError, add_note, check_case_name, load_case, new_case
from olfato.store.db import Store
from olfato.store.jobs import list_jobs, new_job
from olfato.store.releases import made_for_release, release_product, released_to
from olfato.store.workspace import acting_as, sha256_file

router = APIRouter(prefix="/api")

#: survey file types the readers take
SURVEY_SUFFIXES = (".csv", ".txt", ".ulg", ".tlog", ".bin", ".parquet")


def _no_nul(text: str) -> str:
    if "\x00" in text:
        raise ValueError("text may not hold NUL characters")
    return text


#: text a user sends: never a NUL (PostgreSQL cannot store one; SQLite could)
Text = Annotated[str, AfterValidator(_no_nul)]
CaseName = Annotated[Text, Field(min_length=1, max_length=100)]
#: the ids in paths and bodies: database integers
MAX_ID = 2**31 - 1
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]


# -- request bodies ---------------------------------------------------------------------
class SignIn(BaseModel):
    name: Text = Field(max_length=100)
    password: Text = Field(max_length=1000)


class CaseIn(BaseModel):
    name: CaseName


class NoteIn(BaseModel):
    text: Text = Field(min_length=1, max_length=20000)
    lang: Literal["en", "es"] = "en"
    internal: bool = False


class ProductIn(BaseModel):
    kind: Literal["report", "exports", "package"]
    lang: Literal["en", "es", "both"] = "both"
    format: Literal["html", "pdf", "both"] = "pdf"
    #: partner codes: the product is made for release (no internal notes) to them
    releasable_to: list[Annotated[str, Field(max_length=32)]] = Field(
        default_factory=list, max_length=20
    )


class ReleaseIn(BaseModel):
    partners: list[Annotated[str, Field(max_length=32)]] = Field(min_length=1, max_length=20)


class PlanIn(BaseModel):
    survey_id: int = Field(ge=1, le=MAX_ID)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class UserIn(BaseModel):
    name: Text = Field(max_length=64)
    role: Literal["analyst", "supervisor", "partner", "admin"]
    password: Text = Field(max_length=1000)
    partner: Text | None = Field(default=None, max_length=32)


# -- helpers ----------------------------------------------------------------------------
def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _audit(store: Store, c: Caller, action: str, case_id: int | None, **detail: Any) -> None:
    """Record a read of case data (changes record themselves in their transaction)."""
    with acting_as(c.name), store.write() as s:
        record(s, action, case_id, detail)


def _case(store: Store, name: str) -> m.Case:
    try:
        check_case_name(name)
    except CaseError:
        raise HTTPException(404, f"There is no case called {name!r}.") from None
    with store.read() as s:
        case = s.scalar(select(m.Case).where(m.Case.name == name))
    if case is None:
        raise HTTPException(404, f"There is no case called {name!r}.")
    return case


def _in_case(store: Store, model: type[Any], obj_id: int, case: m.Case, what: str) -> Any:
    with store.read() as s:
        row = s.get(model, obj_id)
    if row is None or row.case_id != case.id:
        raise HTTPException(404, f"Case {case.name!r} has no {what} {obj_id}.")
    return row


def _job(request: Request, store: Store, kind: str, case: m.Case, c: Caller, **params: Any) -> int:
    with acting_as(c.name):
        job_id = new_job(store, kind, case.id, {"case": case.name, **params})
    request.app.state.jobs.submit(job_id)
    return job_id


def _job_dict(j: m.Job) -> dict[str, Any]:
    return {
        "id": j.id,
        "kind": j.kind,
        "state": j.state,
        "progress": j.progress,
        "message": j.message,
        "error": j.error,
        "result": j.result,
        "created_by": j.created_by,
        "created_at": j.created_at.isoformat(),
        "started_at": j.started_at.isoformat() if j.started_at else None,
        "finished_at": j.finished_at.isoformat() if j.finished_at else None,
    }


def _product_dict(p: m.Product, case_name: str | None = None) -> dict[str, Any]:
    d = {
        "id": p.id,
        "kind": p.kind,
        "lang": p.lang,
        "format": p.format,
        "version": p.version,
        "size": p.size,
        "sha256": p.sha256,
        "releasable_to": list(p.releasable_to or []),
        "made_for_release": made_for_release(p),
        "created_by": p.created_by,
        "created_at": p.created_at.isoformat(),
        "download": f"/api/products/{p.id}/download",
    }
    if case_name is not None:
        d["case"] = case_name
    return d


def _safe_file(store: Store, stored: str, sha256: str | None) -> pathlib.Path:
    """The stored file, only if it lies inside the workspace and is unchanged."""
    root = store.workspace.root.resolve()
    path = store.workspace.resolve(stored).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise HTTPException(404, "The file is not in the workspace.")
    if sha256 is not None and sha256_file(path) != sha256:
        raise HTTPException(409, "The file has changed since it was recorded; not served.")
    return path


def _safe_name(filename: str | None, default: str) -> str:
    name = pathlib.Path((filename or "").replace("\\", "/")).name
    name = re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip(".")[:120]
    return name or default


# -- session ----------------------------------------------------------------------------
@router.post("/session", tags=["session"])
def sign_in(body: SignIn, request: Request, response: Response) -> dict[str, Any]:
    """Sign in with a name and password: sets the session cookie, returns the CSRF token."""
    store = _store(request)
    address = request.client.host if request.client else "unknown"
    try:
        acc, sid = accounts.sign_in(store, body.name, body.password, address)
    except accounts.SignInLimited as exc:
        raise HTTPException(429, str(exc)) from exc
    except accounts.SignInError as exc:
        raise HTTPException(401, str(exc)) from exc
    response.set_cookie(
        COOKIE,
        sid,
        max_age=accounts.SESSION_LIFETIME_S,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return {
        "name": acc.name,
        "role": acc.role,
        "partner": acc.partner,
        "csrf_token": accounts.csrf_token(sid),
    }


@router.delete("/session", tags=["session"])
def sign_out(request: Request, response: Response, c: Caller = Depends(caller)) -> dict[str, Any]:
    """Sign this browser session out (the cookie stops working at once)."""
    if c.session_id is not None:
        with acting_as(c.name):
            accounts.revoke_session(_store(request), c.session_id)
    response.delete_cookie(COOKIE, path="/")
    return {"signed_out": c.session_id is not None}


@router.get("/me", tags=["session"])
def me(c: Caller = Depends(caller)) -> dict[str, Any]:
    """Who is signed in, and with what role."""
    return {"name": c.name, "role": c.account.role, "partner": c.account.partner}


# -- users (admins) ---------------------------------------------------------------------
@router.get("/users", tags=["users"])
def users(request: Request, c: Caller = Depends(allowed("user.manage"))) -> list[dict[str, Any]]:
    return [
        {"name": u.name, "role": u.role, "partner": u.partner, "disabled": u.disabled}
        for u in accounts.list_users(_store(request))
    ]


@router.post("/users", status_code=201, tags=["users"])
def create_user(
    body: UserIn, request: Request, c: Caller = Depends(allowed("user.manage"))
) -> dict[str, Any]:
    with acting_as(c.name):
        uid = accounts.add_user(_store(request), body.name, body.role, body.password, body.partner)
    return {"id": uid, "name": body.name, "role": body.role}


@router.post("/users/{name}/disable", tags=["users"])
def disable(
    name: str, request: Request, c: Caller = Depends(allowed("user.manage"))
) -> dict[str, Any]:
    with acting_as(c.name):
        try:
            accounts.disable_user(_store(request), name)
        except accounts.AccountError as exc:
            raise HTTPException(404, str(exc)) from exc
    return {"name": name, "disabled": True}


@router.post("/users/{name}/revoke-sessions", tags=["users"])
def revoke(
    name: str, request: Request, c: Caller = Depends(allowed("user.manage"))
) -> dict[str, Any]:
    with acting_as(c.name):
        try:
            n = accounts.revoke_sessions(_store(request), name)
        except accounts.AccountError as exc:
            raise HTTPException(404, str(exc)) from exc
    return {"name": name, "revoked": n}


# -- cases ------------------------------------------------------------------------------
@router.get("/cases", tags=["cases"])
def cases(request: Request, c: Caller = Depends(allowed("case.read"))) -> list[dict[str, Any]]:
    """Every case, newest first."""
    store = _store(request)
    with store.read() as s:
        rows = list(s.scalars(select(m.Case).order_by(m.Case.id.desc())))
    _audit(store, c, "case.list", None)
    return [
        {"name": x.name, "created_at": x.created_at.isoformat(), "created_by": x.created_by}
        for x in rows
    ]


@router.post("/cases", status_code=201, tags=["cases"])
def create_case(
    body: CaseIn, request: Request, c: Caller = Depends(allowed("case.write"))
) -> dict[str, Any]:
    """Create an empty case (409 when the name is taken)."""
    store = _store(request)
    with acting_as(c.name):
        try:
            cid = new_case(store, body.name)
        except CaseError as exc:
            code = 409 if "already exists" in str(exc) else 422
            raise HTTPException(code, str(exc)) from exc
    return {"id": cid, "name": body.name}


@router.get("/cases/{case}", tags=["cases"])
def show_case(
    case: str, request: Request, c: Caller = Depends(allowed("case.read"))
) -> dict[str, Any]:
    """A case: its surveys with their newest runs, counts of sources, notes and products."""
    store = _store(request)
    row = _case(store, case)
    view = load_case(store, case, audit_limit=0)
    _audit(store, c, "case.read", row.id)
    return {
        "name": row.name,
        "created_at": row.created_at.isoformat(),
        "created_by": row.created_by,
        "n_runs": view.n_runs,
        "surveys": [
            {
                "id": sv.survey.id,
                "name": sv.survey.name,
                "format": sv.survey.format,
                "n_samples": sv.survey.n_samples,
                "start_time": sv.survey.start_time,
                "detect_version": sv.detect.version if sv.detect else None,
                "locate_version": sv.locate.version if sv.locate else None,
                "n_hits": len(sv.hits),
                "n_sources": len(sv.sources),
            }
            for sv in view.surveys
        ],
        "n_sources": len(view.sources),
        "n_suspect": sum(src.suspect for _, src in view.sources),
        "n_notes": len(view.notes),
        "n_products": len(view.products),
    }


# -- surveys, runs, jobs ----------------------------------------------------------------
@router.post("/cases/{case}/surveys", status_code=202, tags=["surveys"])
def upload_survey(
    case: str,
    request: Request,
    file: Annotated[UploadFile, File(description="The survey: .csv, .ulg, .tlog, .bin")],
    mapping: Annotated[UploadFile | None, File(description="YAML mapping (vendor CSV)")] = None,
    wind: Annotated[UploadFile | None, File(description="A separate wind log (CSV)")] = None,
    c: Caller = Depends(allowed("case.write")),
) -> dict[str, Any]:
    """Upload a survey; it is read at once (422 with the reader's message if it cannot be),
    then detect and locate run as a job. Returns the job to poll."""
    store = _store(request)
    row = _case(store, case)
    name = _safe_name(file.filename, "survey.csv")
    if pathlib.Path(name).suffix.lower() not in SURVEY_SUFFIXES:
        raise HTTPException(
            422,
            f"{name}: unknown survey format; olfato reads {', '.join(SURVEY_SUFFIXES)} files.",
        )
    folder = store.workspace.root / "uploads" / secrets.token_hex(8)
    folder.mkdir(parents=True)
    try:
        paths: dict[str, pathlib.Path] = {}
        for key, up, default in (
            ("path", file, name),
            ("mapping", mapping, "mapping.yaml"),
            ("wind", wind, "wind.csv"),
        ):
            if up is None or (key != "path" and not up.filename):
                continue
            target = folder / (name if key == "path" else _safe_name(up.filename, default))
            if target.exists():
                target = folder / f"{key}-{target.name}"
            with open(target, "wb") as out:
                shutil.copyfileobj(up.file, out, 1 << 20)
            paths[key] = target
        try:
            casework.read_survey_file(paths["path"], paths.get("mapping"), paths.get("wind"))
        except OlfatoError as exc:
            text = str(exc)
            for p in paths.values():
                text = text.replace(str(p), p.name)
            raise HTTPException(422, text) from exc
        except Exception as exc:  # a reader's bug on odd input: still the user's file
            raise HTTPException(
                422, f"{name} could not be read ({type(exc).__name__}: {str(exc)[:200]})."
            ) from exc
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # nothing stored half-way
        raise
    job_id = _job(
        request, store, "analyse", row, c, **{k: str(v) for k, v in paths.items()}, file=name
    )
    return {"job": job_id, "poll": f"/api/jobs/{job_id}"}


@router.get("/cases/{case}/surveys", tags=["surveys"])
def surveys(
    case: str, request: Request, c: Caller = Depends(allowed("case.read"))
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = show_case(case, request, c)["surveys"]
    return out


@router.get("/cases/{case}/surveys/{survey_id}/track", tags=["surveys"])
def survey_track(
    case: str, survey_id: PathId, request: Request, c: Caller = Depends(allowed("case.read"))
) -> dict[str, Any]:
    """The survey's track with the enhancement of its first gas channel, for the map."""
    from olfato.server.geo import track
    from olfato.store.records import load_survey_samples

    store = _store(request)
    row = _case(store, case)
    sv = _in_case(store, m.Survey, survey_id, row, "survey")
    _audit(store, c, "survey.track.read", row.id, survey_id=survey_id)
    return track(load_survey_samples(store, sv))


@router.get("/cases/{case}/surveys/{survey_id}/posterior", tags=["surveys"])
def survey_posterior(
    case: str, survey_id: PathId, request: Request, c: Caller = Depends(allowed("case.read"))
) -> dict[str, Any]:
    """The newest locate run's posterior raster as a PNG overlay (base64) and its bounds."""
    import base64

    from olfato.server.geo import posterior_png

    store = _store(request)
    row = _case(store, case)
    _in_case(store, m.Survey, survey_id, row, "survey")
    view = load_case(store, case, audit_limit=0)
    sv = next(v for v in view.surveys if v.survey.id == survey_id)
    raster = sv.raster()
    if raster is None:
        raise HTTPException(404, f"Survey {survey_id} has no locate run with a raster yet.")
    png, bounds = posterior_png(sv.survey, raster)
    _audit(store, c, "survey.posterior.read", row.id, survey_id=survey_id)
    return {"png_base64": base64.b64encode(png).decode(), "bounds": bounds}


@router.post("/cases/{case}/surveys/{survey_id}/runs", status_code=202, tags=["runs"])
def rerun(
    case: str, survey_id: PathId, request: Request, c: Caller = Depends(allowed("case.write"))
) -> dict[str, Any]:
    """Run detect and locate again on a stored survey (new versions; older ones kept)."""
    store = _store(request)
    row = _case(store, case)
    _in_case(store, m.Survey, survey_id, row, "survey")
    job_id = _job(request, store, "reanalyse", row, c, survey_id=survey_id)
    return {"job": job_id, "poll": f"/api/jobs/{job_id}"}


@router.get("/cases/{case}/runs", tags=["runs"])
def runs(
    case: str, request: Request, c: Caller = Depends(allowed("case.read"))
) -> list[dict[str, Any]]:
    """Every stage run of the case, newest first (versions are never overwritten)."""
    store = _store(request)
    row = _case(store, case)
    with store.read() as s:
        rs = list(s.scalars(select(m.Run).where(m.Run.case_id == row.id).order_by(m.Run.id.desc())))
    _audit(store, c, "run.list", row.id)
    return [
        {
            "id": r.id,
            "survey_id": r.survey_id,
            "stage": r.stage,
            "version": r.version,
            "summary": r.summary,
            "warnings": r.warnings,
            "code_version": r.code_version,
            "actor": r.actor,
            "finished_at": r.finished_at.isoformat(),
        }
        for r in rs
    ]


@router.get("/cases/{case}/jobs", tags=["jobs"])
def jobs(
    case: str, request: Request, c: Caller = Depends(allowed("case.read"))
) -> list[dict[str, Any]]:
    store = _store(request)
    row = _case(store, case)
    _audit(store, c, "job.list", row.id)
    return [_job_dict(j) for j in list_jobs(store, row.id)]


@router.get("/jobs/{job_id}", tags=["jobs"])
def job(
    job_id: PathId, request: Request, c: Caller = Depends(allowed("case.read"))
) -> dict[str, Any]:
    """A job's state (queued, running, done, failed), progress 0..1 and result."""
    store = _store(request)
    with store.read() as s:
        j = s.get(m.Job, job_id)
    if j is None:
        raise HTTPException(404, f"There is no job {job_id}.")
    return _job_dict(j)


# -- sources, hits ----------------------------------------------------------------------
@router.get("/cases/{case}/sources", tags=["sources"])
def sources(
    case: str, request: Request, c: Caller = Depends(allowed("case.read"))
) -> dict[str, Any]:
    """GeoJSON: the newest sources with their 95% ellipses, hits and detections."""
    from olfato.server.geo import sources_geojson

    store = _store(request)
    row = _case(store, case)
    view = load_case(store, case, audit_limit=0)
    _audit(store, c, "source.read", row.id)
    return sources_geojson(view)


@router.get("/cases/{case}/video", tags=["video"])
def video(case: str, request: Request, c: Caller = Depends(allowed("case.read"))) -> dict[str, Any]:
    """GeoJSON: each video's frame footprints, ground tracks and activity at the sites."""
    from olfato.server.geo import video_geojson

    store = _store(request)
    row = _case(store, case)
    view = load_case(store, case, audit_limit=0)
    _audit(store, c, "video.read", row.id)
    return video_geojson(view)


@router.get("/cases/{case}/network", tags=["network"])
def network(
    case: str, request: Request, k: int = 3, c: Caller = Depends(allowed("case.read"))
) -> dict[str, Any]:
    """The case's network: each entity's measures and the KPP-Neg key players (k of them)."""
    if not 1 <= k <= 20:
        raise HTTPException(422, "k must be between 1 and 20")
    store = _store(request)
    _case(store, case)
    with acting_as(c.name):
        return casework.case_network(store, case, k)


@router.get("/cases/{case}/hits", tags=["sources"])
def hits(
    case: str, request: Request, c: Caller = Depends(allowed("case.read"))
) -> list[dict[str, Any]]:
    """The plume crossings of each survey's newest detect run."""
    store = _store(request)
    row = _case(store, case)
    view = load_case(store, case, audit_limit=0)
    _audit(store, c, "hit.read", row.id)
    return [
        {
            "survey_id": sv.survey.id,
            "run_id": h.run_id,
            "number": h.number,
            "peak_time": h.peak_time,
            "lat": h.lat,
            "lon": h.lon,
            "snr": h.snr,
            "signature": h.signature,
            "suspect": h.suspect,
        }
        for sv in view.surveys
        for h in sv.hits
    ]


# -- plans ------------------------------------------------------------------------------
@router.post("/cases/{case}/plans", status_code=202, tags=["plans"])
def new_plan(
    case: str, body: PlanIn, request: Request, c: Caller = Depends(allowed("case.write"))
) -> dict[str, Any]:
    """Plan the next flight for a survey of the case (a job: .plan and KML files)."""
    store = _store(request)
    row = _case(store, case)
    _in_case(store, m.Survey, body.survey_id, row, "survey")
    job_id = _job(request, store, "plan", row, c, survey_id=body.survey_id, seed=body.seed)
    return {"job": job_id, "poll": f"/api/jobs/{job_id}"}


@router.get("/cases/{case}/plans", tags=["plans"])
def plans(
    case: str, request: Request, c: Caller = Depends(allowed("case.read"))
) -> list[dict[str, Any]]:
    store = _store(request)
    row = _case(store, case)
    with store.read() as s:
        ps = list(s.scalars(select(m.Plan).where(m.Plan.case_id == row.id).order_by(m.Plan.id)))
    _audit(store, c, "plan.list", row.id)
    return [
        {
            "id": p.id,
            "run_id": p.run_id,
            "survey_id": p.survey_id,
            "format": p.format,
            "parameters": p.parameters,
            "created_by": p.created_by,
            "created_at": p.created_at.isoformat(),
            "download": f"/api/cases/{row.name}/plans/{p.id}/download",
        }
        for p in ps
    ]


#: media types of the plan files
PLAN_MEDIA = {
    "plan": "application/json",
    "kml": "application/vnd.google-earth.kml+xml",
    "geojson": "application/geo+json",
    "png": "image/png",
}


@router.get("/cases/{case}/plans/{plan_id}/download", tags=["plans"])
def plan_file(
    case: str,
    plan_id: PathId,
    request: Request,
    c: Caller = Depends(allowed("case.read")),
) -> FileResponse:
    """Download a plan file: a QGroundControl .plan, or its KML."""
    store = _store(request)
    row = _case(store, case)
    p = _in_case(store, m.Plan, plan_id, row, "plan")
    path = _safe_file(store, p.path, p.sha256)
    _audit(store, c, "plan.download", row.id, plan_id=plan_id, format=p.format)
    return FileResponse(
        path, media_type=PLAN_MEDIA.get(p.format, "application/octet-stream"), filename=path.name
    )


# -- notes ------------------------------------------------------------------------------
@router.get("/cases/{case}/notes", tags=["notes"])
def notes(
    case: str, request: Request, c: Caller = Depends(allowed("case.read"))
) -> list[dict[str, Any]]:
    store = _store(request)
    row = _case(store, case)
    view = load_case(store, case, audit_limit=0)
    _audit(store, c, "note.read", row.id)
    return [
        {
            "id": n.id,
            "text": n.text,
            "lang": n.lang,
            "internal": n.internal,
            "author": n.author,
            "created_at": n.created_at.isoformat(),
        }
        for n in view.notes
    ]


@router.post("/cases/{case}/notes", status_code=201, tags=["notes"])
def create_note(
    case: str, body: NoteIn, request: Request, c: Caller = Depends(allowed("case.write"))
) -> dict[str, Any]:
    store = _store(request)
    _case(store, case)
    with acting_as(c.name):
        try:
            nid = add_note(store, case, body.text, lang=body.lang, internal=body.internal)
        except CaseError as exc:
            raise HTTPException(422, str(exc)) from exc
    return {"id": nid}


# -- products ---------------------------------------------------------------------------
@router.get("/cases/{case}/products", tags=["products"])
def products(
    case: str, request: Request, c: Caller = Depends(allowed("case.read"))
) -> list[dict[str, Any]]:
    store = _store(request)
    row = _case(store, case)
    view = load_case(store, case, audit_limit=0)
    _audit(store, c, "product.list", row.id)
    return [_product_dict(p) for p in view.products]


@router.post("/cases/{case}/products", status_code=202, tags=["products"])
def make_product(
    case: str, body: ProductIn, request: Request, c: Caller = Depends(allowed("product.make"))
) -> dict[str, Any]:
    """Make a report (a job), the candidate exports, or a partner package. Naming partners
    (a product made for release) needs a supervisor."""
    from olfato.report.products import check_partners

    store = _store(request)
    row = _case(store, case)
    partners = check_partners(body.releasable_to)
    if (partners or body.kind == "package") and not c.account.can("product.release"):
        raise HTTPException(403, "Only a supervisor makes products for release to partners.")
    if body.kind == "report":
        job_id = _job(
            request,
            store,
            "report",
            row,
            c,
            lang=body.lang,
            format=body.format,
            releasable_to=partners,
        )
        return {"job": job_id, "poll": f"/api/jobs/{job_id}"}
    with acting_as(c.name):
        if body.kind == "exports":
            made = casework.make_exports(store, case, partners)
        else:
            if len(partners) != 1:
                raise HTTPException(422, "A partner package is for exactly one partner code.")
            made = [casework.make_package(store, case, partners[0])]
    return {"products": [_product_dict(p) for p in made]}


@router.post("/products/{product_id}/release", tags=["products"])
def release(
    product_id: PathId,
    body: ReleaseIn,
    request: Request,
    c: Caller = Depends(allowed("product.release")),
) -> dict[str, Any]:
    """Mark a product (made for release) releasable to partner codes."""
    from olfato.report.products import check_partners
    from olfato.store.releases import ReleaseError

    store = _store(request)
    with acting_as(c.name):
        try:
            p = release_product(store, product_id, check_partners(body.partners))
        except ReleaseError as exc:
            code = 404 if str(exc).startswith("There is no product") else 409
            raise HTTPException(code, str(exc)) from exc
    return _product_dict(p)


@router.get("/partner/products", tags=["products"])
def partner_products(
    request: Request, c: Caller = Depends(allowed("product.released"))
) -> list[dict[str, Any]]:
    """The products released to the signed-in partner's code."""
    store = _store(request)
    code = c.account.partner or ""
    rows = released_to(store, code)
    _audit(store, c, "product.released.list", None, partner=code)
    return [_product_dict(p, case_name) for p, case_name in rows]


@router.get("/products/{product_id}/download", tags=["products"])
def download(product_id: PathId, request: Request, c: Caller = Depends(caller)) -> FileResponse:
    """A product's file: for case readers, or for a partner it was released to."""
    store = _store(request)
    with store.read() as s:
        p = s.get(m.Product, product_id)
    acc = c.account
    if acc.can("case.read"):
        if p is None:
            raise HTTPException(404, f"There is no product {product_id}.")
    elif acc.can("product.released"):
        if p is None or acc.partner not in (p.releasable_to or []):
            # the same answer whether it exists or not: no probing of other partners' ids
            raise HTTPException(404, f"There is no product {product_id} released to you.")
    else:
        raise HTTPException(403, f"A {acc.role} account may not download products.")
    path = _safe_file(store, p.path, p.sha256)
    _audit(store, c, "product.download", p.case_id, product_id=p.id)
    media = {
        "pdf": "application/pdf",
        "html": "text/html; charset=utf-8",
        "geojson": "application/geo+json",
        "kml": "application/vnd.google-earth.kml+xml",
        "csv": "text/csv; charset=utf-8",
        "zip": "application/zip",
    }.get(p.format, "application/octet-stream")
    return FileResponse(path, media_type=media, filename=path.name)


# -- audit ------------------------------------------------------------------------------
@router.get("/cases/{case}/audit", tags=["audit"])
def audit(
    case: str,
    request: Request,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    c: Caller = Depends(allowed("case.read")),
) -> list[dict[str, Any]]:
    """The case's audit trail, newest first: who did what when."""
    if c.account.role == "analyst":
        raise HTTPException(403, "The audit trail is for supervisors and admins.")
    store = _store(request)
    row = _case(store, case)
    _audit(store, c, "audit.read", row.id)
    with store.read() as s:
        evs = list(
            s.scalars(
                select(m.AuditEvent)
                .where(m.AuditEvent.case_id == row.id)
                .order_by(m.AuditEvent.id.desc())
                .limit(limit)
            )
        )
    return [
        {"at": e.at.isoformat(), "actor": e.actor, "action": e.action, "detail": e.detail}
        for e in evs
    ]
