"""The one check of submitted form data: conversion, limits, and a coded problem for each wrong field."""

from __future__ import annotations

import copy
import pickle
from datetime import date, datetime

import pytest

from engine.errors import InvalidData
from engine.field_problems import FieldProblem
from engine.pathways.folder import load_source
from engine.pathways.form_check import clean_form_data, hidden_on_page
from engine.pathways.forms import LONG_MAX, MAX_TEXT, EnumValue, FieldSpec, FormSpec, load_form
from pathway_fixtures import MINI, VALID


@pytest.fixture
def assessment() -> FormSpec:
    form = load_form(load_source(MINI).files, "Task_Assess")
    assert form is not None
    return form


def form_of(*fields: FieldSpec) -> FormSpec:
    return FormSpec("t", None, fields)


def errors_of(form, data) -> dict:
    with pytest.raises(InvalidData) as raised:
        clean_form_data(form, data)
    return raised.value.errors


def codes_of(form, data) -> dict[str, list[str]]:
    return {name: [problem.code for problem in problems] for name, problems in errors_of(form, data).items()}


def test_submitted_text_is_converted_to_the_field_types(assessment: FormSpec):
    cleaned = clean_form_data(assessment, {
        "risk_level": "high", "needs_count": "3", "notes": " ok ", "consent_given": "true", "return_date": "2026-03-02",
    })
    assert cleaned == {"risk_level": "high", "needs_count": 3, "notes": "ok", "consent_given": True, "return_date": "2026-03-02"}


def test_camunda_day_month_year_dates_are_accepted_and_stored_as_iso(assessment: FormSpec):
    assert clean_form_data(assessment, {"risk_level": "low", "return_date": "02/03/2026"})["return_date"] == "2026-03-02"


def test_every_field_left_empty_gets_its_default_or_none(assessment: FormSpec):
    cleaned = clean_form_data(assessment, {"risk_level": "low", "notes": "   ", "consent_given": None})
    assert cleaned == {"risk_level": "low", "needs_count": 1, "notes": None, "consent_given": None, "return_date": None}


def test_a_default_written_as_an_expression_is_not_taken_as_the_value():
    form = form_of(FieldSpec("region", "string", default="${case_region}"))
    assert clean_form_data(form, {}) == {"region": None}


def test_each_wrong_field_gets_its_own_coded_problem(assessment: FormSpec):
    errors = errors_of(assessment, {"risk_level": "medium", "needs_count": 21, "return_date": "2026-02-30", "notes": "x" * 501})
    assert {name: [p.code for p in found] for name, found in errors.items()} == {
        "risk_level": ["not_a_choice"], "needs_count": ["too_big"], "return_date": ["not_a_date"], "notes": ["too_long"],
    }
    assert errors["risk_level"] == ["must be one of high, low"] and errors["risk_level"][0].params == {"choices": ("high", "low")}
    assert errors["needs_count"] == ["at most 20"] and errors["needs_count"][0].params == {"limit": 20}
    assert errors["notes"][0].params == {"limit": 500}


def test_the_summary_counts_and_names_the_fields_to_correct(assessment: FormSpec):
    with pytest.raises(InvalidData, match=r"^2 fields to correct: needs_count, risk_level$") as raised:
        clean_form_data(assessment, {"needs_count": -1})
    assert raised.value.problem_lines() == ["needs_count: at least 0", "risk_level: required"]


@pytest.mark.parametrize("value", [None, "", "   "])
def test_a_required_field_left_empty_is_refused(assessment: FormSpec, value):
    assert codes_of(assessment, {"risk_level": value}) == {"risk_level": ["required"]}


def test_unknown_fields_are_refused_by_name(assessment: FormSpec):
    errors = errors_of(assessment, {"risk_level": "high", "is_admin": True, "": 1})
    assert errors == {"is_admin": ["not a field of this form"], "": ["not a field of this form"]}
    assert errors["is_admin"][0].code == "unknown_field"


def test_a_task_without_a_form_takes_no_data():
    assert clean_form_data(None, None) == {} and clean_form_data(None, {}) == {}
    assert errors_of(None, {"note": "x"}) == {"note": ["not a field of this task"]}


