"""Opening a case store: the engine, its migrations, and transactions that never half-write.

Every change happens in :meth:`Store.write`, one transaction that either commits
whole or leaves the store as it was (a process killed half-way included: SQLite's
journal and PostgreSQL's WAL roll an unfinished transaction back). Two writers at
once are serialised: on SQLite every transaction starts with ``BEGIN IMMEDIATE``
(the second writer waits for the first, up to :data:`BUSY_TIMEOUT_S`); on
PostgreSQL the writer locks the case's row (``SELECT ... FOR UPDATE``) before it
numbers new versions, and unique constraints stop any duplicate that slips past.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from olfato.errors import OlfatoError
from olfato.store.workspace import Workspace

#: how long a writer waits for another to finish [s]
BUSY_TIMEOUT_S = 60.0


class StoreError(OlfatoError):
    """The case store cannot be opened or used."""


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _describe(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unreadable URL)"


class Store:
    """An open case store: ``with store.write() as session: ...`` to change it.

    Opening it creates the SQLite file (or connects to PostgreSQL) and migrates the
    schema to the newest revision.

    Parameters
    ----------
    workspace : Workspace
        Where the store lives and its database URL.

    Raises
    ------
    StoreError
        A URL that is not a database URL, a database other than SQLite or
        PostgreSQL, a missing driver, or a database that cannot be reached.
    """

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        url = workspace.database_url
        try:
            self.dialect = make_url(url).get_backend_name()
        except ArgumentError as exc:
            raise StoreError(
                f"OLFATO_DATABASE_URL is not a database URL: {url!r}",
                hint="Use e.g. postgresql+psycopg://user:password@host:5432/olfato, or unset it "
                "for the workspace's SQLite database.",
            ) from exc
        try:
            if self.dialect == "sqlite":
                workspace.secure()
                self.engine = _sqlite_engine(url)
            elif self.dialect == "postgresql":
                workspace.secure()  # surveys and products stay in the local workspace
                if make_url(url).drivername == "postgresql":
                    url = str(make_url(url).set(drivername="postgresql+psycopg"))
                self.engine = create_engine(url, pool_pre_ping=True)
            else:
                raise StoreError(
                    f"The case store runs on SQLite or PostgreSQL, not {self.dialect!r} "
                    f"({_describe(url)})."
                )
        except (NoSuchModuleError, ImportError) as exc:
            raise StoreError(f"No database driver for {_describe(url)}: {exc}") from exc
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._migrate()

    # -- opening ---------------------------------------------------------------------
    def _migrate(self) -> None:
        from olfato.store.migrate import upgrade

        try:
            if self.dialect == "sqlite":
                lock = self.workspace.root / ".migrate.lock"
                with open(lock, "a") as f:
                    fcntl.flock(f, fcntl.LOCK_EX)
                    upgrade(self.engine)
            else:
                upgrade(self.engine)
        except OperationalError as exc:
            raise StoreError(
                f"Cannot reach the case database {_describe(self.workspace.database_url)}: "
                f"{_first_line(exc)}",
                hint="Check that the server is running and OLFATO_DATABASE_URL is right, or "
                "unset OLFATO_DATABASE_URL to use the workspace's SQLite database.",
            ) from exc

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions ----------------------------------------------------------------
    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction that commits whole on success and rolls back on any error.

        Yields
        ------
        sqlalchemy.orm.Session
            The session of the transaction.

        Raises
        ------
        StoreError
            Another writer held the store past :data:`BUSY_TIMEOUT_S`, or the database
            failed; nothing was changed.
        """
        try:
            with self._sessions() as session, session.begin():
                yield session
        except (OperationalError, DBAPIError) as exc:
            if isinstance(exc.orig, Exception) and "locked" in str(exc.orig):
                raise StoreError(
                    f"The case store is busy: another writer held it for over "
                    f"{BUSY_TIMEOUT_S:.0f} s. Nothing was changed; try again.",
                ) from exc
            if isinstance(exc, OperationalError):
                raise StoreError(
                    f"The case database failed: {_first_line(exc)}. Nothing was changed."
                ) from exc
            raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; objects read stay usable after it closes.

        Yields
        ------
        sqlalchemy.orm.Session
            A session; it is closed when the block ends.
        """
        with self._sessions() as session:
            yield session


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__


def open_store(workspace: Path | str | None = None, database_url: str | None = None) -> Store:
    """Open (creating and migrating as needed) the store of a workspace.

    Parameters
    ----------
    workspace : pathlib.Path or str, optional
        Workspace folder; see :meth:`Workspace.locate` for the default.
    database_url : str, optional
        SQLAlchemy URL of a PostgreSQL database; the workspace's SQLite file when None.

    Returns
    -------
    Store
        The open store; close it (or use it as a context manager) when done.

    Raises
    ------
    StoreError
        The store cannot be opened (see :class:`Store`).
    """
    return Store(Workspace.locate(workspace, database_url))


def lock_case(session: Session, case_id: int) -> None:
    """Serialise writers of one case (PostgreSQL row lock; SQLite's BEGIN IMMEDIATE does it).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The open write transaction.
    case_id : int
        The case whose row to lock until the transaction ends.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT id FROM cases WHERE id = :i FOR UPDATE"), {"i": case_id})
