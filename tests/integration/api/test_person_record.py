"""The person's own record for a subject access request: a supervisor of the case's organisation exports
it as JSON (API and page) or PDF, in French or English; every export is audited; others are refused."""

from __future__ import annotations

from sqlalchemy import select

from engine.store.models import AuditEntry
from engine.store.seed import demo_directory
from tests.integration.services.conftest import ASSESSMENT, CONSENT, IDENTIFICATION
from tests.integration.webui.web_forms import sign_in

CASEWORKER, SUPERVISOR = "demo-caseworker", "demo-supervisor"


def _case_with_a_referral(api) -> tuple[int, str]:
    opened = api.post(CASEWORKER, "/cases", json={"pathway_id": "cameroon-nrm"}).json

    def complete(bpmn_id: str, data: dict, sector: str | None = None) -> None:
        task = next(t for t in api.get(CASEWORKER, "/tasks").json["tasks"]
                    if t["bpmn_id"] == bpmn_id and t["case_id"] == opened["id"] and sector in (None, t["instance_label"]))
        assert api.post(CASEWORKER, f"/tasks/{task['id']}/complete", json={"data": data}).status_code == 200

    complete("Task_Identification", IDENTIFICATION)
    complete("Task_NeedsAssessment", ASSESSMENT)
    consent = {k: v for k, v in CONSENT.items() if k != "consent_given"}
    api.post(CASEWORKER, f"/cases/{opened['id']}/consents", json={"consent_given": True, "data": consent})
    complete("Task_SendReferral", {"provider_id": "demo-hopital-douala"}, "health")
    return opened["id"], opened["reference"]


def _exports(container) -> list[dict]:
    with container.uow() as uow:
        return [entry.details for entry in uow.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "case.record_exported").order_by(AuditEntry.id))]


def test_a_supervisor_exports_the_persons_record_as_json_in_french_and_english(api, container):
    case_id, reference = _case_with_a_referral(api)
    french = api.get(SUPERVISOR, f"/cases/{case_id}/record", query_string={"language": "fr"})
    assert french.status_code == 200, french.json
    record = french.json
    assert record["reference"] == reference and record["language"] == "fr"
    answers = {field["id"]: field for field in record["fields"]}
    assert answers["person_alias"]["value"] == IDENTIFICATION["person_alias"]
    assert answers["person_alias"]["label"] == "Nom ou alias"
    assert answers["sex"]["value_label"] == "Féminin"
    assert "needs" not in answers  # the workflow's own working data is not the person's answers
    (referral,) = record["referrals"]
    assert referral["provider"] and "Nom ou alias" in referral["shared_fields"]
    assert any(access["action"] == "case.viewed" for access in record["accesses"])
    english = api.get(SUPERVISOR, f"/cases/{case_id}/record", query_string={"language": "en"}).json
    assert {field["id"]: field for field in english["fields"]}["person_alias"]["label"] == "Name or alias"
    assert _exports(container) == [{"language": "fr", "format": "json"}, {"language": "en", "format": "json"}]


def test_only_a_supervisor_of_the_cases_organisation_exports_it(api):
    case_id, _ = _case_with_a_referral(api)
    assert api.get(CASEWORKER, f"/cases/{case_id}/record").status_code == 403
    assert api.get("demo-coordinator", f"/cases/{case_id}/record").status_code == 403
    assert api.get("demo-minas-caseworker", f"/cases/{case_id}/record").status_code == 404
    assert api.get("demo-health-douala", f"/cases/{case_id}/record").status_code == 404


def test_the_page_gives_the_record_as_a_pdf_or_a_json_download_audited(app, api, container):
    _, reference = _case_with_a_referral(api)
    client = app.test_client()
    assert sign_in(client, SUPERVISOR, demo_directory()["demo_password"]).status_code == 302
    pdf = client.get(f"/cases/{reference}/record", query_string={"format": "pdf", "language": "en"})
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert pdf.headers["Cache-Control"] == "no-store"
    download = client.get(f"/cases/{reference}/record", query_string={"format": "json", "language": "fr"})
    assert download.status_code == 200 and download.json["reference"] == reference
    assert client.get(f"/cases/{reference}/record", query_string={"format": "docx"}).status_code == 404
    assert _exports(container) == [{"language": "en", "format": "pdf"}, {"language": "fr", "format": "json"}]


def test_a_coordinator_places_and_lifts_a_legal_hold_through_the_api(api, container):
    from engine.store.models import CaseRow

    case_id, _ = _case_with_a_referral(api)
    assert api.post(SUPERVISOR, f"/cases/{case_id}/legal-hold", json={"reason": "Procès"}).status_code == 403
    assert api.post("demo-coordinator", f"/cases/{case_id}/legal-hold", json={"reason": ""}).status_code == 422
    assert api.post("demo-coordinator", f"/cases/{case_id}/legal-hold", json={"reason": "Procès\x00"}).status_code == 422
    assert api.post("demo-coordinator", f"/cases/{case_id}/legal-hold", json={"reason": "Procès en cours"}).status_code == 204
    with container.uow() as uow:
        assert uow.session.get(CaseRow, case_id).legal_hold_reason == "Procès en cours"
    assert api.post("demo-coordinator", "/cases/999999/legal-hold", json={"reason": "x"}).status_code == 404
    assert api.post("demo-coordinator", f"/cases/{case_id}/legal-hold/lift").status_code == 204
    with container.uow() as uow:
        assert uow.session.get(CaseRow, case_id).legal_hold_reason is None


def test_the_record_names_who_read_it_as_the_case_page_does_a_providers_focal_point_by_the_provider(api):
    case_id, _ = _case_with_a_referral(api)
    [referral] = api.get(CASEWORKER, f"/cases/{case_id}").json["referrals"]
    assert api.get("demo-health-douala", f"/referrals/{referral['id']}").status_code == 200
    assert api.post("demo-health-douala", f"/referrals/{referral['id']}/acknowledge",
                    json={"acknowledged_by": "Dr Ngo"}).status_code == 200
    accesses = api.get(SUPERVISOR, f"/cases/{case_id}/record").json["accesses"]
    hospital = [access for access in accesses if access["withheld"]]
    assert hospital and all(access == {**access, "user": None, "organisation": "DEMO – Hôpital régional de Douala"}
                            for access in hospital), hospital
    assert "demo-health-douala" not in str(accesses)
    # The supervisor's own organisation's people, and the system, as before.
    assert any(access["user"] == CASEWORKER for access in accesses)