@pytest.mark.parametrize("data", [["risk_level", "high"], "risk_level=high", 3, [("risk_level", "high")]])
def test_data_that_is_not_a_mapping_is_refused(assessment: FormSpec, data):
    assert codes_of(assessment, data) == {"_form": ["not_an_object"]}


def test_a_read_only_field_is_never_written_and_left_out_of_the_cleaned_data():
    form = form_of(FieldSpec("case_number", "string", default="X-0", constraints={"readonly": None}))
    assert errors_of(form, {"case_number": "X-1"}) == {"case_number": ["read-only"]}
    assert errors_of(form, {"case_number": "X-1"})["case_number"][0].code == "read_only"
    assert clean_form_data(form, {}) == {} and clean_form_data(form, {"case_number": ""}) == {}


@pytest.mark.parametrize("value, expected", [(7, 7), ("7", 7), (" -7 ", -7), ("+7", 7), (7.0, 7), (LONG_MAX, LONG_MAX)])
def test_long_field_takes_whole_numbers_written_as_numbers_or_digits(value, expected):
    assert clean_form_data(form_of(FieldSpec("count", "long")), {"count": value}) == {"count": expected}


@pytest.mark.parametrize("value", [
    1.5, True, False, "12abc", "1e3", "0x10", "--5", "١٢", "²", "9" * 30, "9" * 100_000,
    float("nan"), float("inf"), float("-inf"), [1], {"value": 1},
])
def test_long_field_refuses_what_is_not_a_whole_number(value):
    assert codes_of(form_of(FieldSpec("count", "long")), {"count": value}) == {"count": ["not_whole_number"]}


@pytest.mark.parametrize("value", [2**63, 2**70, "99999999999999999999", 1e20])
def test_long_field_refuses_numbers_beyond_a_java_long_naming_the_limit(value):
    errors = errors_of(form_of(FieldSpec("count", "long")), {"count": value})
    assert errors == {"count": [f"at most {LONG_MAX}"]} and errors["count"][0].code == "too_big"


def test_number_limits_are_checked_both_ways():
    form = form_of(FieldSpec("age", "long", constraints={"min": "0", "max": "120"}))
    assert codes_of(form, {"age": -1}) == {"age": ["too_small"]}
    assert errors_of(form, {"age": "121"})["age"][0].params == {"limit": 120}
    assert clean_form_data(form, {"age": "120"}) == {"age": 120}


@pytest.mark.parametrize("value, expected", [(True, True), (False, False), ("true", True), (" FALSE ", False)])
def test_boolean_field_takes_true_or_false(value, expected):
    assert clean_form_data(form_of(FieldSpec("ok", "boolean")), {"ok": value}) == {"ok": expected}


@pytest.mark.parametrize("value", ["yes", "on", "1", 1, 0, 1.0, float("nan"), [True], {"ok": True}])
def test_boolean_field_refuses_anything_else(value):
    assert codes_of(form_of(FieldSpec("ok", "boolean")), {"ok": value}) == {"ok": ["not_boolean"]}


@pytest.mark.parametrize("value", [date(2026, 3, 2), datetime(2026, 3, 2, 10, 30), "2026-03-02", "02/03/2026", " 2026-03-02 "])
def test_date_field_takes_iso_or_camunda_dates_and_date_objects(value):
    assert clean_form_data(form_of(FieldSpec("seen_on", "date")), {"seen_on": value}) == {"seen_on": "2026-03-02"}


@pytest.mark.parametrize("value", ["2026-02-30", "20260302", "2026-W10-1", "2026-03-02T10:00", "yesterday", 20260302,
                                   float("inf"), ["2026-03-02"], "2" * 100_000])
def test_date_field_refuses_what_is_not_a_day(value):
    errors = errors_of(form_of(FieldSpec("seen_on", "date")), {"seen_on": value})
    assert errors == {"seen_on": ["must be a date such as 2026-03-02"]}
    assert errors["seen_on"][0].params == {"example": "2026-03-02"}


def test_date_bounds_are_checked():
    form = form_of(FieldSpec("seen_on", "date", constraints={"min": "2026-01-01", "max": "31/12/2026"}))
    assert clean_form_data(form, {"seen_on": "2026-06-01"}) == {"seen_on": "2026-06-01"}
    early, late = errors_of(form, {"seen_on": "2025-12-31"})["seen_on"][0], errors_of(form, {"seen_on": "2027-01-01"})["seen_on"][0]
    assert (early, early.code, early.params) == ("on or after 2026-01-01", "too_early", {"limit": "2026-01-01"})
    assert (late, late.code, late.params) == ("on or before 2026-12-31", "too_late", {"limit": "2026-12-31"})


