"""The coordinators' list of stalled work: one item per missed deadline still waited on, not per level.

A sweep after a long gap records levels 1, 2 and 3 of one referral at once, in order; the list shows
them as one item at the highest level still waiting, with the deadline that was missed (not when the
sweep ran), how late the work is, the provider, and the chain so far (every level, with its status).
What its people do (acknowledge, resolve, hand over) applies to that highest level.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, tuple_

from engine.access import Actor, can_see_escalation
from engine.clock import Clock
from engine.domain import EscalationStatus, Role
from engine.store.models import CaseRow, EscalationRow, Organisation, ReferralRow
from engine.store.unit_of_work import UnitOfWork

WAITING = (EscalationStatus.OPEN, EscalationStatus.ACKNOWLEDGED)


@dataclass(frozen=True)
class ChainLevel:
    """One level of a missed deadline's chain: when it was due, when raised, where it stands."""

    escalation_id: int
    level: int
    due_at: datetime | None
    raised_at: datetime
    status: str


@dataclass(frozen=True)
class StalledItem:
    """One missed deadline still waited on, at its highest waiting level."""

    escalation_id: int  # the highest waiting level: what the actions apply to
    case_id: int
    case_reference: str
    referral_id: int | None
    sector: str | None
    provider: str | None
    reason: str
    level: int
    status: str
    deadline: datetime  # the deadline first missed (when unknown: when it was first raised)
    late: timedelta
    reassigned_to_id: int | None
    chain: tuple[ChainLevel, ...]
    case_organisation_id: int | None = None  # who handles it: the coordinators and this organisation's supervisors


def list_stalled(uow: UnitOfWork, clock: Clock, actor: Actor, limit: int = 100) -> list[StalledItem]:
    """The missed deadlines still waited on that the actor may see, the latest first."""
    key = (EscalationRow.case_id, EscalationRow.deadline_kind, EscalationRow.deadline_ref)
    waiting = (
        select(*key).where(EscalationRow.status.in_(WAITING))
        .join(CaseRow, CaseRow.id == EscalationRow.case_id)
        .outerjoin(ReferralRow, ReferralRow.id == EscalationRow.referral_id)
        .group_by(*key).order_by(key[0].desc()).limit(limit)
    )
    if not actor.has(Role.COORDINATOR):
        waiting = waiting.where(or_(CaseRow.organisation_id == actor.organisation_id,
                                    ReferralRow.provider_organisation_id == actor.organisation_id))
    now = clock.now()
    with uow:
        keys = [tuple(row) for row in uow.session.execute(waiting)]
        if not keys:
            return []
        rows = uow.session.execute(
            select(EscalationRow, CaseRow, ReferralRow, Organisation.name)
            .join(CaseRow, CaseRow.id == EscalationRow.case_id)
            .outerjoin(ReferralRow, ReferralRow.id == EscalationRow.referral_id)
            .outerjoin(Organisation, Organisation.id == ReferralRow.provider_organisation_id)
            .where(tuple_(*key).in_(keys))
            .order_by(EscalationRow.level, EscalationRow.id)
        ).all()
        chains: dict[tuple, list] = {}
        for escalation, case, referral, provider in rows:
            if can_see_escalation(actor, case, referral):
                chains.setdefault((escalation.case_id, escalation.deadline_kind, escalation.deadline_ref), []).append(
                    (escalation, case, referral, provider))
        items = [_item(chain, now) for chain in chains.values()]
    return sorted(items, key=lambda item: (-item.level, item.deadline))


def _item(chain: list, now: datetime) -> StalledItem:
    top, case, referral, provider = [entry for entry in chain if entry[0].status in WAITING][-1]
    dues = [escalation.due_at for escalation, *_ in chain if escalation.due_at is not None]
    deadline = min(dues) if dues else min(escalation.at for escalation, *_ in chain)
    return StalledItem(
        escalation_id=top.id,
        case_id=case.id,
        case_reference=case.reference,
        referral_id=top.referral_id,
        sector=referral.sector.value if referral is not None else None,
        provider=provider,
        reason=top.reason,
        level=top.level,
        status=top.status.value,
        deadline=deadline,
        late=max(now - deadline, timedelta(0)),
        reassigned_to_id=top.reassigned_to_id,
        chain=tuple(ChainLevel(e.id, e.level, e.due_at, e.at, e.status.value) for e, *_ in chain),
        case_organisation_id=case.organisation_id,
    )
