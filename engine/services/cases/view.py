"""What a case page shows: stage, open tasks, referrals and their states, consents, history. Reading is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import defer

from engine.access import Actor, can_view_case, can_view_person
from engine.clock import Clock
from engine.domain import TaskState
from engine.errors import NotFound
from engine.services.accounts.known_people import Who, organisations_named_by_case, people_known_to
from engine.services.tasks.inbox import TaskSummary, summary_of
from engine.store.models import (
    AuditEntry, CaseEvent, CaseRow, CaseSummaryRow, ConsentRow, DeadlineRow, Organisation, ReferralRow, TaskRow, UnmetNeedRow,
)
from engine.store.unit_of_work import UnitOfWork
from engine.store.write_lock import lock_for_writing

HISTORY_LIMIT = 200


@dataclass(frozen=True)
class UnmetNeedView:
    """A need no provider will serve: its service, why, and when it was recorded (the note stays in the store)."""

    id: int
    sector: str
    reason: str
    region: str | None
    referral_id: int | None
    recorded_at: datetime


@dataclass(frozen=True)
class ReferralView:
    id: int
    sector: str
    priority: str
    provider: str | None
    state: str
    sent_at: datetime | None
    acknowledged_at: datetime | None
    decided_at: datetime | None
    outcome_at: datetime | None
    decline_reason: str | None
    due_at: datetime | None = None  # when the provider's open step on it is due


@dataclass(frozen=True)
class ConsentView:
    id: int
    given: bool
    given_by: str
    method: str
    scope_services: tuple[str, ...]
    scope_recipients: tuple[Any, ...]
    recorded_at: datetime
    expires_at: datetime | None
    withdrawn_at: datetime | None
    scope: str | None = None  # what the pathway's sharing rule lets providers read (the consent step's scope choice)


@dataclass(frozen=True)
class DeadlineView:
    kind: str  # DeadlineKind: a task's due date, a referral's, a drawn timer...
    due_at: datetime
    level: int  # escalation steps already taken


@dataclass(frozen=True)
class EventView:
    """One line of a case's history; who acted as the reader may know them (`known_people`)."""

    at: datetime
    actor: str | None  # username; None for the system, or for someone the reader may not name
    action: str
    task_bpmn_id: str | None
    details: dict
    actor_name: str | None = None  # display name, on the same terms
    actor_organisation: str | None = None  # the organisation of someone unnamed, where the reader may know it
    actor_withheld: bool = False  # someone acted whom the reader may not name (not the system)


def event_view(event: CaseEvent, who: Who | None) -> EventView:
    """A history line, its actor as `who` says the reader may know them (`known_people.people_known_to`)."""
    if event.actor_id is None:  # the system
        return EventView(event.at, None, event.action, event.task_bpmn_id, dict(event.details))
    who = who or Who()
    return EventView(event.at, who.username, event.action, event.task_bpmn_id, dict(event.details), who.name,
                     who.organisation, actor_withheld=who.username is None)


@dataclass(frozen=True)
class CaseLine:
    """What every view of a case shows of its row (no personal data): built by `case_fields`."""

    id: int
    reference: str
    status: str
    stage: str | None
    priority: str
    risk_level: str | None
    region: str | None
    organisation_id: int
    created_at: datetime
    closed_at: datetime | None
    needs_attention: bool


@dataclass(frozen=True)
class CaseView(CaseLine):
    """A case as its page shows it."""

    pathway_version_id: int
    close_reason: str | None
    attention_message: str | None
    open_tasks: tuple[TaskSummary, ...]
    referrals: tuple[ReferralView, ...]
    consents: tuple[ConsentView, ...]
    history: tuple[EventView, ...]
    unmet_needs: tuple[UnmetNeedView, ...] = ()
    deadlines: tuple[DeadlineView, ...] = ()  # pending, soonest first

    # The person as far as the reader may see (field id -> value), and the needs assessed
    # (sector -> urgency); empty for readers without the need to know.
    person: dict = None  # type: ignore[assignment]
    needs: dict = None  # type: ignore[assignment]


def case_page_statement(case: int | str) -> list[tuple[str, Any]]:
    """The case page's queries (by id or reference), labelled: benchmarks print their plans."""
    column = CaseRow.id if isinstance(case, int) else CaseRow.reference
    case_id = select(CaseRow.id).where(column == case).scalar_subquery() if isinstance(case, str) else case
    return [
        # The saved workflow is not shown on the page: do not read it.
        ("case", select(CaseRow).where(column == case).options(defer(CaseRow.workflow_json))),
        ("open tasks", select(TaskRow).where(TaskRow.case_id == case_id, TaskRow.state == TaskState.OPEN)
         .order_by(TaskRow.created_at)),
        ("referrals", select(ReferralRow, Organisation.name)
         .outerjoin(Organisation, Organisation.id == ReferralRow.provider_organisation_id)
         .where(ReferralRow.case_id == case_id).order_by(ReferralRow.id)),
        ("consents", select(ConsentRow).where(ConsentRow.case_id == case_id).order_by(ConsentRow.recorded_at)),
        ("unmet needs", select(UnmetNeedRow).where(UnmetNeedRow.case_id == case_id)
         .order_by(UnmetNeedRow.recorded_at, UnmetNeedRow.id)),
        ("history", select(CaseEvent).where(CaseEvent.case_id == case_id)
         .order_by(CaseEvent.at.desc(), CaseEvent.id.desc()).limit(HISTORY_LIMIT)),
    ]


