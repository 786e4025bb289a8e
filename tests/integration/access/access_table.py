"""The access matrix, declared: for every route of the application, what each role gets on objects of
its own organisation and of another one.

Keys are "METHOD rule" exactly as in the app's URL map; the matrix test fails when a route has no
entry here, or when an entry names a route that no longer exists. Path parameters are filled by
name from the objects both organisations created (see `access_world.World.param`).

An expectation is one outcome for both objects, or a pair (own object, other organisation's object).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Callable

from access_world import OTHER_CASEWORKER, SERVICE_OWNERS, Role


class Outcome(Enum):
    """What a request may come back with."""

    ALLOW = "2xx/3xx"  # served (a redirect anywhere but the sign-in page counts)
    ALLOW_OR_STATE = "2xx/3xx/409/422"  # let through; the object's state may have moved on since
    SIGN_IN = "redirect to /login"  # a page asked for by a visitor
    UNAUTHORISED = "401"  # the API asked without a token
    FORBIDDEN = "403"  # may know the object exists, may not do this
    HIDDEN = "404"  # must not even learn that the object exists


ALLOW, STATE, SIGN_IN, UNAUTHORISED, FORBIDDEN, HIDDEN = Outcome
OWN_ONLY = (ALLOW, HIDDEN)
OWN_ONLY_STATE = (STATE, HIDDEN)

EVERYONE = tuple(Role)
STAFF = tuple(role for role in Role if role is not Role.ANONYMOUS)


@dataclass(frozen=True)
class Entry:
    """One route: what every role gets, and what to send."""

    expect: dict[Role, Outcome | tuple[Outcome, Outcome]]
    body: dict | Callable[[Role, str], dict] | None = None  # form (pages) or JSON (API); pages get the CSRF token
    ends_session: bool = False  # the role signs in again afterwards


def page(default: Outcome | tuple = ALLOW, **by_role) -> dict:
    """A signed-in page: visitors are sent to sign in; everyone else gets `default` unless named."""
    return {Role.ANONYMOUS: SIGN_IN, **{role: by_role.get(role.name.lower(), default) for role in STAFF}}


def api(default: Outcome | tuple = ALLOW, **by_role) -> dict:
    """An API route: no token is a 401; everyone else gets `default` unless named."""
    return {Role.ANONYMOUS: UNAUTHORISED, **{role: by_role.get(role.name.lower(), default) for role in STAFF}}


def public(outcome: Outcome = ALLOW) -> dict:
    return {role: outcome for role in Role}


# Who sees a case: its organisation's caseworkers and supervisors, and the coordinator. A provider
# never sees the case itself, only the referrals addressed to it.
CASE = dict(caseworker=OWN_ONLY, supervisor=OWN_ONLY, coordinator=ALLOW)
# The person's record (subject access request): the supervisors of the case's organisation; the others who
# see the case are refused, everyone else does not learn it exists.
PERSON_RECORD = dict(supervisor=OWN_ONLY, caseworker=(FORBIDDEN, HIDDEN), coordinator=FORBIDDEN)
# A referral: the case's people, the coordinator, and the provider it is addressed to.
REFERRAL = dict(CASE, provider=OWN_ONLY)
# Answering a referral: only the provider it is addressed to; the case's people see it but may not answer.
ANSWER = dict(provider=OWN_ONLY_STATE, caseworker=(FORBIDDEN, HIDDEN), supervisor=(FORBIDDEN, HIDDEN),
              coordinator=FORBIDDEN)
# A task: whoever it is offered to in the organisation that must do it (the role's own task).
TASK = dict(caseworker=OWN_ONLY, supervisor=OWN_ONLY, provider=OWN_ONLY)
TASK_WRITE = dict(caseworker=OWN_ONLY_STATE, supervisor=OWN_ONLY_STATE, provider=OWN_ONLY_STATE)
# Handing a task on: the supervisors of the organisation that must do it, and the coordinator; those it
# is offered to see it but may not. The new holder is someone of that organisation.
TASK_HANDOVER = dict(caseworker=(FORBIDDEN, HIDDEN), supervisor=OWN_ONLY_STATE, provider=(FORBIDDEN, HIDDEN),
                     coordinator=STATE)
HANDOVER_TARGETS = {Role.SUPERVISOR: {"own": "demo-supervisor"},
                    Role.COORDINATOR: {"own": "demo-caseworker", "other": OTHER_CASEWORKER}}
# Handling an escalation: the coordinator, and the supervisors of the case's organisation; the case's
# caseworkers and the late provider see it but may not handle it.
ESCALATION = dict(coordinator=STATE, supervisor=OWN_ONLY_STATE, caseworker=(FORBIDDEN, HIDDEN),
                  provider=(FORBIDDEN, HIDDEN))
# Recording consent completes the case's consent task: whoever sees the case is told (409) when there
# is no such task they may do. Withdrawing it: the case organisation's caseworkers and supervisors.
CONSENT_STEP = dict(caseworker=OWN_ONLY_STATE, supervisor=OWN_ONLY_STATE, coordinator=STATE)
CONSENT_WITHDRAWAL = dict(caseworker=OWN_ONLY_STATE, supervisor=OWN_ONLY_STATE, coordinator=FORBIDDEN)
# Personal objects (notifications, tokens): the owner only; anyone else gets a 404.
PERSONAL = (STATE, HIDDEN)

def directory_service(role: Role, which: str) -> dict:
    """An HSDS service body for the directory's write routes, owned by IOM ("own") or the Douala hospital."""
    return {"organization_id": SERVICE_OWNERS[which], "name": f"Matrix probe by {role.value}", "service_areas": [{"name": "littoral"}],
            "attributes": [{"taxonomy_term": {"code": "cash", "taxonomy": "aiguillage:sector"}}]}


