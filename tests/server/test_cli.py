"""`olfato user ...`: accounts from the command line (password from standard input)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from olfato.cli import app
from olfato.store.accounts import account_for_token
from olfato.store.db import open_store


def test_user_add_token_list_disable(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws")
    run = CliRunner().invoke
    r = run(app, ["user", "add", "root", "--role", "admin", "-w", ws], input="admin-password-1\n")
    assert r.exit_code == 0, r.output
    r = run(
        app,
        ["user", "add", "mx", "--role", "partner", "--partner", "mx", "-w", ws],
        input="partner-password-1\n",
    )
    assert r.exit_code == 0, r.output
    r = run(app, ["user", "add", "x", "--role", "boss", "-w", ws], input="long-password-1\n")
    assert r.exit_code == 1 and "role is one of" in r.output
    r = run(app, ["user", "add", "y", "-w", ws], input="short\n")
    assert r.exit_code == 1 and "too short" in r.output
    r = run(app, ["user", "token", "mx", "-w", ws])
    token = r.output.strip()
    assert r.exit_code == 0 and token.startswith("olf_")
    with open_store(ws) as store:
        acc = account_for_token(store, token)
        assert acc is not None and acc.role == "partner" and acc.partner == "MX"
    r = run(app, ["user", "list", "-w", ws])
    assert "root" in r.output and "MX" in r.output
    assert run(app, ["user", "disable", "mx", "-w", ws]).exit_code == 0
    with open_store(ws) as store:
        assert account_for_token(store, token) is None
    r = run(app, ["user", "disable", "nobody", "-w", ws])
    assert r.exit_code == 1 and "no account" in r.output
