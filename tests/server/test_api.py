"""The API's behaviour: sessions and CSRF, the sign-in rate limit, uploads and jobs, IDOR
between cases and partners, path tricks, releases, the audit trail, restarts."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from olfato.server.app import create_app
from olfato.store import accounts
from olfato.store import models as m
from olfato.store.jobs import INTERRUPTED, new_job, start_job
from tests.server.conftest import PASSWORDS, World, count_rows, wait_job


def sign_in(w: World, name: str) -> str:
    r = w.client.post("/api/session", json={"name": name, "password": PASSWORDS[name]})
    assert r.status_code == 200, r.text
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert "secure" not in cookie  # plain http in the test; Secure under TLS
    return str(r.json()["csrf_token"])


# -- sessions, CSRF, rate limit ----------------------------------------------------------
def test_session_cookie_needs_csrf_for_changes(world: World) -> None:
    csrf = sign_in(world, "ana")
    assert world.client.get("/api/cases").status_code == 200  # reads need no token
    r = world.client.post("/api/cases", json={"name": "by-cookie"})
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    r = world.client.post(
        "/api/cases", json={"name": "by-cookie"}, headers={"X-CSRF-Token": "0" * 64}
    )
    assert r.status_code == 403
    r = world.client.post("/api/cases", json={"name": "by-cookie"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201
    # another session's token does not fit this one
    world.client.cookies.clear()
    other = sign_in(world, "sam")
    assert other != csrf
    r = world.client.post("/api/cases", json={"name": "x-2"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 403


def test_sign_out_and_revocation_end_the_session(world: World) -> None:
    csrf = sign_in(world, "ana")
    cookie = world.client.cookies.get("olfato_session")
    assert world.client.get("/api/me").json()["name"] == "ana"
    assert world.client.delete("/api/session", headers={"X-CSRF-Token": csrf}).status_code == 200
    world.client.cookies.set("olfato_session", cookie)  # replaying the old cookie
    assert world.client.get("/api/me").status_code == 401
    # an admin revokes every session of an account; disabling stops its tokens too
    world.client.cookies.clear()
    sign_in(world, "sam")
    r = world.client.post("/api/users/sam/revoke-sessions", headers=world.as_("root"))
    assert r.json()["revoked"] == 1
    assert world.client.get("/api/me").status_code == 401
    world.client.cookies.clear()
    assert world.client.get("/api/me", headers=world.as_("sam")).status_code == 200
    assert world.client.post("/api/users/sam/disable", headers=world.as_("root")).status_code == 200
    assert world.client.get("/api/me", headers=world.as_("sam")).status_code == 401
    r = world.client.post("/api/session", json={"name": "sam", "password": PASSWORDS["sam"]})
    assert r.status_code == 401


def test_sign_in_is_rate_limited(world: World) -> None:
    for _ in range(accounts.MAX_FAILURES):
        r = world.client.post("/api/session", json={"name": "ana", "password": "wrong-guess-1"})
        assert r.status_code == 401
        assert r.json()["detail"].startswith("Wrong account name or password")
    # now even the right password is refused for a while
    r = world.client.post("/api/session", json={"name": "ana", "password": PASSWORDS["ana"]})
    assert r.status_code == 429
    # ... and from this address for other names too (a guesser moving on)
    r = world.client.post("/api/session", json={"name": "sam", "password": PASSWORDS["sam"]})
    assert r.status_code == 429
    # bearer tokens are not affected
    assert world.client.get("/api/me", headers=world.as_("ana")).status_code == 200


def test_passwords_and_secrets_are_stored_hashed(world: World) -> None:
    with world.store.read() as s:
        u = s.scalar(select(m.User).where(m.User.name == "ana"))
        toks = list(s.scalars(select(m.ApiToken.token_sha256)))
    assert u is not None and u.password_hash.startswith("$argon2id$")
    assert PASSWORDS["ana"] not in u.password_hash
    assert world.tokens["ana"] not in toks and len(toks) == 5
    with pytest.raises(accounts.AccountError, match="too short"):
        accounts.add_user(world.store, "shorty", "analyst", "short")
    with pytest.raises(accounts.AccountError, match="partner code"):
        accounts.add_user(world.store, "p2", "partner", "long-enough-pw")


# -- uploads and jobs --------------------------------------------------------------------
def test_upload_runs_detect_and_locate_as_a_job(world: World, analysis: object) -> None:
    world.client.post("/api/cases", json={"name": "gamma"}, headers=world.as_("ana"))
    with open(world.csv, "rb") as f:
        r = world.client.post(
            "/api/cases/gamma/surveys",
            files={"file": ("flight 1.csv", f, "text/csv")},
            headers=world.as_("ana"),
        )
    assert r.status_code == 202, r.text
    job = wait_job(world, r.json()["job"])
    assert job["state"] == "done", job
    assert job["progress"] == 1.0
    result = job["result"]
    assert isinstance(result, dict) and result["n_sources"] == 2
    # the demo flight's fuel station: a plume seen on one pass, not located
    assert result["n_detections"] == len(analysis.sources.detections) == 1  # type: ignore[attr-defined]
    gj = world.client.get("/api/cases/gamma/sources", headers=world.as_("ana")).json()
    got = sorted(
        (f["geometry"]["coordinates"][1], f["geometry"]["coordinates"][0])
        for f in gj["features"]
        if f["properties"]["feature"] == "source"
    )
    # the same sources as the stage function called directly on the same file
    want = sorted((s.lat, s.lon) for s in analysis.sources.sources)  # type: ignore[attr-defined]
    np.testing.assert_allclose(got, want, atol=1e-9)
    ellipses = [f for f in gj["features"] if f["properties"]["feature"] == "ellipse95"]
    assert len(ellipses) == 2 and all(f["geometry"]["type"] == "Polygon" for f in ellipses)
    with world.store.read() as s:
        sv = s.scalar(select(m.Survey).where(m.Survey.name == "flight_1.csv"))
        assert sv is not None and sv.added_by == "ana"
        actors = {r.actor for r in s.scalars(select(m.Run).where(m.Run.survey_id == sv.id))}
    assert actors == {"ana"}


def test_bad_uploads_are_refused_and_nothing_is_stored(world: World, tmp_path: Path) -> None:
    h = world.as_("ana")
    before = (count_rows(world.store, m.Survey), count_rows(world.store, m.Job))
    r = world.client.post(
        "/api/cases/alpha/surveys", files={"file": ("x.exe", b"MZ\x90\x00", "x")}, headers=h
    )
    assert r.status_code == 422 and "unknown survey format" in r.json()["detail"]
    r = world.client.post(
        "/api/cases/alpha/surveys",
        files={"file": ("bad.csv", b"time,lat\n1,2\n", "text/csv")},
        headers=h,
    )
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert "bad.csv" in detail and str(world.store.workspace.root) not in detail
    r = world.client.post(
        "/api/cases/alpha/surveys",
        files={"file": ("big.csv", b"x" * 2_100_000, "text/csv")},
        headers=h,
    )
    assert r.status_code == 413
    r = world.client.post("/api/cases/alpha/surveys", headers=h)
    assert r.status_code == 422
    r = world.client.post(
        "/api/cases/nope/surveys", files={"file": ("a.csv", b"a", "text/csv")}, headers=h
    )
    assert r.status_code == 404
    assert (count_rows(world.store, m.Survey), count_rows(world.store, m.Job)) == before
    uploads = world.store.workspace.root / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir())


def test_jobs_left_running_are_marked_failed_on_restart(world: World) -> None:
    alpha = world.ids["alpha"]
    queued = new_job(world.store, "analyse", alpha, {"case": "alpha"})
    running = new_job(world.store, "report", alpha, {"case": "alpha"})
    start_job(world.store, running)
    app = create_app(store=world.store, jobs="inline")
    with TestClient(app) as c:
        for jid in (queued, running):
            j = c.get(f"/api/jobs/{jid}", headers=world.as_("ana")).json()
            assert j["state"] == "failed" and j["error"] == INTERRUPTED


@pytest.mark.slow
def test_jobs_run_on_a_process_pool(world: World) -> None:
    app = create_app(store=world.store, jobs="process", workers=1)
    with TestClient(app) as c:
        r = c.post(
            "/api/cases/alpha/products",
            json={"kind": "report", "lang": "es", "format": "html"},
            headers=world.as_("ana"),
        )
        assert r.status_code == 202
        jid = r.json()["job"]
        app.state.jobs.wait(300)
        j = c.get(f"/api/jobs/{jid}", headers=world.as_("ana")).json()
    assert j["state"] == "done", j
    with world.store.read() as s:
        p = s.get(m.Product, j["result"]["product_ids"][0])
    assert p is not None and p.lang == "es" and p.created_by == "ana"


# -- IDOR, partners, path tricks -------------------------------------------------------------
def test_map_layers_track_and_posterior(world: World) -> None:
    import base64
    import io

    from PIL import Image

    h, sid = world.as_("ana"), world.ids["alpha.survey"]
    t = world.client.get(f"/api/cases/alpha/surveys/{sid}/track", headers=h).json()
    assert len(t["lat"]) == len(t["lon"]) == len(t["enhancement_sd"]) > 100
    # the flight crosses plumes: some points stand far above the background noise
    assert max(t["enhancement_sd"]) > 10 and np.median(t["enhancement_sd"]) < 3
    r = world.client.get(f"/api/cases/alpha/surveys/{sid}/posterior", headers=h).json()
    (s, w), (n, e) = r["bounds"]
    assert s < n and w < e
    img = np.asarray(Image.open(io.BytesIO(base64.b64decode(r["png_base64"]))))
    assert img.shape[2] == 4 and img[..., 3].max() == 200  # opaque where most probable
    gj = world.client.get("/api/cases/alpha/sources", headers=h).json()
    for f in gj["features"]:
        if f["properties"]["feature"] == "source":
            lat, lon = f["geometry"]["coordinates"][1], f["geometry"]["coordinates"][0]
            assert s <= lat <= n and w <= lon <= e


def test_ids_of_another_case_are_not_found(world: World) -> None:
    h = world.as_("ana")
    beta_survey = world.ids["beta.survey"]
    for path in (
        f"/api/cases/alpha/surveys/{beta_survey}/track",
        f"/api/cases/alpha/surveys/{beta_survey}/runs",
    ):
        method = "POST" if path.endswith("runs") else "GET"
        assert world.client.request(method, path, headers=h).status_code == 404
    r = world.client.post("/api/cases/alpha/plans", json={"survey_id": beta_survey}, headers=h)
    assert r.status_code == 404
    notes = world.client.get("/api/cases/alpha/notes", headers=h).json()
    assert [n["text"] for n in notes] == ["internal note of alpha"]


def test_partners_see_only_their_released_products(world: World) -> None:
    mx = world.client.get("/api/partner/products", headers=world.as_("mx")).json()
    assert [p["id"] for p in mx] == [world.ids["alpha.mx"]]
    co = world.client.get("/api/partner/products", headers=world.as_("co")).json()
    assert [p["id"] for p in co] == [world.ids["alpha.co"]]
    for pid in (world.ids["alpha.co"], world.ids["alpha.internal"], 999999):
        r = world.client.get(f"/api/products/{pid}/download", headers=world.as_("mx"))
        assert r.status_code == 404
    r = world.client.get(f"/api/products/{world.ids['alpha.mx']}/download", headers=world.as_("mx"))
    assert r.status_code == 200
    assert json.loads(r.content)["type"] == "FeatureCollection"
    for path in ("/api/cases/alpha/notes", "/api/cases/alpha", "/api/cases/alpha/sources"):
        assert world.client.get(path, headers=world.as_("mx")).status_code == 403


def test_release_needs_a_product_made_for_release(world: World) -> None:
    h = world.as_("sam")
    # a report made for internal use carries internal notes: it cannot be released
    with world.store.write() as s:
        p = s.get(m.Product, world.ids["alpha.internal"])
        assert p is not None
        p.kind, p.parameters = "report", {"internal_notes": True}
    r = world.client.post(
        f"/api/products/{world.ids['alpha.internal']}/release", json={"partners": ["MX"]}, headers=h
    )
    assert r.status_code == 409 and "internal" in r.json()["detail"]
    r = world.client.post(
        f"/api/products/{world.ids['alpha.mx']}/release", json={"partners": ["co"]}, headers=h
    )
    assert r.status_code == 200 and r.json()["releasable_to"] == ["CO", "MX"]
    co = world.client.get("/api/partner/products", headers=world.as_("co")).json()
    assert {p["id"] for p in co} == {world.ids["alpha.co"], world.ids["alpha.mx"]}
    r = world.client.post(
        f"/api/products/{world.ids['alpha.mx']}/release", json={"partners": ["m x!"]}, headers=h
    )
    assert r.status_code == 422
    r = world.client.post(
        "/api/cases/alpha/products",
        json={"kind": "exports", "releasable_to": ["MX"]},
        headers=world.as_("ana"),
    )
    assert r.status_code == 403


def test_downloads_stay_inside_the_workspace(world: World) -> None:
    secret = world.store.workspace.root.parent / "secret.txt"
    secret.write_text("not yours")
    with world.store.write() as s:
        p = s.get(m.Product, world.ids["alpha.mx"])
        assert p is not None
        p.path = "../secret.txt"
    r = world.client.get(
        f"/api/products/{world.ids['alpha.mx']}/download", headers=world.as_("ana")
    )
    assert r.status_code == 404 and "not yours" not in r.text
    for path in (
        "/api/products/..%2F..%2Fetc%2Fpasswd/download",
        "/api/products/1%2F..%2F..%2Fsecret.txt/download",
        "/static/../../secret.txt",
        "/static/%2e%2e/%2e%2e/store/db.py",
    ):
        r = world.client.get(path, headers=world.as_("ana"))
        assert r.status_code in (404, 422), (path, r.status_code)
        assert "not yours" not in r.text and "import" not in r.text
    # a product file changed after it was recorded is not served
    with world.store.read() as s:
        q = s.get(m.Product, world.ids["alpha.co"])
    assert q is not None
    world.store.workspace.resolve(q.path).write_text("tampered")
    r = world.client.get(f"/api/products/{world.ids['alpha.co']}/download", headers=world.as_("co"))
    assert r.status_code == 409


# -- audit, errors -----------------------------------------------------------------------------
def test_reads_and_changes_are_audited_with_the_user(world: World) -> None:
    world.client.get("/api/cases/alpha/sources", headers=world.as_("ana"))
    world.client.post(
        "/api/cases/alpha/notes", json={"text": "nota", "lang": "es"}, headers=world.as_("sam")
    )
    world.client.get(f"/api/products/{world.ids['alpha.mx']}/download", headers=world.as_("mx"))
    trail = world.client.get("/api/cases/alpha/audit", headers=world.as_("sam")).json()
    seen = {(e["actor"], e["action"]) for e in trail}
    assert {("ana", "source.read"), ("sam", "note.add"), ("mx", "product.download")} <= seen
    assert all(e["at"] for e in trail)
    assert world.client.get("/api/cases/alpha/audit", headers=world.as_("ana")).status_code == 403


def test_malformed_requests_get_4xx_without_tracebacks(world: World) -> None:
    h = {**world.as_("ana"), "Content-Type": "application/json"}
    for method, path, body in (
        ("POST", "/api/cases", b"{not json"),
        ("POST", "/api/cases", b'{"name": "../../etc"}'),
        ("POST", "/api/cases", b'{"name": 5}'),
        ("POST", "/api/cases/alpha/notes", b'{"text": "", "lang": "fr"}'),
        ("POST", "/api/cases/alpha/products", b'{"kind": "report", "lang": "de"}'),
        ("GET", "/api/jobs/abc", b""),
        ("GET", "/api/jobs/99999999", b""),
        ("GET", "/api/cases/%00", b""),
        ("POST", "/api/cases/alpha/notes", b'{"text": "a\\u0000b"}'),
        ("POST", "/api/session", b'{"name": "a\\u0000", "password": "b\\u0000"}'),
        ("POST", "/api/users/%00/disable", b""),
        ("GET", "/api/jobs/99999999999999999999", b""),
    ):
        r = world.client.request(method, path, content=body, headers=h)
        assert 400 <= r.status_code < 500, (path, body, r.status_code, r.text)
        assert "Traceback" not in r.text
    r = world.client.post("/api/cases", json={"name": "alpha"}, headers=world.as_("ana"))
    assert r.status_code == 409


def test_the_web_pages(world: World) -> None:
    assert world.client.get("/", follow_redirects=False).headers["location"] == "/login"
    sign_in(world, "ana")
    r = world.client.get("/cases/alpha?lang=es")
    assert r.status_code == 200
    assert "Fuentes candidatas" in r.text and "Cerrar sesión" in r.text
    assert "Candidate sources" not in r.text
    assert r.headers["content-security-policy"].startswith("default-src 'self'")
    assert "internal note of alpha" in r.text
    world.client.cookies.clear()
    sign_in(world, "mx")
    r = world.client.get("/partner")
    assert r.status_code == 200 and f"/api/products/{world.ids['alpha.mx']}/download" in r.text
    assert f"/api/products/{world.ids['alpha.co']}/download" not in r.text
    assert world.client.get("/cases/alpha", follow_redirects=False).status_code == 303


def test_next_flight_plan_as_a_job_with_plan_and_kml_downloads(world: World) -> None:
    h = world.as_("ana")
    r = world.client.post(
        "/api/cases/alpha/plans", json={"survey_id": world.ids["alpha.survey"]}, headers=h
    )
    assert r.status_code == 202
    job = wait_job(world, r.json()["job"])
    assert job["state"] == "done", job
    plans = world.client.get("/api/cases/alpha/plans", headers=h).json()
    assert sorted(p["format"] for p in plans) == ["kml", "plan"]
    for p in plans:
        r = world.client.get(p["download"], headers=h)
        assert r.status_code == 200
        if p["format"] == "plan":
            plan = r.json()
            assert plan["fileType"] == "Plan" and plan["mission"]["items"]
        else:
            root = ElementTree.fromstring(r.content)
            assert root.tag == "{http://www.opengis.net/kml/2.2}kml"
    # another case's plan id through this case: not found
    assert (
        world.client.get(f"/api/cases/beta/plans/{plans[0]['id']}/download", headers=h).status_code
        == 404
    )


def test_partner_package_is_signed_and_reaches_only_its_partner(world: World) -> None:
    import io
    import zipfile

    r = world.client.post(
        "/api/cases/alpha/products",
        json={"kind": "package", "releasable_to": ["MX"]},
        headers=world.as_("sam"),
    )
    assert r.status_code == 202, r.text
    (pkg,) = r.json()["products"]
    assert pkg["kind"] == "package" and pkg["releasable_to"] == ["MX"]
    mx = {
        p["id"] for p in world.client.get("/api/partner/products", headers=world.as_("mx")).json()
    }
    co = {
        p["id"] for p in world.client.get("/api/partner/products", headers=world.as_("co")).json()
    }
    assert pkg["id"] in mx and pkg["id"] not in co
    z = world.client.get(pkg["download"], headers=world.as_("mx"))
    names = zipfile.ZipFile(io.BytesIO(z.content)).namelist()
    assert any(n.endswith(".geojson") for n in names)
    assert not any(n.endswith(".kml") for n in names)  # CO's product stays out
    r = world.client.post(
        "/api/cases/alpha/products",
        json={"kind": "package", "releasable_to": ["MX", "CO"]},
        headers=world.as_("sam"),
    )
    assert r.status_code == 422


def test_video_layer_has_footprints_tracks_and_activity(world: World) -> None:
    """Issue 16: the map's footprint and track layers come from the case's video runs."""
    from datetime import UTC, datetime

    from olfato.store import models as m
    from olfato.store import records
    from olfato.store.cases import get_case, new_case

    new_case(world.store, "valle-video")
    ring = [[-74.10, 4.60], [-74.09, 4.60], [-74.09, 4.61], [-74.10, 4.61], [-74.10, 4.60]]
    with world.store.write() as s:
        case = get_case(s, "valle-video")
        v = m.Video(case_id=case.id, name="pass1.ts", input_path="/x/pass1.ts", sha256="1" * 64,
                    format="mpegts", n_frames=60, added_by="test")  # fmt: skip
        s.add(v)
        s.flush()
        run = records.add_run(s, case, stage="video", subject=f"video:{v.id}", parameters={},
                              inputs={"video": v.sha256}, started_at=datetime.now(UTC))  # fmt: skip
        records.add_observations(
            s,
            run,
            [
                {"kind": "footprint", "geometry": {"type": "Polygon", "coordinates": [ring]}},
                {
                    "kind": "track",
                    "geometry": {"type": "LineString", "coordinates": ring[:3]},
                    "properties": {"id": 7},
                },
                {
                    "kind": "activity",
                    "geometry": {"type": "Point", "coordinates": ring[0]},
                    "properties": {"site": "S1", "tracks": [7], "key_frame": {"path": "k.png"}},
                },
            ],
        )
    r = world.client.get("/api/cases/valle-video/video", headers=world.as_("ana"))
    assert r.status_code == 200, r.text
    feats = r.json()["features"]
    assert [f["properties"]["kind"] for f in feats] == ["footprint", "track", "activity"]
    assert feats[1]["properties"]["id"] == 7 and feats[1]["properties"]["video"] == "pass1.ts"
    assert "key_frame" not in feats[2]["properties"]  # workspace paths stay on the server
    assert (
        world.client.get("/api/cases/valle-video/video", headers=world.as_("mx")).status_code == 403
    )


def test_network_view_measures_and_key_players(world: World, tmp_path: Path) -> None:
    """Issue 17: the server's network view is the same measures as `olfato network`."""
    from olfato.casework.network import import_network
    from olfato.store.cases import new_case
    from tests.report.test_network_section import GRAPHML

    new_case(world.store, "red")
    graph = tmp_path / "calls.graphml"
    graph.write_text(GRAPHML, encoding="utf-8")
    import_network(world.store, "red", graph)
    r = world.client.get("/api/cases/red/network?k=1", headers=world.as_("ana"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["key_players"]["set"] == ["P-BROKER"]
    assert body["nodes"][0]["id"] == "P-BROKER"  # highest betweenness first
    assert body["key_players"]["fragmentation_after"] > body["key_players"]["fragmentation_before"]
    assert (
        world.client.get("/api/cases/red/network?k=0", headers=world.as_("ana")).status_code == 422
    )
    assert world.client.get("/api/cases/red/network", headers=world.as_("mx")).status_code == 403
