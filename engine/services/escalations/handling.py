"""Escalations for people: list them, acknowledge, resolve or reassign one, and the steering committee's summary.

    views = list_escalations(uow, actor, status="open")
    acknowledge_escalation(uow, clock, escalation_id, actor)
    resolve_escalation(uow, clock, escalation_id, actor, note)    # stops the rest of its chain, in one case step
    reassign_escalation(uow, clock, escalation_id, actor, "demo-supervisor")
    summary = steering_summary(uow, clock, timedelta(days=7))
    queue_steering_summary(uow, clock, timedelta(days=7))      # one coordinator_summary outbox row per period

Coordinators handle every escalation; a supervisor handles those of their organisation's cases.
Each action appends a line to the case's history and an audit entry, in one transaction. Resolving
also moves the case (what is left of the chain is cancelled in its workflow), so it is a case step.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select, text

from engine import field_problems as problem
from engine.access import Actor, actor_of, can_handle_escalation, can_see_escalation, can_take_over_escalation
from engine.clock import Clock
from engine.domain import EscalationStatus, Role
from engine.domain.referral_states import OPEN_STATES, ReferralState
from engine.errors import AccessDenied, EscalationMovedOn, InvalidData, NotFound
from engine.services.accounts.actors import handover_target
from engine.services.tasks.handover import Taker
from engine.services.cases.step import begin_step, finish_step
from engine.services.escalations.chain import TOP_LEVEL, stop_chain
from engine.store.models import AuditEntry, CaseEvent, CaseRow, EscalationRow, Organisation, OutboxRow, ReferralRow, User, UserRole
from engine.store.unit_of_work import UnitOfWork
from engine.store.write_lock import lock_for_writing
from engine.untrusted_values import refuse_control_characters

NOTE_MAX = 1000
# Breakdowns of fewer referrals than this are left out of the summary: they could single someone out.
SMALL_CELL = 3
SUMMARY_EVENT = "coordinator_summary"
_SUMMARY_LOCK = 4_242_001  # PostgreSQL advisory lock: one summary per period across schedulers


@dataclass(frozen=True)
class EscalationView:
    """One escalation as a coordinator's list shows it (no personal data)."""

    id: int
    case_id: int
    case_reference: str
    referral_id: int | None
    deadline_kind: str
    level: int
    at: datetime  # when it was raised
    reason: str
    status: str
    sector: str | None
    provider: str | None
    reassigned_to_id: int | None
    resolution_note: str | None
    due_at: datetime | None = None  # the deadline that was missed
    case_organisation_id: int | None = None  # who handles it: the coordinators and this organisation's supervisors


@dataclass(frozen=True)
class Summary:
    """Stalled referrals for the steering committee: counts only, small cells left out."""

    period_start: datetime
    period_end: datetime
    total: int  # open referrals with an unresolved escalation
    by_level: dict[int, int]
    by_provider: dict[str, int]
    by_sector: dict[str, int]
    raised_in_period: dict[int, int]  # escalations raised during the period, by level
    suppressed_cells: int  # provider and sector cells left out for being small
    items: tuple[dict, ...]  # the referrals at the top level: case reference, provider, level, since


def list_escalations(
    uow: UnitOfWork, actor: Actor, status: str | None = None, level: int | None = None, limit: int = 100
) -> list[EscalationView]:
    """The escalations the actor may see, newest first, optionally by status and level."""
    statement = (
        select(EscalationRow, CaseRow, ReferralRow, Organisation.name)
        .join(CaseRow, CaseRow.id == EscalationRow.case_id)
        .outerjoin(ReferralRow, ReferralRow.id == EscalationRow.referral_id)
        .outerjoin(Organisation, Organisation.id == ReferralRow.provider_organisation_id)
        .order_by(EscalationRow.at.desc(), EscalationRow.id.desc())
        .limit(limit)
    )
    if status is not None:
        try:
            statement = statement.where(EscalationRow.status == EscalationStatus(status))
        except ValueError:
            raise InvalidData(f"unknown escalation status {status!r} (open, acknowledged, resolved, overtaken)") from None
    if level is not None:
        statement = statement.where(EscalationRow.level == level)
    if not actor.has(Role.COORDINATOR):
        statement = statement.where(
            or_(CaseRow.organisation_id == actor.organisation_id, ReferralRow.provider_organisation_id == actor.organisation_id)
        )
    with uow:
        return [
            _view(escalation, case, referral, provider)
            for escalation, case, referral, provider in uow.session.execute(statement)
            if can_see_escalation(actor, case, referral)
        ]


