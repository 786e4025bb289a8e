"""The escalation chain: which level follows a missed deadline, who is alerted, and its record (once).

A missed deadline climbs a chain of levels (DOMAIN defaults):

1. a reminder to whoever must act: the referral's provider focal points, or the task's assignee
   (its candidate groups while nobody holds it);
2. an alert to the supervisors of the case's organisation (and of the provider's, for a referral);
3. an alert to the MNR coordinators;
and then the referral is listed in the steering committee's periodic summary.

Two ways a pathway drives the chain:

- **drawn**: a timer carrying ``aiguillage.escalation = 1|2|3`` (and, for a referral deadline,
  ``aiguillage.deadline = acknowledge|service``) is an escalation at that level when it fires,
  whichever step fires it (the sweep, or a person's step that refreshes the case's timers);
- **by the sweep**: a human task's due date (``camunda:dueDate``) is level 1 when it passes; levels
  2 and 3 follow after the delays in ``aiguillage.escalation.after`` on the task (ISO 8601
  durations, comma-separated, counted from the due date; working days with
  ``aiguillage.calendar = working-days``), else after the defaults for the task's priority.

Each (case, deadline kind, deadline ref, level) is recorded once: the insert skips an existing row
(unique constraint), and the alert is written to the outbox only when the row is new, in the
same transaction. An escalation task answered ``acknowledged`` or ``resolved`` in its action field
(``escalation_action`` unless its step names another) moves its escalation to that status, like the coordinator's own actions
(`engine.services.escalations.handling`).

Resolving an escalation stops its chain: no further level of its deadline is recorded, a due
date's chain is not climbed any more, and in the workflow what is left of a drawn chain (its timers
not yet fired, its escalation tasks still open at the resolved level and above; see
`engine.runtime.escalation_chains`) is cancelled, in the resolving step: `stop_chain` for a
coordinator's resolution, the runtime's `complete_task` for an escalation task answered so.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.attributes import set_committed_value
from SpiffWorkflow.util.task import TaskState

from engine.domain import DeadlineKind, EscalationStatus, Priority, Role
from engine.errors import CaseMovedOn, NotFound
from engine.runtime import case_runtime
from engine.runtime.case_runtime import TaskFailure
from engine.pathways.escalation_paths import ESCALATION_OPENS
from engine.runtime.escalation_chains import (
    chain_mates, escalation_fields, escalation_level, escalation_timers, raising_timer, rest_of_chain,
)
from engine.runtime.human_tasks import READY_AT_KEY, extensions_of, instance_of
from engine.runtime.timers import parse_moment
from engine.services.cases.sync import DEADLINE_PROPERTY, Resolver, offered_to, referral_for_instance
from engine.services.escalations.overtaken import overtaken_kinds
from engine.store.models import DeadlineRow, EscalationRow, ReferralRow, TaskRow
from engine.store import case_records
from engine.store.prepared import Prepared
from engine.store.unit_of_work import CONFLICT_MESSAGE

if TYPE_CHECKING:
    from engine.services.cases.step import Step

ANSWERS = {"acknowledged": EscalationStatus.ACKNOWLEDGED, "resolved": EscalationStatus.RESOLVED}
AFTER_PROPERTY = "aiguillage.escalation.after"
TOP_LEVEL = 3
# Marks a fired timer whose escalation was handled, in the workflow itself: saved with the step.
ESCALATED_MARK = "aiguillage.escalated"
# The due time of a deadline row whose chain has run out. The row is kept (not deleted) so that
# the next step does not index the same task's due date again as a fresh deadline.
NEVER = datetime(9999, 12, 31, tzinfo=timezone.utc)
# Deadlines whose levels the sweep climbs (a task's due date), as opposed to drawn timers.
CHAIN_KINDS = frozenset({DeadlineKind.TASK_DUE, DeadlineKind.FOLLOW_UP})

# After a task's due date: level 2 after the first delay, level 3 after the second (DOMAIN's
# acknowledgement chain: reminder at the deadline, supervisor and coordinator later).
DEFAULT_AFTER = {
    Priority.EMERGENCY: (timedelta(hours=2), timedelta(hours=6)),
    Priority.URGENT: (timedelta(hours=24), timedelta(hours=48)),
    Priority.NORMAL: (timedelta(hours=48), timedelta(hours=96)),
}
PURPOSES = {"acknowledge": DeadlineKind.REFERRAL_ACK, "service": DeadlineKind.REFERRAL_SERVICE}
# Reason codes shown in alerts (codes only: messages are written by the templates).
REASONS = {
    DeadlineKind.REFERRAL_ACK: "acknowledgement_overdue",
    DeadlineKind.REFERRAL_SERVICE: "service_overdue",
    DeadlineKind.TASK_DUE: "task_overdue",
    DeadlineKind.BPMN_TIMER: "timer_passed",
    DeadlineKind.FOLLOW_UP: "follow_up_due",
}


def recipients_for(step: Step, level: int, referral: ReferralRow | None, task: TaskRow | None) -> list[dict[str, Any]]:
    """The outbox recipient rules of an escalation level (never addresses: the dispatcher resolves them)."""
    case = step.case
    if level <= 1:
        if referral is not None and referral.provider_organisation_id is not None:
            return [{"group": Role.PROVIDER_FOCAL_POINT.value, "organisation": referral.provider_organisation_id}]
        if task is not None and task.assignee_id is not None:
            return [{"user": task.assignee_id}]
        if task is not None:
            groups = [group for group in (task.candidate_groups or "").split(",") if group]
            return [{"group": group, "organisation": task.organisation_id} for group in groups]
        return [{"role": Role.SUPERVISOR.value, "organisation": case.organisation_id}]
    if level == 2:
        rules = [{"role": Role.SUPERVISOR.value, "organisation": case.organisation_id}]
        provider = referral.provider_organisation_id if referral is not None else None
        if provider is not None and provider != case.organisation_id:
            rules.append({"role": Role.SUPERVISOR.value, "organisation": provider})
        return rules
    return [{"coordinators": True}]


# Compiled once and sent as they are (`Prepared`): these run for every escalation a sweep raises.
_TABLE = EscalationRow.__table__
_RECORD = {
    "postgresql": Prepared(postgresql.insert(_TABLE).on_conflict_do_nothing().returning(_TABLE.c.id)),
    "sqlite": Prepared(sqlite.insert(_TABLE).on_conflict_do_nothing().returning(_TABLE.c.id)),
}
# PostgreSQL, with an id reserved with the case's reads: checked to insert one row (see `record_escalation`).
_RECORD_IN_BATCH = Prepared(postgresql.insert(_TABLE).on_conflict_do_nothing())
_REFERRALS = ReferralRow.__table__
_RAISE_LEVEL = Prepared(
    update(_REFERRALS)
    .where(_REFERRALS.c.id == bindparam("referral_id"), _REFERRALS.c.escalation_level < bindparam("level"))
    .values(escalation_level=bindparam("level"))
)


def _connection(step: Step):
    """The step's connection, with the case's row written and the changes made through the ORM sent
    first (its queries do that by themselves)."""
    session = step.session
    case_records.ensure_written(step.connection, step.case)
    if session.new or session.dirty or session.deleted:
        step.uow.flush()
    return step.connection


def is_resolved(step: Step, kind: DeadlineKind, ref: str) -> bool:
    """True when someone resolved an escalation of this deadline: no further level is raised."""
    return _resolved_among(_recorded(step, kind), ref)


def _resolved_among(recorded: list[tuple[str, EscalationStatus]], ref: str) -> bool:
    return any(recorded_ref == ref and status == EscalationStatus.RESOLVED for recorded_ref, status in recorded)


def _recorded(step: Step, kind: DeadlineKind) -> list[tuple[str, EscalationStatus]]:
    """(deadline ref, status) of the case's escalations of this kind: as the step read them with the
    case (a step firing deadlines), else read now, after what the step changed through the ORM."""
    if step.escalations is not None:
        return [(ref, status) for found, ref, status, _ in step.escalations if found == kind]
    return case_records.escalations_of(_connection(step), step.case.id, kind)


def record_escalation(
    step: Step,
    kind: DeadlineKind,
    ref: str,
    level: int,
    due_at: datetime | None,
    referral: ReferralRow | None = None,
    task: TaskRow | None = None,
    label: str | None = None,
    drawn: dict[str, Any] | None = None,
) -> bool:
    """Record one level of a deadline's escalation and queue its alert; False if it already was, or is resolved.

    `drawn`, for a timer drawn as an escalation: `recipients` (the people of the tasks it opens),
    and what the message tells them happened (`waiting_step`, `waiting_since`, `opened_step`; steps
    as [bpmn id, name] pairs, which the dispatcher labels in each reader's language); for any drawn
    timer, `chain_refs`, the deadlines of its chain's timers, whose earlier alerts the message counts.
    """
    level = max(1, min(level, TOP_LEVEL))
    drawn = drawn or {}
    # A drawn chain not filed under a referral keeps one deadline per timer: its mates count too.
    refs = drawn["chain_refs"] if kind == DeadlineKind.BPMN_TIMER and drawn.get("chain_refs") else [ref]
    recorded = _recorded(step, kind)
    if _resolved_among(recorded, ref):
        return False
    if step.escalations is not None and any(
            (found_kind, found_ref, found_level) == (kind, ref, level) for found_kind, found_ref, _, found_level in step.escalations):
        return False  # raised before
    alerted_before = sum(1 for recorded_ref, _ in recorded if recorded_ref in refs)
    recipients = drawn.get("recipients") or recipients_for(step, level, referral, task)
    reason = REASONS.get(kind, "timer_passed")
    # A level whose timer fired in the very step that did the work (a late acknowledgement refreshing
    # the timers) is kept on record, already overtaken: nobody is alerted about work that is done.
    overtaken = referral is not None and kind in overtaken_kinds(referral.state)
    values = {
        "case_id": step.case.id,
        "referral_id": referral.id if referral is not None else None,
        "deadline_kind": kind,
        "deadline_ref": ref,
        "level": level,
        "at": step.now,
        "due_at": due_at,
        "reason": reason,
        "alerted": {"recipients": recipients, "users": [rule["user"] for rule in recipients if "user" in rule]},
        "status": EscalationStatus.OVERTAKEN if overtaken else EscalationStatus.OPEN,
        "resolved_at": step.now if overtaken else None,
    }
    escalation_id = step.reserved_escalation_id
    if escalation_id is not None:
        # Written with the step's batch, one round trip less: the escalations read with the case say
        # it was not raised; should another step have raised it since, the row is there and the
        # batch fails (as that step moved the case on), so that the level is never alerted twice.
        step.reserved_escalation_id = None
        step.writes.append((_RECORD_IN_BATCH, {**values, "id": escalation_id}, 1, CaseMovedOn(CONFLICT_MESSAGE)))
    else:
        connection = _connection(step)
        inserted = _RECORD[connection.dialect.name].first(connection, values)
        if inserted is None:
            return False  # raised before: the retry of a step a killed sweeper did not finish
        escalation_id = inserted[0]
    if step.escalations is not None:
        step.escalations.append((kind, ref, values["status"], level))
    if referral is not None and referral.escalation_level < level:
        # Written with the step's other rows and marked as stored, so the ORM has nothing to flush for it.
        step.writes.append((_RAISE_LEVEL, {"referral_id": referral.id, "level": level}))
        set_committed_value(referral, "escalation_level", level)
    if overtaken:
        step.details.setdefault("escalations_overtaken", []).append(escalation_id)
        return True
    priority = (referral.priority if referral is not None else task.priority if task is not None else step.case.priority)
    step.notify(
        f"escalation_level_{level}",
        case_reference=step.case.reference,
        deadline=(due_at or step.now).isoformat(),
        level=level,
        reason=reason,
        priority=(priority or Priority.NORMAL).value,
        step=label,
        escalation_id=escalation_id,
        referral_id=referral.id if referral is not None else None,
        provider_organisation_id=referral.provider_organisation_id if referral is not None else None,
        task_id=task.id if task is not None else None,
        recipients=recipients,
        alerted_before=alerted_before or 0,
        waiting_step_refs=drawn.get("waiting_step"),
        waiting_since=drawn.get("waiting_since"),
        opened_step_refs=drawn.get("opened_step"),
    )
    step.details.setdefault("escalations", []).append([kind.value, ref, level])
    return True


def sync_escalations(step: Step) -> None:
    """The step's part in escalations: record drawn ones that fired, apply an answered escalation task."""
    record_fired_escalations(step)
    if step.completed_task is not None and step.actor is not None:
        apply_escalation_answer(step)


def apply_escalation_answer(step: Step) -> bool:
    """An escalation task answered `acknowledged` or `resolved` moves its escalation to that status."""
    try:
        task = case_runtime.find_task(step.workflow, step.completed_task.id)
    except NotFound:
        return False
    level = escalation_level(task)
    fields = escalation_fields(task)  # under the names the task's step gives them (`engine.pathways.step_fields`)
    status = ANSWERS.get(task.data.get(fields.action))
    if level is None or status is None:
        return False
    # The timer that opened the task: its parent, or further up when the path to it passes a gateway.
    timer = raising_timer(task, {t.id: t for t, _ in escalation_timers(step.workflow)}) or task.parent
    purpose = (extensions_of(timer).get("properties") or {}).get(DEADLINE_PROPERTY) if timer is not None else None
    referral = referral_for_instance(step, instance_of(task), task.data)
    kind = PURPOSES.get(purpose)
    where = [EscalationRow.case_id == step.case.id, EscalationRow.level == level,
             EscalationRow.status != EscalationStatus.RESOLVED]
    if kind is not None and referral is not None:
        where += [EscalationRow.deadline_kind == kind, EscalationRow.deadline_ref == str(referral.id)]
    elif timer is not None:
        where += [EscalationRow.deadline_kind == DeadlineKind.BPMN_TIMER, EscalationRow.deadline_ref == str(timer.id)]
    escalation = step.session.scalars(select(EscalationRow).where(*where).order_by(EscalationRow.id.desc()).limit(1)).first()
    if escalation is None or escalation.status == status:
        return False
    escalation.status = status
    if status == EscalationStatus.ACKNOWLEDGED:
        escalation.acknowledged_by_id, escalation.acknowledged_at = step.actor.id, step.now
    else:
        escalation.resolved_by_id, escalation.resolved_at = step.actor.id, step.now
        note = task.data.get(fields.note)
        escalation.resolution_note = note[:1000] if isinstance(note, str) and note.strip() else None
        # The rest of its chain was stopped in the workflow when the task was completed (the runtime
        # does it, so that a scenario run in memory behaves as the product does).
    step.details.setdefault("escalations_answered", []).append([escalation.id, status.value])
    return True


def stop_chain(step: Step, escalation: EscalationRow) -> list[TaskFailure]:
    """What is left of a resolved escalation's chain stops, in this step; the workflow's failures after it."""
    if escalation.deadline_kind in CHAIN_KINDS:
        # The row stays, out of reach, so that the task's due date is not indexed afresh.
        step.session.execute(
            update(DeadlineRow)
            .where(DeadlineRow.case_id == step.case.id, DeadlineRow.kind == escalation.deadline_kind,
                   DeadlineRow.ref == escalation.deadline_ref)
            .values(due_at=NEVER, level=TOP_LEVEL)
            .execution_options(synchronize_session=False)
        )
        step.deadlines = None  # read again by the step's sync
        return case_runtime.advance(step.workflow)
    anchors = [timer for timer, _ in escalation_timers(step.workflow)
               if _deadline_of(step, timer)[:2] == (escalation.deadline_kind, escalation.deadline_ref)]
    left = rest_of_chain(step.workflow, anchors, escalation.level)
    timers = [task.task_spec.bpmn_id for task in left if task.state == TaskState.WAITING]  # the others are tasks
    if timers:
        step.details.setdefault("timers_cancelled", []).extend(timers)
    return case_runtime.cancel_tasks(step.workflow, [task.id for task in left])


def record_fired_escalations(step: Step) -> int:
    """Record the drawn escalations whose timers fired during this step; the number recorded."""
    recorded = 0
    for timer, level in escalation_timers(step.workflow):
        if timer.state != TaskState.COMPLETED or ESCALATED_MARK in timer.internal_data:
            continue
        timer.internal_data[ESCALATED_MARK] = True
        kind, ref, referral = _deadline_of(step, timer)
        due_at = _moment(timer.internal_data.get("event_value"))
        label = timer.task_spec.bpmn_name or timer.task_spec.bpmn_id
        recorded += record_escalation(step, kind, ref, level, due_at, referral=referral, label=label,
                                      drawn=drawn_facts(step, timer, referral))
    return recorded


def drawn_facts(step: Step, timer, referral: ReferralRow | None) -> dict[str, Any]:
    """For a fired timer: the step it waited on and since when, and, when it was drawn as an escalation
    (leading to other people's task), those people and the task opened for them."""
    facts: dict[str, Any] = {"chain_refs": [str(mate.id) for mate in chain_mates(step.workflow, timer)]}
    waiting = _waiting_task(timer)
    if waiting is not None:
        facts["waiting_step"] = [[waiting.task_spec.bpmn_id, waiting.task_spec.bpmn_name or waiting.task_spec.bpmn_id]]
        since = waiting.internal_data.get(READY_AT_KEY)
        facts["waiting_since"] = since if isinstance(since, str) else None
    opens = extensions_of(timer).get(ESCALATION_OPENS)
    if not opens:
        return facts
    resolver, recipients, names = Resolver(step.session), [], []
    for task in case_runtime.ready_human_tasks(step.workflow):
        if task.bpmn_id not in opens:
            continue
        names.append([task.bpmn_id, task.name])
        assignee_id = resolver.assignee_id(task.assignee)
        groups, organisation_id = offered_to(step, task, resolver, referral, assigned=assignee_id is not None)
        if assignee_id is not None:
            recipients.append({"user": assignee_id})
        for group in groups:
            recipients.append({"coordinators": True} if group == Role.COORDINATOR.value
                              else {"group": group, "organisation": organisation_id})
    if recipients:
        facts["recipients"] = list({json.dumps(rule, sort_keys=True): rule for rule in recipients}.values())
        facts["opened_step"] = list({bpmn_id: [bpmn_id, name] for bpmn_id, name in names}.values())
    return facts


def _waiting_task(timer):
    """The task a boundary timer sits on (its sibling under the boundary event's parent), if any."""
    parent = timer.parent
    if parent is None:
        return None
    for sibling in parent.children:
        if sibling is not timer and sibling.task_spec.manual:
            return sibling
    return None


def chain_delays(properties: dict[str, str], priority: Priority | None) -> tuple[str | timedelta, ...]:
    """The delays after the due date at which levels 2, 3... follow (pathway property, else defaults)."""
    written = properties.get(AFTER_PROPERTY)
    if written is not None:
        return tuple(part.strip() for part in written.split(",") if part.strip())[: TOP_LEVEL - 1]
    return DEFAULT_AFTER[priority or Priority.NORMAL]


def _deadline_of(step: Step, timer) -> tuple[DeadlineKind, str, ReferralRow | None]:
    """The deadline a drawn escalation timer is filed under: its referral's, else the timer's own."""
    properties = extensions_of(timer).get("properties") or {}
    kind = PURPOSES.get(properties.get(DEADLINE_PROPERTY))
    referral = referral_for_instance(step, instance_of(timer), timer.data)
    if kind is not None and referral is not None and referral.id is not None:
        return kind, str(referral.id), referral
    return DeadlineKind.BPMN_TIMER, str(timer.id), referral


def _moment(value: object) -> datetime | None:
    if isinstance(value, str):
        try:
            return parse_moment(value)
        except ValueError:
            return None
    return None
