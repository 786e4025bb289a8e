"""Who may see and do what: need-to-know rules as named predicates over plain facts.

Services, views and API routes ask these questions; none of them decides access on its own.
The predicates take an `Actor` (a snapshot of the user's organisation, roles and groups) so they
can be answered without touching the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from engine.domain import Role, TaskState

# Groups whose tasks are not tied to one organisation: the mechanism's coordination.
MECHANISM_WIDE_GROUPS = frozenset({Role.COORDINATOR.value})
# Roles that work on the cases their organisation owns.
CASE_STAFF_ROLES = frozenset({Role.CASEWORKER, Role.SUPERVISOR})


@dataclass(frozen=True)
class Actor:
    """The user doing something, as far as access rules need to know."""

    id: int
    username: str
    organisation_id: int
    roles: frozenset[Role]
    groups: frozenset[str]  # candidate groups: every role's name plus extra groups
    active: bool = True

    def has(self, role: Role) -> bool:
        """True when the user holds `role`."""
        return role in self.roles


def actor_of(user) -> Actor:
    """The Actor snapshot of a stored user (engine.store.models.User)."""
    return Actor(
        id=user.id,
        username=user.username,
        organisation_id=user.organisation_id,
        roles=frozenset(user.roles),
        groups=frozenset(user.groups),
        active=user.active,
    )


class CaseFacts(Protocol):
    organisation_id: int


class TaskFacts(Protocol):
    organisation_id: int
    candidate_groups: str  # comma-separated, as stored
    assignee_id: int | None
    state: TaskState


class ReferralFacts(Protocol):
    provider_organisation_id: int | None


def can_view_case(actor: Actor, case: CaseFacts) -> bool:
    """Coordinators see every case; caseworkers and supervisors see their organisation's cases."""
    if not actor.active:
        return False
    if actor.has(Role.COORDINATOR):
        return True
    return actor.organisation_id == case.organisation_id and bool(actor.roles & CASE_STAFF_ROLES)


def can_view_person(actor: Actor, case: CaseFacts) -> bool:
    """Who reads the person's identity on the case page: the staff of the organisation that owns the case."""
    return actor.active and actor.organisation_id == case.organisation_id and bool(actor.roles & CASE_STAFF_ROLES)


def can_list_cases(actor: Actor) -> bool:
    """Case staff list their organisation's cases; coordinators list every case."""
    return actor.active and (actor.has(Role.COORDINATOR) or bool(actor.roles & CASE_STAFF_ROLES))


def can_search_by_alias(actor: Actor) -> bool:
    """Only case staff look a person up by name or alias (each search is audited)."""
    return actor.active and bool(actor.roles & CASE_STAFF_ROLES)


def can_list_provider_referrals(actor: Actor) -> bool:
    """A provider focal point lists the referrals addressed to their organisation."""
    return actor.active and actor.has(Role.PROVIDER_FOCAL_POINT)


@dataclass(frozen=True)
class _OwnedCase:
    organisation_id: int


def can_view_case_of_task(actor: Actor, task) -> bool:
    """Whether a task's line may lead to its case page (`task.case_organisation_id` owns the case)."""
    return can_view_case(actor, _OwnedCase(task.case_organisation_id))


def can_open_case(actor: Actor) -> bool:
    """Only caseworkers open cases (for their own organisation)."""
    return actor.active and actor.has(Role.CASEWORKER)


def can_view_referral(actor: Actor, referral: ReferralFacts, case: CaseFacts) -> bool:
    """The provider it is addressed to sees a referral; so does whoever may see its case."""
    if can_answer_referral(actor, referral):
        return True
    return can_view_case(actor, case)


def can_answer_referral(actor: Actor, referral: ReferralFacts) -> bool:
    """A provider focal point answers the referrals addressed to their own organisation."""
    return (
        actor.active
        and actor.has(Role.PROVIDER_FOCAL_POINT)
        and referral.provider_organisation_id is not None
        and referral.provider_organisation_id == actor.organisation_id
    )


