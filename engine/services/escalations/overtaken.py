"""Escalations that follow their step: once what a referral's escalation is about is done, it closes.

An escalation waits on a step: the acknowledgement of a referral, or its service. When that step
is done (acknowledged, decided, delivered or not, declined, redirected, revoked with the consent)
the escalations still open or acknowledged for it close as `overtaken`, with the time
(`resolved_at`, no one named): a coordinator's list never shows a level for work already done.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from engine.domain import DeadlineKind, EscalationStatus
from engine.domain.referral_states import ReferralState
from engine.store.models import EscalationRow, ReferralRow

# Leaving these states, the acknowledgement was given (or is no longer awaited): its chain is over.
_PAST_ACKNOWLEDGEMENT = frozenset({ReferralState.ACKNOWLEDGED, ReferralState.ACCEPTED, ReferralState.APPOINTMENT_BOOKED})
_STILL_WAITING = frozenset({EscalationStatus.OPEN, EscalationStatus.ACKNOWLEDGED})


def overtaken_kinds(state: ReferralState) -> frozenset[DeadlineKind]:
    """The deadlines of a referral that a move to `state` has met (or made moot)."""
    if state.is_final:
        return frozenset({DeadlineKind.REFERRAL_ACK, DeadlineKind.REFERRAL_SERVICE})
    if state in _PAST_ACKNOWLEDGEMENT:
        return frozenset({DeadlineKind.REFERRAL_ACK})
    return frozenset()


def close_overtaken(session, referral: ReferralRow, now: datetime) -> list[int]:
    """Close the referral's waiting escalations that its current state has overtaken; their ids."""
    kinds = overtaken_kinds(referral.state)
    if referral.id is None or not kinds:
        return []
    closed = session.execute(
        update(EscalationRow)
        .where(EscalationRow.referral_id == referral.id,
               EscalationRow.deadline_kind.in_(sorted(kinds)),
               EscalationRow.status.in_(sorted(_STILL_WAITING)))
        .values(status=EscalationStatus.OVERTAKEN, resolved_at=now)
        .returning(EscalationRow.id)
        .execution_options(synchronize_session=False)
    ).scalars().all()
    return sorted(closed)
