"""Granting is bounded: every role tries to grant every role, in its own organisation, another one
and the secretariat, through the administration pages; and nobody grants themselves anything.

The expectations are written from the rule as people state it, not from the code: coordinators and
SOP authors exist only at the mechanism's secretariat, focal points only at service providers, and
only the secretariat's administrators act outside their own organisation.
"""

from __future__ import annotations

import itertools
import re

import pytest
from sqlalchemy import select

from engine.domain import OrganisationKind, Role
from engine.store.models import AuditEntry, Organisation, User
from web_forms import add_user, csrf_of, sign_in
from webui import create_app
from web_forms import TEST_SECRET

ORGANISATIONS = {  # slug: (kind, is_provider, is_secretariat)
    "mnr": (OrganisationKind.MINISTRY, False, True),
    "iom": (OrganisationKind.IOM, False, False),
    "hopital": (OrganisationKind.OTHER, True, False),
}
STAFF = {"anyone": {Role.CASEWORKER, Role.SUPERVISOR, Role.ADMIN}}
HELD = {
    "mnr": STAFF["anyone"] | {Role.COORDINATOR, Role.SOP_AUTHOR},
    "iom": STAFF["anyone"],
    "hopital": STAFF["anyone"] | {Role.PROVIDER_FOCAL_POINT},
}
# Who tries, and where they work.
ACTORS = {
    "mnr-admin": ("mnr", Role.ADMIN),
    "iom-admin": ("iom", Role.ADMIN),
    "hopital-admin": ("hopital", Role.ADMIN),
    "iom-caseworker": ("iom", Role.CASEWORKER),
    "iom-supervisor": ("iom", Role.SUPERVISOR),
    "hopital-focal": ("hopital", Role.PROVIDER_FOCAL_POINT),
    "mnr-coordinator": ("mnr", Role.COORDINATOR),
    "mnr-author": ("mnr", Role.SOP_AUTHOR),
}


def expected(actor: str, organisation: str, role: Role, creating: bool) -> int:
    """The answer the rule gives to `actor` granting `role` to an account of `organisation`."""
    home, held = ACTORS[actor]
    if held is not Role.ADMIN:
        return 403
    if home != "mnr" and organisation != home:
        # Another organisation's account is not even known to exist; naming it in a form is a mistake.
        return 422 if creating else 404
    if role not in HELD[organisation]:
        return 422
    return 200 if creating else 302


@pytest.fixture
def granting(container, clock):
    """Three organisations, the actors above, and one spare caseworker account per organisation."""
    with container.uow() as uow:
        now = clock.now()
        organisations = {}
        for slug, (kind, provider, secretariat) in ORGANISATIONS.items():
            organisations[slug] = Organisation(slug=slug, name=slug.upper(), kind=kind, is_provider=provider,
                                               is_secretariat=secretariat, created_at=now)
        uow.session.add_all(organisations.values())
        for username, (slug, role) in ACTORS.items():
            add_user(uow, organisations[slug], username, [role], at=now)
        for slug in ORGANISATIONS:
            add_user(uow, organisations[slug], f"{slug}-spare", [Role.CASEWORKER], at=now)
        uow.commit()
        ids = {user.username: user.id for user in uow.session.scalars(select(User))}
        organisation_ids = {o.slug: o.id for o in organisations.values()}
    app = create_app({"SECRET_KEY": TEST_SECRET, "SESSION_COOKIE_SECURE": False}, container=container)
    return app, ids, organisation_ids


def test_every_role_granting_every_role_gets_what_the_rule_says(granting, container):
    app, ids, organisation_ids = granting
    wrong = []
    for actor in ACTORS:
        client = app.test_client()
        assert sign_in(client, actor).status_code == 302
        token = csrf_of(client, "/")
        for organisation, role in itertools.product(ORGANISATIONS, Role):
            spare = ids[f"{organisation}-spare"]
            got = client.post(f"/admin/users/{spare}/roles", data={"roles": role.value, "csrf_token": token}).status_code
            if got != expected(actor, organisation, role, creating=False):
                wrong.append(f"{actor} sets {organisation}-spare to {role.value}: {got}")
            username = f"new-{actor}-{organisation}-{role.value}"[:60].replace("_", "-")
            got = client.post("/admin/users", data={"username": username, "roles": role.value, "csrf_token": token,
                                                    "organisation": str(organisation_ids[organisation])}).status_code
            if got != expected(actor, organisation, role, creating=True):
                wrong.append(f"{actor} creates {role.value} in {organisation}: {got}")
    assert not wrong, "\n".join(wrong)
    with container.uow() as uow:
        # Whatever was tried, the mechanism-wide roles stayed at the secretariat.
        for user in uow.session.scalars(select(User)):
            assert user.roles <= HELD[user.organisation.slug], user.username


