"""Keeping our tables in step with a case's workflow after each step: tasks, candidates, deadlines, case facts.

Only what changed is written: new ready tasks become rows (with one candidate row per group),
rows whose task is no longer ready are completed or cancelled, deadline rows are inserted,
moved or deleted by (kind, ref), and the case's stage, status and attention flag follow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import select

from engine.access import MECHANISM_WIDE_GROUPS
from engine.domain import CaseStatus, DeadlineKind, Priority, Role, TaskState
from engine.runtime import case_runtime
from engine.runtime.case_data import read_case_data
from engine.runtime.case_runtime import TaskFailure
from engine.runtime.human_tasks import HumanTask, extensions_of, instance_of
from engine.pathways.groups import CASE, PROVIDER, SECRETARIAT, GroupRules
from engine.pathways.need_fields import NeedFields, instance_key
from engine.services.pathways.metadata import case_fields, group_rules, need_fields
from engine.store import case_records
from engine.store.case_records import TaskRecord
from engine.store.models import Organisation, TaskRow, User

if TYPE_CHECKING:
    from engine.services.cases.step import Step

STAGE_PROPERTY = "aiguillage.stage"
DEADLINE_PROPERTY = "aiguillage.deadline"
# The order a case moves through its stages: the furthest stage with open work is the case's stage.
STAGES = ("identification", "assessment", "consent", "referral", "follow_up", "closure")
CLOSED_STAGE = "closed"
# A task the diagram offers to nobody in particular goes to the owning organisation's caseworkers.
DEFAULT_GROUP = Role.CASEWORKER.value
DOUALA = ZoneInfo("Africa/Douala")


@dataclass
class SyncChanges:
    """What a step changes in the task, candidate and deadline rows, written by `write` after the case."""

    new_tasks: list[TaskRecord] = field(default_factory=list)
    ended_tasks: list[TaskRecord] = field(default_factory=list)
    ended: list[dict] = field(default_factory=list)
    candidates: list[dict] = field(default_factory=list)
    deadlines_deleted: list[int] = field(default_factory=list)
    deadlines_moved: list[dict] = field(default_factory=list)
    deadlines_added: list[dict] = field(default_factory=list)

    def write(self, batch) -> None:
        """Queue the changes on the step's statement batch (`engine.store.prepared.StatementBatch`)."""
        case_records.end_tasks(batch, self.ended)
        case_records.insert_tasks(batch, self.new_tasks, self.candidates)
        case_records.change_deadlines(batch, self.deadlines_deleted, self.deadlines_moved, self.deadlines_added)


def sync_case(step: Step, failures: list[TaskFailure]) -> SyncChanges:
    """Work out the task, candidate and deadline rows and the case's own facts that the workflow now implies."""
    ready = case_runtime.ready_human_tasks(step.workflow)
    changes = SyncChanges()
    _sync_tasks(step, ready, changes)
    _sync_deadlines(step, ready, changes)
    _sync_case_facts(step, ready, failures)
    return changes


# ---- tasks ------------------------------------------------------------------------------------


def _sync_tasks(step: Step, ready: list[HumanTask], changes: SyncChanges) -> None:
    ready_ids = {task.id for task in ready}
    actor_id = step.actor.id if step.actor is not None else None
    for row in list(step.open_tasks.values()):
        if row.id in ready_ids:
            continue
        completed = step.completed_task is not None and row.id == step.completed_task.id
        changes.ended.append({
            "b_id": row.id,
            "state": TaskState.COMPLETED if completed else TaskState.CANCELLED,
            "completed_at": step.now,
            "completed_by_id": actor_id if completed else None,
        })
        changes.ended_tasks.append(row)
        del step.open_tasks[row.id]
    resolver = Resolver(step.session)
    for task in ready:
        if task.id in step.open_tasks:
            continue
        row = _task_row(step, task, resolver)
        step.open_tasks[row.id] = row
        changes.new_tasks.append(row)
        changes.candidates.extend(candidate_rows(row, resolver))
        step.notify(
            "task_assigned",
            task_id=row.id,
            bpmn_id=row.bpmn_id,
            task_name=row.name,
            organisation_id=row.organisation_id,
            candidate_groups=row.candidate_groups.split(",") if row.candidate_groups else [],
            assignee_id=row.assignee_id,
            due_at=row.due_at.isoformat() if row.due_at else None,
            referral_id=row.referral_id,
        )


