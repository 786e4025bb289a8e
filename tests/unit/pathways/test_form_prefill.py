"""The expression defaults a form fills in for the person about to submit it: `${currentUser()}` as their
name, `${now()}` and `${today()}` as the case's day and time (a Camunda Form's FEEL `=now()` and `=today()`
too); matched exactly, never evaluated; anything else ignored as before, and warned about by the validator."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import shutil

import pytest

from engine.pathways.folder import load_source
from engine.pathways.form_check import clean_form_data, default_value, prefilled
from engine.pathways.form_prefill import (
    CURRENT_USER, DEFAULT_LANGUAGE, FEEL, NOW, TODAY, PrefillFacts, is_expression, understood_expression,
)
from engine.pathways.forms import FieldSpec, FormSpec, load_form
from engine.pathways.validation import review, validate
from pathway_fixtures import VALID, copied_mini  # noqa: F401 - a pytest fixture

# A Camunda 8 form (form-js JSON) whose fields start with =today(), = now() and ${currentUser()}.
PREFILLS = VALID / "camunda-form-prefills"

DOUALA = ZoneInfo("Africa/Douala")
# Just after midnight in Douala: the case's day is already the 3rd (it is still the 2nd in UTC).
FACTS = PrefillFacts("Point focal Hôpital de Douala (démo)", datetime(2026, 3, 3, 0, 20, tzinfo=DOUALA))


def field(default: str | None, kind: str = "string", **constraints: str | None) -> FieldSpec:
    return FieldSpec("f", kind, default=default, constraints=constraints)


@pytest.mark.parametrize("default, kind, expected", [
    ("${currentUser()}", "string", CURRENT_USER),
    ("  ${ currentUser() }\n", "string", CURRENT_USER),
    ("${today()}", "date", TODAY),
    ("${now()}", "date", NOW),
    ("${now()}", "time", NOW),
    ("${now()}", "datetime", NOW),
])
def test_the_supported_forms_are_recognised_with_spaces_around_them(default, kind, expected):
    assert understood_expression(field(default, kind)) == expected


@pytest.mark.parametrize("default, kind", [
    ("${currentUser()}", "date"),  # a name is no date
    ("${currentUser()}", "long"),
    ("${today()}", "string"),  # written as text, a date would be read in no calendar
    ("${today()}", "datetime"),  # midnight or now? ${now()} says it
    ("${today()}", "time"),
    ("${now()}", "string"),
    ("${currentUser}", "string"),
    ("${currentUser().name}", "string"),
    ("${CurrentUser()}", "string"),  # JUEL names are case-sensitive: Camunda would fail on it too
    ("${currentUser( )}", "string"),
    ("Dr ${currentUser()}", "string"),
    ("${currentUser()}${currentUser()}", "string"),
    ("#{currentUser()}", "string"),
    ("currentUser()", "string"),
    ("${initiator}", "string"),
    ("${__import__('os').system('id')}", "string"),
    ("${now() + 1}", "date"),
    ("", "string"),
    (None, "string"),
])
def test_anything_else_is_not_understood(default, kind):
    assert understood_expression(field(default, kind)) is None


def feel(default: str | None, kind: str = "string") -> FieldSpec:
    """A Camunda Form's field, as `engine.pathways.camunda_forms` writes it when its default starts with '='."""
    return FieldSpec("f", kind, default=default, properties={DEFAULT_LANGUAGE: FEEL})


@pytest.mark.parametrize("default, kind, expected", [
    ("=today()", "date", TODAY),
    (" = today() ", "date", TODAY),
    ("=now()", "date", NOW),
    ("= now()", "time", NOW),
    ("=now()", "datetime", NOW),
    ("${currentUser()}", "string", CURRENT_USER),  # FEEL has no name for the person: Camunda 7's is read
])
def test_a_camunda_forms_feel_defaults_are_the_same_prefills(default, kind, expected):
    assert understood_expression(feel(default, kind)) == expected


@pytest.mark.parametrize("default, kind", [
    ("=today()", "string"),
    ("=today()", "time"),
    ("=now()", "string"),
    ("=currentUser()", "string"),
    ("=today() - duration(\"P1D\")", "date"),
    ("=last_visit", "date"),
    ("=Today()", "date"),
    ("=today", "date"),
    ("today()", "date"),
    ("${today}", "date"),
])
def test_any_other_feel_default_is_not_understood_and_is_no_value(default, kind):
    assert understood_expression(feel(default, kind)) is None
    assert is_expression(feel(default, kind)) == (default.startswith(("=", "${"))), "an expression, never a value"
    assert default_value(feel(default, kind)) is None


def test_in_a_camunda_7_form_field_a_leading_equals_sign_is_text_as_in_camunda_7():
    assert understood_expression(field("=today()", "date")) is None
    assert not is_expression(field("=5")) and default_value(field("=5")) == "=5"


def test_current_user_is_the_persons_display_name():
    assert prefilled(field("${currentUser()}"), FACTS) == "Point focal Hôpital de Douala (démo)"


def test_today_and_now_are_the_day_and_time_of_the_moment_given_in_its_calendar():
    assert prefilled(field("${today()}", "date"), FACTS) == "2026-03-03"
    assert prefilled(field("${now()}", "date"), FACTS) == "2026-03-03"
    assert prefilled(field("${now()}", "time"), FACTS) == "00:20"
    assert prefilled(field("${now()}", "datetime"), FACTS) == "2026-03-03T00:20"


def test_feel_today_and_now_fill_in_as_their_camunda_7_twins_do():
    assert prefilled(feel("=today()", "date"), FACTS) == "2026-03-03"
    assert prefilled(feel("= now()", "time"), FACTS) == "00:20"
    assert prefilled(feel("=now()", "datetime"), FACTS) == "2026-03-03T00:20"
    assert prefilled(feel("=last_visit", "date"), FACTS) is None