def acknowledge_escalation(uow: UnitOfWork, clock: Clock, escalation_id: int, actor: Actor) -> EscalationView:
    """Say someone is looking at it (an open escalation only)."""
    with uow:
        lock_for_writing(uow)
        escalation, case = _handled(uow, escalation_id, actor)
        if escalation.status != EscalationStatus.OPEN:
            raise EscalationMovedOn(f"escalation {escalation_id} is already {escalation.status.value}")
        now = clock.now()
        escalation.status = EscalationStatus.ACKNOWLEDGED
        escalation.acknowledged_by_id, escalation.acknowledged_at = actor.id, now
        _history(uow, escalation, case, actor, now, "escalation_acknowledged", {})
        uow.commit()
        return _reloaded(uow, escalation_id)


def resolve_escalation(uow: UnitOfWork, clock: Clock, escalation_id: int, actor: Actor, note: str) -> EscalationView:
    """Close an escalation with a note; the rest of its chain stops (see `escalation_chain.stop_chain`)."""
    note = (note or "").strip()
    if not note:
        raise InvalidData("say how the escalation was resolved", {"note": [problem.required()]})
    if len(note) > NOTE_MAX:
        raise InvalidData(f"the note is longer than {NOTE_MAX} characters", {"note": [problem.too_long(NOTE_MAX)]})
    refuse_control_characters(note=note)
    with uow:
        lock_for_writing(uow)
        escalation, case = _handled(uow, escalation_id, actor)
        if escalation.status in (EscalationStatus.RESOLVED, EscalationStatus.OVERTAKEN):
            raise EscalationMovedOn(f"escalation {escalation_id} is already {escalation.status.value}")
        step = begin_step(uow, clock, case.id, actor, "escalation_resolved")
        step.audit_object = ("escalation", str(escalation.id))
        escalation.status = EscalationStatus.RESOLVED
        escalation.resolved_by_id, escalation.resolved_at = actor.id, step.now
        # Sensitive free text: kept on the escalation, never in history details or notifications.
        escalation.resolution_note = note
        failures = stop_chain(step, escalation)
        step.details.update(_details(escalation))
        finish_step(step, failures)
        return _reloaded(uow, escalation_id)


def reassign_escalation(uow: UnitOfWork, clock: Clock, escalation_id: int, actor: Actor, to_username: str) -> EscalationView:
    """Hand an escalation to a named, active user, who is told it is now theirs (`escalation_handed_over`)."""
    with uow:
        lock_for_writing(uow)
        escalation, case = _handled(uow, escalation_id, actor)
        if escalation.status in (EscalationStatus.RESOLVED, EscalationStatus.OVERTAKEN):
            raise EscalationMovedOn(f"escalation {escalation_id} is already {escalation.status.value}")
        target = handover_target(uow, to_username)
        # The alert names the case, and whoever holds the escalation must act on it.
        if not can_take_over_escalation(actor_of(target), case):
            raise InvalidData(f"{to_username} may not handle the escalations of case {case.reference}",
                              {"username": [problem.cannot_handle_escalation()]})
        now = clock.now()
        escalation.reassigned_to_id = target.id
        _history(uow, escalation, case, actor, now, "escalation_reassigned", {"to_user_id": target.id})
        if target.id != actor.id:  # taking it over oneself is news to nobody
            referral = uow.session.get(ReferralRow, escalation.referral_id) if escalation.referral_id else None
            uow.session.add(_handed_over(escalation, case, referral, actor, target.id, now))
        uow.commit()
        return _reloaded(uow, escalation_id)


def _handed_over(escalation: EscalationRow, case: CaseRow, referral: ReferralRow | None, actor: Actor, target_id: int,
                 now: datetime) -> OutboxRow:
    # Its own event, not the level's alert again: the new holder must read that the escalation is now
    # theirs (the level's words promise it goes further "without action" and name no hand-over), and
    # its link leads to the escalation and its actions. Ids and codes only: nothing about the person.
    return OutboxRow(
        event_type="escalation_handed_over", case_id=case.id, created_at=now,
        payload={"case_id": case.id, "case_reference": case.reference, "deadline": escalation.at.isoformat(),
                 "level": escalation.level, "reason": escalation.reason, "escalation_id": escalation.id,
                 "referral_id": escalation.referral_id,
                 "provider_organisation_id": referral.provider_organisation_id if referral is not None else None,
                 "actor_id": actor.id, "recipients": [{"user": target_id}]},
    )