class Resolver:
    """Looks up, at most once per step, what new task and candidate rows need from the directory."""

    def __init__(self, session):
        self.session = session
        self._coordination: int | None | bool = False
        self._users: dict[str, int | None] = {}
        self._slugs: dict[str, int | None] = {}
        self._rules: dict[int, GroupRules] = {}

    def assignee_id(self, username: str | None) -> int | None:
        if not username:
            return None
        if username not in self._users:
            self._users[username] = self.session.scalar(select(User.id).where(User.username == username))
        return self._users[username]

    def coordination_organisation(self) -> int | None:
        # The mechanism's secretariat (one per installation, named by an operator).
        if self._coordination is False:
            self._coordination = self.session.scalar(select(Organisation.id).where(Organisation.is_secretariat.is_(True)))
        return self._coordination

    def candidate_organisation(self, row: TaskRecord | TaskRow, group: str) -> int:
        if group in MECHANISM_WIDE_GROUPS:
            return self.coordination_organisation() or row.organisation_id
        return row.organisation_id

    def group_rules(self, pathway_version_id: int, content_hash: str | None = None) -> GroupRules:
        # One look-up of the version's pathway.yaml per step, however many tasks it opens.
        if pathway_version_id not in self._rules:
            self._rules[pathway_version_id] = group_rules(self.session, pathway_version_id, content_hash)
        return self._rules[pathway_version_id]

    def organisation_by_slug(self, slug: str) -> int | None:
        if slug not in self._slugs:
            self._slugs[slug] = self.session.scalar(select(Organisation.id).where(Organisation.slug == slug[:100]))
        return self._slugs[slug]


def offered_to(step: Step, task: HumanTask, resolver: Resolver, referral, assigned: bool) -> tuple[list[str], int]:
    """The roles (or extra groups) a new task is offered to, and the organisation whose holders get it.

    Each candidate group, else the lane, is read through the pathway's `groups:` declaration
    (`engine.pathways.groups`): "provider" work goes to the referral's provider, "coordination" to the
    secretariat, a named organisation to that one; the rest stays with the case's organisation.
    """
    rules = resolver.group_rules(step.case.pathway_version_id, step.content_hash)
    # A lane's own name goes through the pathway's declaration (which may say another organisation
    # than the role's usual one), as do drawn candidate groups. A lane that names no role
    # leaves the task to the case's caseworkers, as validation warns.
    if task.by_lane:
        names = [task.lane] if task.lane and rules.knows(task.lane) else []
    else:
        names = list(task.candidate_groups)
    chosen = [rules.rule_for(name) for name in names]
    groups = list(dict.fromkeys(rule.role for rule in chosen))
    if not groups and not assigned:
        groups = [DEFAULT_GROUP]
    organisation_id = step.case.organisation_id
    for rule in chosen:
        if rule.role in MECHANISM_WIDE_GROUPS:
            continue  # coordinators see such work whichever organisation owns it (`engine.access`)
        found = _organisation_of(rule.organisation, step, resolver, referral)
        if found is not None:
            organisation_id = found
            break
    return groups, organisation_id


def _organisation_of(kind: str, step: Step, resolver: Resolver, referral) -> int | None:
    if kind == CASE:
        return None
    if kind == PROVIDER:
        # Outside a referral (or before it is sent) there is no provider yet: the case's organisation keeps the task.
        return referral.provider_organisation_id if referral is not None else None
    if kind == SECRETARIAT:
        return resolver.coordination_organisation()
    return resolver.organisation_by_slug(kind)


def candidate_rows(row: TaskRecord | TaskRow, resolver: Resolver, held: bool | None = None) -> list[dict]:
    """The candidate rows of an open task: one per group, none while someone holds the task."""
    if row.assignee_id is not None if held is None else held:
        return []
    rank = Priority(row.priority).rank
    return [
        {"task_id": row.id, "group_name": group, "organisation_id": resolver.candidate_organisation(row, group),
         "priority_rank": rank, "due_at": row.due_at}
        for group in row.candidate_groups.split(",")
        if group
    ]


def _task_row(step: Step, task: HumanTask, resolver: Resolver) -> TaskRecord:
    assignee_id = resolver.assignee_id(task.assignee)
    referral = referral_for_instance(step, task.instance, task.data)
    groups, organisation_id = offered_to(step, task, resolver, referral, assigned=assignee_id is not None)
    return TaskRecord(
        id=task.id,
        case_id=step.case.id,
        bpmn_id=task.bpmn_id[:255],
        name=(task.name or task.bpmn_id)[:255],
        lane=task.lane,
        stage=task.properties.get(STAGE_PROPERTY),
        organisation_id=organisation_id,
        candidate_groups=",".join(groups),
        assignee_id=assignee_id,
        due_at=task.due_at or task.deadline_at,
        follow_up_at=task.follow_up_at,
        priority=_task_priority(step, task),
        state=TaskState.OPEN,
        instance_key=instance_key(task.instance),
        instance_label=_instance_label(step, task.instance),
        referral_id=referral.id if referral is not None else None,
        created_at=step.now,
    )


