"""`olfato serve` (the team server) and `olfato user ...` (its accounts)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from olfato.errors import OlfatoError
from olfato.progress import console
from olfato.store.cli import WorkspaceOpt

user_app = typer.Typer(
    help="Accounts of the team server: analyst, supervisor, partner (with a partner code) "
    "or admin.",
    no_args_is_help=True,
)


def _password(stdin: bool) -> str:
    if stdin or not sys.stdin.isatty():
        line = sys.stdin.readline().rstrip("\n")
        if not line:
            raise OlfatoError("No password on standard input.")
        return line
    first = typer.prompt("Password", hide_input=True)
    if typer.prompt("Again", hide_input=True) != first:
        raise OlfatoError("The two passwords differ; no account was made.")
    return str(first)


@user_app.command("add")
def add_command(
    name: Annotated[str, typer.Argument(help="Account name, e.g. ana.ruiz.")],
    role: Annotated[
        str, typer.Option("--role", help="analyst, supervisor, partner or admin.")
    ] = "analyst",
    partner: Annotated[
        str | None, typer.Option("--partner", help="A partner account's code, e.g. MX.")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Add an account; the password is asked for (or read from standard input)."""
    from olfato.store.accounts import add_user
    from olfato.store.db import open_store

    password = _password(password_stdin)
    with open_store(workspace) as store:
        add_user(store, name, role, password, partner)
    console.print(
        f"account {name} ({role}{' ' + partner if partner else ''}) added", highlight=False
    )


@user_app.command("token")
def token_command(
    name: Annotated[str, typer.Argument(help="The account.")], workspace: WorkspaceOpt = None
) -> None:
    """Print a new bearer token for NAME's scripts (shown once; keep it secret)."""
    from olfato.store.accounts import issue_token
    from olfato.store.db import open_store

    with open_store(workspace) as store:
        typer.echo(issue_token(store, name))


@user_app.command("list")
def list_command(workspace: WorkspaceOpt = None) -> None:
    """List the accounts."""
    from rich.console import Console
    from rich.table import Table

    from olfato.store.accounts import list_users
    from olfato.store.db import open_store

    with open_store(workspace) as store:
        users = list_users(store)
    t = Table(title="Accounts")
    for col in ("name", "role", "partner", "disabled", "created (UTC)"):
        t.add_column(col)
    for u in users:
        t.add_row(
            u.name, u.role, u.partner or "", "yes" if u.disabled else "", str(u.created_at)[:16]
        )
    Console().print(t)


@user_app.command("disable")
def disable_command(
    name: Annotated[str, typer.Argument(help="The account.")], workspace: WorkspaceOpt = None
) -> None:
    """Disable NAME: its tokens and browser sessions stop working at once."""
    from olfato.store.accounts import disable_user
    from olfato.store.db import open_store

    with open_store(workspace) as store:
        disable_user(store, name)
    console.print(f"account {name} disabled", highlight=False)


def serve_command(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option("--jobs", help="Processes for background jobs (detect, locate...).")
    ] = 2,
    tiles: Annotated[
        str | None,
        typer.Option(
            "--tiles",
            help="Optional base map: a tile URL template (https://host/{z}/{x}/{y}.png) or a "
            "local .mbtiles file. None by default (no internet needed).",
        ),
    ] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Run the team server: the API (/docs) and the web UI, on the workspace's store."""
    import uvicorn

    from olfato.server.app import create_app

    app = create_app(workspace, workers=workers, tiles=tiles)
    console.print(
        f"olfato server on http://{host}:{port}/ (API docs at /docs); store "
        f"{app.state.store.workspace.root}",
        highlight=False,
    )
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=True)