@dataclass(frozen=True)
class EscalationHandover:
    """A waiting escalation, and the users it may be handed to (the same check as the hand-over itself)."""

    escalation: EscalationView
    takers: tuple[Taker, ...]


def escalation_takers(uow: UnitOfWork, escalation_id: int, actor: Actor) -> EscalationHandover:
    """The active users who may handle the escalation, by name (NotFound/AccessDenied/Conflict as the hand-over)."""
    with uow:
        escalation, case = _handled(uow, escalation_id, actor)
        if escalation.status in (EscalationStatus.RESOLVED, EscalationStatus.OVERTAKEN):
            raise EscalationMovedOn(f"escalation {escalation_id} is already {escalation.status.value}")
        # Narrowed in SQL to who could qualify (the case organisation's supervisors, coordinators);
        # the predicate below decides, as it does for the hand-over.
        holding = lambda role: select(UserRole.user_id).where(UserRole.role == role)  # noqa: E731
        users = uow.session.scalars(
            select(User).where(User.active.is_(True), or_(
                User.id.in_(holding(Role.COORDINATOR)),
                and_(User.organisation_id == case.organisation_id, User.id.in_(holding(Role.SUPERVISOR)))))
            .order_by(User.display_name, User.id)
        ).all()
        # Not the person handing it over: they hold it already, or may simply act on it themselves.
        takers = tuple(
            Taker(user.username, user.display_name, user.id == escalation.reassigned_to_id)
            for user in users if user.id != actor.id and can_take_over_escalation(actor_of(user), case)
        )
        return EscalationHandover(_reloaded(uow, escalation_id), takers)


def steering_summary(uow: UnitOfWork, clock: Clock, period: timedelta = timedelta(days=7), small_cell: int = SMALL_CELL) -> Summary:
    """Stalled referrals now (by level, provider, sector) and escalations raised in the period."""
    end = clock.now()
    start = end - period
    unresolved = exists().where(
        EscalationRow.referral_id == ReferralRow.id, EscalationRow.status != EscalationStatus.RESOLVED
    )
    stalled_states = [state for state in OPEN_STATES if state != ReferralState.DRAFT]
    with uow:
        stalled = uow.session.execute(
            select(ReferralRow.id, ReferralRow.escalation_level, ReferralRow.sector, Organisation.name, CaseRow.reference)
            .join(CaseRow, CaseRow.id == ReferralRow.case_id)
            .outerjoin(Organisation, Organisation.id == ReferralRow.provider_organisation_id)
            .where(ReferralRow.state.in_(stalled_states), ReferralRow.escalation_level > 0, unresolved)
            .order_by(ReferralRow.escalation_level.desc(), ReferralRow.id)
        ).all()
        raised = dict(uow.session.execute(
            select(EscalationRow.level, func.count()).where(EscalationRow.at > start, EscalationRow.at <= end)
            .group_by(EscalationRow.level)
        ).all())
        top_since = dict(uow.session.execute(
            select(EscalationRow.referral_id, func.max(EscalationRow.at))
            .where(EscalationRow.referral_id.in_([row.id for row in stalled if row.escalation_level >= TOP_LEVEL]),
                   EscalationRow.level >= TOP_LEVEL)
            .group_by(EscalationRow.referral_id)
        ).all()) if stalled else {}
    by_provider, hidden_providers = _kept(Counter(row.name or "?" for row in stalled), small_cell)
    by_sector, hidden_sectors = _kept(Counter(row.sector.value for row in stalled), small_cell)
    items = tuple(
        {"case_reference": row.reference, "provider": row.name, "level": row.escalation_level,
         "deadline": top_since[row.id].isoformat() if row.id in top_since else None}
        for row in stalled if row.escalation_level >= TOP_LEVEL
    )
    return Summary(
        period_start=start,
        period_end=end,
        total=len(stalled),
        by_level=dict(sorted(Counter(row.escalation_level for row in stalled).items())),
        by_provider=by_provider,
        by_sector=by_sector,
        raised_in_period={int(level): count for level, count in sorted(raised.items())},
        suppressed_cells=hidden_providers + hidden_sectors,
        items=items,
    )


