"""Long forms in the sections their pathway declares, with the fields that do not apply left out by the
server (so it works without JavaScript), and asterisks that match what is required."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from tests.integration.services.conftest import ASSESSMENT, IDENTIFICATION
from tests.integration.services.walk import CaseWalker
from tests.integration.webui.test_tasks_and_cases import demo  # noqa: F401  (a fixture)
from web_forms import csrf_of, sign_in


@pytest.fixture
def signed(demo, container):
    """The demo case's caseworker signed in, and a walker to move the case through the services."""
    app, case, password = demo
    client = app.test_client()
    assert sign_in(client, "demo-caseworker", password).status_code == 302
    return client, case, CaseWalker(container)


def _legends(page: str) -> list[str]:
    return re.findall(r'<fieldset class="section"><legend>([^<]+)</legend>', page)


def _as_form(data: dict) -> dict:
    return {key: ("true" if value is True else "false" if value is False else str(value)) for key, value in data.items()}


def test_the_identification_form_is_in_the_four_sections_its_pathway_declares_in_the_readers_language(signed):
    client, case, _walker = signed
    page = client.get(f"/tasks/{case.open_task_ids[0]}").get_data(as_text=True)
    assert _legends(page) == ["Identité", "Retour", "Vulnérabilités", "Risque et priorité"]
    # Each field sits in its section: the return modality after the Return heading, before Vulnerabilities.
    assert page.index(">Retour<") < page.index('name="return_modality"') < page.index(">Vulnérabilités<")
    client.post("/language", data={"language": "en", "next": "/", "csrf_token": csrf_of(client, "/")})
    page = client.get(f"/tasks/{case.open_task_ids[0]}").get_data(as_text=True)
    assert _legends(page) == ["Identity", "Return", "Vulnerabilities", "Risk and priority"]


def test_an_urgency_whose_need_is_answered_no_is_not_shown_and_not_required(signed):
    client, case, walker = signed
    walker.complete("demo-caseworker", "Task_Identification", {**IDENTIFICATION, "vuln_medical": False}, case_id=case.id)
    task_id = walker.task("demo-caseworker", "Task_NeedsAssessment", case_id=case.id).id
    # Before any answer: a need carried from identification (no medical need) already decides its urgency.
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'name="health_urgency"' not in page
    assert 'name="shelter_urgency"' in page and "Needed if" not in page and "Nécessaire si" in page
    # A refused submission: every answer is known, so only the urgencies of the needs said yes remain.
    answers = {**_as_form(ASSESSMENT), "assessment_date": "", "csrf_token": csrf_of(client, "/")}
    refused = client.post(f"/tasks/{task_id}", data=answers)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'name="health_urgency"' in page and 'name="shelter_urgency"' in page
    assert 'name="cash_urgency"' not in page and 'name="mhpss_urgency"' not in page
    # Left out means not required: the same answers with the date go through.
    done = client.post(f"/tasks/{task_id}", data={**answers, "assessment_date": "2026-03-02"})
    assert done.status_code == 302


def test_the_consent_forms_asterisks_match_what_is_required(signed):
    client, case, walker = signed
    walker.complete("demo-caseworker", "Task_Identification", IDENTIFICATION, case_id=case.id)
    walker.complete("demo-caseworker", "Task_NeedsAssessment", ASSESSMENT, case_id=case.id)
    task_id = walker.task("demo-caseworker", "Task_Consent", case_id=case.id).id
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    marked = set(re.findall(r'<label for="field-([a-z_]+)">[^<]*<span class="required"', page))
    assert marked == {"consent_given", "consent_method"}
    assert "Nécessaire si « Consentement donné » est « Oui »." in page or "Nécessaire si “Consentement donné” est “Oui”." in page
    # What the asterisks say is what the check asks: consent given without its form is refused on that field only.
    refused = client.post(f"/tasks/{task_id}", data={"consent_given": "true", "csrf_token": csrf_of(client, "/")})
    assert refused.status_code == 422
    assert re.findall(r'id="error-([a-z_]+)"', refused.get_data(as_text=True)) == ["consent_method"]


def test_the_api_and_the_command_line_list_the_sections(signed, container):
    from engine.services.tasks.forms import describe_task_form
    from webui.cli import main

    _client, case, walker = signed
    form = describe_task_form(container.uow(), container.clock, case.open_task_ids[0], walker.actor("demo-caseworker"), "en")
    assert [(field.id, field.section) for field in form.fields if field.section] == [
        ("identification_date", "Identity"), ("return_modality", "Return"), ("vuln_trafficking", "Vulnerabilities"),
        ("risk_level", "Risk and priority")]
    result = CliRunner().invoke(main, ["task", "form", case.open_task_ids[0], "--user", "demo-caseworker"],
                                obj=container)
    assert result.exit_code == 0, result.output
    assert [line.strip() for line in result.output.splitlines() if line.strip().startswith("[")] == [
        "[Identité]", "[Retour]", "[Vulnérabilités]", "[Risque et priorité]"]