def test_a_camunda_8_forms_prefills_are_read_from_its_file_and_the_validator_is_silent_about_them():
    source = load_source(PREFILLS)
    form = load_form(source.files, "Task_Visit")
    assert {f.id: understood_expression(f) for f in form.fields} == {
        "visited_by": CURRENT_USER, "visited_on": TODAY, "visited_at": NOW, "no_date_reason": None, "visitor_named": None}
    assert {f.id: prefilled(f, FACTS) for f in form.fields if understood_expression(f)} == {
        "visited_by": FACTS.name, "visited_on": "2026-03-03", "visited_at": "00:20"}
    assert review(source) == []


def test_any_other_feel_default_of_a_camunda_form_is_a_warning_naming_the_field_and_the_expression(tmp_path: Path):
    folder = tmp_path / PREFILLS.name
    shutil.copytree(PREFILLS, folder)
    form = folder / "forms" / "visit.form"
    text = form.read_text(encoding="utf-8")
    form.write_text(text.replace('"=today()"', '"=last_visit"').replace('"${currentUser()}"', '"=currentUser()"'),
                    encoding="utf-8")
    source = load_source(folder)
    warnings = [p for p in review(source) if p.rule == "form.expression_default"]
    assert [(p.element_id, p.is_warning) for p in warnings] == [("Task_Visit", True)] * 2
    assert [p.message for p in warnings] == [
        f"field {name!r}: default value {expression!r} is a FEEL expression this engine does not fill in, so the field "
        "starts empty; in a Camunda Form it fills in =now() on a date, time or date-and-time field, =today() on a date "
        "field and ${currentUser()} on a text field (the signed-in person's name)"
        for name, expression in (("visited_by", "=currentUser()"), ("visited_on", "=last_visit"))]
    assert validate(source) == [], "a warning does not stop publishing"
    assert _in_french(warnings[1].message) == (
        "champ 'visited_on' : la valeur par défaut '=last_visit' est une expression FEEL que ce moteur ne remplit pas : "
        "le champ commence vide ; dans un formulaire Camunda, il remplit =now() dans un champ date, heure ou date et "
        "heure, =today() dans un champ date et ${currentUser()} dans un champ texte (le nom de la personne connectée)")


def _in_french(message: str) -> str:
    from webui.cli.language import in_cli_language, start_language
    from webui.pathways.problem_texts import worded_detail

    start_language(None, None, "fr")
    try:
        with in_cli_language():
            worded, complete = worded_detail(message)
    finally:
        start_language(None, None, None)
    assert complete, worded
    return worded


def test_a_date_bound_of_today_is_the_same_day_as_the_prefill():
    assert prefilled(field("${today()}", "date", max="today"), FACTS) == "2026-03-03"


def test_nothing_is_filled_in_that_the_field_would_refuse_or_the_person_could_not_change():
    assert prefilled(field("${currentUser()}", maxlength="10"), FACTS) is None
    assert prefilled(field("${currentUser()}", pattern="[A-Z]+"), FACTS) is None
    assert prefilled(field("${currentUser()}", readonly=None), FACTS) is None
    assert prefilled(field("${today()}", "date", max="2026-03-02"), FACTS) is None
    assert prefilled(field("${currentUser()}"), PrefillFacts(None, FACTS.moment)) is None
    assert prefilled(field("${initiator}"), FACTS) is None
    assert prefilled(field("Dr Ngo"), FACTS) is None  # a plain default is the check's, not a prefill


def test_the_check_on_submission_does_not_apply_a_prefill():
    """What is submitted is what is kept: an empty field stays empty, a changed value stays changed."""
    form = FormSpec("t", None, (FieldSpec("acknowledged_by", "string", default="${currentUser()}"),
                                FieldSpec("acknowledged_on", "date", default="${today()}")))
    assert default_value(form.fields[0]) is None and default_value(form.fields[1]) is None
    assert clean_form_data(form, {}) == {"acknowledged_by": None, "acknowledged_on": None}
    assert clean_form_data(form, {"acknowledged_by": " Dr Ngo ", "acknowledged_on": "01/03/2026"}) == {
        "acknowledged_by": "Dr Ngo", "acknowledged_on": "2026-03-01"}


def _with_defaults(folder: Path, defaults: dict[str, str]) -> None:
    bpmn = folder / "pathway.bpmn"
    text = bpmn.read_text(encoding="utf-8")
    for field_id, default in defaults.items():
        opening = f'<camunda:formField id="{field_id}" '
        assert opening in text
        text = text.replace(opening, f'{opening}defaultValue="{default}" ', 1)
    bpmn.write_text(text, encoding="utf-8")


def test_the_validator_is_silent_about_the_understood_expressions(copied_mini: Path):
    _with_defaults(copied_mini, {"notes": " ${currentUser()} ", "return_date": "${today()}"})
    assert [p for p in review(load_source(copied_mini)) if p.rule.startswith("form.")] == []


def test_the_validator_warns_about_any_other_expression_default_naming_the_task_and_the_field(copied_mini: Path):
    _with_defaults(copied_mini, {"notes": "${initiator}", "return_date": "${currentUser()}"})
    source = load_source(copied_mini)
    warnings = [p for p in review(source) if p.rule == "form.expression_default"]
    assert [(p.element_id, p.is_warning) for p in warnings] == [("Task_Assess", True)] * 2
    assert "field 'notes': default value '${initiator}'" in warnings[0].message
    assert "field 'return_date': default value '${currentUser()}'" in warnings[1].message
    assert all("starts empty" in p.message and "${today()} on a date field" in p.message for p in warnings)
    assert validate(source) == [], "a warning does not stop publishing"
