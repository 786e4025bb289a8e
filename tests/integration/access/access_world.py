"""Two organisations' worth of real objects, and a signed-in browser and API token for every role.

Organisation A (IOM) and organisation B (MINAS) each open a case through the services, assess a
health and a shelter need, record consent and send the health referral: A's to the Douala
hospital, B's to the Yaoundé hospital. The acknowledgments are left late until the sweep raises
escalations, and the dispatcher turns the outbox into in-app notifications. Every role then signs
in through the login form and makes its API tokens through the tokens page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from enum import Enum

from sqlalchemy import func, select, update

from engine.domain import Role as EngineRole
from engine.pathways.folder import load_source
from engine.services.accounts.creation import create_user
from engine.services.accounts.actors import load_actor
from engine.services.cases.lifecycle import open_case
from engine.services.escalations.deadlines import sweep_deadlines
from engine.services.escalations.handling import reassign_escalation
from engine.services.tasks.inbox import list_inbox
from engine.services.pathways.drafts import save_draft
from engine.services.pathways.publishing import publish_pathway
from engine.services.tasks.completion import complete_task
from engine.store.models import (
    ApiToken,
    DeliveryRow,
    EscalationRow,
    InAppNotification,
    Organisation,
    OrganisationService,
    OutboxRow,
    ReferralRow,
    User,
)
from engine.store.seed import load_demo_data
from notifications.dispatcher import dispatch_pending
from notifications.sending import Channels
from notifications.settings import NotificationSettings
from tests.integration.services.conftest import CAMEROON, CONSENT, IDENTIFICATION, NO_NEEDS
from tests.integration.webui.web_forms import TEST_SECRET, csrf_of
from webui import create_app

CLIENT_IP = "198.51.100.7"  # every request of the matrix comes from this documentation address
# Identification answers no referral shares: a provider must never meet them.
UNSHARED = {"nationality": "Nigériane", "identification_source": "border_post", "return_modality": "forced"}


class Role(str, Enum):
    """The people the matrix sends requests as."""

    ANONYMOUS = "anonymous"
    CASEWORKER = "caseworker"
    SUPERVISOR = "supervisor"
    PROVIDER = "provider_focal_point"
    COORDINATOR = "coordinator"
    SOP_AUTHOR = "sop_author"
    ADMIN = "admin"


# Who plays each role. The caseworker, supervisor and provider work on side A's objects.
USERNAMES = {
    Role.CASEWORKER: "demo-caseworker",  # IOM: owns case A
    Role.SUPERVISOR: "demo-supervisor",  # IOM
    Role.PROVIDER: "demo-health-douala",  # Douala hospital: case A's health referral is addressed to it
    Role.COORDINATOR: "demo-coordinator",
    Role.SOP_AUTHOR: "demo-sop-author",
    Role.ADMIN: "matrix-iom-admin",  # IOM's own administrator (made here): manages IOM's accounts only
}
SIDES_OF_DRAFTS = ("own", "other")
# Organisation B's people: they own the "other" objects.
OTHER_CASEWORKER = "demo-minas-caseworker"
OTHER_PROVIDER = "demo-health-yaounde"
# Whose services are "own" and "other" for the directory's write routes: the matrix's administrator is IOM's.
SERVICE_OWNERS = {"own": "demo-iom-cameroon", "other": "demo-hopital-douala"}
# Accounts the administration routes act on (enable, disable, roles): one per organisation.
SPARE_ACCOUNTS = {"own": ("matrix-iom-spare", "demo-iom-cameroon"), "other": ("matrix-minas-spare", "demo-minas-littoral")}


@dataclass
class Side:
    """The objects one organisation owns (or one provider receives)."""

    case_id: int
    reference: str
    referral_id: int
    caseworker_task_id: str  # the open shelter Task_SendReferral, offered to the owner's caseworkers
    provider_task_id: str  # the open Task_AcknowledgeReferral, offered to the referral's provider
    supervisor_task_id: str  # the open Task_AckAlert the late acknowledgment raised for the owner's supervisors
    escalation_id: int


@dataclass
class World:
    """Everything the matrix needs: the app, both sides, and each role's browser and tokens."""

    app: object
    container: object
    password: str
    own: Side
    other: Side
    user_ids: dict[str, int] = field(default_factory=dict)
    clients: dict[Role, object] = field(default_factory=dict)
    bearer: dict[Role, str] = field(default_factory=dict)  # a token each role keeps using
    spare_token_ids: dict[str, int] = field(default_factory=dict)  # a token per username, to revoke
    notification_ids: dict[str, int] = field(default_factory=dict)  # one notification per username
    delivery_id: int = 0  # a notification delivery, for the dead-letter routes
    draft_ids: tuple[int, int] = (0, 0)  # two pathway drafts (own, other): each can be discarded once
    service_ids: dict[str, str] = field(default_factory=dict)  # an HSDS service id of IOM ("own") and of another provider

    def side(self, which: str) -> Side:
        return self.own if which == "own" else self.other

    def param(self, name: str, role: Role, which: str) -> str | int:
        """The value of path parameter `name` naming the role's own object, or the other organisation's."""
        side = self.side(which)
        owner = self.owner_of(role, which)
        values = {
            "reference": lambda: side.reference,
            "case_id": lambda: side.case_id,
            "referral_id": lambda: side.referral_id,
            "escalation_id": lambda: side.escalation_id,
            "task_id": lambda: {Role.PROVIDER: side.provider_task_id,
                                Role.SUPERVISOR: side.supervisor_task_id}.get(role, side.caseworker_task_id),
            "notification_id": lambda: self.notification_ids[owner],
            "token_id": lambda: self.spare_token_ids[owner],
            "filename": lambda: "app.css",
            "user_id": lambda: self.user_ids[SPARE_ACCOUNTS[which][0]],
            "delivery_id": lambda: self.delivery_id,
            # Pathways are the mechanism's, not an organisation's: both sides name the same ones.
            "pathway_id": lambda: "cameroon-nrm",
            "version": lambda: 1,
            "draft_id": lambda: self.draft_ids[0 if which == "own" else 1],
            "service_id": lambda: self.service_ids[which],
        }
        if name not in values:
            raise LookupError(f"the access matrix does not know how to fill the path parameter <{name}>")
        return values[name]()

    def owner_of(self, role: Role, which: str) -> str:
        """Whose personal objects (notifications, tokens) are 'own' and 'other' for this role."""
        if which == "own" and role in USERNAMES:
            return USERNAMES[role]
        return OTHER_CASEWORKER

    def sign_in(self, role: Role) -> None:
        """(Re)open the role's browser session through the sign-in form."""
        client = self.app.test_client()
        client.environ_base["REMOTE_ADDR"] = CLIENT_IP
        if role is not Role.ANONYMOUS:
            response = client.post("/login", data={"username": USERNAMES[role], "password": self.password,
                                                   "csrf_token": csrf_of(client)})
            assert response.status_code == 302, f"{USERNAMES[role]} could not sign in"
        self.clients[role] = client


