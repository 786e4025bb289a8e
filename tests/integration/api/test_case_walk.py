"""A whole case through the API alone, from opening to closure, by the users of four organisations.

The caseworker and supervisor of IOM (the case's owner), the focal points of two providers (the
Douala hospital and the Bon Samaritain shelter) and the mechanism's coordinator each use their own
personal API token. Only time passes outside the API: the clock moves and the deadline sweep runs,
as the scheduler would.
"""

from __future__ import annotations

from datetime import timedelta

from engine.services.escalations.deadlines import sweep_deadlines
from tests.integration.services.conftest import ASSESSMENT, CONSENT, IDENTIFICATION

CASEWORKER, SUPERVISOR, COORDINATOR = "demo-caseworker", "demo-supervisor", "demo-coordinator"
HOSPITAL, SHELTER = "demo-health-douala", "demo-shelter"


def _ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


class Walk:
    """One case, moved on through the API by whoever's turn it is."""

    def __init__(self, api, container):
        self.api = api
        self.container = container
        self.case_id: int | None = None

    def tasks(self, username: str) -> list[dict]:
        return [t for t in _ok(self.api.get(username, "/tasks?limit=100"))["tasks"] if t["case_id"] == self.case_id]

    def task(self, username: str, bpmn_id: str, sector: str | None = None) -> dict:
        found = [t for t in self.tasks(username) if t["bpmn_id"] == bpmn_id and sector in (None, t["instance_label"])]
        assert len(found) == 1, f"{username}: {[(t['bpmn_id'], t['instance_label']) for t in self.tasks(username)]}"
        return found[0]

    def complete(self, username: str, bpmn_id: str, data: dict, sector: str | None = None) -> dict:
        task = self.task(username, bpmn_id, sector)
        return _ok(self.api.post(username, f"/tasks/{task['id']}/complete", json={"data": data}))

    def pass_time(self, delta: timedelta) -> None:
        self.container.clock.advance(delta)
        sweep_deadlines(self.container.uow, self.container.clock, worker_id="api-walk")

    def referral(self, username: str, sector: str) -> dict:
        found = [r for r in _ok(self.api.get(username, "/referrals"))["referrals"]
                 if r["case_id"] == self.case_id and r["sector"] == sector]
        assert len(found) == 1, found
        return found[0]