def task_groups(task: TaskFacts) -> set[str]:
    """The candidate groups of a stored task (comma-separated as stored, or already a sequence)."""
    groups = task.candidate_groups or ""
    return {group for group in (groups.split(",") if isinstance(groups, str) else groups) if group}


def can_see_task(actor: Actor, task: TaskFacts) -> bool:
    """Whether the task may appear to this user: assigned to them, or offered to a group they hold."""
    if not actor.active:
        return False
    if task.assignee_id == actor.id:
        return True
    groups = task_groups(task) & actor.groups
    if not groups:
        return False
    if groups & MECHANISM_WIDE_GROUPS:
        return True
    return actor.organisation_id == task.organisation_id


def can_complete_task(actor: Actor, task: TaskFacts) -> bool:
    """An open task is done by its assignee, or, while unassigned, by anyone it is offered to."""
    if task.state != TaskState.OPEN or not can_see_task(actor, task):
        return False
    return task.assignee_id is None or task.assignee_id == actor.id


def can_release_task(actor: Actor, task: TaskFacts) -> bool:
    """The holder of an open task hands it back to its groups; one drawn for a person and offered to no
    group has nobody to go back to (it would wait in nobody's list): a supervisor hands it over instead."""
    return task.state == TaskState.OPEN and task.assignee_id == actor.id and bool(task_groups(task))


def can_know_assignee(actor: Actor, assignee_organisation_id: int) -> bool:
    """Who holds a task is named to the people of the holder's own organisation and to coordinators (who
    hand any task over); to anyone else, a provider's staff to a case's caseworkers say, it is "someone else"."""
    return actor.active and (actor.organisation_id == assignee_organisation_id or actor.has(Role.COORDINATOR))


def can_know_person(actor: Actor, person_id: int, person_organisation_id: int) -> bool:
    """Whether a person who holds a task or acted on a case is named to the reader: by the same rule as a
    task's holder (`can_know_assignee`), and always to themself."""
    return actor.active and (person_id == actor.id or can_know_assignee(actor, person_organisation_id))


def can_claim_task(actor: Actor, task: TaskFacts) -> bool:
    """An unassigned open task may be claimed by anyone it is offered to."""
    return task.state == TaskState.OPEN and task.assignee_id is None and can_see_task(actor, task)


def can_reassign_task(actor: Actor, task: TaskFacts) -> bool:
    """Supervisors reassign their organisation's open tasks; coordinators reassign any."""
    if task.state != TaskState.OPEN or not actor.active:
        return False
    if actor.has(Role.COORDINATOR):
        return True
    return actor.has(Role.SUPERVISOR) and actor.organisation_id == task.organisation_id


def can_take_over_task(target: Actor, task: TaskFacts) -> bool:
    """A task is handed only to an active user of the organisation that must do it."""
    # Being its assignee lets one see and complete a task: outside that organisation it would open
    # a case to someone with no need to know it.
    return target.active and target.organisation_id == task.organisation_id


def can_handle_escalation(actor: Actor, case: CaseFacts) -> bool:
    """Coordinators handle any escalation; supervisors those of their organisation's cases."""
    if not actor.active:
        return False
    if actor.has(Role.COORDINATOR):
        return True
    return actor.has(Role.SUPERVISOR) and can_view_case(actor, case)


def can_see_escalation(actor: Actor, case: CaseFacts, referral: ReferralFacts | None) -> bool:
    """Whoever may see the case, and the provider a late referral is addressed to."""
    return can_view_case(actor, case) or (referral is not None and can_answer_referral(actor, referral))


def can_handle_escalation_of(actor: Actor, escalation) -> bool:
    """Whether a listed escalation shows its actions (`escalation.case_organisation_id` owns the case)."""
    return can_handle_escalation(actor, _OwnedCase(escalation.case_organisation_id))


def can_take_over_escalation(target: Actor, case: CaseFacts) -> bool:
    """An escalation is handed only to someone who may handle it: its alert names the case, and they must act on it."""
    return can_handle_escalation(target, case)


