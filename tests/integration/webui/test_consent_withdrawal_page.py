"""The consent withdrawal page: offered on the case page to those who may record it, refused values kept, audited."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from engine.domain import ReferralState
from engine.pathways.folder import load_source
from engine.services.accounts.actors import load_actor
from engine.services.cases.lifecycle import open_case
from engine.services.pathways.publishing import publish_pathway
from engine.services.tasks.completion import complete_task
from engine.services.tasks.inbox import list_inbox
from engine.store.models import AuditEntry, ConsentRow, ReferralRow
from engine.store.seed import load_demo_data
from tests.integration.services.conftest import CAMEROON, CONSENT, IDENTIFICATION, NO_NEEDS
from web_forms import TEST_SECRET, csrf_of, sign_in
from webui import create_app


@pytest.fixture
def referred(container):
    """A case whose health need was referred under a given consent."""
    return refer(container, {"provider_id": "demo-hopital-douala"})


def refer(container, send: dict, identification: dict = IDENTIFICATION):
    """(app, case, demo password): a case identified with `identification`, whose health need was referred with
    `send` as the send step's form."""
    uow, clock = container.uow, container.clock
    password = load_demo_data(uow(), clock).password
    publish_pathway(uow(), load_source(CAMEROON), clock)
    caseworker = load_actor(uow(), "demo-caseworker")
    case = open_case(uow(), clock, "cameroon-nrm", caseworker)
    for bpmn_id, data in (("Task_Identification", identification),
                          ("Task_NeedsAssessment", {**NO_NEEDS, "assessment_date": "2026-03-02", "need_health": True,
                                                    "health_urgency": "urgent"}),
                          ("Task_Consent", CONSENT),
                          ("Task_SendReferral", send)):
        task = next(t for t in list_inbox(uow(), caseworker, limit=100) if t.case_id == case.id and t.bpmn_id == bpmn_id)
        complete_task(uow(), clock, task.id, caseworker, data)
    app = create_app({"SECRET_KEY": TEST_SECRET, "SESSION_COOKIE_SECURE": False}, container=container)
    return app, case, password


def _client(app, username, password):
    client = app.test_client()
    assert sign_in(client, username, password).status_code == 302
    return client


def test_the_case_page_shows_the_consent_scope_and_offers_the_withdrawal_only_to_case_staff(referred):
    app, case, password = referred
    address = f'href="/cases/{case.reference}/consents/withdraw"'
    own = html.unescape(_client(app, "demo-caseworker", password).get(f"/cases/{case.reference}").get_data(as_text=True))
    assert address in own and "partagé avec les prestataires" in own
    assert re.search(r" : donné \(Santé\) ; partagé avec les prestataires", own), "French punctuation, spaced"
    coordinator = _client(app, "demo-coordinator", password)
    assert address not in coordinator.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert coordinator.get(f"/cases/{case.reference}/consents/withdraw").status_code == 403


def test_withdrawing_consent_on_its_page_revokes_the_referral_and_is_audited(referred, container):
    app, case, password = referred
    client = _client(app, "demo-supervisor", password)
    page = client.get(f"/cases/{case.reference}/consents/withdraw")
    assert page.status_code == 200 and "Santé" in html.unescape(page.get_data(as_text=True))
    refused = client.post(f"/cases/{case.reference}/consents/withdraw",
                          data={"reason": "x" * 201, "csrf_token": csrf_of(client, "/")})
    assert refused.status_code == 422
    assert 'value="' + "x" * 201 + '"' in refused.get_data(as_text=True)
    done = client.post(f"/cases/{case.reference}/consents/withdraw",
                       data={"reason": "Ne souhaite plus", "csrf_token": csrf_of(client, "/")})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/cases/{case.reference}")
    with container.uow() as unit:
        consent = unit.session.scalar(select(ConsentRow).where(ConsentRow.case_id == case.id))
        assert consent.withdrawn_at is not None and consent.withdrawal_reason == "Ne souhaite plus"
        assert unit.session.scalar(select(ReferralRow.state).where(ReferralRow.case_id == case.id)) == ReferralState.REVOKED
        audit = unit.session.scalars(select(AuditEntry).where(AuditEntry.case_id == case.id,
                                                              AuditEntry.action == "case.consent_withdrawn")).all()
        assert len(audit) == 1
    # Nothing is left to withdraw: the page says so rather than offering it again.
    assert client.get(f"/cases/{case.reference}/consents/withdraw").status_code == 409


def test_after_the_withdrawal_the_provider_no_longer_reads_the_persons_data(referred, container):
    """Consent withdrawn: the revoked referral stays listed for its provider, but without the person's
    data, at once (the grace after closure is for referrals the provider worked on)."""
    app, case, password = referred
    with container.uow() as unit:
        referral_id = unit.session.scalar(select(ReferralRow.id).where(ReferralRow.case_id == case.id))
    provider = _client(app, "demo-health-douala", password)
    before = html.unescape(provider.get(f"/referrals/{referral_id}").get_data(as_text=True))
    assert "A. M." in before and "Aéroport international de Douala" in before
    client = _client(app, "demo-caseworker", password)
    client.post(f"/cases/{case.reference}/consents/withdraw", data={"reason": "", "csrf_token": csrf_of(client, "/")})
    for address in (f"/referrals/{referral_id}", f"/referrals/{referral_id}/form"):
        after = provider.get(address)
        assert after.status_code == 200, address
        text = html.unescape(after.get_data(as_text=True))
        assert "révoqué" in text and "A. M." not in text and "Aéroport international de Douala" not in text, address
