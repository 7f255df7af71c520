"""Releasing products to partners, and what a partner may see.

A supervisor marks a product releasable to partner codes. Only a product made for
release (rendered without internal notes: ``parameters["internal_notes"]`` false, as
``olfato report --releasable-to`` and the partner package make them) can be released;
an internal product would carry the agency's notes out. A partner sees exactly the
products whose ``releasable_to`` holds their code.
"""

from __future__ import annotations

from sqlalchemy import select

from olfato.errors import OlfatoError
from olfato.store import models as m
from olfato.store.audit import record
from olfato.store.db import Store


class ReleaseError(OlfatoError):
    """A product that cannot be released as asked."""


def get_product(store: Store, product_id: int) -> m.Product:
    with store.read() as s:
        p = s.get(m.Product, product_id)
        if p is None:
            raise ReleaseError(f"There is no product {product_id}.")
        return p


def made_for_release(p: m.Product) -> bool:
    """True when the product leaves internal notes out (a package, the candidate exports,
    a report rendered for release)."""
    return (
        p.kind in ("package", "candidates") or (p.parameters or {}).get("internal_notes") is False
    )


def release_product(store: Store, product_id: int, partners: list[str]) -> m.Product:
    """Add ``partners`` (already checked codes) to the product's ``releasable_to``."""
    if not partners:
        raise ReleaseError("Name at least one partner code to release the product to.")
    with store.write() as s:
        p = s.get(m.Product, product_id)
        if p is None:
            raise ReleaseError(f"There is no product {product_id}.")
        if not made_for_release(p):
            raise ReleaseError(
                f"Product {product_id} ({p.kind} {p.lang} v{p.version}) was made for internal "
                "use and may hold internal notes; make it again for release (with the "
                "partners named) and release that one."
            )
        p.releasable_to = sorted(set(p.releasable_to or []) | set(partners))
        record(
            s,
            "product.release",
            p.case_id,
            {"product_id": p.id, "releasable_to": p.releasable_to},
        )
        return p


def released_to(store: Store, partner: str) -> list[tuple[m.Product, str]]:
    """Every product released to ``partner``, with its case's name, newest first."""
    with store.read() as s:
        rows = s.execute(
            select(m.Product, m.Case.name)
            .join(m.Case, m.Case.id == m.Product.case_id)
            .order_by(m.Product.id.desc())
        ).all()
        return [(p, name) for p, name in rows if partner in (p.releasable_to or [])]


def record_plan(
    store: Store,
    case_id: int,
    survey_id: int | None,
    path: str,
    sha256: str,
    parameters: dict[str, object],
    created_by: str,
) -> int:
    """Record a next-flight plan file (workspace-relative ``path``) in a case."""
    with store.write() as s:
        row = m.Plan(
            case_id=case_id,
            survey_id=survey_id,
            path=path,
            sha256=sha256,
            parameters=dict(parameters),
            created_by=created_by,
        )
        s.add(row)
        s.flush()
        record(s, "plan.add", case_id, {"plan_id": row.id, "survey_id": survey_id})
        return row.id