def _instance_label(step: Step, instance: dict | None) -> str | None:
    sector = need_fields_of(step).item_sector(instance)
    return sector[:255] if sector is not None else None


def need_fields_of(step: Step) -> NeedFields:
    """What the case's pathway version calls its needs, one need, and a need's sector and urgency (`need_fields:`)."""
    return need_fields(step.session, step.case.pathway_version_id, step.content_hash)


def referral_for_instance(step: Step, instance: dict | None, data: dict | None = None):
    """The current referral of a referral branch (`engine.pathways.need_fields`): the latest one created for it,
    if any."""
    key = need_fields_of(step).branch_key(instance, data)
    if key is None:
        return None
    found = [r for r in step.referrals if r.instance_key == key]
    return found[-1] if found else None


def _task_priority(step: Step, task: HumanTask) -> Priority:
    urgency = need_fields_of(step).item_urgency(task.instance)
    if urgency in Priority.__members__.values():
        return Priority(urgency)
    return step.case.priority or Priority.NORMAL


# ---- deadlines --------------------------------------------------------------------------------


def _sync_deadlines(step: Step, ready: list[HumanTask], changes: SyncChanges) -> None:
    wanted: dict[tuple[DeadlineKind, str], datetime] = {}
    for task in ready:
        if task.due_at is not None:
            wanted[(DeadlineKind.TASK_DUE, task.id)] = task.due_at
        if task.follow_up_at is not None:
            wanted[(DeadlineKind.FOLLOW_UP, task.id)] = task.follow_up_at
    for timer in case_runtime.pending_timers(step.workflow):
        wanted[(DeadlineKind.BPMN_TIMER, timer.task_id)] = timer.due_at
        referral_kind = _referral_deadline(step, timer)
        if referral_kind is not None:
            key, due_at = referral_kind, timer.due_at
            if key not in wanted or due_at < wanted[key]:
                wanted[key] = due_at
    if not wanted and not step.has_deadlines:
        return
    rows = step.deadlines if step.deadlines is not None else case_records.deadlines_of(step.connection, step.case.id)
    for row in rows:
        due_at = wanted.pop((row.kind, row.ref), None)
        if due_at is None:
            changes.deadlines_deleted.append(row.id)
        elif row.due_at != due_at and not row.level:
            # A row with escalation levels taken waits for its next level (see escalation_chain).
            changes.deadlines_moved.append({"b_id": row.id, "due_at": due_at})
    changes.deadlines_added.extend(
        {"case_id": step.case.id, "kind": kind, "ref": ref, "due_at": due_at, "created_at": step.now}
        for (kind, ref), due_at in wanted.items()
    )


def _referral_deadline(step: Step, timer) -> tuple[DeadlineKind, str] | None:
    if timer.attached_to is None:
        return None
    task = case_runtime.find_task(step.workflow, timer.task_id)
    purpose = (extensions_of(task).get("properties") or {}).get(DEADLINE_PROPERTY)
    kind = {"acknowledge": DeadlineKind.REFERRAL_ACK, "service": DeadlineKind.REFERRAL_SERVICE}.get(purpose)
    if kind is None:
        return None
    referral = referral_for_instance(step, instance_of(task), task.data)
    if referral is None or referral.id is None:
        return None
    return kind, str(referral.id)


# ---- the case's own facts ---------------------------------------------------------------------


def _sync_case_facts(step: Step, ready: list[HumanTask], failures: list[TaskFailure]) -> None:
    case = step.case
    stages = [task.properties.get(STAGE_PROPERTY) for task in ready]
    known = [stage for stage in stages if stage in STAGES]
    if known:
        case.stage = max(known, key=STAGES.index)
    if failures:
        case.needs_attention = True
        case.attention_message = "; ".join(f"{f.bpmn_id} ({f.name}): {f.message}" for f in failures)[:4000]
        case.attention_at = step.now
    elif case.needs_attention:
        case.needs_attention = False
        case.attention_message = None
        case.attention_at = None
    if case.status == CaseStatus.OPEN and case_runtime.is_completed(step.workflow):
        case.status = CaseStatus.CLOSED
        case.stage = CLOSED_STAGE
        case.closed_at = step.now
        # Under the name the pathway gives it (`case_fields:`), as a form or a script left it in the case's data.
        fields = case_fields(step.session, case.pathway_version_id, step.content_hash)
        case.close_reason = fields.close_reason_of(read_case_data(step.workflow))
        step.notify("case_closed", close_reason=case.close_reason.value)


def local_year(moment: datetime) -> int:
    """The year in Cameroon at `moment` (references are numbered per local year)."""
    return moment.astimezone(DOUALA).year
