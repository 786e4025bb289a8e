"""Consent-scoped sharing: the pathway's rule decides, per consent scope and sector, exactly which of the
person's fields a provider receives; the history says what went to whom; the provider's access ends a
set time after the referral closed, while the referral itself stays listed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.services.accounts.actors import load_actor
from engine.services.referrals.view import show_referral
from engine.store.models import AuditEntry, CaseEvent
from tests.integration.services.conftest import ASSESSMENT, CONSENT, IDENTIFICATION

CASEWORKER, HOSPITAL, SHELTER = "demo-caseworker", "demo-health-douala", "demo-shelter"
IDENTITY = ["person_alias", "sex", "age", "language", "interpreter_needed", "phone", "region", "site"]
HEALTH = ["vuln_medical", "vuln_pregnancy", "vuln_disability", "vuln_psychosocial"]
PROTECTION = ["unaccompanied_child", "vuln_trafficking", "vuln_violence", "vuln_security"]
# What pathways/cameroon-nrm/pathway.yaml gives each scope, for a health and a shelter referral.
EXPECTED = {
    "minimum_necessary": {"health": IDENTITY, "shelter": IDENTITY},
    "including_health": {"health": IDENTITY + HEALTH, "shelter": IDENTITY},
    "including_protection": {"health": IDENTITY, "shelter": IDENTITY + PROTECTION},
}
PERSON = {**IDENTIFICATION, "interpreter_needed": False, "vuln_pregnancy": False, "vuln_trafficking": True,
          "unaccompanied_child": False, "nationality": "Nigériane"}


def _refer(api, scope: str) -> dict:
    case_id = api.post(CASEWORKER, "/cases", json={"pathway_id": "cameroon-nrm"}).json["id"]

    def complete(bpmn_id: str, data: dict, sector: str | None = None) -> None:
        task = next(t for t in api.get(CASEWORKER, "/tasks").json["tasks"]
                    if t["bpmn_id"] == bpmn_id and t["case_id"] == case_id and sector in (None, t["instance_label"]))
        response = api.post(CASEWORKER, f"/tasks/{task['id']}/complete", json={"data": data})
        assert response.status_code == 200, response.json

    complete("Task_Identification", PERSON)
    complete("Task_NeedsAssessment", ASSESSMENT)
    consent = {**{k: v for k, v in CONSENT.items() if k != "consent_given"}, "consent_scope": scope}
    assert api.post(CASEWORKER, f"/cases/{case_id}/consents", json={"consent_given": True, "data": consent}).status_code == 200
    complete("Task_SendReferral", {"provider_id": "demo-hopital-douala"}, "health")
    complete("Task_SendReferral", {"provider_id": "demo-bon-samaritain"}, "shelter")
    referrals = {r["sector"]: r["id"] for r in api.get(CASEWORKER, f"/cases/{case_id}").json["referrals"]}
    return {"case": case_id, **referrals}


@pytest.mark.parametrize("scope", sorted(EXPECTED))
def test_each_consent_scope_gives_each_provider_exactly_its_fields_through_the_api_and_the_service(api, container, scope):
    referred = _refer(api, scope)
    for sector, provider in (("health", HOSPITAL), ("shelter", SHELTER)):
        expected = EXPECTED[scope][sector]
        through_api = api.get(provider, f"/referrals/{referred[sector]}").json
        assert through_api["shared_fields"] == expected
        assert sorted(through_api["shared_data"]) == sorted(expected)
        assert through_api["shared_data"]["person_alias"] == PERSON["person_alias"]
        assert "nationality" not in through_api["shared_data"] and "return_modality" not in through_api["shared_data"]
        through_service = show_referral(container.uow(), container.clock, referred[sector], load_actor(container.uow(), provider))
        assert list(through_service.shared_fields) == expected
        assert through_service.shared_data == through_api["shared_data"]


def test_the_history_records_what_was_shared_with_whom_and_each_read_is_audited(api, container):
    referred = _refer(api, "including_health")
    api.get(HOSPITAL, f"/referrals/{referred['health']}")
    with container.uow() as uow:
        sent = [e.details["shared_with"] for e in uow.session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == referred["case"]).order_by(CaseEvent.id)) if "shared_with" in e.details]
        read = uow.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "referral.viewed", AuditEntry.object_id == str(referred["health"]))).one()
    assert sent == [
        {"provider": "demo-hopital-douala", "scope": "including_health", "fields": IDENTITY + HEALTH},
        {"provider": "demo-bon-samaritain", "scope": "including_health", "fields": IDENTITY},
    ]
    assert read.details["fields"] == sorted(IDENTITY + HEALTH)


def test_a_providers_access_to_the_persons_data_ends_30_days_after_the_referral_closed(api, container):
    referred = _refer(api, "minimum_necessary")
    health = referred["health"]
    assert api.post(HOSPITAL, f"/referrals/{health}/acknowledge", json={"acknowledged_by": "Dr Ngo"}).status_code == 200
    assert api.post(HOSPITAL, f"/referrals/{health}/decline", json={"decline_reason": "no_capacity"}).status_code == 200
    closed = api.get(HOSPITAL, f"/referrals/{health}").json
    assert closed["shared_data"]["person_alias"] == PERSON["person_alias"] and not closed["personal_data_ended"]
    container.clock.advance(timedelta(days=29, hours=23))
    assert api.get(HOSPITAL, f"/referrals/{health}").json["shared_data"]
    container.clock.advance(timedelta(hours=2))
    ended = api.get(HOSPITAL, f"/referrals/{health}").json
    assert ended["personal_data_ended"] and ended["shared_data"] == {} and ended["shared_fields"] == []
    assert ended["state"] == "declined" and ended["sector"] == "health"  # the referral's own record stays
    assert health in [r["id"] for r in api.get(HOSPITAL, "/referrals").json["referrals"]]
    # The case's own caseworker keeps reading it; the still-open shelter referral's provider too.
    assert api.get(CASEWORKER, f"/referrals/{health}").json["shared_data"]
    assert api.get(SHELTER, f"/referrals/{referred['shelter']}").json["shared_data"]


def _labels() -> dict[str, str]:
    """Each shareable field's French label, as the pathway draws it (what a provider reads on paper)."""
    from lxml import etree

    from tests.integration.services.conftest import CAMEROON

    tree = etree.parse(str(CAMEROON / "pathway.bpmn"))
    fields = tree.iterfind(".//{http://camunda.org/schema/1.0/bpmn}formField")
    return {field.get("id"): field.get("label") for field in fields if field.get("id") in IDENTITY + HEALTH + PROTECTION}


