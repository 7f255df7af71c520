"""`olfato report CASE` and `olfato share ...`: the case's products and the partner package."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from olfato import CAVEAT
from olfato.errors import OlfatoError
from olfato.progress import console
from olfato.store.cli import CaseArg, WorkspaceOpt

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


def share_command(
    target: Annotated[
        str,
        typer.Argument(
            help="CASE to package; or 'verify' to check a package; or 'key' to export the "
            "public key partners verify with."
        ),
    ],
    package: Annotated[
        Path | None, typer.Argument(help="With 'verify': the package (.zip) to check.")
    ] = None,
    releasable_to: Annotated[
        str | None, typer.Option("--releasable-to", help="The partner's code, e.g. MX.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="The package (.zip) or key file to write.")
    ] = None,
    key: Annotated[
        Path | None,
        typer.Option(
            "--key",
            help="With 'verify': the producer's public key (PEM) you trust "
            "(default: this workspace's own key).",
        ),
    ] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Make a signed partner package: `olfato share CASE --releasable-to CODE --out pkg.zip`;
    check one: `olfato share verify pkg.zip --key producer.pub.pem`."""
    from olfato.report import share
    from olfato.store.workspace import Workspace

    if target == "verify":
        if package is None:
            raise OlfatoError("Give the package to verify: `olfato share verify pkg.zip`.")
        ws = Workspace.locate(workspace)
        if key is None:
            own = ws.keys_dir / share.PUBLIC_KEY
            if not own.exists():
                raise OlfatoError(
                    "No trusted key: give the producer's public key with --key FILE.pem "
                    "(they export it with `olfato share key --out FILE.pem`)."
                )
            key = own
        result = share.verify_package(package, share.load_public_key(key))
        typer.echo(result.message)
        return
    if target == "key":
        path = share.export_public_key(Workspace.locate(workspace))
        pub = share.load_public_key(path)
        if out is not None:
            if out.exists():
                raise OlfatoError(f"{out} already exists; not overwritten.")
            out.write_bytes(path.read_bytes())
            path = out
        typer.echo(f"{path}  (Ed25519, fingerprint {share.fingerprint(pub)})")
        return
    if package is not None:
        raise OlfatoError(
            f"Unexpected argument {str(package)!r}: `olfato share CASE --releasable-to CODE "
            "--out pkg.zip`."
        )
    if not releasable_to or out is None:
        raise OlfatoError("Give the partner and the file: --releasable-to CODE --out pkg.zip.")
    from olfato.store.db import open_store

    with open_store(workspace) as store:
        product = share.build_package(store, target, releasable_to, out)
        typer.echo(f"{store.workspace.resolve(product.path)}")
    console.print(CAVEAT, highlight=False)