def show_case(uow: UnitOfWork, clock: Clock, case: int | str, actor: Actor) -> CaseView:
    """The case page (by id or reference) if the actor may see it; NotFound otherwise. The read is audited."""
    with uow:
        lock_for_writing(uow)
        session = uow.session
        queries = dict(case_page_statement(case))
        row = session.scalar(queries["case"])
        if row is None or not can_view_case(actor, row):
            raise NotFound(f"case {case} does not exist or is not yours to see")
        queries = dict(case_page_statement(row.id))
        tasks = session.scalars(queries["open tasks"]).all()
        referrals = session.execute(queries["referrals"]).all()
        consents = session.scalars(queries["consents"]).all()
        unmet = session.scalars(queries["unmet needs"]).all()
        events = session.scalars(queries["history"]).all()
        deadlines = session.scalars(select(DeadlineRow).where(DeadlineRow.case_id == row.id).order_by(DeadlineRow.due_at)).all()
        # Task holders and history actors, each as the reader may know them: one rule for both.
        people = people_known_to(
            session, actor, [task.assignee_id for task in tasks] + [event.actor_id for event in events],
            organisations_named_by_case(session, row, (referral for referral, _ in referrals)))

        person, needs = {}, {}
        if can_view_person(actor, row):
            # What the pathway's `case_summary:` declares, as the last step wrote it: the workflow stays unread.
            summary = session.get(CaseSummaryRow, row.id)
            if summary is not None:
                person, needs = dict(summary.person or {}), dict(summary.needs or {})
        session.add(AuditEntry(at=clock.now(), user_id=actor.id, action="case.viewed", object_type="case",
                               object_id=row.reference, case_id=row.id, details={"person": sorted(person)}))
        uow.commit()
        return CaseView(
            **case_fields(row),
            pathway_version_id=row.pathway_version_id,
            close_reason=row.close_reason.value if row.close_reason else None,
            attention_message=row.attention_message,
            open_tasks=tuple(summary_of(task, row.reference, row.organisation_id, people.get(task.assignee_id))
                             for task in tasks),
            referrals=tuple(_referral(referral, name, _due_of(tasks, referral.id)) for referral, name in referrals),
            consents=tuple(consent_view(consent) for consent in consents),
            unmet_needs=tuple(UnmetNeedView(need.id, need.sector.value, need.reason.value, need.region, need.referral_id,
                                            need.recorded_at) for need in unmet),
            history=tuple(event_view(event, people.get(event.actor_id)) for event in reversed(events)),
            deadlines=tuple(DeadlineView(deadline.kind.value, deadline.due_at, deadline.level) for deadline in deadlines),

            person=person,
            needs=needs,
        )


def case_fields(case: CaseRow) -> dict[str, Any]:
    """The `CaseLine` fields of a case row, for the case page and a case list's line."""
    return {
        "id": case.id,
        "reference": case.reference,
        "status": case.status.value,
        "stage": case.stage,
        "priority": case.priority.value,
        "risk_level": case.risk_level.value if case.risk_level else None,
        "region": case.region,
        "organisation_id": case.organisation_id,
        "created_at": case.created_at,
        "closed_at": case.closed_at,
        "needs_attention": case.needs_attention,
    }


def _due_of(tasks, referral_id: int) -> datetime | None:
    dues = [task.due_at for task in tasks if task.referral_id == referral_id and task.due_at is not None]
    return min(dues) if dues else None


def _referral(referral: ReferralRow, provider: str | None, due_at: datetime | None = None) -> ReferralView:
    return ReferralView(
        id=referral.id,
        sector=referral.sector.value,
        priority=referral.priority.value,
        provider=provider,
        state=referral.state.value,
        sent_at=referral.sent_at,
        acknowledged_at=referral.acknowledged_at,
        decided_at=referral.decided_at,
        outcome_at=referral.outcome_at,
        decline_reason=referral.decline_reason,
        due_at=due_at,
    )


def consent_view(consent: ConsentRow) -> ConsentView:
    """A consent as the case page and the withdrawal page show it."""
    return ConsentView(
        id=consent.id,
        given=consent.given,
        given_by=consent.given_by.value,
        method=consent.method.value,
        scope_services=tuple(consent.scope_services or ()),
        scope_recipients=tuple(consent.scope_recipients or ()),
        recorded_at=consent.recorded_at,
        expires_at=consent.expires_at,
        withdrawn_at=consent.withdrawn_at,
        scope=consent.scope,
    )
