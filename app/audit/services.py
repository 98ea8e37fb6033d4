"""The audit log of administrative actions: written inside the action's own transaction."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.auth.models import User
from app.extensions import db


def record(actor_id: int | None, action: str, target_type: str, target_id: Any, target_label: str, *,
           now: datetime, **details: Any) -> None:
    """Add an event to the current unit of work (call inside write_transaction)."""
    actor = db.session.get(User, actor_id) if actor_id else None
    db.session.add(AuditEvent(
        actor_id=actor_id, actor_label=f"{actor.display_name} <{actor.email}>" if actor else "system",
        action=action, target_type=target_type, target_id=str(target_id) if target_id is not None else None,
        target_label=target_label[:300], details={k: v for k, v in details.items() if v is not None}, created_at=now,
    ))


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    actor: str = ""
    target: str = ""
    since: date | None = None
    until: date | None = None


def events(flt: AuditFilter, *, limit: int = 500) -> list[AuditEvent]:
    stmt = sa.select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(limit)
    if flt.action:
        stmt = stmt.where(AuditEvent.action == flt.action)
    if flt.actor:
        stmt = stmt.where(sa.func.lower(AuditEvent.actor_label).contains(flt.actor.lower(), autoescape=True))
    if flt.target:
        stmt = stmt.where(sa.func.lower(AuditEvent.target_label).contains(flt.target.lower(), autoescape=True))
    if flt.since:
        stmt = stmt.where(AuditEvent.created_at >= datetime.combine(flt.since, time.min, tzinfo=UTC))
    if flt.until and flt.until < date.max:  # the day after 9999-12-31 does not exist: no upper bound
        stmt = stmt.where(AuditEvent.created_at < datetime.combine(flt.until + timedelta(days=1), time.min,
                                                                   tzinfo=UTC))
    return list(db.session.scalars(stmt))


def actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).distinct().order_by(AuditEvent.action)))
