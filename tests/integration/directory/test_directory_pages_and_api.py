"""The directory read by everyone, written by administrators (their own organisation's services; the
secretariat's: everyone's), through the API and the pages; every change audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.domain import Role
from engine.services.accounts.creation import create_user
from engine.store.models import AuditEntry, Organisation, OrganisationService
from tests.integration.api.conftest import TEST_SECRET, ApiUsers
from tests.integration.services.conftest import published  # noqa: F401  (a fixture)
from tests.integration.webui.web_forms import csrf_of, sign_in
from webui import create_app

DEMO_PASSWORD = "demo-aiguillage-2026"
CASH = {"organization_id": "demo-iom-cameroon", "name": "Transferts monétaires d'urgence", "service_areas": [{"name": "Nord"}],
        "languages": [{"code": "ff"}], "capacities": [{"maximum": 40, "available": 9}],
        "attributes": [{"taxonomy_term": {"code": "cash", "taxonomy": "aiguillage:sector"}}]}


@pytest.fixture
def app(container, published):  # noqa: F811
    create_user(container.uow(), container.clock, "iom-admin", "demo-iom-cameroon", [Role.ADMIN], password=DEMO_PASSWORD)
    return create_app({"SECRET_KEY": TEST_SECRET, "SESSION_COOKIE_SECURE": False}, container=container)


@pytest.fixture
def api(app, container) -> ApiUsers:
    return ApiUsers(app, container)


def _service_of(container, slug: str) -> str:
    with container.uow() as uow:
        return uow.session.scalar(select(OrganisationService.hsds_id).join(Organisation).where(Organisation.slug == slug)
                                  .order_by(OrganisationService.id))


def test_every_signed_in_user_reads_the_directory_filtered(api):
    listed = api.get("demo-caseworker", "/directory/services?sector=health&region=littoral")
    assert listed.status_code == 200
    assert [s["organisation_slug"] for s in listed.json["services"]] == ["demo-hopital-douala"]
    assert api.get("demo-health-douala", "/directory/services?target_group=children").json["services"]
    assert api.get("demo-caseworker", "/directory/services?sector=astrology").status_code == 422


def test_a_providers_administrator_writes_its_own_services_only_and_each_change_is_audited(api, container):
    created = api.call("iom-admin", "PUT", "/directory/services/iom-cash-nord", json=CASH)
    assert created.status_code == 200, created.json
    assert created.json["created"] and created.json["service"]["service_areas"][0]["name"] == "nord"
    changed = api.call("iom-admin", "PUT", "/directory/services/iom-cash-nord",
                       json={**CASH, "capacities": [{"maximum": 40, "available": 0}]})
    assert changed.json["changed"] == ["capacity_available"]
    hospital = _service_of(container, "demo-hopital-douala")
    document = api.get("iom-admin", f"/directory/services/{hospital}").json
    assert api.call("iom-admin", "PUT", f"/directory/services/{hospital}", json=document).status_code == 403
    # Moving another organisation's service to oneself is editing it too.
    moved = api.call("iom-admin", "PUT", f"/directory/services/{hospital}", json={**document, "organization_id": "demo-iom-cameroon"})
    assert moved.status_code == 403
    assert api.call("demo-admin", "PUT", f"/directory/services/{hospital}", json=document).status_code == 200
    assert api.call("demo-caseworker", "PUT", "/directory/services/iom-cash-nord", json=CASH).status_code == 403
    with container.uow() as uow:
        audited = uow.session.scalars(select(AuditEntry).where(AuditEntry.action == "directory_service_saved")
                                      .order_by(AuditEntry.id)).all()
    assert [(a.object_id, a.details["created"]) for a in audited] == [
        ("iom-cash-nord", True), ("iom-cash-nord", False), (hospital, False)]


def test_a_bad_service_is_refused_field_by_field(api):
    bad = api.call("iom-admin", "PUT", "/directory/services/x", json={**CASH, "attributes": [], "minimum_age": -1})
    assert bad.status_code == 422


def test_the_directory_page_shows_labels_and_filters(app):
    client = app.test_client()
    sign_in(client, "demo-caseworker", DEMO_PASSWORD)
    page = client.get("/directory/?region=extreme_nord").get_data(as_text=True)
    assert "Extrême-Nord" in page and "Rétablissement des liens familiaux" in page
    assert "Hôpital régional de Douala" not in page and "extreme_nord</dd>" not in page
    assert "Modifier ce service" not in page  # a caseworker edits nothing
    assert client.get("/directory/services/new").status_code == 403


def test_an_administrator_edits_a_service_with_the_page_and_keeps_its_other_fields(app, container):
    client = app.test_client()
    sign_in(client, "iom-admin", DEMO_PASSWORD)
    service = _service_of(container, "demo-iom-cameroon")
    form = client.get(f"/directory/services/{service}/edit").get_data(as_text=True)
    assert "Appui à la micro-entreprise" in form
    posted = client.post(f"/directory/services/{service}/edit", data={
        "csrf_token": csrf_of(client, f"/directory/services/{service}/edit"), "organisation": "demo-iom-cameroon",
        "name": "Appui à la micro-entreprise", "sector": "economic_reintegration", "regions": ["centre", "sud"],
        "languages": ["french"], "priorities": ["normal", "urgent"], "hours_urgent": "48", "capacity": "40",
        "capacity_available": "3", "capacity_period": "month", "active": "1"})
    assert posted.status_code == 302
    with container.uow() as uow:
        row = uow.session.scalar(select(OrganisationService).where(OrganisationService.hsds_id == service))
        assert (row.regions, row.response_hours, row.capacity_available) == (["centre", "sud"], {"urgent": 48}, 3)
    hospital = _service_of(container, "demo-hopital-douala")
    assert client.get(f"/directory/services/{hospital}/edit").status_code == 403
    refused = client.post("/directory/services/new", data={"csrf_token": csrf_of(client, "/directory/services/new"),
                                                           "organisation": "demo-iom-cameroon", "name": ""})
    assert refused.status_code == 422 and "field-error" in refused.get_data(as_text=True)
