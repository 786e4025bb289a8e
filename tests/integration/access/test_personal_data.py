"""Need to know: who sees which case, referral and field; and the audit of every read and write of a
person's data (who, what, when, from which address)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import func, select

from access_table import TABLE
from access_world import CLIENT_IP, UNSHARED, USERNAMES, Role, World
from engine.domain import Sector, TaskState
from engine.pathways.folder import load_source
from engine.pathways.sharing import rule_of
from engine.store.models import AuditEntry, CaseRow, EscalationRow, ReferralRow, TaskRow
from tests.integration.services.conftest import CAMEROON, CONSENT, IDENTIFICATION, NO_NEEDS

# Path parameters that name a case or something of a case.
CASE_OBJECTS = re.compile(r"<(?:[^:<>]+:)?(reference|case_id|referral_id|task_id|escalation_id)>")


def _api(world: World, role: Role, path: str, method: str = "GET", body: dict | None = None):
    return world.clients[role].open(path, method=method, json=body,
                                    headers={"Authorization": f"Bearer {world.bearer[role]}"})


def _page(world: World, role: Role, path: str) -> str:
    response = world.clients[role].get(path)
    assert response.status_code == 200, f"{path} as {role.value}: {response.status_code}"
    return response.get_data(as_text=True)


# ---- need to know --------------------------------------------------------------------------------


def test_a_provider_lists_only_the_referrals_addressed_to_its_organisation(world):
    listed = _api(world, Role.PROVIDER, "/api/v1/referrals").json["referrals"]
    assert [referral["id"] for referral in listed] == [world.own.referral_id]


def test_a_provider_sees_only_the_fields_the_referral_shares(world):
    response = _api(world, Role.PROVIDER, f"/api/v1/referrals/{world.own.referral_id}")
    assert response.status_code == 200
    referral = response.json
    # Consent to the minimum necessary, health referral: exactly what the pathway's rule gives that.
    assert referral["shared_fields"] == list(rule_of(load_source(CAMEROON).metadata).fields_for("minimum_necessary", "health"))
    assert set(referral["shared_data"]) <= set(referral["shared_fields"])
    assert referral["shared_data"]["sex"] == "female"  # what the service needs does reach it
    text = response.get_data(as_text=True)
    assert not [value for value in UNSHARED.values() if value in text]


def test_nothing_a_provider_is_shown_carries_identification_the_referral_does_not_share(world):
    task = world.own.provider_task_id
    shown = [
        _page(world, Role.PROVIDER, "/"),
        _page(world, Role.PROVIDER, "/tasks/"),
        _page(world, Role.PROVIDER, f"/tasks/{task}"),
        _api(world, Role.PROVIDER, "/api/v1/tasks").get_data(as_text=True),
        _api(world, Role.PROVIDER, f"/api/v1/tasks/{task}").get_data(as_text=True),
        _api(world, Role.PROVIDER, "/api/v1/escalations").get_data(as_text=True),
    ]
    leaks = [(index, value) for index, text in enumerate(shown) for value in UNSHARED.values() if value in text]
    assert not leaks


def test_a_provider_cannot_open_the_case_behind_its_referral(world):
    assert world.clients[Role.PROVIDER].get(f"/cases/{world.own.reference}").status_code == 404
    assert _api(world, Role.PROVIDER, f"/api/v1/cases/{world.own.case_id}").status_code == 404
    assert _api(world, Role.PROVIDER, "/api/v1/cases").json["cases"] == []


def test_a_caseworker_never_meets_another_organisations_case(world):
    other = world.other
    cases = _api(world, Role.CASEWORKER, "/api/v1/cases").json["cases"]
    assert [case["reference"] for case in cases] == [world.own.reference]
    referrals = _api(world, Role.CASEWORKER, "/api/v1/referrals").json["referrals"]
    assert other.referral_id not in [referral["id"] for referral in referrals]
    tasks = _api(world, Role.CASEWORKER, "/api/v1/tasks").json["tasks"]
    assert other.case_id not in [task["case_id"] for task in tasks]
    escalations = _api(world, Role.CASEWORKER, "/api/v1/escalations").json["escalations"]
    assert other.case_id not in [escalation["case_id"] for escalation in escalations]
    for path in ("/", "/tasks/", "/notifications"):
        assert other.reference not in _page(world, Role.CASEWORKER, path), path
    assert world.clients[Role.CASEWORKER].get(f"/cases/{other.reference}").status_code == 404
    assert _api(world, Role.CASEWORKER, f"/api/v1/cases/{other.case_id}").status_code == 404


def test_the_coordinator_sees_the_whole_mechanism(world):
    both_cases = {world.own.case_id, world.other.case_id}
    cases = _api(world, Role.COORDINATOR, "/api/v1/cases").json["cases"]
    assert {case["id"] for case in cases} == both_cases
    referrals = _api(world, Role.COORDINATOR, "/api/v1/referrals").json["referrals"]
    assert {referral["id"] for referral in referrals} == {world.own.referral_id, world.other.referral_id}
    escalations = _api(world, Role.COORDINATOR, "/api/v1/escalations").json["escalations"]
    assert {escalation["case_id"] for escalation in escalations} == both_cases
    assert world.clients[Role.COORDINATOR].get("/coordination/attention").status_code == 200


# ---- the audit of personal data ---------------------------------------------------------------------

# Routes about a case that show or change none of the person's data, and why.
NOT_PERSONAL = {
    "GET /tasks/<task_id>": "a task's empty form: field labels, no values",
    "GET /api/v1/tasks/<task_id>": "a task's empty form: field labels, no values",
    "GET /tasks/<task_id>/reassign": "a task's name and the users who may take it over",
    "GET /coordination/escalations/<int:escalation_id>/reassign": "an escalation's level, reason, case reference "
                                                                  "and the users who may handle it",
    "GET /cases/<reference>/consents/withdraw": "the case reference and when its consents were given, for which sectors",
}


@dataclass(frozen=True)
class Step:
    """One request of the walk, and the audit row it must leave."""

    route: str  # the access table key it exercises
    role: Role
    path: Callable[[World, dict], str]  # built when the step is taken: earlier steps make the objects
    action: str  # the audit action expected
    body: dict | None = None
    case: str = "own"  # which case the audit row must name: "own" (A) or "new" (opened by the walk)


def _open_task(world: World, case_id: int, bpmn_id: str, sector: str | None = None) -> str:
    with world.container.uow() as unit:
        rows = unit.session.scalars(select(TaskRow).where(TaskRow.case_id == case_id, TaskRow.bpmn_id == bpmn_id,
                                                          TaskRow.state == TaskState.OPEN)).all()
    found = [row.id for row in rows if sector is None or row.instance_label == sector]
    assert len(found) == 1, f"case {case_id} should have one open {bpmn_id} ({sector}), has {len(found)}"
    return found[0]


def _latest_health_referral(world: World, case_id: int) -> int:
    # Health referrals go to the Douala hospital, whose focal point plays the provider.
    with world.container.uow() as unit:
        return unit.session.scalar(select(func.max(ReferralRow.id)).where(ReferralRow.case_id == case_id,
                                                                          ReferralRow.sector == Sector.HEALTH))


def _walk(world: World) -> list[Step]:
    """Reads and writes of A's case by each role, then a new case opened and referred through the API."""
    own = world.own
    with world.container.uow() as unit:
        held = unit.session.scalar(select(TaskRow.assignee_id).where(TaskRow.id == own.caseworker_task_id))
    moves = [("claim", "case.task_claimed"), ("release", "case.task_released")]
    if held is not None:
        moves.reverse()
    task = own.caseworker_task_id
    with world.container.uow() as unit:
        second_escalation = unit.session.scalars(select(EscalationRow.id).where(EscalationRow.case_id == own.case_id)
                                                 .order_by(EscalationRow.id)).all()[1]
    referral = lambda w, m: f"/api/v1/referrals/{_latest_health_referral(w, m.get('case_id', own.case_id))}"  # noqa: E731
    new_case = lambda w, m: f"/api/v1/cases/{m['case_id']}"  # noqa: E731
    page_referral = lambda w, m: f"/referrals/{_latest_health_referral(w, m.get('case_id', own.case_id))}"  # noqa: E731

    def answer(move: str, body: dict, case: str = "own") -> Step:
        return Step(f"POST /api/v1/referrals/<referral_id>/{move}", Role.PROVIDER,
                    lambda w, m: referral(w, m) + f"/{move}", "case.task_completed", body, case)

    acknowledged = {"acknowledged_by": "Dr Ngo"}

    def new_task(bpmn_id: str, sector: str | None = None):
        return lambda w, m: f"/api/v1/tasks/{_open_task(w, m['case_id'], bpmn_id, sector)}/complete"

    steps = [
        Step("GET /cases/<reference>", Role.CASEWORKER, lambda w, m: f"/cases/{own.reference}", "case.viewed"),
        Step("GET /api/v1/cases/<case_id>", Role.SUPERVISOR, lambda w, m: f"/api/v1/cases/{own.case_id}",
             "case.viewed"),
        Step("GET /api/v1/cases/<case_id>/history", Role.COORDINATOR,
             lambda w, m: f"/api/v1/cases/{own.case_id}/history", "case.viewed"),
        Step("GET /api/v1/referrals/<referral_id>", Role.PROVIDER, referral, "referral.viewed"),
        Step("GET /api/v1/cases/<case_id>/record", Role.SUPERVISOR, lambda w, m: f"/api/v1/cases/{own.case_id}/record",
             "case.record_exported"),
        Step("GET /cases/<reference>/record", Role.SUPERVISOR,
             lambda w, m: f"/cases/{own.reference}/record?format=json&language=en", "case.record_exported"),
        Step("POST /api/v1/cases/<case_id>/legal-hold", Role.COORDINATOR,
             lambda w, m: f"/api/v1/cases/{own.case_id}/legal-hold", "case.legal_hold_placed", {"reason": "Enquête"}),
        Step("POST /api/v1/cases/<case_id>/legal-hold/lift", Role.COORDINATOR,
             lambda w, m: f"/api/v1/cases/{own.case_id}/legal-hold/lift", "case.legal_hold_lifted"),

        Step("GET /cases/<reference>/summary", Role.CASEWORKER, lambda w, m: f"/cases/{own.reference}/summary",
             "case.viewed"),
        Step("GET /referrals/<int:referral_id>", Role.PROVIDER, lambda w, m: page_referral(w, m), "referral.viewed"),
        Step("GET /referrals/<int:referral_id>/form", Role.PROVIDER, lambda w, m: page_referral(w, m) + "/form",
             "referral.viewed"),
        *[Step(f"POST /tasks/<task_id>/{move}", Role.CASEWORKER, lambda w, m, move=move: f"/tasks/{task}/{move}",
               action) for move, action in moves],
        *[Step(f"POST /api/v1/tasks/<task_id>/{move}", Role.CASEWORKER,
               lambda w, m, move=move: f"/api/v1/tasks/{task}/{move}", action) for move, action in moves],
        Step("POST /api/v1/tasks/<task_id>/reassign", Role.SUPERVISOR, lambda w, m: f"/api/v1/tasks/{task}/reassign",
             "case.task_reassigned", {"username": USERNAMES[Role.CASEWORKER]}),
        Step("POST /tasks/<task_id>/reassign", Role.SUPERVISOR, lambda w, m: f"/tasks/{task}/reassign",
             "case.task_reassigned", {"username": USERNAMES[Role.CASEWORKER]}),
        Step("POST /api/v1/tasks/<task_id>/complete", Role.CASEWORKER, lambda w, m: f"/api/v1/tasks/{task}/complete",
             "case.task_completed", {"data": {"provider_id": "demo-bon-samaritain"}}),
        Step("POST /api/v1/escalations/<escalation_id>/reassign", Role.COORDINATOR,
             lambda w, m: f"/api/v1/escalations/{own.escalation_id}/reassign", "case.escalation_reassigned",
             {"username": USERNAMES[Role.SUPERVISOR]}),
        Step("POST /api/v1/escalations/<escalation_id>/acknowledge", Role.SUPERVISOR,
             lambda w, m: f"/api/v1/escalations/{own.escalation_id}/acknowledge", "case.escalation_acknowledged"),
        Step("POST /api/v1/escalations/<escalation_id>/resolve", Role.COORDINATOR,
             lambda w, m: f"/api/v1/escalations/{own.escalation_id}/resolve", "case.escalation_resolved",
             {"note": "Called the duty doctor"}),
        *[Step(f"POST /coordination/escalations/<int:escalation_id>/{move}", role,
               lambda w, m, move=move: f"/coordination/escalations/{second_escalation}/{move}",
               f"case.escalation_{done}", body)
          for move, done, role, body in (
              ("reassign", "reassigned", Role.COORDINATOR, {"username": "demo-supervisor"}),
              ("acknowledge", "acknowledged", Role.SUPERVISOR, {}),
              ("resolve", "resolved", Role.SUPERVISOR, {"note": "Called the duty doctor"}))],
        # Acknowledging ends the reminders of the late acknowledgment: the provider decides at once.
        answer("acknowledge", acknowledged),
        answer("accept", {}),
        answer("outcome", {"service_delivered": True}),
        Step("POST /api/v1/cases/<case_id>/consents/withdraw", Role.CASEWORKER,
             lambda w, m: f"/api/v1/cases/{own.case_id}/consents/withdraw", "case.consent_withdrawn",
             {"reason": "asked to"}),
        # A new case, walked through the API to a redirected, then declined, referral.
        Step("POST /api/v1/cases", Role.CASEWORKER, lambda w, m: "/api/v1/cases", "case.case_opened",
             {"pathway_id": "cameroon-nrm"}, case="new"),
        Step("POST /api/v1/tasks/<task_id>/complete", Role.CASEWORKER, new_task("Task_Identification"),
             "case.task_completed", {"data": {**IDENTIFICATION, "priority": "emergency"}}, case="new"),
        Step("POST /api/v1/tasks/<task_id>/complete", Role.CASEWORKER, new_task("Task_NeedsAssessment"),
             "case.task_completed", {"data": {**NO_NEEDS, "assessment_date": "2026-03-02", "need_health": True}},
             case="new"),
        Step("POST /api/v1/cases/<case_id>/consents", Role.CASEWORKER, lambda w, m: new_case(w, m) + "/consents",
             "case.task_completed", {"consent_given": True, "data": {k: v for k, v in CONSENT.items()
                                                                      if k != "consent_given"}}, case="new"),
        Step("POST /api/v1/tasks/<task_id>/complete", Role.CASEWORKER, new_task("Task_SendReferral", "health"),
             "case.task_completed", {"data": {"provider_id": "demo-hopital-douala"}}, case="new"),
        answer("acknowledge", acknowledged, "new"),
        answer("redirect", {"redirect_to": "demo-hopital-douala"}, "new"),
        # The redirected referral comes back to the caseworker, who sends it again from the task page (to
        # the provider that redirected it, as it suggested: that takes a reason).
        Step("POST /tasks/<task_id>", Role.CASEWORKER,
             lambda w, m: f"/tasks/{_open_task(w, m['case_id'], 'Task_SendReferral', 'health')}",
             "case.task_completed", {"provider_id": "demo-hopital-douala",
                                     "provider_choice_reason": "the hospital suggested it"}, case="new"),
        # The provider acknowledges this one on its referral page.
        Step("POST /referrals/<int:referral_id>", Role.PROVIDER, page_referral, "case.task_completed", acknowledged,
             case="new"),
        answer("decline", {"decline_reason": "no_capacity"}, "new"),
        # The person of the new case withdraws consent, recorded on the case's withdrawal page.
        Step("POST /cases/<reference>/consents/withdraw", Role.SUPERVISOR,
             lambda w, m: f"/cases/{_reference(w, m['case_id'])}/consents/withdraw", "case.consent_withdrawn",
             {"reason": "asked to"}, case="new"),
    ]
    return steps