def test_a_case_walks_from_opening_to_closure_through_the_api_alone(api, container):
    walk = Walk(api, container)

    # IOM's caseworker opens the case, identifies the person, assesses two needs and records consent.
    opened = _ok(api.post(CASEWORKER, "/cases", json={"pathway_id": "cameroon-nrm"}), 201)
    walk.case_id = opened["id"]
    assert opened["reference"].startswith("MNR-2026-") and opened["stage"] == "identification"
    walk.complete(CASEWORKER, "Task_Identification", IDENTIFICATION)
    walk.complete(CASEWORKER, "Task_NeedsAssessment", ASSESSMENT)
    consent = {k: v for k, v in CONSENT.items() if k != "consent_given"}
    _ok(api.post(CASEWORKER, f"/cases/{walk.case_id}/consents", json={"consent_given": True, "data": consent}))

    # The referral step's form offers the providers of each need in the person's region.
    for sector, provider in (("health", "demo-hopital-douala"), ("shelter", "demo-bon-samaritain")):
        form = _ok(api.get(CASEWORKER, f"/tasks/{walk.task(CASEWORKER, 'Task_SendReferral', sector)['id']}"))
        assert provider in [p["slug"] for p in form["providers"]]
        walk.complete(CASEWORKER, "Task_SendReferral", {"provider_id": provider}, sector)

    # The hospital answers at once: acknowledges, accepts with an appointment, reports the service delivered.
    health = walk.referral(HOSPITAL, "health")
    _ok(api.post(HOSPITAL, f"/referrals/{health['id']}/acknowledge", json={"acknowledged_by": "Dr Ngo"}))
    _ok(api.post(HOSPITAL, f"/referrals/{health['id']}/accept", json={"appointment_date": "2026-03-04"}))
    _ok(api.post(HOSPITAL, f"/referrals/{health['id']}/outcome", json={"service_delivered": True}))
    assert _ok(api.get(HOSPITAL, f"/referrals/{health['id']}"))["state"] == "delivered"

    # The shelter stays silent: the acknowledgement deadline passes and escalates up to the coordinator.
    def coordinator_level() -> int:
        listed = _ok(api.get(COORDINATOR, "/escalations?status=open"))["escalations"]
        return max([e["level"] for e in listed if e["case_id"] == walk.case_id], default=0)

    for _ in range(40):
        if coordinator_level() >= 3:
            break
        walk.pass_time(timedelta(hours=12))
    assert coordinator_level() == 3
    # One missed deadline, one line: at its highest level, with the chain of levels before it.
    stalled = [s for s in _ok(api.get(COORDINATOR, "/escalations/stalled"))["stalled"] if s["case_id"] == walk.case_id]
    assert [(s["level"], [c["level"] for c in s["chain"]]) for s in stalled] == [(3, [1, 2, 3])]
    assert stalled[0]["late_seconds"] > 0 and stalled[0]["sector"] == "shelter"
    for escalation in _ok(api.get(COORDINATOR, "/escalations?status=open"))["escalations"]:
        _ok(api.post(COORDINATOR, f"/escalations/{escalation['id']}/acknowledge"))
        resolved = _ok(api.post(COORDINATOR, f"/escalations/{escalation['id']}/resolve",
                                json={"note": "Called the shelter: the focal point was on leave."}))
        assert resolved["status"] == "resolved"
    # Resolved, the chain's follow-up tasks leave everyone's list; the acknowledgment is still awaited.
    assert [t["bpmn_id"] for t in walk.tasks(SHELTER)] == ["Task_AcknowledgeReferral"]
    assert walk.tasks(SUPERVISOR) == [] and walk.tasks(COORDINATOR) == []

    # The shelter then answers.
    shelter = walk.referral(SHELTER, "shelter")
    assert shelter["escalation_level"] == 3
    _ok(api.post(SHELTER, f"/referrals/{shelter['id']}/acknowledge", json={"acknowledged_by": "Mme Ebanda"}))
    assert [t["bpmn_id"] for t in walk.tasks(SHELTER)] == ["Task_ReferralDecision"]
    _ok(api.post(SHELTER, f"/referrals/{shelter['id']}/accept", json={}))
    _ok(api.post(SHELTER, f"/referrals/{shelter['id']}/outcome",
                 json={"service_delivered": True, "outcome_note": "Housed for 30 days."}))

    # Three follow-ups at one, three and six months, then closure approved by IOM's supervisor.
    for days in (30, 60, 90):
        walk.pass_time(timedelta(days=days))
        walk.complete(CASEWORKER, "Task_FollowUp", {"contact_outcome": "reached"})
    walk.complete(CASEWORKER, "Task_ProposeClosure", {"closure_reason": "needs_met"})
    approved = walk.complete(SUPERVISOR, "Task_ApproveClosure", {"closure_approved": True})
    assert approved["completed"] and approved["status"] == "closed"

    case = _ok(api.get(CASEWORKER, f"/cases/{walk.case_id}"))
    assert (case["status"], case["close_reason"], case["open_tasks"]) == ("closed", "needs_met", [])
    assert {r["state"] for r in case["referrals"]} == {"delivered"}
    # Everyone who acted is in the history: named to the coordinator; to IOM's supervisor, the providers'
    # and the secretariat's people by their organisation only (as a task's holder is).
    history = _ok(api.get(COORDINATOR, f"/cases/{walk.case_id}/history?limit=100"))["events"]
    assert {CASEWORKER, SUPERVISOR, HOSPITAL, SHELTER, COORDINATOR} <= {event["actor"] for event in history}
    history = _ok(api.get(SUPERVISOR, f"/cases/{walk.case_id}/history?limit=100"))["events"]
    assert {event["actor"] for event in history} == {CASEWORKER, SUPERVISOR, None}
    assert {event["actor_organisation"] for event in history if event["actor_withheld"]} == {
        "DEMO – Hôpital régional de Douala", "DEMO – Maison d'accueil Le Bon Samaritain (Douala)",
        "DEMO – Secrétariat technique du MNR (Yaoundé)"}
