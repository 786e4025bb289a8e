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
same transaction. A resolved escalation stops every further level of its deadline. An escalation
task answered with ``escalation_action = acknowledged|resolved`` moves its escalation to that
status, like the coordinator's own actions (`engine.services.escalations`).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from SpiffWorkflow.util.task import TaskState

from engine.domain import DeadlineKind, EscalationStatus, Priority, Role
from engine.errors import NotFound
from engine.runtime import case_runtime
from engine.runtime.human_tasks import extensions_of, instance_of
from engine.runtime.timers import parse_moment
from engine.services.case_sync import DEADLINE_PROPERTY, referral_for_instance
from engine.store.models import EscalationRow, ReferralRow, TaskRow

if TYPE_CHECKING:
    from engine.services.case_step import Step

ESCALATION_PROPERTY = "aiguillage.escalation"
# An escalation task's form field saying what was done about it (the Cameroon pathway's tasks have it).
ANSWER_FIELD = "escalation_action"
ANSWERS = {"acknowledged": EscalationStatus.ACKNOWLEDGED, "resolved": EscalationStatus.RESOLVED}
AFTER_PROPERTY = "aiguillage.escalation.after"
TOP_LEVEL = 3
# Marks a fired timer whose escalation was handled, in the workflow itself: saved with the step.
ESCALATED_MARK = "aiguillage.escalated"
# The due time of a deadline row whose chain has run out. The row is kept (not deleted) so that
# the next step does not index the same task's due date again as a fresh deadline.
NEVER = datetime(9999, 12, 31, tzinfo=timezone.utc)

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


def is_resolved(step: Step, kind: DeadlineKind, ref: str) -> bool:
    """True when someone resolved an escalation of this deadline: no further level is raised."""
    return step.session.scalar(
        select(EscalationRow.id)
        .where(
            EscalationRow.case_id == step.case.id,
            EscalationRow.deadline_kind == kind,
            EscalationRow.deadline_ref == ref,
            EscalationRow.status == EscalationStatus.RESOLVED,
        )
        .limit(1)
    ) is not None


def record_escalation(
    step: Step,
    kind: DeadlineKind,
    ref: str,
    level: int,
    due_at: datetime | None,
    referral: ReferralRow | None = None,
    task: TaskRow | None = None,
    label: str | None = None,
) -> bool:
    """Record one level of a deadline's escalation and queue its alert; False if it already was, or is resolved."""
    level = max(1, min(level, TOP_LEVEL))
    if is_resolved(step, kind, ref):
        return False
    recipients = recipients_for(step, level, referral, task)
    reason = REASONS.get(kind, "timer_passed")
    values = {
        "case_id": step.case.id,
        "referral_id": referral.id if referral is not None else None,
        "deadline_kind": kind,
        "deadline_ref": ref,
        "level": level,
        "at": step.now,
        "reason": reason,
        "alerted": {"recipients": recipients, "users": [rule["user"] for rule in recipients if "user" in rule]},
        "status": EscalationStatus.OPEN,
    }
    dialect = step.session.get_bind().dialect.name
    dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert if dialect == "sqlite" else None
    statement = (
        dialect_insert(EscalationRow).values(**values).on_conflict_do_nothing()
        if dialect_insert is not None
        else insert(EscalationRow).values(**values)
    )
    escalation_id = step.session.execute(statement.returning(EscalationRow.id)).scalar()
    if escalation_id is None:
        return False  # raised before: the retry of a step a killed sweeper did not finish
    if referral is not None and referral.escalation_level < level:
        referral.escalation_level = level
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
        task_id=task.id if task is not None else None,
        recipients=recipients,
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
    level = (extensions_of(task).get("properties") or {}).get(ESCALATION_PROPERTY)
    status = ANSWERS.get(task.data.get(ANSWER_FIELD))
    if level is None or not str(level).strip().isdigit() or status is None:
        return False
    timer = task.parent
    purpose = (extensions_of(timer).get("properties") or {}).get(DEADLINE_PROPERTY) if timer is not None else None
    referral = referral_for_instance(step, instance_of(task))
    kind = PURPOSES.get(purpose)
    where = [EscalationRow.case_id == step.case.id, EscalationRow.level == int(str(level).strip()),
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
        note = task.data.get("escalation_note")
        escalation.resolution_note = note[:1000] if isinstance(note, str) and note.strip() else None
    step.details.setdefault("escalations_answered", []).append([escalation.id, status.value])
    return True


def record_fired_escalations(step: Step) -> int:
    """Record the drawn escalations whose timers fired during this step; the number recorded."""
    recorded = 0
    for timer, level in _fired_escalation_timers(step.workflow):
        timer.internal_data[ESCALATED_MARK] = True
        properties = extensions_of(timer).get("properties") or {}
        kind = PURPOSES.get(properties.get(DEADLINE_PROPERTY))
        referral = referral_for_instance(step, instance_of(timer))
        if kind is not None and referral is not None and referral.id is not None:
            ref = str(referral.id)
        else:
            kind, ref, referral = DeadlineKind.BPMN_TIMER, str(timer.id), referral
        due_at = _moment(timer.internal_data.get("event_value"))
        label = timer.task_spec.bpmn_name or timer.task_spec.bpmn_id
        recorded += record_escalation(step, kind, ref, level, due_at, referral=referral, label=label)
    return recorded


def chain_delays(properties: dict[str, str], priority: Priority | None) -> tuple[str | timedelta, ...]:
    """The delays after the due date at which levels 2, 3... follow (pathway property, else defaults)."""
    written = properties.get(AFTER_PROPERTY)
    if written is not None:
        return tuple(part.strip() for part in written.split(",") if part.strip())[: TOP_LEVEL - 1]
    return DEFAULT_AFTER[priority or Priority.NORMAL]


def _fired_escalation_timers(workflow) -> list[tuple[Any, int]]:
    # Kept next to its only use; belongs with the runtime facade if another service needs it.
    found = []
    for tasks in (workflow.tasks, *(sub.tasks for sub in workflow.subprocesses.values())):
        for task in tasks.values():
            if task.state != TaskState.COMPLETED or ESCALATED_MARK in task.internal_data:
                continue
            if getattr(task.task_spec, "event_definition", None) is None:
                continue
            level = (extensions_of(task).get("properties") or {}).get(ESCALATION_PROPERTY)
            if level is not None and str(level).strip().isdigit():
                found.append((task, int(str(level).strip())))
    return found


def _moment(value: object) -> datetime | None:
    if isinstance(value, str):
        try:
            return parse_moment(value)
        except ValueError:
            return None
    return None