@pytest.mark.parametrize("value", ["medium", "HIGH", 1, True, None, ["high"], {"id": "high"}])
def test_enum_field_takes_only_its_option_ids(value):
    form = form_of(FieldSpec("risk", "enum", values=(EnumValue("high", "Élevé"), EnumValue("low", "Faible")),
                             constraints={"required": None}))
    assert codes_of(form, {"risk": value}) == {"risk": ["required" if value is None else "not_a_choice"]}


@pytest.mark.parametrize("value", [12, 1.5, True, float("nan"), ["a"], {"nested": {"deeper": "x"}}])
def test_text_field_refuses_what_is_not_text(value):
    assert codes_of(form_of(FieldSpec("note", "string")), {"note": value}) == {"note": ["not_text"]}


@pytest.mark.parametrize("value", ["a\x00b", "\x1b[31mred", "bell\x07", "\x7f", "half \ud800 pair"])
def test_text_with_control_characters_is_refused(value):
    assert codes_of(form_of(FieldSpec("note", "string")), {"note": value}) == {"note": ["control_characters"]}


def test_text_keeps_tabs_line_breaks_and_any_script():
    text = "ligne 1\tà droite\r\nligne 2 \u202bعربي\u202c"
    assert clean_form_data(form_of(FieldSpec("note", "string")), {"note": text}) == {"note": text}


def test_text_is_at_most_the_text_limit_even_without_a_maxlength():
    form = form_of(FieldSpec("note", "string"), FieldSpec("short", "string", constraints={"maxlength": "10000000"}))
    errors = errors_of(form, {"note": "x" * (MAX_TEXT + 1), "short": "y" * (MAX_TEXT + 1)})
    assert errors == {"note": [f"at most {MAX_TEXT} characters"], "short": [f"at most {MAX_TEXT} characters"]}
    assert clean_form_data(form, {"note": "x" * MAX_TEXT})["note"] == "x" * MAX_TEXT


def test_text_length_limits_count_the_trimmed_text():
    form = form_of(FieldSpec("code", "string", constraints={"minlength": "3", "maxlength": "4"}))
    assert errors_of(form, {"code": "  ab  "}) == {"code": ["at least 3 characters"]}
    assert clean_form_data(form, {"code": " abcd "}) == {"code": "abcd"}


def test_text_typed_with_combining_accents_is_stored_composed_and_counted_as_letters():
    import unicodedata

    form = form_of(FieldSpec("alias", "string", constraints={"maxlength": "120"}))
    # 120 letters, two in five accented: decomposed (NFD, e.g. pasted from a file name) they are 168 code points.
    composed = "Hélèn" * 24
    decomposed = unicodedata.normalize("NFD", composed)
    assert len(composed) == 120 and len(decomposed) == 168
    assert clean_form_data(form, {"alias": f" {decomposed} "}) == {"alias": composed}
    assert codes_of(form, {"alias": decomposed + "e"}) == {"alias": ["too_long"]}


def test_an_accented_choice_typed_decomposed_is_the_same_choice():
    import unicodedata

    form = form_of(FieldSpec("town", "enum", values=(EnumValue("Ebolowa", None), EnumValue("Garoua-Boulaï", None))))
    assert clean_form_data(form, {"town": unicodedata.normalize("NFD", "Garoua-Boulaï")}) == {"town": "Garoua-Boulaï"}


def test_a_date_without_a_declared_minimum_is_not_before_the_engines_earliest():
    form = form_of(FieldSpec("appointment", "date"), FieldSpec("met_at", "datetime"))
    errors = errors_of(form, {"appointment": "1800-01-01", "met_at": "1899-12-31T10:00"})
    assert errors == {"appointment": ["on or after 1900-01-01"], "met_at": ["on or after 1900-01-01"]}
    assert errors["appointment"][0].params == {"limit": "1900-01-01"}
    assert clean_form_data(form, {"appointment": "1900-01-01", "met_at": "1900-01-01T00:00"}) == {
        "appointment": "1900-01-01", "met_at": "1900-01-01T00:00"}
    # A pathway that declares an earlier minimum (old records) keeps it.
    older = form_of(FieldSpec("born_on", "date", constraints={"min": "1850-01-01"}))
    assert clean_form_data(older, {"born_on": "1870-05-01"}) == {"born_on": "1870-05-01"}


