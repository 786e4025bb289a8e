"""Referrals as their readers see them: lists for case staff, coordinators and providers, and one referral
with only the personal data it shares.

A provider focal point sees the referrals addressed to their organisation and, of the person's data,
only the fields recorded on the referral when it was sent (`shared_fields`: what the pathway's sharing
rule gives the consent's scope for that sector, see engine.services.referrals.sharing), and only until
a set time after the referral closed. Everyone else who may see a referral sees it through its case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import defer

from engine.access import CASE_STAFF_ROLES, Actor, can_answer_referral, can_view_referral
from engine.clock import Clock
from engine.domain import ReferralState, Role, TaskState
from engine.errors import InvalidData, NotFound
from engine.field_problems import not_a_choice
from engine.services.accounts.known_people import Who, organisations_named_by_case, people_known_to
from engine.services.referrals.sharing import ACCESS_ENDS_AT_ONCE, provider_access_ended, sharing_rule
from engine.store.models import AuditEntry, CaseRow, CaseSummaryRow, Organisation, ReferralRow, TaskRow
from engine.store.unit_of_work import UnitOfWork
from engine.store.write_lock import lock_for_writing


@dataclass(frozen=True)
class ReferralSummary:
    """A referral in a list (no personal data)."""

    id: int
    case_id: int
    case_reference: str
    sector: str
    priority: str
    state: str
    provider_organisation_id: int | None
    provider: str | None
    sent_at: datetime | None
    acknowledged_at: datetime | None
    decided_at: datetime | None
    appointment_at: datetime | None
    outcome_at: datetime | None
    closed_at: datetime | None
    decline_reason: str | None
    escalation_level: int


@dataclass(frozen=True)
class ReferralStep:
    """A step of the provider's on a referral, done: which, when, and by whom as the reader may know them."""

    bpmn_id: str
    name: str  # as drawn; pages say it in the reader's language
    completed_at: datetime
    by: Who


@dataclass(frozen=True)
class ReferralDetail(ReferralSummary):
    """One referral with the person's data it shares, and only that."""

    shared_fields: tuple[str, ...]
    shared_data: dict[str, Any]
    outcome_note: str | None
    # When the provider stops reading the person's data (a set time after the referral closed).
    personal_data_until: datetime | None = None
    personal_data_ended: bool = False
    # Who sent it, so that the provider can call back: organisation, person, email (None where unknown).
    referred_by: tuple[str | None, str | None, str | None] = (None, None, None)
    # What the referral asks (the send form's fields: service requested, reason, safety considerations).
    request: dict[str, Any] | None = None
    # What the provider wrote with its decision (the provider it suggests instead, the appointment).
    answer: dict[str, Any] | None = None
    # The provider's steps done on it (acknowledged, decided, reported), oldest first.
    steps: tuple[ReferralStep, ...] = ()


def referral_list_statement(actor: Actor, limit: int, offset: int):
    """The query of the actor's referral list, most recently changed first (None: the actor sees none)."""
    statement = (
        # The saved workflow is not listed: do not read it.
        select(ReferralRow, CaseRow, Organisation.name)
        .join(CaseRow, CaseRow.id == ReferralRow.case_id)
        .outerjoin(Organisation, Organisation.id == ReferralRow.provider_organisation_id)
        .options(defer(CaseRow.workflow_json))
        .order_by(ReferralRow.updated_at.desc(), ReferralRow.id.desc())
        .limit(limit)
        .offset(offset)
    )
    if not actor.has(Role.COORDINATOR):
        mine = []
        if actor.has(Role.PROVIDER_FOCAL_POINT):
            mine.append(ReferralRow.provider_organisation_id == actor.organisation_id)
        if actor.roles & CASE_STAFF_ROLES:
            mine.append(CaseRow.organisation_id == actor.organisation_id)
        if not mine:
            return None
        statement = statement.where(or_(*mine))
    return statement


def list_referrals(uow: UnitOfWork, actor: Actor, state: str | None = None, limit: int = 50,
                   offset: int = 0) -> list[ReferralSummary]:
    """The referrals the actor may see, most recently changed first."""
    if not actor.active:
        return []
    statement = referral_list_statement(actor, limit, offset)
    if statement is None:
        return []
    if state is not None:
        try:
            statement = statement.where(ReferralRow.state == ReferralState(state))
        except ValueError:
            raise InvalidData(f"unknown referral state {state!r}", {"state": [not_a_choice(ReferralState, "unknown referral state")]}) from None
    with uow:
        return [
            _summary(referral, case, provider)
            for referral, case, provider in uow.session.execute(statement)
            if can_view_referral(actor, referral, case)
        ]