def build_world(container) -> World:
    """Seed the demo, publish the pathway, make both sides' objects, sign every role in."""
    uow, clock = container.uow, container.clock
    password = load_demo_data(uow(), clock).password
    _add_accounts(container)
    publish_pathway(uow(), load_source(CAMEROON), clock)
    own = _side(container, "demo-caseworker", "littoral", "demo-hopital-douala")
    other = _side(container, OTHER_CASEWORKER, "centre", "demo-hopital-yaounde")
    # Emergency acknowledgments are 2 hours; after 4 both levels 1 and 2 have been raised.
    clock.advance(timedelta(hours=4))
    sweep_deadlines(uow, clock, worker_id="access-matrix")
    with uow() as unit:
        for side in (own, other):
            side.escalation_id = unit.session.scalars(
                select(EscalationRow.id).where(EscalationRow.case_id == side.case_id).order_by(EscalationRow.id)
            ).first()
        user_ids = dict(unit.session.execute(select(User.username, User.id)).all())
    own.supervisor_task_id = _supervisor_task(container, own.case_id, USERNAMES[Role.SUPERVISOR])
    other.supervisor_task_id = _supervisor_task(container, other.case_id, "demo-minas-supervisor")
    # Everyone the matrix signs in as gets at least one notification: an escalation the coordinator hands
    # to the supervisor (taking one over oneself tells nobody), a plain in-app item for the others.
    coordinator = load_actor(uow(), "demo-coordinator")
    handed = {USERNAMES[Role.SUPERVISOR]: own}
    for username, side in handed.items():
        reassign_escalation(uow(), clock, side.escalation_id, coordinator, username)
    dispatch_pending(uow, Channels(NotificationSettings()), clock)
    with uow() as unit:
        for username in {*USERNAMES.values(), OTHER_CASEWORKER} - set(handed):
            outbox = OutboxRow(event_type="matrix_notice", payload={}, created_at=clock.now(), dispatched_at=clock.now())
            unit.session.add(outbox)
            unit.session.flush()
            user_id = unit.session.scalar(select(User.id).where(User.username == username))
            unit.session.add(InAppNotification(user_id=user_id, outbox_id=outbox.id, subject="Notice", body="",
                                               created_at=clock.now()))
        unit.commit()
    with uow() as unit:
        notifications = unit.session.execute(
            select(InAppNotification.user_id, InAppNotification.id).order_by(InAppNotification.id)
        ).all()
    by_user = {user_id: notification_id for user_id, notification_id in notifications}
    with uow() as unit:
        delivery_id = unit.session.scalar(select(func.min(DeliveryRow.id)))
        service_ids = {which: unit.session.scalar(
            select(OrganisationService.hsds_id).join(Organisation).where(Organisation.slug == slug).order_by(OrganisationService.id)
        ) for which, slug in SERVICE_OWNERS.items()}
    app = create_app({"SECRET_KEY": TEST_SECRET, "SESSION_COOKIE_SECURE": False}, container=container)
    author = load_actor(uow(), USERNAMES[Role.SOP_AUTHOR])
    draft_ids = tuple(save_draft(uow(), clock, load_source(CAMEROON).files, author) for _ in SIDES_OF_DRAFTS)
    world = World(app=app, container=container, password=password, own=own, other=other, user_ids=user_ids,
                  delivery_id=delivery_id, draft_ids=draft_ids, service_ids=service_ids)
    world.notification_ids = {name: by_user[user_ids[name]] for name in [*USERNAMES.values(), OTHER_CASEWORKER]}
    for role in Role:
        world.sign_in(role)
    for role, username in USERNAMES.items():
        world.bearer[role] = _new_token(world.clients[role], "matrix")
    # A second token per user, for the revoke route; B's caseworker owns the "other" one.
    other_client = app.test_client()
    other_client.post("/login", data={"username": OTHER_CASEWORKER, "password": password,
                                      "csrf_token": csrf_of(other_client)})
    for client in [*(world.clients[r] for r in USERNAMES), other_client]:
        _new_token(client, "to revoke")
    with uow() as unit:
        for username, token_id in unit.session.execute(
            select(User.username, ApiToken.id).join(User, User.id == ApiToken.user_id).where(ApiToken.name == "to revoke")
        ):
            world.spare_token_ids[username] = token_id
    return world


