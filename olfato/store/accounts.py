"""Accounts of the team server: users and roles, passwords, bearer tokens, browser sessions.

What each role may do (:data:`PERMISSIONS`):

- *analyst*: create cases, upload surveys, run stages, write notes, make products;
- *supervisor*: as an analyst, and mark products releasable to partners;
- *partner*: see and download only the products released to their partner code (never
  notes, never another partner's products, never case data);
- *admin*: manage accounts (and read everything an analyst reads).

Passwords are kept as argon2id hashes (argon2-cffi, the RFC 9106 parameters of its
default profile). Bearer tokens and browser-session ids are 256-bit random strings
(:func:`secrets.token_urlsafe`); only their SHA-256 is stored, so a copy of the
database signs no one in. Sign-in is rate-limited by account name and by address
(:data:`MAX_FAILURES` failures within :data:`FAILURE_WINDOW_S`).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from olfato.errors import OlfatoError
from olfato.store import models as m
from olfato.store.audit import record
from olfato.store.db import Store
from olfato.store.workspace import actor

#: what each role may do
PERMISSIONS: dict[str, frozenset[str]] = {
    "analyst": frozenset({"case.read", "case.write", "product.make"}),
    "supervisor": frozenset({"case.read", "case.write", "product.make", "product.release"}),
    "partner": frozenset({"product.released"}),
    "admin": frozenset({"case.read", "user.manage"}),
}
#: failed sign-ins allowed per account name, or per address, within the window
MAX_FAILURES = 5
#: the rate limit's window [s]
FAILURE_WINDOW_S = 15 * 60
#: how long a browser session lasts [s]
SESSION_LIFETIME_S = 12 * 3600
#: shortest password accepted [characters]
MIN_PASSWORD = 10

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_PARTNER = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,31}$")
_hasher = PasswordHasher()


class AccountError(OlfatoError):
    """An account that does not exist or cannot be made or used."""


class SignInError(OlfatoError):
    """Wrong name or password, or a disabled account."""


class SignInLimited(SignInError):
    """Too many failed sign-ins for this name or address: wait for the window to pass."""


@dataclass(frozen=True)
class Account:
    """A signed-in user, as the server sees one."""

    id: int
    name: str
    role: str
    partner: str | None

    def can(self, permission: str) -> bool:
        """Whether the account's role allows ``permission``.

        Parameters
        ----------
        permission : str
            A permission of :data:`PERMISSIONS`, e.g. ``case.write``.

        Returns
        -------
        bool
            True when the role has it.
        """
        return permission in PERMISSIONS.get(self.role, frozenset())


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _account(u: m.User) -> Account:
    return Account(u.id, u.name, u.role, u.partner)


def check_user_name(name: str) -> str:
    """An account name as given, if usable.

    Parameters
    ----------
    name : str
        1 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit.

    Returns
    -------
    str
        ``name``.

    Raises
    ------
    AccountError
        The name is not usable.
    """
    if not _NAME.match(name or ""):
        raise AccountError(
            f"{name!r} is not a usable account name: use 1 to 64 lower-case letters, digits, "
            "'.', '_' or '-', starting with a letter or digit (e.g. ana.ruiz)."
        )
    return name


def hash_password(password: str) -> str:
    """The argon2id hash of a password.

    Parameters
    ----------
    password : str
        At least :data:`MIN_PASSWORD` characters.

    Returns
    -------
    str
        The PHC string (``$argon2id$...``) with its salt and parameters.

    Raises
    ------
    AccountError
        The password is too short.
    """
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"The password is too short: use at least {MIN_PASSWORD} characters.")
    return _hasher.hash(password)


def add_user(store: Store, name: str, role: str, password: str, partner: str | None = None) -> int:
    """Create an account.

    Parameters
    ----------
    store : Store
            The open case store.
    name : str
        The account name (:func:`check_user_name`).
    role : str
        One of :data:`olfato.store.models.ROLES`.
    password : str
        The password (hashed with argon2id; never stored as given).
    partner : str, optional
        A partner account's code, e.g. ``MX``; only partner accounts have one.

    Returns
    -------
    int
        The new account's id.

    Raises
    ------
    AccountError
        A bad name, role, partner code or password, or the name is taken.
    """
    check_user_name(name)
    if role not in m.ROLES:
        raise AccountError(f"role is one of {', '.join(m.ROLES)}, not {role!r}.")
    if role == "partner":
        partner = (partner or "").strip().upper()
        if not _PARTNER.match(partner):
            raise AccountError(
                f"A partner account needs a partner code (letters, digits, '-', '_', e.g. MX), "
                f"not {partner!r}."
            )
    elif partner:
        raise AccountError(f"Only partner accounts have a partner code (role is {role!r}).")
    else:
        partner = None
    hashed = hash_password(password)
    try:
        with store.write() as s:
            u = m.User(
                name=name, role=role, partner=partner, password_hash=hashed, created_by=actor()
            )
            s.add(u)
            s.flush()
            record(s, "user.add", None, {"user": name, "role": role, "partner": partner})
            return u.id
    except IntegrityError as exc:
        raise AccountError(f"An account called {name!r} already exists; nothing changed.") from exc


def _get_user(s: object, name: str) -> m.User:
    from sqlalchemy.orm import Session

    assert isinstance(s, Session)
    if not _NAME.match(name or ""):
        raise AccountError(f"There is no account called {name!r}.")
    u = s.scalar(select(m.User).where(m.User.name == name))
    if u is None:
        raise AccountError(f"There is no account called {name!r}.")
    return u


def list_users(store: Store) -> list[m.User]:
    """Every account, by name.

    Parameters
    ----------
    store : Store
            The open case store.

    Returns
    -------
    list of olfato.store.models.User
        The accounts (their password hashes included: do not show them).
    """
    with store.read() as s:
        return list(s.scalars(select(m.User).order_by(m.User.name)))


def disable_user(store: Store, name: str) -> None:
    """Disable an account: its tokens and browser sessions stop working at once.

    Parameters
    ----------
    store : Store
            The open case store.
    name : str
        The account.
    """
    with store.write() as s:
        u = _get_user(s, name)
        u.disabled = True
        for row in s.scalars(select(m.BrowserSession).where(m.BrowserSession.user_id == u.id)):
            row.revoked = True
        for tok in s.scalars(select(m.ApiToken).where(m.ApiToken.user_id == u.id)):
            tok.revoked = True
        record(s, "user.disable", None, {"user": name})


def issue_token(store: Store, name: str) -> str:
    """A new bearer token for an account's scripts (shown once; only its SHA-256 is kept).

    Parameters
    ----------
    store : Store
            The open case store.
    name : str
        The account.

    Returns
    -------
    str
        The token, ``olf_`` and 43 URL-safe characters (256 random bits).

    Raises
    ------
    AccountError
        The account is disabled.
    """
    token = "olf_" + secrets.token_urlsafe(32)
    with store.write() as s:
        u = _get_user(s, name)
        if u.disabled:
            raise AccountError(f"The account {name!r} is disabled; no token issued.")
        s.add(m.ApiToken(user_id=u.id, token_sha256=_digest(token)))
        record(s, "user.token", None, {"user": name})
    return token


def account_for_token(store: Store, token: str) -> Account | None:
    """The account a bearer token belongs to.

    Parameters
    ----------
    store : Store
            The open case store.
    token : str
        The token as the client sent it.

    Returns
    -------
    Account or None
        None when the token is unknown or revoked, or the account disabled.
    """
    with store.read() as s:
        u = s.scalar(
            select(m.User)
            .join(m.ApiToken, m.ApiToken.user_id == m.User.id)
            .where(m.ApiToken.token_sha256 == _digest(token), m.ApiToken.revoked.is_(False))
        )
        return _account(u) if u is not None and not u.disabled else None


def _recent_failures(s: object, name: str, address: str, since: datetime) -> int:
    from sqlalchemy.orm import Session

    assert isinstance(s, Session)
    by_name = s.scalar(
        select(func.count(m.LoginAttempt.id)).where(
            m.LoginAttempt.name == name,
            m.LoginAttempt.success.is_(False),
            m.LoginAttempt.at >= since,
        )
    )
    by_address = s.scalar(
        select(func.count(m.LoginAttempt.id)).where(
            m.LoginAttempt.address == address,
            m.LoginAttempt.success.is_(False),
            m.LoginAttempt.at >= since,
        )
    )
    return max(int(by_name or 0), int(by_address or 0))


def sign_in(store: Store, name: str, password: str, address: str) -> tuple[Account, str]:
    """Check a name and password and open a browser session.

    A wrong name or password gets the same message for both, and an unknown name costs
    the same argon2 time as a known one. More than :data:`MAX_FAILURES` failures in
    :data:`FAILURE_WINDOW_S` for this name or this address refuse even the right password
    until the window passes. Every attempt is recorded and audited.

    Parameters
    ----------
    store : Store
            The open case store.
    name, password : str
        What the user typed.
    address : str
        The client's address (for the rate limit and the audit trail).

    Returns
    -------
    tuple of (Account, str)
        The account and the new session's secret id (for the cookie).

    Raises
    ------
    SignInLimited
        Too many failed attempts for this name or address.
    SignInError
        Wrong name or password, or a disabled account.
    """
    now = datetime.now(UTC)
    since = now - timedelta(seconds=FAILURE_WINDOW_S)
    # (NUL cannot be stored in PostgreSQL text; no account name holds one)
    name = (name or "").replace("\x00", "?")[:100]
    address = (address or "unknown").replace("\x00", "?")[:100]
    with store.write() as s:
        s.execute(delete(m.LoginAttempt).where(m.LoginAttempt.at < since))
        if _recent_failures(s, name, address, since) >= MAX_FAILURES:
            s.add(m.LoginAttempt(name=name, address=address, success=False))
            record(s, "user.signin.limited", None, {"user": name, "address": address})
            limited = True
        else:
            limited = False
            u = s.scalar(select(m.User).where(m.User.name == name))
    if limited:
        raise SignInLimited(
            f"Too many failed sign-ins; try again in {FAILURE_WINDOW_S // 60} minutes."
        )
    ok = False
    if u is not None:
        try:
            ok = _hasher.verify(u.password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
    else:
        _hasher.hash("spend-the-same-time")  # no faster answer for unknown names
    with store.write() as s:
        s.add(m.LoginAttempt(name=name, address=address, success=ok))
        if not ok or u is None:
            record(s, "user.signin.failed", None, {"user": name, "address": address})
            failed = True
        elif u.disabled:
            record(s, "user.signin.disabled", None, {"user": name, "address": address})
            failed = True
        else:
            failed = False
            session_id = secrets.token_urlsafe(32)
            s.add(
                m.BrowserSession(
                    user_id=u.id,
                    session_sha256=_digest(session_id),
                    expires_at=now + timedelta(seconds=SESSION_LIFETIME_S),
                )
            )
            record(s, "user.signin", None, {"user": name, "address": address})
    if failed or u is None:
        raise SignInError("Wrong account name or password, or the account is disabled.")
    return _account(u), session_id


def account_for_session(store: Store, session_id: str) -> Account | None:
    """The account of a live browser session.

    Parameters
    ----------
    store : Store
            The open case store.
    session_id : str
        The session's secret id, from the cookie.

    Returns
    -------
    Account or None
        None when the session is unknown, expired or revoked, or the account disabled.
    """
    with store.read() as s:
        row = s.scalar(
            select(m.BrowserSession).where(m.BrowserSession.session_sha256 == _digest(session_id))
        )
        if row is None or row.revoked:
            return None
        expires = row.expires_at
        if expires.tzinfo is None:  # SQLite returns naive UTC
            expires = expires.replace(tzinfo=UTC)
        if expires <= datetime.now(UTC):
            return None
        u = s.get(m.User, row.user_id)
        return _account(u) if u is not None and not u.disabled else None


def revoke_session(store: Store, session_id: str) -> bool:
    """Sign a browser session out.

    Parameters
    ----------
    store : Store
            The open case store.
    session_id : str
        The session's secret id.

    Returns
    -------
    bool
        True if there was a live session to end.
    """
    with store.write() as s:
        row = s.scalar(
            select(m.BrowserSession).where(m.BrowserSession.session_sha256 == _digest(session_id))
        )
        if row is None or row.revoked:
            return False
        row.revoked = True
        u = s.get(m.User, row.user_id)
        record(s, "user.signout", None, {"user": u.name if u else None})
        return True


def revoke_sessions(store: Store, name: str) -> int:
    """Sign every browser session of an account out.

    Parameters
    ----------
    store : Store
            The open case store.
    name : str
        The account.

    Returns
    -------
    int
        How many sessions were live.
    """
    with store.write() as s:
        u = _get_user(s, name)
        n = 0
        for row in s.scalars(
            select(m.BrowserSession).where(
                m.BrowserSession.user_id == u.id, m.BrowserSession.revoked.is_(False)
            )
        ):
            row.revoked = True
            n += 1
        record(s, "user.sessions.revoke", None, {"user": name, "n": n})
        return n


def csrf_token(session_id: str) -> str:
    """The CSRF token of a browser session.

    It is derived from the session's secret id, so only a page the server sent to that
    browser (which cannot read the HttpOnly cookie) knows it.

    Parameters
    ----------
    session_id : str
        The session's secret id.

    Returns
    -------
    str
        64 hex digits.
    """
    return hashlib.sha256(b"olfato-csrf:" + session_id.encode()).hexdigest()


def csrf_ok(session_id: str, token: str | None) -> bool:
    """Whether a request's CSRF token fits its session.

    Parameters
    ----------
    session_id : str
        The session's secret id.
    token : str or None
        The token the request carried.

    Returns
    -------
    bool
        True when it matches (compared in constant time).
    """
    return token is not None and secrets.compare_digest(csrf_token(session_id), token)
