"""`olfato report CASE` and `olfato share ...`: the case's products and the partner package."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from olfato import CAVEAT
from olfato.errors import OlfatoError
from olfato.options import CaseArg, WorkspaceOpt
from olfato.progress import console

ReleasableOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--releasable-to",
        help="Partner code(s) the products may be released to (repeat or comma-separate); "
        "products for release leave internal notes out.",
    ),
]


def report_command(
    case: CaseArg,
    lang: Annotated[str, typer.Option("--lang", help="en, es or both.")] = "both",
    fmt: Annotated[str, typer.Option("--format", help="html, pdf or both.")] = "pdf",
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Folder for the products (default: the workspace's)."),
    ] = None,
    releasable_to: ReleasableOpt = None,
    exports: Annotated[
        bool, typer.Option("--exports/--no-exports", help="Also write GeoJSON, KML and CSV.")
    ] = True,
    workspace: WorkspaceOpt = None,
) -> None:
    """Write CASE's intelligence report (case summary + a site report per suspect source)."""
    from olfato.report.make import make_exports, make_report
    from olfato.store.db import open_store

    with open_store(workspace) as store:
        products = make_report(
            store, case, lang=lang, fmt=fmt, out=out, releasable_to=releasable_to
        )
        if exports:
            products += make_exports(store, case, out=out, releasable_to=releasable_to)
        for p in products:
            rel = ", ".join(p.releasable_to) or "internal"
            typer.echo(
                f"{store.workspace.resolve(p.path)}  [{p.kind} {p.lang} v{p.version}; {rel}]"
            )
    console.print(CAVEAT, highlight=False)


share_app = typer.Typer(
    help="The partner package: make one for a partner, export the key partners verify with, "
    f"and verify a package. {CAVEAT}",
    no_args_is_help=True,
)


@share_app.command("package")
def package_command(
    case: CaseArg,
    releasable_to: Annotated[
        str, typer.Option("--releasable-to", help="The partner's code, e.g. MX.")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="The package (.zip) to write.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Make CASE's signed package of the products released to one partner."""
    from olfato.report import share
    from olfato.store.db import open_store

    with open_store(workspace) as store:
        product = share.build_package(store, case, releasable_to, out)
        typer.echo(f"{store.workspace.resolve(product.path)}")
        key = share.signing_key(store.workspace).public_key()
        console.print(
            f"signed with Ed25519 key fingerprint {share.fingerprint(key)}; the partner "
            "checks it against the key you gave them (`olfato share key`)",
            highlight=False,
            soft_wrap=True,
        )
    console.print(CAVEAT, highlight=False)


@share_app.command("key")
def key_command(
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Also copy the public key (PEM) here.")
    ] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Export the public key (Ed25519, PEM) partners verify this workspace's packages with."""
    from olfato.report import share
    from olfato.store.workspace import Workspace

    path = share.export_public_key(Workspace.locate(workspace))
    pub = share.load_public_key(path)
    if out is not None:
        if out.exists():
            raise OlfatoError(f"{out} already exists; not overwritten.")
        out.write_bytes(path.read_bytes())
        path = out
    typer.echo(f"{path}  (Ed25519, fingerprint {share.fingerprint(pub)})")


@share_app.command("verify")
def verify_command(
    package: Annotated[Path, typer.Argument(help="The package (.zip) to check.")],
    key: Annotated[
        Path | None,
        typer.Option(
            "--key",
            help="The producer's public key (PEM) you trust (default: this workspace's own key).",
        ),
    ] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Check a partner package's signature and every file's checksum."""
    from olfato.report import share
    from olfato.store.workspace import Workspace

    if key is None:
        own = Workspace.locate(workspace).keys_dir / share.PUBLIC_KEY
        if not own.exists():
            raise OlfatoError(
                "No trusted key: give the producer's public key (PEM file).",
                hint="They export it with `olfato share key --out FILE.pem`.",
                parameter="key",
            )
        key = own
    result = share.verify_package(package, share.load_public_key(key))
    typer.echo(result.message)
