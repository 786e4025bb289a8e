"""The send-referral step as the pathway declares it: a provider without agreements gets the referral
with no personal field when the pathway says `no_personal_data`; the ranked list reads the person's data."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import select

from engine.domain import ReferralState
from engine.pathways.folder import load_source
from engine.services.cases.lifecycle import open_case
from engine.services.pathways.publishing import publish_pathway
from engine.services.tasks.forms import describe_task_form
from engine.store.models import ReferralRow
from tests.integration.services.conftest import CAMEROON, CONSENT, IDENTIFICATION, NO_NEEDS, published  # noqa: F401
from tests.integration.services.walk import CaseWalker

NORTH = {**IDENTIFICATION, "region": "extreme_nord", "language": "fulfulde", "sex": "male", "age": 15}
FOOD = {**NO_NEEDS, "assessment_date": "2026-03-02", "need_food_nfi": True, "food_nfi_urgency": "normal",
        "need_shelter": True, "shelter_urgency": "urgent"}


@pytest.fixture
def walker(container, published, tmp_path) -> CaseWalker:  # noqa: F811
    """The Cameroon pathway republished with `aiguillage.match.unsigned_provider = no_personal_data`."""
    folder = tmp_path / "cameroon-nrm"
    shutil.copytree(CAMEROON, folder)
    bpmn = folder / "pathway.bpmn"
    text = bpmn.read_text(encoding="utf-8")
    assert 'name="aiguillage.match.unsigned_provider" value="refuse"' in text
    bpmn.write_text(text.replace('name="aiguillage.match.unsigned_provider" value="refuse"',
                                 'name="aiguillage.match.unsigned_provider" value="no_personal_data"'), encoding="utf-8")
    publish_pathway(container.uow(), load_source(folder), container.clock)
    return CaseWalker(container)


def _walk_to_referral(container, walker):
    open_case(container.uow(), container.clock, "cameroon-nrm", walker.actor("demo-caseworker"))
    walker.complete("demo-caseworker", "Task_Identification", NORTH)
    walker.complete("demo-caseworker", "Task_NeedsAssessment", FOOD)
    walker.complete("demo-caseworker", "Task_Consent", CONSENT)


def test_a_provider_without_agreements_receives_the_referral_with_no_personal_field(container, walker):
    _walk_to_referral(container, walker)
    task = walker.task("demo-caseworker", "Task_SendReferral", sector="food_nfi")
    form = describe_task_form(container.uow(), container.clock, task.id, walker.actor("demo-caseworker"), "en")
    (red_cross,) = [p for p in form.providers if p.slug == "demo-croix-rouge-en"]
    assert not red_cross.refused and "sent_without_personal_data" in {f.code for f in red_cross.warnings}
    assert "speaks_language" in {f.code for f in red_cross.reasons}  # the person's language, read as the pathway says
    walker.complete("demo-caseworker", "Task_SendReferral", {"provider_id": "demo-croix-rouge-en"}, sector="food_nfi")
    with container.uow() as uow:
        (referral,) = uow.session.scalars(select(ReferralRow)).all()
    assert referral.state == ReferralState.SENT and referral.shared_fields == []


def test_no_provider_for_a_need_gives_an_empty_list_that_says_why(container, walker):
    _walk_to_referral(container, walker)
    task = walker.task("demo-caseworker", "Task_SendReferral", sector="shelter")
    form = describe_task_form(container.uow(), container.clock, task.id, walker.actor("demo-caseworker"), "fr")
    assert form.matching.code == "no_provider_fits"
    assert all("out_of_region" in {f.code for f in p.failures} for p in form.providers)