def queue_steering_summary(uow: UnitOfWork, clock: Clock, period: timedelta = timedelta(days=7)) -> Summary | None:
    """Write the period's `coordinator_summary` outbox row, unless one was written within the period or
    there is nothing to tell (no referral stalled now, no escalation raised in the period)."""
    now = clock.now()
    recent = select(OutboxRow.id).where(and_(OutboxRow.event_type == SUMMARY_EVENT, OutboxRow.created_at > now - period)).limit(1)
    with uow:
        if uow.session.scalar(recent) is not None:
            return None
    # Counted before taking the write lock, which would hold every step back meanwhile on SQLite.
    summary = steering_summary(uow, clock, period)
    if summary.total == 0 and not summary.raised_in_period:
        # Notifications carry live work: a coordinator is not emailed that nothing is stalled (a new
        # installation's first scheduler start did exactly that). The next pass looks again.
        return None
    with uow:
        lock_for_writing(uow)
        session = uow.session
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SUMMARY_LOCK})
        if session.scalar(recent) is not None:  # another scheduler queued it meanwhile
            return None
        session.add(OutboxRow(event_type=SUMMARY_EVENT, case_id=None, created_at=now, payload=summary_payload(summary)))
        uow.commit()
        return summary


def summary_payload(summary: Summary) -> dict:
    """The outbox payload of a summary: counts, the top-level referrals, addressed to the coordinators."""
    return {
        "total": summary.total,
        "counts_by_level": {str(level): count for level, count in summary.by_level.items()},
        "counts_by_provider": summary.by_provider,
        "counts_by_sector": summary.by_sector,
        "raised_in_period": {str(level): count for level, count in summary.raised_in_period.items()},
        "period_start": summary.period_start.isoformat(),
        "period_end": summary.period_end.isoformat(),
        "items": [{k: v for k, v in item.items() if v is not None} for item in summary.items],
        "recipients": [{"coordinators": True}],
    }


def _kept(counts: Counter, small_cell: int) -> tuple[dict[str, int], int]:
    kept = {key: count for key, count in sorted(counts.items()) if count >= small_cell}
    return kept, len(counts) - len(kept)


def _handled(uow: UnitOfWork, escalation_id: int, actor: Actor) -> tuple[EscalationRow, CaseRow]:
    escalation = uow.session.get(EscalationRow, escalation_id)
    case = uow.session.get(CaseRow, escalation.case_id) if escalation is not None else None
    referral = uow.session.get(ReferralRow, escalation.referral_id) if escalation is not None and escalation.referral_id else None
    if escalation is None or not can_see_escalation(actor, case, referral):
        raise NotFound(f"escalation {escalation_id} does not exist or is not yours to see")
    if not can_handle_escalation(actor, case):
        raise AccessDenied(f"{actor.username} may not handle escalations of case {case.reference} (coordinators and its supervisors do)")
    return escalation, case


def _history(uow: UnitOfWork, escalation: EscalationRow, case: CaseRow, actor: Actor, now: datetime, action: str, extra: dict) -> None:
    details = {**_details(escalation), **extra}
    uow.session.add(CaseEvent(case_id=case.id, at=now, actor_id=actor.id, action=action, details=details))
    uow.session.add(AuditEntry(at=now, user_id=actor.id, action=f"case.{action}", object_type="escalation",
                               object_id=str(escalation.id), case_id=case.id, details=details))


def _details(escalation: EscalationRow) -> dict:
    return {"escalation_id": escalation.id, "level": escalation.level, "deadline_kind": escalation.deadline_kind.value}


def _reloaded(uow: UnitOfWork, escalation_id: int) -> EscalationView:
    escalation = uow.session.get(EscalationRow, escalation_id)
    case = uow.session.get(CaseRow, escalation.case_id)
    referral = uow.session.get(ReferralRow, escalation.referral_id) if escalation.referral_id else None
    provider = uow.session.get(Organisation, referral.provider_organisation_id).name if referral and referral.provider_organisation_id else None
    return _view(escalation, case, referral, provider)


def _view(escalation: EscalationRow, case: CaseRow, referral: ReferralRow | None, provider: str | None) -> EscalationView:
    return EscalationView(
        id=escalation.id,
        case_id=case.id,
        case_reference=case.reference,
        referral_id=escalation.referral_id,
        deadline_kind=escalation.deadline_kind.value,
        level=escalation.level,
        at=escalation.at,
        reason=escalation.reason,
        status=escalation.status.value,
        sector=referral.sector.value if referral is not None else None,
        provider=provider,
        reassigned_to_id=escalation.reassigned_to_id,
        resolution_note=escalation.resolution_note,
        due_at=escalation.due_at,
        case_organisation_id=case.organisation_id,
    )
