"""Dead-lettered deliveries: what admins see, and how they send one again once the cause is fixed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from engine.clock import Clock
from engine.domain import DeliveryChannel, DeliveryStatus
from engine.errors import Conflict, NotFound
from engine.store.models import DeliveryRow, OutboxRow
from engine.store.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class DeadLetter:
    """A delivery that was given up, with its last error."""

    delivery_id: int
    outbox_id: int
    event: str
    case_reference: str | None
    channel: DeliveryChannel
    recipient_user_id: int | None
    attempts: int
    last_error: str | None
    created_at: datetime


def dead_letters(uow_factory: Callable[[], UnitOfWork], limit: int = 100) -> list[DeadLetter]:
    """The most recent dead letters first."""
    with uow_factory() as uow:
        rows = uow.session.execute(
            select(DeliveryRow, OutboxRow.event_type, OutboxRow.payload)
            .join(OutboxRow, OutboxRow.id == DeliveryRow.outbox_id)
            .where(DeliveryRow.status == DeliveryStatus.DEAD)
            .order_by(DeliveryRow.created_at.desc(), DeliveryRow.id.desc())
            .limit(limit)
        ).all()
        return [
            DeadLetter(
                delivery_id=row.id,
                outbox_id=row.outbox_id,
                event=event,
                case_reference=reference if isinstance(reference := (payload or {}).get("case_reference"), str) else None,
                channel=row.channel,
                recipient_user_id=row.recipient_user_id,
                attempts=row.attempts,
                last_error=row.last_error,
                created_at=row.created_at,
            )
            for row, event, payload in rows
        ]


def retry_dead_letter(uow_factory: Callable[[], UnitOfWork], delivery_id: int, clock: Clock) -> None:
    """Make a dead delivery due now for one more attempt (dead-lettered again if that one fails)."""
    with uow_factory() as uow:
        row = uow.session.get(DeliveryRow, delivery_id)
        if row is None:
            raise NotFound(f"delivery {delivery_id} does not exist")
        if row.status is not DeliveryStatus.DEAD:
            raise Conflict(f"delivery {delivery_id} is {row.status.value}, not dead-lettered")
        row.status = DeliveryStatus.PENDING
        row.next_attempt_at = clock.now()
        uow.commit()
