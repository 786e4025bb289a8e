"""What a coordinator (or a supervisor, for their organisation) must look at now.

The attention page used to list only cases whose workflow step had failed (`needs_attention`), so
it stayed empty while escalations were open and an emergency referral had been declined: those
live in the escalation and referral records, which it never read. It now lists, besides failed
steps: open escalations (one line per stalled referral or late task, at its highest level), declined
emergency referrals not followed by another referral for the same need, and consent overrides
waiting for a supervisor's decision, and needs recorded as unmet in the last 30 days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, not_, select
from sqlalchemy.orm import aliased

from engine.access import Actor, can_list_cases_needing_attention, can_view_case
from engine.clock import Clock
from engine.domain import EscalationStatus, Priority, ReferralState, Role
from engine.errors import AccessDenied
from engine.services.cases.lifecycle import CaseAttention, list_cases_needing_attention
from engine.store.models import CaseRow, ConsentRow, EscalationRow, Organisation, ReferralRow, UnmetNeedRow
from engine.store.unit_of_work import UnitOfWork

DECLINED_LOOKBACK = timedelta(days=30)
LIMIT = 200


@dataclass(frozen=True)
class AttentionItem:
    case_reference: str
    since: datetime | None
    sector: str | None = None
    provider: str | None = None
    level: int | None = None
    reason: str | None = None


@dataclass(frozen=True)
class AttentionList:
    failed_steps: list[CaseAttention]
    stalled: list[AttentionItem]  # open escalations, one line per referral or task, highest level
    declined_emergencies: list[AttentionItem]
    overrides_waiting: list[AttentionItem]
    unmet_needs: list[AttentionItem]  # recorded in the last 30 days

    @property
    def empty(self) -> bool:
        return not (self.failed_steps or self.stalled or self.declined_emergencies or self.overrides_waiting
                    or self.unmet_needs)


def list_attention(uow: UnitOfWork, clock: Clock, actor: Actor) -> AttentionList:
    """Everything waiting for a coordinator's (or supervisor's) attention that the reader may open."""
    if not can_list_cases_needing_attention(actor):
        raise AccessDenied(f"{actor.username} may not list cases needing attention")
    failed = list_cases_needing_attention(uow, actor)
    own = None if actor.has(Role.COORDINATOR) else actor.organisation_id
    with uow:
        session = uow.session
        return AttentionList(
            failed_steps=failed,
            stalled=_stalled(session, actor, own),
            declined_emergencies=_declined_emergencies(session, actor, own, clock.now() - DECLINED_LOOKBACK),
            overrides_waiting=_overrides_waiting(session, actor, own),
            unmet_needs=_unmet_needs(session, actor, own, clock.now() - DECLINED_LOOKBACK),
        )


def _visible(query, own: int | None):
    return query.where(CaseRow.organisation_id == own) if own is not None else query


def _stalled(session, actor: Actor, own: int | None) -> list[AttentionItem]:
    waiting = (EscalationStatus.OPEN, EscalationStatus.ACKNOWLEDGED)
    # One line per deadline (referral or task): its highest open level, since its first.
    query = _visible(
        select(CaseRow, EscalationRow.deadline_kind, EscalationRow.deadline_ref, func.max(EscalationRow.level),
               func.min(EscalationRow.at), func.max(EscalationRow.referral_id), func.max(EscalationRow.reason))
        .join(CaseRow, CaseRow.id == EscalationRow.case_id)
        .where(EscalationRow.status.in_(waiting))
        .group_by(CaseRow.id, EscalationRow.deadline_kind, EscalationRow.deadline_ref),
        own,
    ).order_by(func.max(EscalationRow.level).desc(), func.min(EscalationRow.at)).limit(LIMIT)
    rows = session.execute(query).all()
    referral_ids = [row[5] for row in rows if row[5] is not None]
    referrals = {
        r.id: (r.sector.value, name)
        for r, name in session.execute(
            select(ReferralRow, Organisation.name)
            .outerjoin(Organisation, Organisation.id == ReferralRow.provider_organisation_id)
            .where(ReferralRow.id.in_(referral_ids))
        )
    } if referral_ids else {}
    items = []
    for case, _kind, _ref, level, since, referral_id, reason in rows:
        if not can_view_case(actor, case):
            continue
        sector, provider = referrals.get(referral_id, (None, None))
        items.append(AttentionItem(case.reference, since, sector, provider, level, reason))
    return items


def declined_emergencies_statement(own: int | None, after: datetime):
    """Emergencies declined since `after` and not sent elsewhere since (benchmarks print its plan)."""
    later = aliased(ReferralRow)
    followed = (
        select(later.id)
        .where(later.case_id == ReferralRow.case_id, later.sector == ReferralRow.sector, later.id > ReferralRow.id,
               later.state.not_in((ReferralState.DECLINED, ReferralState.REVOKED, ReferralState.EXPIRED)))
        .exists()
    )
    return _visible(
        select(CaseRow, ReferralRow, Organisation.name)
        .join(CaseRow, CaseRow.id == ReferralRow.case_id)
        .outerjoin(Organisation, Organisation.id == ReferralRow.provider_organisation_id)
        .where(ReferralRow.priority == Priority.EMERGENCY, ReferralRow.state == ReferralState.DECLINED,
               ReferralRow.updated_at >= after, not_(followed)),
        own,
    ).order_by(ReferralRow.updated_at).limit(LIMIT)


def _declined_emergencies(session, actor: Actor, own: int | None, after: datetime) -> list[AttentionItem]:
    query = declined_emergencies_statement(own, after)
    return [
        AttentionItem(case.reference, referral.decided_at or referral.updated_at, referral.sector.value, name,
                      reason=referral.decline_reason)
        for case, referral, name in session.execute(query)
        if can_view_case(actor, case)
    ]


def _overrides_waiting(session, actor: Actor, own: int | None) -> list[AttentionItem]:
    query = _visible(
        select(CaseRow, ConsentRow.recorded_at)
        .join(CaseRow, CaseRow.id == ConsentRow.case_id)
        .where(and_(ConsentRow.is_override.is_(True), ConsentRow.override_approved_at.is_(None),
                    ConsentRow.withdrawn_at.is_(None))),
        own,
    ).order_by(ConsentRow.recorded_at).limit(LIMIT)
    return [AttentionItem(case.reference, at) for case, at in session.execute(query) if can_view_case(actor, case)]


def _unmet_needs(session, actor: Actor, own: int | None, after: datetime) -> list[AttentionItem]:
    query = _visible(
        select(CaseRow, UnmetNeedRow.sector, UnmetNeedRow.reason, UnmetNeedRow.recorded_at)
        .join(CaseRow, CaseRow.id == UnmetNeedRow.case_id)
        .where(UnmetNeedRow.recorded_at >= after),
        own,
    ).order_by(UnmetNeedRow.recorded_at.desc()).limit(LIMIT)
    return [
        AttentionItem(case.reference, at, sector.value, reason=reason.value)
        for case, sector, reason, at in session.execute(query)
        if can_view_case(actor, case)
    ]