def _add_accounts(container) -> None:
    """IOM's administrator, and one spare account in each organisation, sharing the demo password."""
    uow, clock = container.uow, container.clock
    accounts = [(USERNAMES[Role.ADMIN], "demo-iom-cameroon", EngineRole.ADMIN),
                *[(name, organisation, EngineRole.CASEWORKER) for name, organisation in SPARE_ACCOUNTS.values()]]
    with uow() as unit:
        for username, organisation, role in accounts:
            create_user(unit, clock, username, organisation, [role])
        demo_hash = unit.session.scalar(select(User.password_hash).where(User.username == "demo-caseworker"))
        unit.session.execute(update(User).where(User.username.in_([a[0] for a in accounts]))
                             .values(password_hash=demo_hash))
        unit.commit()


def _side(container, caseworker: str, region: str, provider: str) -> Side:
    uow, clock = container.uow, container.clock
    actor = load_actor(uow(), caseworker)
    case = open_case(uow(), clock, "cameroon-nrm", actor)

    def complete(username: str, bpmn_id: str, data: dict, sector: str | None = None) -> None:
        who = load_actor(uow(), username)
        task = next(t for t in list_inbox(uow(), who, limit=500)
                    if t.case_id == case.id and t.bpmn_id == bpmn_id and (sector is None or t.instance_label == sector))
        complete_task(uow(), clock, task.id, who, data)

    complete(caseworker, "Task_Identification", {**IDENTIFICATION, **UNSHARED, "region": region, "priority": "emergency"})
    complete(caseworker, "Task_NeedsAssessment", {**NO_NEEDS, "assessment_date": "2026-03-02",
                                                  "need_health": True, "health_urgency": "emergency",
                                                  "need_shelter": True, "shelter_urgency": "normal"})
    complete(caseworker, "Task_Consent", CONSENT)
    complete(caseworker, "Task_SendReferral", {"provider_id": provider}, sector="health")
    with uow() as unit:
        referral_id = unit.session.scalar(select(ReferralRow.id).where(ReferralRow.case_id == case.id))
    tasks = {(t.bpmn_id, t.instance_label): t.id for t in list_inbox(uow(), actor, limit=500) if t.case_id == case.id}
    provider_user = USERNAMES[Role.PROVIDER] if provider == "demo-hopital-douala" else OTHER_PROVIDER
    provider_tasks = [t.id for t in list_inbox(uow(), load_actor(uow(), provider_user), limit=500)
                      if t.case_id == case.id and t.bpmn_id == "Task_AcknowledgeReferral"]
    return Side(case_id=case.id, reference=case.reference, referral_id=referral_id,
                caseworker_task_id=tasks[("Task_SendReferral", "shelter")], provider_task_id=provider_tasks[0],
                supervisor_task_id="", escalation_id=0)


def _supervisor_task(container, case_id: int, supervisor: str) -> str:
    found = [t.id for t in list_inbox(container.uow(), load_actor(container.uow(), supervisor), limit=500)
             if t.case_id == case_id and t.bpmn_id == "Task_AckAlert"]
    assert found, f"the late acknowledgment raised no Task_AckAlert for {supervisor}"
    return found[0]


def _new_token(client, name: str) -> str:
    page = client.post("/account/tokens", data={"name": name, "csrf_token": csrf_of(client, "/account/tokens")})
    match = re.search(r'<code id="new-token">([^<]+)</code>', page.get_data(as_text=True))
    assert match, f"no token shown after creating one ({page.status_code})"
    return match.group(1)
