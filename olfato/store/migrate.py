"""Alembic migrations run from the installed package, with no alembic.ini.

:func:`upgrade` brings a database to the newest schema; a store does it on opening.
On PostgreSQL an advisory lock keeps two processes from migrating at once (SQLite's
caller holds a file lock, :class:`olfato.store.db.Store`).
"""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

#: advisory lock key for migrations on PostgreSQL (any fixed number)
_PG_LOCK = 0x6F6C6661


def alembic_config() -> Config:
    """The Alembic configuration of olfato's migrations, without an alembic.ini.

    Returns
    -------
    alembic.config.Config
        A configuration whose ``script_location`` is the installed
        ``olfato/store/migrations`` folder.
    """
    cfg = Config()
    cfg.set_main_option("script_location", str(files("olfato.store") / "migrations"))
    return cfg


def head_revision() -> str:
    """The newest schema revision the installed package knows.

    Returns
    -------
    str
        Alembic revision id.
    """
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The schema revision a database is at.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        Engine of the database.

    Returns
    -------
    str or None
        Alembic revision id; None for a database never migrated.
    """
    with engine.connect() as conn:
        rev = MigrationContext.configure(conn).get_current_revision()
        conn.rollback()
        return rev


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database of ``engine`` to ``revision`` (no-op when already there).

    Parameters
    ----------
    engine : sqlalchemy.Engine
        Engine of the database.
    revision : str, default "head"
        Target Alembic revision.
    """
    if revision == "head" and current_revision(engine) == head_revision():
        return
    cfg = alembic_config()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