# Roles that only the mechanism's secretariat holds: their holders see or shape every organisation's work.
SECRETARIAT_ROLES = frozenset({Role.COORDINATOR, Role.SOP_AUTHOR})


def roles_held_in(is_secretariat: bool, is_provider: bool) -> frozenset[Role]:
    """The roles an organisation's people may hold: staff and administrators anywhere, focal points at
    providers, coordinators and SOP authors at the secretariat only."""
    roles = {Role.CASEWORKER, Role.SUPERVISOR, Role.ADMIN}
    if is_provider:
        roles.add(Role.PROVIDER_FOCAL_POINT)
    if is_secretariat:
        roles |= SECRETARIAT_ROLES
    return frozenset(roles)


def can_grant_roles(actor: Actor, target_id: int, before: frozenset[Role], after: frozenset[Role]) -> bool:
    """Nobody grants themselves a role: an administrator's own roles only ever shrink."""
    return actor.active and actor.has(Role.ADMIN) and (target_id != actor.id or after <= before)


def can_approve_consent_override(actor: Actor, case: CaseFacts) -> bool:
    """Only a supervisor of the case's organisation approves a consent override."""
    return actor.active and actor.has(Role.SUPERVISOR) and actor.organisation_id == case.organisation_id


def can_withdraw_consent(actor: Actor, case: CaseFacts) -> bool:
    """The caseworkers and supervisors of the case's organisation record a person's withdrawal of consent."""
    return actor.active and can_view_person(actor, case)


def can_withdraw_consent_of(actor: Actor, case) -> bool:
    """Whether a case page offers the withdrawal (`case.organisation_id` owns it; a standing consent is withdrawn)."""
    return can_withdraw_consent(actor, _OwnedCase(case.organisation_id)) and any(
        consent.given and consent.withdrawn_at is None for consent in case.consents)


def can_list_cases_needing_attention(actor: Actor) -> bool:
    """Coordinators and supervisors are shown cases whose steps failed."""
    return actor.active and bool(actor.roles & {Role.COORDINATOR, Role.SUPERVISOR})


def can_hold_case(actor: Actor) -> bool:
    """Only coordinators put a case under a legal hold (or lift it): it overrides the retention rule."""
    return actor.active and actor.has(Role.COORDINATOR)


def can_export_person_record(actor: Actor, case: CaseFacts) -> bool:
    """A supervisor of the case's organisation exports the person's record for a subject access request."""
    return actor.active and actor.has(Role.SUPERVISOR) and actor.organisation_id == case.organisation_id
def can_view_indicators(actor: Actor) -> bool:
    """Coordinators read the mechanism's indicators; supervisors those of their organisation's cases."""
    return actor.active and bool(actor.roles & {Role.COORDINATOR, Role.SUPERVISOR})


def can_view_provider_follow_up(actor: Actor, provider_organisation_id: int) -> bool:
    """Coordinators follow every provider; a provider's focal point or admin follows their own organisation."""
    if not actor.active:
        return False
    if actor.has(Role.COORDINATOR):
        return True
    return actor.organisation_id == provider_organisation_id and bool(
        actor.roles & {Role.PROVIDER_FOCAL_POINT, Role.ADMIN}
    )


def can_view_committee_report(actor: Actor) -> bool:
    """The steering committee's report covers the whole mechanism: coordinators read it."""
    return actor.active and actor.has(Role.COORDINATOR)


def can_move_training_clock(actor: Actor) -> bool:
    """On a training installation, its trainers (coordinators and administrators) move the clock forward."""
    return actor.active and bool(actor.roles & {Role.COORDINATOR, Role.ADMIN})


def can_author_pathways(actor: Actor) -> bool:
    """SOP authors see, upload, check, edit and publish pathways (and their drafts)."""
    return actor.active and actor.has(Role.SOP_AUTHOR)


def can_migrate_cases(actor: Actor) -> bool:
    """Moving running cases to a newer version of their pathway: SOP authors, who know what changed.

    A move never changes what a case holds nor who sees it; it is refused case by case when a
    changed step was already reached, and every move is audited with who did it.
    """
    return can_author_pathways(actor)
