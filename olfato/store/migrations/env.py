"""Alembic environment: runs on the connection olfato passes in (olfato.store.migrate)."""

from __future__ import annotations

from alembic import context

from olfato.store.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - olfato always passes one
    raise RuntimeError("run olfato's migrations through olfato.store.migrate.upgrade()")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
