"""The audit trail: who did what when, written in the same transaction as the change."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from olfato.store import models as m
from olfato.store.workspace import actor


def record(session: Session, action: str, case_id: int | None, detail: dict[str, Any]) -> None:
    """Add an audit event (``action`` like ``survey.add``) to the open transaction.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The open write transaction of the change being audited.
    action : str
        What was done, ``noun.verb`` (``survey.add``, ``note.add``).
    case_id : int or None
        The case concerned; None for store-wide actions.
    detail : dict
        JSON-serialisable facts about the change (ids, names, versions).
    """
    session.add(m.AuditEvent(actor=actor(), action=action, case_id=case_id, detail=detail))
