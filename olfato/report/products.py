"""Products: files made from a case, recorded with their checksum, version and releasability.

A product's file is never overwritten: each new one gets the next version number in
its name and is created exclusively; the store keeps its SHA-256 so later use (the
partner package) can tell if it changed.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from olfato.errors import OlfatoError
from olfato.store import models as m
from olfato.store.audit import record
from olfato.store.cases import get_case
from olfato.store.db import Store, lock_case
from olfato.store.workspace import FILE_MODE, actor, sha256_file

_PARTNER = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,31}$")


def check_partners(codes: list[str]) -> list[str]:
    """Partner codes (e.g. ``MX``, ``CO-FGN``), upper-cased; a malformed one is an error.

    Parameters
    ----------
    codes : list of str
        Codes, each possibly a comma-separated list (``["MX,CO-FGN"]``).

    Returns
    -------
    list of str
        The codes upper-cased, without repeats, sorted.

    Raises
    ------
    OlfatoError
        A code that is not 1-32 letters, digits, ``-`` or ``_``.
    """
    out = []
    for c in codes:
        for part in c.split(","):
            code = part.strip().upper()
            if not code:
                continue
            if not _PARTNER.match(code):
                raise OlfatoError(
                    f"{part!r} is not a partner code: use letters, digits, '-' or '_' "
                    "(e.g. MX or CO-FGN)."
                )
            out.append(code)
    return sorted(set(out))


def default_folder(store: Store, case_name: str) -> Path:
    """Where a case's products go when no folder is given.

    Parameters
    ----------
    store : Store
        The open case store.
    case_name : str
        The case.

    Returns
    -------
    pathlib.Path
        ``<workspace>/products/<case_name>``.
    """
    return store.workspace.products_dir / case_name


def next_version(store: Store, case_name: str, kind: str, lang: str, fmt: str) -> int:
    """The version the next product of a kind, language and format gets (1, 2, ...).

    Parameters
    ----------
    store : Store
        The open case store.
    case_name : str
        The case.
    kind : str
        Product kind (``report``, ``candidates``, ``package``).
    lang : str
        ``en``, ``es``, or ``""`` for products without a language.
    fmt : str
        File format (``pdf``, ``html``, ``geojson``...).

    Returns
    -------
    int
        One more than the highest recorded version.

    Raises
    ------
    CaseError
        No case has that name.
    """
    with store.read() as s:
        case = get_case(s, case_name)
        top = s.scalar(
            select(func.max(m.Product.version)).where(
                m.Product.case_id == case.id,
                m.Product.kind == kind,
                m.Product.lang == lang,
                m.Product.format == fmt,
            )
        )
    return int(top or 0) + 1


def product_path(
    folder: Path, case_name: str, kind: str, version: int, lang: str, fmt: str
) -> Path:
    """The file name of a product version: ``<case>.<kind>.v<version>[.<lang>].<fmt>``.

    Parameters
    ----------
    folder : pathlib.Path
        Folder of the file.
    case_name : str
        The case.
    kind : str
        Product kind.
    version : int
        Product version.
    lang : str
        Language, or ``""`` for none.
    fmt : str
        File format, the extension.

    Returns
    -------
    pathlib.Path
        The path (not created).
    """
    middle = f".{lang}" if lang else ""
    return folder / f"{case_name}.{kind}.v{version}{middle}.{fmt}"


def write_new(path: Path, data: bytes) -> Path:
    """Create ``path`` with ``data``; an existing file is never replaced.

    Parameters
    ----------
    path : pathlib.Path
        File to create; its folder is created as needed.
    data : bytes
        Its content.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    OlfatoError
        The file exists (``parameter="out"``); nothing is written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # owner only (0600): products can hold what a case knows
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
    except FileExistsError as exc:
        raise OlfatoError(
            f"{path} already exists; olfato never overwrites a product. Nothing was changed.",
            hint="Choose another output folder.",
            parameter="out",
        ) from exc
    return path


def record_products(
    store: Store,
    case_name: str,
    made: list[dict[str, Any]],
    *,
    action: str,
) -> list[m.Product]:
    """Record files made (dicts: kind, lang, format, version, path, releasable_to, run_ids,
    parameters) in one transaction with an audit event each.

    Parameters
    ----------
    store : Store
        The open case store.
    case_name : str
        The case.
    made : list of dict
        One per file, with the keys above; ``lang``, ``releasable_to``, ``run_ids``
        and ``parameters`` are optional.
    action : str
        Audit action of each event (``report.render``, ``export.write``).

    Returns
    -------
    list of olfato.store.models.Product
        The product rows, with the files' SHA-256 and size [bytes].

    Raises
    ------
    OlfatoError
        Another product of the same kind and version was recorded at the same time;
        nothing was recorded.
    """
    try:
        with store.write() as s:
            case = get_case(s, case_name)
            lock_case(s, case.id)
            rows = []
            for p in made:
                path = Path(p["path"]).resolve()
                row = m.Product(
                    case_id=case.id,
                    kind=p["kind"],
                    lang=p.get("lang", ""),
                    format=p["format"],
                    version=p["version"],
                    path=store.workspace.relative(path),
                    sha256=sha256_file(path),
                    size=path.stat().st_size,
                    releasable_to=list(p.get("releasable_to", [])),
                    run_ids=list(p.get("run_ids", [])),
                    parameters=dict(p.get("parameters", {})),
                    created_by=actor(),
                )
                s.add(row)
                s.flush()
                record(
                    s,
                    action,
                    case.id,
                    {
                        "product_id": row.id,
                        "kind": row.kind,
                        "lang": row.lang,
                        "format": row.format,
                        "version": row.version,
                        "releasable_to": row.releasable_to,
                    },
                )
                rows.append(row)
            return rows
    except IntegrityError as exc:
        raise OlfatoError(
            "Another product of the same kind was recorded at the same time; nothing was "
            "recorded for this one. Run the command again.",
        ) from exc
