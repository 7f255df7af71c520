"""Who is calling: a bearer token (scripts) or a browser session cookie, and what they may do.

A browser session is an opaque random id in an HttpOnly, SameSite=Strict cookie
(Secure when the request came over TLS); the store keeps its SHA-256, so signing out
or disabling the account ends it at once. A request that changes something and
is authenticated by the cookie must also carry the session's CSRF token in the
``X-CSRF-Token`` header (the web UI's forms send it with every change); bearer-token
requests need none, as a browser never sends a bearer token on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from olfato.store.accounts import Account, account_for_session, account_for_token, csrf_ok

#: the browser session's cookie
COOKIE = "olfato_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

bearer = HTTPBearer(auto_error=False, description="A token from `olfato user token NAME`.")


@dataclass(frozen=True)
class Caller:
    """The signed-in account of a request and how it signed in."""

    account: Account
    session_id: str | None  # the browser session, None for a bearer token

    @property
    def name(self) -> str:
        return self.account.name


def _store(request: Request) -> Any:
    return request.app.state.store


def optional_caller(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)
) -> Caller | None:
    """The caller, or None when the request is not signed in."""
    store = _store(request)
    if credentials is not None:
        acc = account_for_token(store, credentials.credentials)
        if acc is None:
            raise HTTPException(401, "The bearer token is unknown, revoked or disabled.")
        return Caller(acc, None)
    sid = request.cookies.get(COOKIE)
    if sid:
        acc = account_for_session(store, sid)
        if acc is not None:
            if request.method not in SAFE_METHODS:
                if not csrf_ok(sid, request.headers.get("x-csrf-token")):
                    raise HTTPException(
                        403, "Missing or wrong CSRF token (X-CSRF-Token header) for this session."
                    )
            return Caller(acc, sid)
    return None


def caller(c: Caller | None = Depends(optional_caller)) -> Caller:
    """The signed-in caller; 401 when nobody is signed in."""
    if c is None:
        raise HTTPException(
            401,
            "Sign in first (POST /api/session) or send a bearer token.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return c


def allowed(permission: str) -> Callable[..., Caller]:
    """A dependency: the caller, if their role has ``permission`` (else 403)."""

    def check(c: Caller = Depends(caller)) -> Caller:
        if not c.account.can(permission):
            raise HTTPException(
                403, f"A {c.account.role} account may not do this (needs {permission!r})."
            )
        return c

    return check