def directory_form(role: Role, which: str) -> dict:
    """The service edit form, filled for a service of IOM ("own") or of the Douala hospital."""
    return {"organisation": SERVICE_OWNERS[which], "name": f"Matrix probe by {role.value}", "sector": "cash",
            "regions": "littoral", "priorities": "normal", "active": "1"}


TABLE: dict[str, Entry] = {
    # ---- public --------------------------------------------------------------------------
    "GET /healthz": Entry(public()),
    "GET /favicon.ico": Entry(public()),
    "GET /static/<path:filename>": Entry(public()),
    "GET /login": Entry(public()),
    # A different unknown name each time, so the sign-in throttle never answers instead.
    "POST /login": Entry(public(), body=lambda role, which: {"username": f"nobody-{role.value}-{which}", "password": "x"}),
    "POST /language": Entry(public(), body={"language": "fr", "next": "/"}),
    # Signing out (or being signed out already) lands on the sign-in page.
    "POST /logout": Entry(public(SIGN_IN), ends_session=True),
    # ---- every signed-in user ---------------------------------------------------------------
    "GET /": Entry(page()),
    "GET /tasks/": Entry(page()),
    "GET /notifications": Entry(page()),
    "POST /notifications/read": Entry(page()),
    "POST /notifications/<bigid:notification_id>/read": Entry(page(PERSONAL)),
    "GET /notifications/settings": Entry(page()),
    "POST /notifications/settings": Entry(page(), body={"in_app": "on"}),
    "GET /account/tokens": Entry(page()),
    "POST /account/tokens": Entry(page(), body={"name": "matrix probe"}),
    "POST /account/tokens/<int:token_id>/revoke": Entry(page(PERSONAL)),
    "GET /account/password": Entry(page()),
    # A wrong current password: refused (422) once signed in, so nobody's password changes.
    "POST /account/password": Entry(page(STATE), body={"current_password": "not it", "new_password": "x"}),
    # ---- cases and tasks (pages) ----------------------------------------------------------
    "GET /cases/": Entry(page(FORBIDDEN, caseworker=ALLOW, supervisor=ALLOW, coordinator=ALLOW)),
    "POST /cases/": Entry(page(FORBIDDEN, caseworker=ALLOW, supervisor=ALLOW), body={"alias": "probe"}),
    "GET /cases/new": Entry(page(FORBIDDEN, caseworker=ALLOW)),
    # No pathway chosen: refused (422) for a caseworker, so no case is opened by the matrix.
    "POST /cases/new": Entry(page(FORBIDDEN, caseworker=STATE)),
    "GET /cases/<reference>": Entry(page(HIDDEN, **CASE)),
    "GET /cases/<reference>/record": Entry(page(HIDDEN, **PERSON_RECORD)),

    "GET /cases/<reference>/summary": Entry(page(HIDDEN, **CASE)),
    # ---- a provider's referrals (pages) ------------------------------------------------------
    "GET /referrals/": Entry(page(FORBIDDEN, provider=ALLOW)),
    "GET /referrals/<int:referral_id>": Entry(page(HIDDEN, **REFERRAL)),
    "GET /referrals/<int:referral_id>/form": Entry(page(HIDDEN, **REFERRAL)),
    # No step named: the provider is shown the referral as it stands (a redirect), nothing moves.
    "POST /referrals/<int:referral_id>": Entry(page(HIDDEN, **ANSWER)),
    "GET /tasks/<task_id>": Entry(page(HIDDEN, **TASK)),
    # An empty form: refused field by field (422) once access is granted, so nothing moves.
    "POST /tasks/<task_id>": Entry(page(HIDDEN, **TASK_WRITE)),
    "POST /tasks/<task_id>/claim": Entry(page(HIDDEN, **TASK_WRITE)),
    "POST /tasks/<task_id>/release": Entry(page(HIDDEN, **TASK_WRITE)),
    # Choosing who takes a task over: as the API's reassign; a post with nobody chosen is refused (422).
    "GET /tasks/<task_id>/reassign": Entry(page(HIDDEN, **TASK_HANDOVER)),
    "POST /tasks/<task_id>/reassign": Entry(page(HIDDEN, **TASK_HANDOVER)),
    # Here, among the pages: resolving an escalation (below) cancels the supervisor's alert task, and a
    # task must still be open to be handed on. The supervisor takes their own; the coordinator gives the
    # caseworkers' to a caseworker of its organisation, who may still claim (409), release or complete it.
    "POST /api/v1/tasks/<task_id>/reassign": Entry(api(HIDDEN, **TASK_HANDOVER), body=lambda role, which: {
        "username": HANDOVER_TARGETS.get(role, {}).get(which, "demo-caseworker")}),
    # ---- coordination, pathways, administration (pages) ------------------------------------
    "GET /coordination/attention": Entry(page(FORBIDDEN, supervisor=ALLOW, coordinator=ALLOW)),
    "GET /coordination/escalations": Entry(page()),  # each sees the escalations they may see
    # Indicators: the coordinator counts every case, a supervisor their organisation's; nobody else.
    "GET /coordination/indicators": Entry(page(FORBIDDEN, supervisor=ALLOW, coordinator=ALLOW)),
    "GET /coordination/indicators/export": Entry(page(FORBIDDEN, supervisor=ALLOW, coordinator=ALLOW)),
    # The live diagram: the coordinator's cases are every case, a supervisor's their organisation's.
    "GET /coordination/diagram": Entry(page(FORBIDDEN, supervisor=ALLOW, coordinator=ALLOW)),
    "GET /coordination/diagram/counts": Entry(page(FORBIDDEN, supervisor=ALLOW, coordinator=ALLOW)),
    "GET /coordination/diagram/bpmn": Entry(page(FORBIDDEN, supervisor=ALLOW, coordinator=ALLOW)),
    "GET /coordination/diagram/step": Entry(page(FORBIDDEN, supervisor=ALLOW, coordinator=ALLOW)),
    # The steering committee's report covers every case: coordinators only.
    "GET /coordination/report": Entry(page(FORBIDDEN, coordinator=ALLOW)),
    "GET /coordination/report/pdf": Entry(page(FORBIDDEN, coordinator=ALLOW)),
    # A provider's follow-up: coordinators choose any; its focal points and admins see their own only.
    "GET /coordination/providers": Entry(page(FORBIDDEN, coordinator=ALLOW, provider=ALLOW, admin=ALLOW)),
    "POST /coordination/escalations/<int:escalation_id>/acknowledge": Entry(page(HIDDEN, **ESCALATION)),
    "GET /coordination/escalations/<int:escalation_id>/reassign": Entry(page(HIDDEN, **ESCALATION)),
    "POST /coordination/escalations/<int:escalation_id>/reassign": Entry(page(HIDDEN, **ESCALATION),
                                                                         body={"username": "demo-supervisor"}),
    "POST /coordination/escalations/<int:escalation_id>/resolve": Entry(page(HIDDEN, **ESCALATION),
                                                                        body={"note": "Called the duty doctor"}),
    # A training installation's clock: the matrix's installation runs on the real time, so the page is
    # not there for anyone (a training one lets coordinators and administrators in: see the journey test).
    "GET /admin/clock": Entry(page(HIDDEN)),
    "POST /admin/clock": Entry(page(HIDDEN), body={"days": "1"}),
    "GET /pathways/": Entry(page(FORBIDDEN, sop_author=ALLOW)),
    # The SOP author's area: pathways are the mechanism's, so "own" and "other" name the same ones.
    # Only SOP authors see, upload, check, run, publish or discard; everyone else is refused (403).
    "GET /pathways/<pathway_id>/<int:version>": Entry(page(FORBIDDEN, sop_author=ALLOW)),
    "GET /pathways/<pathway_id>/<int:version>/diagram": Entry(page(FORBIDDEN, sop_author=ALLOW)),
    "GET /pathways/<pathway_id>/compare": Entry(page(FORBIDDEN, sop_author=ALLOW)),
    "GET /pathways/<pathway_id>/<int:version>/sop": Entry(page(FORBIDDEN, sop_author=ALLOW)),
    "GET /pathways/<pathway_id>/<int:version>/sop.pdf": Entry(page(FORBIDDEN, sop_author=ALLOW)),
    "GET /pathways/<pathway_id>/<int:version>/download": Entry(page(FORBIDDEN, sop_author=ALLOW)),
    "POST /pathways/<pathway_id>/<int:version>/scenarios": Entry(page(FORBIDDEN, sop_author=ALLOW)),
    "POST /pathways/<pathway_id>/<int:version>/draft": Entry(page(FORBIDDEN, sop_author=ALLOW)),
    # Moving running cases to a version: SOP authors only (engine.access.can_migrate_cases). The matrix's
    # cases are on the only version, so nothing moves.
    "GET /pathways/<pathway_id>/<int:version>/migrate": Entry(page(FORBIDDEN, sop_author=ALLOW)),
    "POST /pathways/<pathway_id>/<int:version>/migrate": Entry(page(FORBIDDEN, sop_author=ALLOW)),
    # No file sent: the author is told what is missing (422).
    "POST /pathways/drafts": Entry(page(FORBIDDEN, sop_author=STATE)),
    "GET /pathways/drafts/<int:draft_id>": Entry(page(FORBIDDEN, sop_author=ALLOW)),
    "GET /pathways/drafts/<int:draft_id>/diagram": Entry(page(FORBIDDEN, sop_author=ALLOW)),
    "GET /pathways/drafts/<int:draft_id>/download": Entry(page(FORBIDDEN, sop_author=ALLOW)),
    "POST /pathways/drafts/<int:draft_id>/scenarios": Entry(page(FORBIDDEN, sop_author=ALLOW)),
    "GET /pathways/drafts/<int:draft_id>/edit": Entry(page(FORBIDDEN, sop_author=ALLOW)),
    # No diagram sent: the author is sent back to the modeler and nothing changes.
    "POST /pathways/drafts/<int:draft_id>/edit": Entry(page(FORBIDDEN, sop_author=ALLOW)),
    # Notes too long: refused (422) and nothing published, so the draft stays for the routes below.
    "POST /pathways/drafts/<int:draft_id>/publish": Entry(page(FORBIDDEN, sop_author=STATE), body={"notes": "x" * 2001}),
    "POST /pathways/drafts/<int:draft_id>/discard": Entry(page(FORBIDDEN, sop_author=ALLOW)),
    # The matrix's administrator is IOM's: it manages IOM's accounts; another organisation's are not
    # found. Organisations and undelivered notifications belong to the secretariat's administrators.
    "GET /admin/users": Entry(page(FORBIDDEN, admin=ALLOW)),
    "POST /admin/users": Entry(page(FORBIDDEN, admin=ALLOW), body=lambda role, which: {
        "username": f"matrix-new-{role.name.lower()}", "roles": "caseworker", "display_name": "New account",
        "email": f"new-{role.name.lower()}@example.org", "password": "a long enough password for a test"}),
    "POST /admin/users/<int:user_id>/roles": Entry(page(FORBIDDEN, admin=OWN_ONLY_STATE), body={"roles": "supervisor"}),
    # Asking first: a page about an account the administrator manages.
    "GET /admin/users/<int:user_id>/disable": Entry(page(FORBIDDEN, admin=OWN_ONLY)),
    "GET /admin/users/<int:user_id>/password": Entry(page(FORBIDDEN, admin=OWN_ONLY)),
    "POST /admin/users/<int:user_id>/disable": Entry(page(FORBIDDEN, admin=OWN_ONLY_STATE)),
    "POST /admin/users/<int:user_id>/enable": Entry(page(FORBIDDEN, admin=OWN_ONLY_STATE)),
    "POST /admin/users/<int:user_id>/password": Entry(page(FORBIDDEN, admin=OWN_ONLY_STATE)),
    "GET /admin/organisations": Entry(page(FORBIDDEN)),
    "POST /admin/organisations": Entry(page(FORBIDDEN), body={"slug": "matrix-org", "name": "Matrix", "kind": "ngo"}),
    "GET /admin/deliveries": Entry(page(FORBIDDEN)),
    "POST /admin/deliveries/<bigid:delivery_id>/retry": Entry(page(FORBIDDEN)),
    "GET /directory/": Entry(page()),  # organisations and services: no personal data
    # Editing services: administrators, their own organisation's (the matrix's is IOM's, a provider).
    "GET /directory/services/new": Entry(page(FORBIDDEN, admin=ALLOW)),
    "POST /directory/services/new": Entry(page(FORBIDDEN, admin=ALLOW), body=lambda role, which: directory_form(role, "own")),
    "GET /directory/services/<service_id>/edit": Entry(page(FORBIDDEN, admin=(ALLOW, FORBIDDEN))),
    "POST /directory/services/<service_id>/edit": Entry(page(FORBIDDEN, admin=(ALLOW, FORBIDDEN)), body=lambda role, which: directory_form(role, which)),
    # ---- API: account and notifications --------------------------------------------------
    "GET /api/v1/me": Entry(api()),
    "GET /api/v1/notifications": Entry(api()),
    "POST /api/v1/notifications/<notification_id>/read": Entry(api(PERSONAL)),
    # ---- API: cases -------------------------------------------------------------------------
    "POST /api/v1/cases": Entry(api(FORBIDDEN, caseworker=ALLOW), body={"pathway_id": "cameroon-nrm"}),
    "GET /api/v1/cases": Entry(api()),
    "GET /api/v1/cases/<case_id>": Entry(api(HIDDEN, **CASE)),
    "GET /api/v1/cases/<case_id>/history": Entry(api(HIDDEN, **CASE)),
    "GET /api/v1/cases/<case_id>/record": Entry(api(HIDDEN, **PERSON_RECORD)),
    # A legal hold: coordinators only (refused before the case is looked up, so a 403 reveals nothing).
    "POST /api/v1/cases/<case_id>/legal-hold": Entry(api(FORBIDDEN, coordinator=ALLOW), body={"reason": "Enquête en cours"}),
    "POST /api/v1/cases/<case_id>/legal-hold/lift": Entry(api(FORBIDDEN, coordinator=ALLOW)),
    # ---- API: tasks -------------------------------------------------------------------------
    "GET /api/v1/tasks": Entry(api()),
    "GET /api/v1/tasks/<task_id>": Entry(api(HIDDEN, **TASK)),
    "POST /api/v1/tasks/<task_id>/claim": Entry(api(HIDDEN, **TASK_WRITE)),
    "POST /api/v1/tasks/<task_id>/release": Entry(api(HIDDEN, **TASK_WRITE)),
    "POST /api/v1/tasks/<task_id>/complete": Entry(api(HIDDEN, **TASK_WRITE), body={"data": {}}),
    # ---- API: referrals ---------------------------------------------------------------------
    "GET /api/v1/referrals": Entry(api()),
    "GET /api/v1/referrals/<referral_id>": Entry(api(HIDDEN, **REFERRAL)),
    "POST /api/v1/referrals/<referral_id>/acknowledge": Entry(api(HIDDEN, **ANSWER), body={"acknowledged_by": "Dr Ngo"}),
    "POST /api/v1/referrals/<referral_id>/accept": Entry(api(HIDDEN, **ANSWER), body={}),
    "POST /api/v1/referrals/<referral_id>/decline": Entry(api(HIDDEN, **ANSWER), body={"decline_reason": "no_capacity"}),
    "POST /api/v1/referrals/<referral_id>/redirect": Entry(api(HIDDEN, **ANSWER), body={}),
    "POST /api/v1/referrals/<referral_id>/outcome": Entry(api(HIDDEN, **ANSWER), body={"service_delivered": True}),
    # ---- API: escalations --------------------------------------------------------------------
    "GET /api/v1/escalations": Entry(api()),
    "GET /api/v1/escalations/stalled": Entry(api()),
    "POST /api/v1/escalations/<escalation_id>/acknowledge": Entry(api(HIDDEN, **ESCALATION)),
    "POST /api/v1/escalations/<escalation_id>/reassign": Entry(api(HIDDEN, **ESCALATION),
                                                               body={"username": "demo-supervisor"}),
    "POST /api/v1/escalations/<escalation_id>/resolve": Entry(api(HIDDEN, **ESCALATION),
                                                              body={"note": "Called the duty doctor"}),
    # ---- API: pathways (SOP authors); no files are sent, so an author is told what is missing (422) ---
    # The directory: read by every signed-in user; written by administrators for their own organisation's
    # services (the secretariat's for everyone's); the matrix's administrator is a provider's (IOM).
    "GET /api/v1/directory/services": Entry(api()),
    "GET /api/v1/directory/services/<service_id>": Entry(api()),
    "GET /api/v1/directory/export": Entry(api()),
    "PUT /api/v1/directory/services/<service_id>": Entry(api(FORBIDDEN, admin=(ALLOW, FORBIDDEN)), body=directory_service),
    "GET /api/v1/pathways": Entry(api(FORBIDDEN, sop_author=ALLOW)),
    "POST /api/v1/pathways/validate": Entry(api(FORBIDDEN, sop_author=STATE)),
    "POST /api/v1/pathways/publish": Entry(api(FORBIDDEN, sop_author=STATE)),
    "GET /api/v1/openapi.json": Entry(api()),
    # ---- API: consents (last: withdrawing consent revokes the case's referrals) ------------------
    "POST /api/v1/cases/<case_id>/consents": Entry(api(HIDDEN, **CONSENT_STEP), body={"consent_given": True}),
    # Withdrawing consent on its page: the case organisation's caseworkers and supervisors (409 once
    # nothing is left to withdraw); the coordinator sees the case but may not.
    "GET /cases/<reference>/consents/withdraw": Entry(page(HIDDEN, **CONSENT_WITHDRAWAL)),
    "POST /cases/<reference>/consents/withdraw": Entry(page(HIDDEN, **CONSENT_WITHDRAWAL), body={"reason": "asked to"}),
    "POST /api/v1/cases/<case_id>/consents/withdraw": Entry(api(HIDDEN, **CONSENT_WITHDRAWAL),
                                                             body={"reason": "asked to"}),
}