def test_a_form_tells_the_browser_its_limits():
    from engine.pathways.form_check import input_limits

    form = form_of(FieldSpec("alias", "string", constraints={"maxlength": "120"}), FieldSpec("note", "string"),
                   FieldSpec("code", "string", constraints={"pattern": "[A-Z]+"}),
                   FieldSpec("seen_on", "date", constraints={"max": "today"}), FieldSpec("due", "date"),
                   FieldSpec("window", "date", constraints={"min": "2026-01-01", "max": "2026-12-31"}),
                   FieldSpec("age", "long", constraints={"min": "0", "max": "120"}),
                   FieldSpec("shown", "string", constraints={"readonly": None, "maxlength": "5"}))
    assert input_limits(form, date(2026, 3, 2)) == {
        "alias": {"maxlength": "120"}, "code": {"maxlength": "200"},
        "seen_on": {"min": "1900-01-01", "max": "2026-03-02"}, "due": {"min": "1900-01-01"},
        "window": {"min": "2026-01-01", "max": "2026-12-31"},
    }
    assert input_limits(None, None) == {}


def test_a_form_from_spiff_gives_the_same_verdict_as_the_diagram(assessment: FormSpec):
    from SpiffWorkflow.camunda.specs.user_task import EnumFormField, Form, FormField

    spiff = Form()
    for field in assessment.fields:
        made = EnumFormField() if field.type == "enum" else FormField()
        made.id, made.type, made.default_value = field.id, field.type, field.default
        for option in field.values:
            made.add_option(option.id, option.name)
        for name, config in field.constraints.items():
            made.add_validation(name, config)
        spiff.add_field(made)
    for data in ({"risk_level": "high", "needs_count": "3"}, {"needs_count": 99, "notes": 3, "x": 1}, {}):
        try:
            expected = clean_form_data(assessment, data)
        except InvalidData as refused:
            assert errors_of(spiff, data) == refused.errors
        else:
            assert clean_form_data(spiff, data) == expected


def test_a_field_problem_is_its_english_text_and_survives_copies():
    problem = errors_of(form_of(FieldSpec("note", "string", constraints={"maxlength": "3"})), {"note": "abcd"})["note"][0]
    assert isinstance(problem, FieldProblem) and problem == "at most 3 characters" and str(problem) == "at most 3 characters"
    for copied in (copy.deepcopy(problem), pickle.loads(pickle.dumps(problem))):
        assert (copied, copied.code, copied.params) == (problem, "too_long", {"limit": 3})


# A Camunda 8 form: the date starts as =today(), the name as ${currentUser()}; a field asks why the date is
# missing (hidden while it has one), another who made the visit (hidden while the name is there).
VISIT_PREFILLS = {"visited_by": "Agent Mbarga", "visited_on": "2026-03-03", "visited_at": "00:20"}


@pytest.fixture(scope="module")
def visit() -> FormSpec:
    form = load_form(load_source(VALID / "camunda-form-prefills").files, "Task_Visit")
    assert form is not None
    return form


def test_the_page_first_shown_hides_the_fields_its_prefills_hide(visit: FormSpec):
    assert hidden_on_page(visit, {}) == set()
    assert hidden_on_page(visit, {}, prefills=VISIT_PREFILLS) == {"no_date_reason", "visitor_named"}
    assert hidden_on_page(visit, {}, prefills={"visited_at": "00:20"}) == set()


def test_after_a_refusal_the_page_reads_what_was_sent_not_the_prefills(visit: FormSpec):
    # The person emptied the date: the page asks why, as the check on submission does.
    sent = {"visited_by": "Agent Mbarga", "visited_on": "", "visited_at": "00:20"}
    assert hidden_on_page(visit, {}, sent, VISIT_PREFILLS) == {"visitor_named"}
    with pytest.raises(InvalidData) as refused:
        clean_form_data(visit, sent)
    assert list(refused.value.errors) == ["no_date_reason"]
    assert clean_form_data(visit, {**sent, "visited_on": "2026-03-03"})["no_date_reason"] is None
