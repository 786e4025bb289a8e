"""A service's edit page refuses what would mislead whoever refers a person (more free places than the
capacity, ages out of order, negative hours, an email or a phone that is none), writes nothing then,
and says so in the reader's language beside each field, with a summary linking to each."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from engine.domain import Language
from engine.store.models import AuditEntry, Organisation, OrganisationService, User
from tests.integration.api.conftest import TEST_SECRET, ApiUsers
from tests.integration.services.conftest import published  # noqa: F401  (a fixture)
from tests.integration.webui.web_forms import csrf_of, sign_in
from webui import create_app

DEMO_PASSWORD = "demo-aiguillage-2026"
# The columns the page writes, to prove a refused save changed none of them.
WRITTEN = ("name", "minimum_age", "maximum_age", "capacity", "capacity_available", "contact_email", "contact_phone",
           "response_hours", "updated_at")


@pytest.fixture
def app(container, published):  # noqa: F811
    return create_app({"SECRET_KEY": TEST_SECRET, "SESSION_COOKIE_SECURE": False}, container=container)


@pytest.fixture
def admin(app, container):
    """The demo secretariat's administrator, signed in, reading French (the demo's account prefers English)."""
    with container.uow() as uow:
        uow.session.scalar(select(User).where(User.username == "demo-admin")).language = Language.FR
        uow.commit()
    client = app.test_client()
    sign_in(client, "demo-admin", DEMO_PASSWORD)
    return client


@pytest.fixture
def service(container) -> str:
    with container.uow() as uow:
        return uow.session.scalar(select(OrganisationService.hsds_id).join(Organisation)
                                  .where(Organisation.slug == "demo-iom-cameroon").order_by(OrganisationService.id))


def _stored(container, service: str) -> tuple:
    with container.uow() as uow:
        row = uow.session.scalar(select(OrganisationService).where(OrganisationService.hsds_id == service))
        saved = uow.session.scalars(select(AuditEntry.id).where(AuditEntry.action == "directory_service_saved")).all()
        return tuple(getattr(row, column) for column in WRITTEN), len(saved)


def _post(client, service: str, **changed):
    path = f"/directory/services/{service}/edit"
    form = {"organisation": "demo-iom-cameroon", "name": "Appui à la micro-entreprise", "sector": "economic_reintegration",
            "regions": ["centre"], "languages": ["french"], "priorities": ["normal", "urgent"], "hours_urgent": "48",
            "capacity": "120", "capacity_available": "3", "capacity_period": "month", "active": "1",
            "contact_email": "pf@example.org", "contact_phone": "+237 600 00 00 00"}
    return client.post(path, data={**form, **changed, "csrf_token": csrf_of(client, path)})


def _beside(page: str, name: str) -> str:
    """The message shown beside field `name`, as the reader reads it."""
    found = re.search(rf'<p class="error" id="error-{name}">(.*?)</p>', page, re.S)
    return html.unescape(found.group(1)) if found else ""


def _summary_links(page: str) -> list[str]:
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    return re.findall(r'href="#field-([a-z_]+)"', summary.group(0)) if summary else []


def test_more_free_places_than_capacity_a_bad_email_phone_and_negative_hours_are_refused_in_french(admin, container, service):
    before = _stored(container, service)
    refused = _post(admin, service, capacity_available="999", contact_email="pas-un-courriel", contact_phone="abc",
                    hours_urgent="-3")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert _stored(container, service) == before
    assert _beside(page, "capacity_available") == "Saisissez un nombre inférieur ou égal à 120."
    assert _beside(page, "contact_email") == "Saisissez une adresse électronique."
    assert _beside(page, "contact_phone") == "Ceci n'a pas la forme attendue ; vérifiez ce que vous avez saisi."
    assert _beside(page, "hours_urgent") == "Saisissez un nombre supérieur ou égal à 0."
    assert _summary_links(page) == ["hours_urgent", "capacity_available", "contact_phone", "contact_email"]
    assert re.search(r"#field-capacity_available\">Places libres maintenant\s?:\s?Saisissez un nombre inférieur ou égal à 120\.",
                     html.unescape(page))
    for typed in ('value="999"', 'value="pas-un-courriel"', 'value="abc"', 'value="-3"'):
        assert typed in page


def test_an_empty_name_and_ages_out_of_order_are_refused_in_french_not_in_codes(admin, container, service):
    before = _stored(container, service)
    refused = _post(admin, service, name="", minimum_age="30", maximum_age="10")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert _stored(container, service) == before
    assert _beside(page, "name") == "Ce champ est obligatoire."
    assert _beside(page, "maximum_age") == "Saisissez un nombre supérieur ou égal à 30."
    assert _summary_links(page) == ["name", "maximum_age"]
    assert "=&gt; required" not in page and "is below minimum_age" not in page
    assert 'value="30"' in page and 'value="10"' in page


def test_a_phone_written_as_people_write_them_and_free_places_up_to_capacity_are_saved(admin, container, service):
    saved = _post(admin, service, contact_phone="(+237) 6-99.00/00 00", capacity_available="120", hours_urgent="0",
                  minimum_age="18", maximum_age="18")
    assert saved.status_code == 302
    stored, audited = _stored(container, service)
    assert stored[WRITTEN.index("contact_phone")] == "(+237) 6-99.00/00 00" and audited == 1


def test_the_api_names_each_refused_field_with_a_stable_code(app, container, service):
    api = ApiUsers(app, container)
    document = api.get("demo-admin", f"/directory/services/{service}").json
    refused = api.call("demo-admin", "PUT", f"/directory/services/{service}", json={
        **document, "minimum_age": 30, "maximum_age": 10,
        "capacities": [{"maximum": 120, "available": 999}],
        "contacts": [{"name": "Point focal", "email": "pas-un-courriel", "phones": [{"number": "abc"}]}]})
    assert refused.status_code == 422
    problems = refused.json["error"]["problems"]
    assert problems["maximum_age"] == [{"code": "too_small", "params": {"limit": 30}}]
    assert problems["capacity_available"] == [{"code": "too_big", "params": {"limit": 120}}]
    assert [p["code"] for p in problems["contact_email"]] == ["not_an_email"]
    assert [p["code"] for p in problems["contact_phone"]] == ["no_pattern_match"]


def test_saving_the_page_keeps_what_the_service_holds_beyond_the_form(admin, container, service):
    """Its web address, email and eligibility, set by an import, are not on the page: a save keeps them."""
    kept = {"url": "https://oim.example.org/emploi", "email": "emploi@oim.example.org",
            "eligibility_description": "Personnes de retour depuis moins d'un an"}
    with container.uow() as uow:
        row = uow.session.scalar(select(OrganisationService).where(OrganisationService.hsds_id == service))
        for name, value in kept.items():
            setattr(row, name, value)
        uow.commit()
    assert _post(admin, service).status_code == 302
    with container.uow() as uow:
        row = uow.session.scalar(select(OrganisationService).where(OrganisationService.hsds_id == service))
        assert {name: getattr(row, name) for name in kept} == kept
