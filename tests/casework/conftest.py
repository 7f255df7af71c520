"""The store fixtures (SQLite and PostgreSQL) of tests/store, for casework's tests."""

from tests.store.conftest import analysis, postgres_server, store, workspace

__all__ = ["analysis", "postgres_server", "store", "workspace"]
