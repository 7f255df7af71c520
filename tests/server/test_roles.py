"""Every route x every role: allowed (never 401/403, never 5xx) or refused (403; 401 signed out)."""

from __future__ import annotations

from typing import Any

from tests.server.conftest import World

EVERYONE = {"ana", "sam", "mx", "co", "root"}
READERS = {"ana", "sam", "root"}
WRITERS = {"ana", "sam"}
SUPERVISORS = {"sam"}
ADMINS = {"root"}
PARTNER_MX = {"mx"}


def routes(w: World) -> list[tuple[str, str, dict[str, Any], set[str]]]:
    """(method, path, request arguments, the accounts allowed)."""
    ids = w.ids
    s, n = ids["alpha.survey"], ids["alpha.note"]
    return [
        ("GET", "/api/me", {}, EVERYONE),
        ("GET", "/api/users", {}, ADMINS),
        (
            "POST",
            "/api/users",
            {"json": {"name": "new-{who}", "role": "analyst", "password": "long-password-1"}},
            ADMINS,
        ),
        ("GET", "/api/cases", {}, READERS),
        ("POST", "/api/cases", {"json": {"name": "case-{who}"}}, WRITERS),
        ("GET", "/api/cases/alpha", {}, READERS),
        ("GET", "/api/cases/alpha/surveys", {}, READERS),
        (
            "POST",
            "/api/cases/alpha/surveys",
            {"files": {"file": ("bad.csv", b"not,a\nsurvey,1\n", "text/csv")}},
            WRITERS,
        ),
        ("GET", f"/api/cases/alpha/surveys/{s}/track", {}, READERS),
        ("GET", f"/api/cases/alpha/surveys/{s}/posterior", {}, READERS),
        ("GET", "/api/cases/alpha/runs", {}, READERS),
        ("GET", "/api/cases/alpha/jobs", {}, READERS),
        ("GET", "/api/cases/alpha/sources", {}, READERS),
        ("GET", "/api/cases/alpha/hits", {}, READERS),
        ("GET", "/api/cases/alpha/video", {}, READERS),
        ("GET", "/api/cases/alpha/network", {}, READERS),
        ("GET", "/api/cases/alpha/plans", {}, READERS),
        ("POST", "/api/cases/alpha/plans", {"json": {"survey_id": -1}}, WRITERS),
        ("GET", "/api/cases/alpha/notes", {}, READERS),
        ("POST", "/api/cases/alpha/notes", {"json": {"text": "seen", "lang": "en"}}, WRITERS),
        ("GET", "/api/cases/alpha/products", {}, READERS),
        (
            "POST",
            "/api/cases/alpha/products",
            {"json": {"kind": "exports", "releasable_to": []}},
            WRITERS,
        ),
        (
            "POST",
            "/api/cases/alpha/products",
            {"json": {"kind": "exports", "releasable_to": ["MX"]}},
            SUPERVISORS,
        ),
        (
            "POST",
            f"/api/products/{ids['alpha.mx']}/release",
            {"json": {"partners": ["GT"]}},
            SUPERVISORS,
        ),
        ("GET", "/api/partner/products", {}, {"mx", "co"}),
        ("GET", f"/api/products/{ids['alpha.mx']}/download", {}, READERS | PARTNER_MX),
        ("GET", f"/api/products/{ids['alpha.internal']}/download", {}, READERS),
        ("GET", "/api/cases/alpha/audit", {}, {"sam", "root"}),
        ("POST", "/api/users/nobody-here/disable", {}, ADMINS),
        ("POST", f"/api/cases/alpha/surveys/{s}/runs", {}, WRITERS),
        ("DELETE", "/api/session", {}, EVERYONE),
        ("GET", f"/api/cases/alpha/notes?n={n}", {}, READERS),
    ]


def _fill(args: dict[str, Any], who: str) -> dict[str, Any]:
    if "json" in args:
        return {
            "json": {
                k: (v.format(who=who) if isinstance(v, str) else v) for k, v in args["json"].items()
            }
        }
    return dict(args)


def test_role_matrix(world: World) -> None:
    for who in [*sorted(EVERYONE), None]:
        check_role(world, who)


def check_role(world: World, who: str | None) -> None:
    refused, allowed = [], []
    for method, path, args, ok in routes(world):
        r = world.client.request(method, path, headers=world.as_(who), **_fill(args, who or "x"))
        assert r.status_code < 500, (method, path, who, r.status_code, r.text)
        assert "Traceback" not in r.text
        if who is None:
            assert r.status_code == 401, (method, path, r.status_code, r.text)
        elif who in ok:
            assert r.status_code not in (401, 403), (method, path, who, r.status_code, r.text)
            allowed.append(path)
        else:
            # a partner asking for a product not released to them learns nothing: 404
            assert r.status_code in (403, 404), (method, path, who, r.status_code, r.text)
            if "download" not in path:
                assert r.status_code == 403, (method, path, who, r.status_code)
            refused.append(path)
    world.client.app.state.jobs.wait()  # type: ignore[attr-defined]
    if who == "mx":
        assert allowed == [
            "/api/me",
            "/api/partner/products",
            f"/api/products/{world.ids['alpha.mx']}/download",
            "/api/session",
        ]
