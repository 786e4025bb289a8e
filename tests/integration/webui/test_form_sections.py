"""Long forms in the sections their pathway declares, fields needed only for some answers shown with
their condition (so it works without JavaScript), and asterisks that match what is required."""

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


def _star_shown(page: str, name: str) -> bool:
    label = re.search(rf'<label for="field-{name}">.*?</label>', page, re.S).group(0)
    return '<span class="required"' in label and " hidden>" not in label


def test_an_urgency_stays_on_the_page_with_its_condition_and_is_required_only_when_its_need_is_yes(signed):
    client, case, walker = signed
    walker.complete("demo-caseworker", "Task_Identification", {**IDENTIFICATION, "vuln_medical": False}, case_id=case.id)
    task_id = walker.task("demo-caseworker", "Task_NeedsAssessment", case_id=case.id).id
    # A need carried from identification (no medical need) can still be changed on this page: its
    # urgency stays, unmarked, with what makes it needed for the page's script.
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'name="health_urgency"' in page and not _star_shown(page, "health_urgency")
    assert 'data-when-field="need_health" data-when-value="true"' in page
    assert "Nécessaire si" in page and "Needed if" not in page
    # A refused submission keeps every urgency: one whose need was said "no" may be needed once it is changed.
    answers = {**_as_form(ASSESSMENT), "assessment_date": "", "csrf_token": csrf_of(client, "/")}
    refused = client.post(f"/tasks/{task_id}", data=answers)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert all(f'name="{need}_urgency"' in page for need in ("health", "shelter", "cash", "mhpss"))
    assert _star_shown(page, "health_urgency") and not _star_shown(page, "cash_urgency")
    # The error summary comes first on the page, before the task's details.
    assert page.index('class="error-summary"') < page.index("<h1>") < page.index('name="assessment_date"')
    # Not needed means not required: the same answers with the date go through.
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
    result = CliRunner().invoke(main, ["--lang", "fr", "task", "form", case.open_task_ids[0], "--user", "demo-caseworker"],
                                obj=container)
    assert result.exit_code == 0, result.output
    assert [line.strip() for line in result.output.splitlines() if line.strip().startswith("[")] == [
        "[Identité]", "[Retour]", "[Vulnérabilités]", "[Risque et priorité]"]
