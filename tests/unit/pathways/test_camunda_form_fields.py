"""A Camunda Form with every supported component, written as Camunda Modeler 5 writes it: its fields,
their checks, and the fields its conditions hide."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import ExpressionError, InvalidData
from engine.expressions.feel import translate_feel
from engine.pathways.folder import load_source
from engine.pathways.form_check import clean_form_data, hidden_on_page
from engine.pathways.forms import FormSpec, compile_pattern, load_form
from engine.pathways.validation import review

HOUSEHOLD = Path(__file__).resolve().parents[2] / "fixtures" / "valid" / "camunda-form-household"
FILLED = {"full_name": "Amina", "return_modality": "assisted", "returned_on": "2026-02-01"}


@pytest.fixture(scope="module")
def household() -> FormSpec:
    form = load_form(load_source(HOUSEHOLD).files, "Task_Household")
    assert form is not None
    return form


def codes_of(form, data) -> dict[str, list[str]]:
    with pytest.raises(InvalidData) as raised:
        clean_form_data(form, data)
    return {name: [problem.code for problem in problems] for name, problems in raised.value.errors.items()}


def test_every_component_becomes_a_field_of_its_type(household: FormSpec):
    assert review(load_source(HOUSEHOLD)) == []
    assert [(f.id, f.type) for f in household.fields] == [
        ("full_name", "string"), ("document_number", "string"), ("phone", "string"), ("story", "string"),
        ("household_size", "long"), ("unaccompanied_child", "boolean"), ("guardian_name", "string"), ("needs", "enum_list"),
        ("legal_details", "string"), ("return_modality", "enum"), ("risk", "enum"), ("languages", "enum_list"),
        ("returned_on", "date"), ("call_time", "time"), ("appointment_at", "datetime")]
    assert household.field("returned_on").label == "Date du retour" and household.field("call_time").label == "Heure d'appel"
    assert household.field("languages").properties["widget"] == "taglist"


def test_values_are_converted_and_hidden_fields_take_their_default(household: FormSpec):
    cleaned = clean_form_data(household, {
        **FILLED, "needs": ["legal", "health"], "legal_details": "Papers lost", "languages": "fr", "call_time": "09:30:00",
        "appointment_at": "2026-02-03 14:00", "document_number": "CM123456", "phone": "+237 6 99 00 00 00",
        "guardian_name": "sent although hidden"})
    assert cleaned["needs"] == ["health", "legal"] and cleaned["languages"] == ["fr"]
    assert cleaned["call_time"] == "09:30" and cleaned["appointment_at"] == "2026-02-03T14:00"
    assert cleaned["legal_details"] == "Papers lost" and cleaned["guardian_name"] is None  # the child box is not ticked
    assert cleaned["household_size"] == 1 and cleaned["unaccompanied_child"] is False and cleaned["risk"] == "low"


def test_a_field_shown_by_its_condition_is_checked_and_one_hidden_is_not(household: FormSpec):
    assert codes_of(household, {**FILLED, "unaccompanied_child": True}) == {"guardian_name": ["required"]}
    cleaned = clean_form_data(household, {**FILLED, "needs": ["health"], "legal_details": "not asked"})
    assert cleaned["legal_details"] is None


def test_wrong_values_are_each_refused_with_their_code(household: FormSpec):
    assert codes_of(household, {**FILLED, "needs": ["health", "health"], "languages": ["de"], "call_time": "25:00",
                                "appointment_at": "tomorrow", "document_number": "cm123456", "phone": "call me"}) == {
        "needs": ["not_choices"], "languages": ["not_choices"], "call_time": ["not_a_time"],
        "appointment_at": ["not_a_datetime"], "document_number": ["no_pattern_match"], "phone": ["no_pattern_match"]}
    assert codes_of(household, {**FILLED, "document_number": "A" * 201}) == {"document_number": ["too_long"]}


def test_the_page_decides_which_fields_it_shows_from_the_case_and_what_was_entered(household: FormSpec):
    assert hidden_on_page(household, {}) == {"guardian_name", "legal_details"}
    assert hidden_on_page(household, {}, {"unaccompanied_child": "true", "needs": ["legal"]}) == set()
    assert hidden_on_page(household, {"needs": ["legal"]}) == {"guardian_name", "legal_details"}  # the form starts empty


@pytest.mark.parametrize("feel, safe", [
    ("=child", "child"),
    ('=decision = "declined" and not(child)', "((decision == 'declined') and (not child))"),
    ("=age >= 18 or note != null", "((age >= 18) or (note is not None))"),
    ('=list contains(needs, "legal")', "('legal' in (needs or []))"),
    ("=note = null", "(note is None)"),
])
def test_feel_conditions_translate_to_the_safe_language(feel: str, safe: str):
    assert translate_feel(feel) == safe


@pytest.mark.parametrize("feel, words", [
    ("=person.age > 18", "paths with dots"),
    ("=if child then true else false", "'if' cannot be translated"),
    ("=count(needs) > 1", "the function count()"),
    ("=" + "(" * 60 + "child" + ")" * 60, "nested too deeply"),
    ("=", "empty"),
])
def test_feel_outside_the_translated_part_is_refused_in_words(feel: str, words: str):
    with pytest.raises(ExpressionError) as refused:
        translate_feel(feel)
    assert words in str(refused.value) and refused.value.expression == feel


@pytest.mark.parametrize("pattern, words", [
    ("(a+)+b", "repetition inside a repetition"),
    ("(a|ab)*c", "alternatives inside a repetition"),
    (r"(\w)\1", "refer back"),
    ("[", "not a regular expression"),
    ("x" * 201, "1 to 200 characters"),
])
def test_patterns_that_could_take_very_long_are_refused(pattern: str, words: str):
    with pytest.raises(ValueError) as refused:
        compile_pattern(pattern)
    assert words in str(refused.value)


def test_the_smoke_run_fills_the_form_and_reaches_the_end():
    from engine.pathways.explore import explore

    result = explore(load_source(HOUSEHOLD), 6)
    assert [run.outcome for run in result.runs] == ["ended"] * 6 and not result.unreached


def test_several_options_are_shown_each_by_its_label_in_the_readers_language():
    from engine.pathways.labels import Labels
    from engine.services.pathways.labels import PathwayTexts, labelled_values

    source = load_source(HOUSEHOLD)
    english = PathwayTexts(Labels(source, "en"), {})
    assert labelled_values(english, {"needs": ["health", "legal"], "languages": [], "risk": "low"}) == (
        ("Needs", "Health, Legal"), ("Risk", "Low"))
    assert labelled_values(PathwayTexts(Labels(source, "fr"), {}), {"needs": ["shelter"]}) == (("Besoins", "Abri"),)


def test_the_pathway_read_for_people_and_the_comparison_of_versions_show_the_camunda_forms_fields():
    """The version page, the SOP document and the comparison read the forms as the engine runs them."""
    import dataclasses
    import json

    from engine.pathways.comparison import compare
    from engine.pathways.overview import overview_of

    source = load_source(HOUSEHOLD)
    step = next(s for s in overview_of(source, "fr").steps if s.id == "Task_Household")
    fields = {field.id: field for field in step.fields}
    assert list(fields)[:3] == ["full_name", "document_number", "phone"]
    assert fields["full_name"].required and fields["needs"].type == "enum_list" and fields["needs"].choices

    form_file = next(name for name in source.files if name.endswith(".form"))
    form = json.loads(source.files[form_file])
    form["components"] = [c for c in form["components"] if c.get("key") != "story"]
    changed = dataclasses.replace(source, files={**source.files, form_file: json.dumps(form).encode()})
    changes = compare(source, changed)
    task = next(change for change in changes.changed if change.id == "Task_Household")
    assert [(change.name, change.after) for change in task.properties] == [("form field story", "")]
    assert "label=Histoire" in task.properties[0].before