@pytest.mark.parametrize("admin", ["mnr-admin", "iom-admin", "hopital-admin"])
def test_an_administrator_grants_nothing_to_themselves(granting, container, admin):
    app, ids, _ = granting
    client = app.test_client()
    sign_in(client, admin)
    token = csrf_of(client, "/")
    home = ACTORS[admin][0]
    for role in sorted(HELD[home] - {Role.ADMIN}):
        answer = client.post(f"/admin/users/{ids[admin]}/roles",
                             data={"roles": [Role.ADMIN.value, role.value], "csrf_token": token})
        assert answer.status_code == 403, role
    with container.uow() as uow:
        me = uow.session.get(User, ids[admin])
        assert me.roles == {Role.ADMIN}
        assert uow.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.roles_changed")) is None
    # Their own role editor is not offered: the page does not lead to a refusal.
    page = client.get("/admin/users").get_data(as_text=True)
    assert f'/admin/users/{ids[admin]}/roles"' not in page


def test_the_role_editor_offers_only_the_roles_the_organisation_holds(granting):
    app, ids, _ = granting
    client = app.test_client()
    sign_in(client, "mnr-admin")
    page = client.get("/admin/users").get_data(as_text=True)
    iom_editor = page.split(f'/admin/users/{ids["iom-spare"]}/roles"', 1)[1].split("</form>", 1)[0]
    assert 'value="coordinator"' not in iom_editor and 'value="provider_focal_point"' not in iom_editor
    assert 'value="supervisor"' in iom_editor
    mnr_editor = page.split(f'/admin/users/{ids["mnr-spare"]}/roles"', 1)[1].split("</form>", 1)[0]
    assert 'value="coordinator"' in mnr_editor and 'value="sop_author"' in mnr_editor


def test_a_refused_role_change_says_why_beside_the_account(granting):
    app, ids, _ = granting
    client = app.test_client()
    sign_in(client, "iom-admin")
    answer = client.post(f"/admin/users/{ids['iom-spare']}/roles",
                         data={"roles": "coordinator", "csrf_token": csrf_of(client, "/")})
    assert answer.status_code == 422
    assert "secrétariat" in answer.get_data(as_text=True)


@pytest.mark.parametrize("value", ["x", "-1", "²", "1e3", "99999999999999999999", " 1 2 "])
def test_a_bad_organisation_value_on_account_creation_is_a_form_error(granting, container, value):
    app, _, _ = granting
    client = app.test_client()
    sign_in(client, "mnr-admin")
    answer = client.post("/admin/users", data={"username": "ghost", "roles": "caseworker", "organisation": value,
                                               "csrf_token": csrf_of(client, "/")})
    assert answer.status_code == 422
    with container.uow() as uow:
        assert uow.session.scalar(select(User).where(User.username == "ghost")) is None


def test_refused_roles_on_account_creation_are_a_group_the_summary_link_focuses_and_that_names_its_problem(granting):
    app, _, _ = granting
    client = app.test_client()
    sign_in(client, "iom-admin")
    answer = client.post("/admin/users", data={"username": "ghost", "roles": "coordinator", "csrf_token": csrf_of(client, "/")})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'href="#field-roles"' in page
    # The link's target can take the focus (a fieldset cannot by itself) and tells a screen reader what is wrong.
    assert '<fieldset id="field-roles" tabindex="-1" aria-describedby="error-roles"' in page
    assert re.search(r'<p class="error" id="error-roles">[^<]*secrétariat', page)
