"""The access predicates: who may see a case, do a task, answer a referral, approve an override."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from engine.access import (
    Actor,
    can_answer_referral,
    can_approve_consent_override,
    can_claim_task,
    can_complete_task,
    can_know_assignee,
    can_know_person,
    can_list_cases_needing_attention,
    can_open_case,
    can_reassign_task,
    can_release_task,
    can_see_task,
    can_view_case,
    can_view_referral,
)
from engine.domain import Role, TaskState

IOM, MINAS, HOSPITAL, SECRETARIAT = 1, 2, 3, 4


def person(organisation: int, *roles: Role, extra_groups=(), user_id: int = 10, active: bool = True) -> Actor:
    return Actor(user_id, f"user{user_id}", organisation, frozenset(roles),
                 frozenset({r.value for r in roles} | set(extra_groups)), active)


@dataclass
class Case:
    organisation_id: int


@dataclass
class Task:
    organisation_id: int
    candidate_groups: str
    assignee_id: int | None = None
    state: TaskState = TaskState.OPEN


@dataclass
class Referral:
    provider_organisation_id: int | None


CASEWORKER = person(IOM, Role.CASEWORKER)
SUPERVISOR = person(IOM, Role.SUPERVISOR, user_id=11)
OTHER_CASEWORKER = person(MINAS, Role.CASEWORKER, user_id=12)
FOCAL_POINT = person(HOSPITAL, Role.PROVIDER_FOCAL_POINT, user_id=13)
COORDINATOR = person(SECRETARIAT, Role.COORDINATOR, user_id=14)


def test_case_staff_see_their_organisations_cases_and_coordinators_see_all():
    case = Case(IOM)
    assert can_view_case(CASEWORKER, case) and can_view_case(SUPERVISOR, case) and can_view_case(COORDINATOR, case)
    assert not can_view_case(OTHER_CASEWORKER, case)
    assert not can_view_case(person(IOM, Role.PROVIDER_FOCAL_POINT), case)  # same organisation, wrong role
    assert not can_view_case(person(IOM, Role.CASEWORKER, active=False), case)


def test_a_provider_answers_and_sees_only_referrals_addressed_to_it():
    mine, theirs = Referral(HOSPITAL), Referral(MINAS)
    assert can_answer_referral(FOCAL_POINT, mine) and not can_answer_referral(FOCAL_POINT, theirs)
    assert can_view_referral(FOCAL_POINT, mine, Case(IOM)) and not can_view_referral(FOCAL_POINT, theirs, Case(IOM))
    assert not can_answer_referral(CASEWORKER, Referral(IOM))  # a caseworker does not answer for the provider
    assert not can_answer_referral(FOCAL_POINT, Referral(None))


def test_a_task_offered_to_a_group_is_for_that_groups_members_in_the_tasks_organisation():
    task = Task(IOM, "caseworker")
    assert can_see_task(CASEWORKER, task) and can_complete_task(CASEWORKER, task)
    assert not can_see_task(OTHER_CASEWORKER, task)
    assert not can_see_task(SUPERVISOR, task)
    assert can_see_task(person(IOM, Role.SUPERVISOR, extra_groups={"caseworker"}), task)


def test_coordinator_tasks_are_mechanism_wide():
    task = Task(IOM, "coordinator")
    assert can_complete_task(COORDINATOR, task) and not can_complete_task(CASEWORKER, task)


def test_an_assigned_task_is_done_by_its_assignee_only():
    task = Task(IOM, "caseworker", assignee_id=99)
    assert not can_complete_task(CASEWORKER, task) and not can_claim_task(CASEWORKER, task)
    assert can_complete_task(person(MINAS, Role.CASEWORKER, user_id=99), task)  # assigned by name, anywhere


def test_a_finished_task_can_be_neither_completed_claimed_nor_reassigned():
    done = Task(IOM, "caseworker", state=TaskState.COMPLETED)
    assert not can_complete_task(CASEWORKER, done) and not can_claim_task(CASEWORKER, done)
    assert not can_reassign_task(SUPERVISOR, done)


def test_only_the_holder_hands_a_task_back_and_only_to_groups_it_is_offered_to():
    holder = person(IOM, Role.CASEWORKER, user_id=99)
    assert can_release_task(holder, Task(IOM, "caseworker", assignee_id=99))
    assert not can_release_task(CASEWORKER, Task(IOM, "caseworker", assignee_id=99))  # someone else's
    assert not can_release_task(holder, Task(IOM, "caseworker", assignee_id=99, state=TaskState.COMPLETED))
    assert not can_release_task(holder, Task(IOM, "", assignee_id=99))  # drawn for them: nobody to go back to


def test_supervisors_reassign_their_organisations_tasks_coordinators_any():
    assert can_reassign_task(SUPERVISOR, Task(IOM, "caseworker"))
    assert not can_reassign_task(SUPERVISOR, Task(MINAS, "caseworker"))
    assert not can_reassign_task(CASEWORKER, Task(IOM, "caseworker"))
    assert can_reassign_task(COORDINATOR, Task(MINAS, "caseworker"))


@pytest.mark.parametrize("actor, allowed", [(CASEWORKER, True), (SUPERVISOR, False), (FOCAL_POINT, False), (COORDINATOR, False)])
def test_only_caseworkers_open_cases(actor, allowed):
    assert can_open_case(actor) is allowed


def test_only_a_supervisor_of_the_case_approves_a_consent_override():
    assert can_approve_consent_override(SUPERVISOR, Case(IOM))
    assert not can_approve_consent_override(SUPERVISOR, Case(MINAS))
    assert not can_approve_consent_override(CASEWORKER, Case(IOM))
    assert not can_approve_consent_override(COORDINATOR, Case(IOM))


def test_coordinators_and_supervisors_are_shown_cases_needing_attention():
    assert can_list_cases_needing_attention(COORDINATOR) and can_list_cases_needing_attention(SUPERVISOR)
    assert not can_list_cases_needing_attention(CASEWORKER) and not can_list_cases_needing_attention(FOCAL_POINT)


def test_who_holds_a_task_is_named_to_the_holders_organisation_and_to_coordinators_only():
    assert can_know_assignee(person(IOM, Role.CASEWORKER), IOM)
    assert can_know_assignee(person(SECRETARIAT, Role.COORDINATOR), HOSPITAL)
    assert not can_know_assignee(person(IOM, Role.SUPERVISOR), HOSPITAL)
    assert not can_know_assignee(person(IOM, Role.CASEWORKER, active=False), IOM)


def test_who_acted_is_named_by_the_holders_rule_and_always_to_themself():
    focal_point = person(HOSPITAL, Role.PROVIDER_FOCAL_POINT, user_id=20)
    assert can_know_person(focal_point, focal_point.id, HOSPITAL)
    assert can_know_person(person(IOM, Role.CASEWORKER), 99, IOM)
    assert can_know_person(person(SECRETARIAT, Role.COORDINATOR), focal_point.id, HOSPITAL)
    assert not can_know_person(person(IOM, Role.CASEWORKER), focal_point.id, HOSPITAL)
    assert not can_know_person(person(HOSPITAL, Role.PROVIDER_FOCAL_POINT, user_id=20, active=False), focal_point.id, HOSPITAL)