def _pdf_text(pdf: bytes) -> str:
    from io import BytesIO

    from pypdf import PdfReader

    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(BytesIO(pdf)).pages)


@pytest.mark.parametrize("scope", sorted(EXPECTED))
def test_each_consent_scope_gives_each_provider_exactly_its_fields_on_the_referral_page_and_its_pdf(api, app, scope):
    from tests.integration.webui.web_forms import sign_in

    referred = _refer(api, scope)
    labels = _labels()
    for sector, provider in (("health", HOSPITAL), ("shelter", SHELTER)):
        client = app.test_client()
        assert sign_in(client, provider, "demo-aiguillage-2026").status_code == 302
        page = client.get(f"/referrals/{referred[sector]}")
        assert page.status_code == 200
        pdf = client.get(f"/referrals/{referred[sector]}/form?format=pdf")
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
        # A field the person left empty has nothing to print: the rest of the scope is there, and nothing more.
        shared = api.get(provider, f"/referrals/{referred[sector]}").json["shared_data"]
        filled = {field for field in EXPECTED[scope][sector] if shared.get(field) not in (None, "")}
        assert filled >= set(EXPECTED[scope][sector]) & {"person_alias", "sex", "vuln_medical", "vuln_trafficking"}
        for where, text in (("page", page.get_data(as_text=True)), ("pdf", _pdf_text(pdf.data))):
            shown = {field for field, label in labels.items() if " ".join(label.split()) in text}
            assert shown == filled, (where, scope, sector)
            assert PERSON["person_alias"] in text, (where, scope, sector)
