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
    """A product by id.

    Parameters
    ----------
    store : Store
            The open case store.
    product_id : int
        The product.

    Returns
    -------
    olfato.store.models.Product
        Its row.

    Raises
    ------
    ReleaseError
        There is no such product.
    """
    with store.read() as s:
        p = s.get(m.Product, product_id)
        if p is None:
            raise ReleaseError(f"There is no product {product_id}.")
        return p


def made_for_release(p: m.Product) -> bool:
    """Whether a product leaves internal notes out: a partner package, the candidate
    exports, or a report rendered for release.

    Parameters
    ----------
    p : olfato.store.models.Product
        The product.

    Returns
    -------
    bool
        True when it may be given to a partner.
    """
    return (
        p.kind in ("package", "candidates") or (p.parameters or {}).get("internal_notes") is False
    )


def release_product(store: Store, product_id: int, partners: list[str]) -> m.Product:
    """Mark a product releasable to partner codes (a supervisor's act; audited).

    Parameters
    ----------
    store : Store
            The open case store.
    product_id : int
        The product.
    partners : list of str
        Partner codes, already checked (:func:`olfato.report.products.check_partners`).

    Returns
    -------
    olfato.store.models.Product
        The product with its new ``releasable_to``.

    Raises
    ------
    ReleaseError
        No partner named, no such product, or a product made for internal use.
    """
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
    """Every product released to a partner, with its case's name, newest first.

    Parameters
    ----------
    store : Store
            The open case store.
    partner : str
        The partner's code.

    Returns
    -------
    list of (olfato.store.models.Product, str)
        The products and their cases' names.
    """
    with store.read() as s:
        rows = s.execute(
            select(m.Product, m.Case.name)
            .join(m.Case, m.Case.id == m.Product.case_id)
            .order_by(m.Product.id.desc())
        ).all()
        return [(p, name) for p, name in rows if partner in (p.releasable_to or [])]