def _reference(world: World, case_id: int) -> str:
    with world.container.uow() as unit:
        return unit.session.get(CaseRow, case_id).reference


def _new_entries(world: World, after: int) -> list[AuditEntry]:
    with world.container.uow() as unit:
        return list(unit.session.scalars(select(AuditEntry).where(AuditEntry.id > after).order_by(AuditEntry.id)))


def _last_id(world: World) -> int:
    with world.container.uow() as unit:
        return unit.session.scalar(select(func.coalesce(func.max(AuditEntry.id), 0)))


def _send(world: World, step: Step, path: str):
    client = world.clients[step.role]
    if path.startswith("/api/"):
        return _api(world, step.role, path, "GET" if step.route.startswith("GET ") else "POST", step.body)
    if step.route.startswith("GET "):
        return client.get(path)
    client.get("/account/tokens")  # makes sure the session holds a CSRF token
    with client.session_transaction() as session:
        token = session["csrf"]
    form = {name: "true" if value is True else str(value) for name, value in (step.body or {}).items()}
    return client.post(path, data={**form, "csrf_token": token})


def test_every_read_and_write_of_a_persons_data_is_audited_with_who_what_when_and_where(world):
    problems, memo = [], {}
    for step in _walk(world):
        before = _last_id(world)
        response = _send(world, step, step.path(world, memo))
        if not 200 <= response.status_code < 400:
            problems.append(f"{step.route} as {step.role.value}: answered {response.status_code} "
                            f"{response.get_data(as_text=True)[:300]}")
            break  # the next steps build on this one
        if step.route == "POST /api/v1/cases":
            memo["case_id"] = response.json["id"]
        user_id = world.user_ids[USERNAMES[step.role]]
        entries = [e for e in _new_entries(world, before) if e.user_id == user_id and e.action == step.action]
        if not entries:
            problems.append(f"{step.route} as {step.role.value}: no {step.action} audit row")
            continue
        entry = entries[0]
        case_id = world.own.case_id if step.case == "own" else memo["case_id"]
        if entry.case_id != case_id or entry.ip != CLIENT_IP or not entry.user_agent:
            problems.append(f"{step.route}: audit row names case {entry.case_id}, address {entry.ip!r}, "
                            f"user agent {entry.user_agent!r}")
        if entry.at != world.container.clock.now():
            problems.append(f"{step.route}: audit row at {entry.at}, not {world.container.clock.now()}")
    assert not problems, "\n".join(problems)


def test_every_route_about_a_case_is_either_audited_or_shows_no_personal_data(world):
    walked = {step.route for step in _walk(world)}
    about_cases = {key for key in TABLE if CASE_OBJECTS.search(key)}
    unclassified = sorted(about_cases - walked - set(NOT_PERSONAL))
    assert not unclassified, ("routes about a case that the audit walk does not exercise and NOT_PERSONAL "
                              "does not excuse:\n  " + "\n  ".join(unclassified))