def show_referral(uow: UnitOfWork, clock: Clock, referral_id: int, actor: Actor) -> ReferralDetail:
    """One referral and the personal data it shares (NotFound unless the actor may see it); the read is audited."""
    with uow:
        lock_for_writing(uow)
        found = uow.session.execute(
            select(ReferralRow, CaseRow, Organisation.name)
            .join(CaseRow, CaseRow.id == ReferralRow.case_id)
            .outerjoin(Organisation, Organisation.id == ReferralRow.provider_organisation_id)
            .options(defer(CaseRow.workflow_json))
            .where(ReferralRow.id == referral_id)
        ).first()
        if found is None or not can_view_referral(actor, found[0], found[1]):
            raise NotFound(f"referral {referral_id} does not exist or is not yours to see")
        referral, case, provider = found
        now = clock.now()
        rule = sharing_rule(uow.session, case.pathway_version_id)
        # The provider reads what the referral shares, until its access ends; the case's own staff
        # read the same fields (the rest is on the case) and keep them.
        as_provider = actor.organisation_id == referral.provider_organisation_id
        ended = as_provider and provider_access_ended(referral, rule, now)
        shared = () if ended else tuple(referral.shared_fields or ())
        # The values as the case's last step left them (its summary row): the workflow stays unread.
        summary = uow.session.get(CaseSummaryRow, case.id) if shared else None
        data = (summary.shared or {}) if summary is not None else {}
        shared_data = {name: data[name] for name in shared if name in data}
        uow.session.add(AuditEntry(
            at=now, user_id=actor.id, action="referral.viewed", object_type="referral",
            object_id=str(referral.id), case_id=case.id,
            details={"as_provider": can_answer_referral(actor, referral), "fields": sorted(shared_data),
                     "request": [] if ended else sorted(referral.request or {}),
                     "answer": [] if ended else sorted(referral.answer or {}),
                     **({"personal_data_ended": True} if ended else {})},
        ))
        referred_by = _referred_by(uow, case, referral)
        steps = _provider_steps(uow.session, actor, case, referral)
        uow.commit()
        return ReferralDetail(
            **vars(_summary(referral, case, provider)),
            shared_fields=shared,
            shared_data=shared_data,
            outcome_note=referral.outcome_note,
            personal_data_until=(None if not referral.closed_at else referral.closed_at
                                 if referral.state in ACCESS_ENDS_AT_ONCE
                                 else referral.closed_at + rule.access_after_closure),
            personal_data_ended=ended,
            referred_by=referred_by,
            request=dict(referral.request or {}) if not ended else {},
            answer=dict(referral.answer or {}) if not ended else {},
            steps=steps,
        )


def _referred_by(uow: UnitOfWork, case: CaseRow, referral: ReferralRow) -> tuple[str | None, str | None, str | None]:
    from engine.store.models import User

    organisation = uow.session.scalar(select(Organisation.name).where(Organisation.id == case.organisation_id))
    sender = uow.session.get(User, referral.created_by_id) if referral.created_by_id else None
    return organisation, sender.display_name if sender else None, sender.email if sender else None


def _provider_steps(session, actor: Actor, case: CaseRow, referral: ReferralRow) -> tuple[ReferralStep, ...]:
    # Only the provider's own steps: what the case's organisation did about the referral (its escalations)
    # stays on the case, which the provider does not see.
    if referral.provider_organisation_id is None:
        return ()
    done = session.execute(
        select(TaskRow.bpmn_id, TaskRow.name, TaskRow.completed_at, TaskRow.completed_by_id)
        .where(TaskRow.referral_id == referral.id, TaskRow.state == TaskState.COMPLETED,
               TaskRow.organisation_id == referral.provider_organisation_id, TaskRow.completed_by_id.is_not(None))
        .order_by(TaskRow.completed_at, TaskRow.id)
    ).all()
    people = people_known_to(session, actor, [by for *_, by in done], organisations_named_by_case(session, case))
    return tuple(ReferralStep(bpmn_id, name, completed_at, people.get(by, Who()))
                 for bpmn_id, name, completed_at, by in done)


def _summary(referral: ReferralRow, case: CaseRow, provider: str | None) -> ReferralSummary:
    return ReferralSummary(
        id=referral.id,
        case_id=case.id,
        case_reference=case.reference,
        sector=referral.sector.value,
        priority=referral.priority.value,
        state=referral.state.value,
        provider_organisation_id=referral.provider_organisation_id,
        provider=provider,
        sent_at=referral.sent_at,
        acknowledged_at=referral.acknowledged_at,
        decided_at=referral.decided_at,
        appointment_at=referral.appointment_at,
        outcome_at=referral.outcome_at,
        closed_at=referral.closed_at,
        decline_reason=referral.decline_reason,
        escalation_level=referral.escalation_level,
    )


def referral_answerable(uow: UnitOfWork, referral_id: int, actor: Actor) -> bool:
    """Whether the actor answers this referral for the provider it is addressed to."""
    with uow:
        referral = uow.session.get(ReferralRow, referral_id)
        return referral is not None and can_answer_referral(actor, referral)


@dataclass(frozen=True)
class OpenStep:
    """The step of a referral that waits for the reader, and when it is due."""

    task_id: str
    due_at: datetime | None


def open_step_of_referral(uow: UnitOfWork, referral_id: int, actor: Actor) -> OpenStep | None:
    """The referral's open task the actor may do now (acknowledge, decide, report...), if any."""
    from engine.access import can_complete_task

    with uow:
        rows = uow.session.scalars(
            select(TaskRow).where(TaskRow.referral_id == referral_id, TaskRow.state == TaskState.OPEN)
            .order_by(TaskRow.created_at, TaskRow.id)
        ).all()
    steps = [row for row in rows if can_complete_task(actor, row)]
    return OpenStep(steps[0].id, steps[0].due_at) if steps else None
