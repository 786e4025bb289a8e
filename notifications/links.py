"""Which page a notification leads its reader to: the first of the event's pages that reader may open.

One event reaches people on both sides of a referral: a new referral goes to the provider's focal
points, who may open the referral but not the case; a late referral's second alert goes to the
supervisors of the case's organisation and of the provider's, and the provider's supervisors may open
neither. A link is therefore chosen per recipient with the same access predicates as the pages: the
task the event is about, else the case, else the referral, else a focal point's list of referrals,
else no link at all (a message that says what happened is better than a link to "page not found").
An escalation handed to someone leads first to that escalation on the escalations page, where its
actions are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import (
    Actor,
    can_list_provider_referrals,
    can_see_escalation,
    can_see_task,
    can_view_case,
    can_view_referral,
)
from engine.store.models import CaseRow, TaskRow, UserGroup, UserRole

_REFERENCE_KEYS = ("case_reference", "reference")
# Events whose first page is the escalation they are about; the level alerts keep their case or
# referral link, which a provider's focal points may open without seeing the escalations page's actions.
_ESCALATION_EVENTS = frozenset({"escalation_handed_over"})


@dataclass(frozen=True)
class _Owned:
    organisation_id: int


@dataclass(frozen=True)
class _AddressedTo:
    provider_organisation_id: int | None


@dataclass
class LinkFacts:
    """What the links of one batch of deliveries depend on, read in a few queries."""

    readers: dict[int, Actor]
    case_owners: dict[int, int]  # case id -> organisation that owns the case
    tasks: dict[str, Any]  # task id -> (organisation_id, candidate_groups, assignee_id, state), what can_see_task reads

    @classmethod
    def read(cls, session: Session, users: Iterable[Any], case_ids: Iterable[int], task_ids: Iterable[str]) -> LinkFacts:
        """`users`: the recipients as the claim read them (id, username, organisation_id, active)."""
        users, case_ids, task_ids = {user.id: user for user in users}, set(case_ids), set(task_ids)
        readers: dict[int, Actor] = {}
        if users:
            roles: dict[int, set] = {}
            groups: dict[int, set[str]] = {}
            for user_id, role in session.execute(select(UserRole.user_id, UserRole.role).where(UserRole.user_id.in_(users))):
                roles.setdefault(user_id, set()).add(role)
            for user_id, group in session.execute(
                    select(UserGroup.user_id, UserGroup.group_name).where(UserGroup.user_id.in_(users))):
                groups.setdefault(user_id, set()).add(group)
            for user in users.values():
                held = frozenset(roles.get(user.id, ()))
                readers[user.id] = Actor(id=user.id, username=user.username, organisation_id=user.organisation_id,
                                         roles=held, groups=frozenset({role.value for role in held} | groups.get(user.id, set())),
                                         active=user.active)
        case_owners = dict(session.execute(
            select(CaseRow.id, CaseRow.organisation_id).where(CaseRow.id.in_(case_ids))).all()) if case_ids else {}
        tasks = {task.id: task for task in session.execute(
            select(TaskRow.id, TaskRow.organisation_id, TaskRow.candidate_groups, TaskRow.assignee_id, TaskRow.state)
            .where(TaskRow.id.in_(task_ids)))} if task_ids else {}
        return cls(readers=readers, case_owners=case_owners, tasks=tasks)


def task_id_of(payload: Mapping) -> str | None:
    """The task an event is about, if it names one."""
    task_id = payload.get("task_id")
    return task_id if isinstance(task_id, str) and task_id else None


def link_for(facts: LinkFacts, user_id: int, case_id: int | None, payload: Mapping, event: str | None = None) -> str | None:
    """The path of the first page of this event that the recipient may open, or None.

    A path the event names itself (a report's page) is kept as it is. A task this installation does
    not hold (an event written by another system) keeps its link, as it did before links were chosen.
    """
    if "path" in payload:
        return payload["path"]
    reader = facts.readers.get(user_id)
    if reader is None or not reader.active:
        return None
    task_id = task_id_of(payload)
    if task_id is not None:
        task = facts.tasks.get(task_id)
        if task is None or can_see_task(reader, task):
            return f"/tasks/{task_id}"
    owner = facts.case_owners.get(case_id) if case_id is not None else None
    referral_id = payload.get("referral_id")
    provider = payload.get("provider_organisation_id")
    addressed_to = _AddressedTo(provider if isinstance(provider, int) else None)
    escalation_id = payload.get("escalation_id")
    if (event in _ESCALATION_EVENTS and _is_id(escalation_id) and owner is not None
            and can_see_escalation(reader, _Owned(owner), addressed_to if _is_id(referral_id) else None)):
        # Every status, so that the row is listed however the escalation moved since.
        return f"/coordination/escalations?status=all#escalation-{escalation_id}"
    reference = next((payload[key] for key in _REFERENCE_KEYS if isinstance(payload.get(key), str)), None)
    if owner is not None and reference and can_view_case(reader, _Owned(owner)):
        return f"/cases/{reference}"
    if _is_id(referral_id) and owner is not None and can_view_referral(reader, addressed_to, _Owned(owner)):
        return f"/referrals/{referral_id}"
    if can_list_provider_referrals(reader) and (referral_id is not None or payload.get("revoked_referral_ids")):
        return "/referrals/"
    return None


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
