"""User task forms: read from the diagram, turned into schemas that check and convert submitted data."""

from __future__ import annotations

import pytest

from engine.errors import InvalidData
from engine.pathways.folder import load_source
from engine.pathways.forms import EnumValue, FieldSpec, FormSpec, clean_form_data, form_schema, form_spec_from_spiff, load_form
from pathway_fixtures import MINI


@pytest.fixture
def assessment() -> FormSpec:
    form = load_form(load_source(MINI).files, "Task_Assess")
    assert form is not None
    return form


def errors_of(form: FormSpec, data: dict) -> dict:
    with pytest.raises(InvalidData) as raised:
        clean_form_data(form, data)
    return raised.value.errors


def test_form_is_read_from_camunda_form_fields(assessment: FormSpec):
    assert [f.id for f in assessment.fields] == ["risk_level", "needs_count", "notes", "consent_given", "return_date"]
    risk = assessment.field("risk_level")
    assert risk.type == "enum" and risk.required and risk.label == "Niveau de risque"
    assert [v.id for v in risk.values] == ["high", "low"]
    assert assessment.field("needs_count").bound("max") == 20


def test_submitted_text_is_converted_to_the_field_types(assessment: FormSpec):
    cleaned = clean_form_data(assessment, {
        "risk_level": "high", "needs_count": "3", "notes": "ok", "consent_given": "true", "return_date": "2026-03-02",
    })
    assert cleaned == {"risk_level": "high", "needs_count": 3, "notes": "ok", "consent_given": True, "return_date": "2026-03-02"}


def test_camunda_day_month_year_dates_are_accepted_and_stored_as_iso(assessment: FormSpec):
    assert clean_form_data(assessment, {"risk_level": "low", "return_date": "02/03/2026"})["return_date"] == "2026-03-02"


def test_each_wrong_field_gets_its_own_message(assessment: FormSpec):
    errors = errors_of(assessment, {"risk_level": "medium", "needs_count": 21, "return_date": "2026-02-30", "notes": "x" * 501})
    assert set(errors) == {"risk_level", "needs_count", "return_date", "notes"}
    assert "high, low" in errors["risk_level"][0]


def test_required_field_missing_is_refused(assessment: FormSpec):
    assert "risk_level" in errors_of(assessment, {"notes": "no risk given"})


def test_unknown_field_is_refused(assessment: FormSpec):
    assert errors_of(assessment, {"risk_level": "high", "is_admin": True}) == {"is_admin": ["This form has no such field."]}


def test_readonly_field_cannot_be_written():
    form = FormSpec("Task_Review", None, (FieldSpec("case_number", "string", constraints={"readonly": None}),))
    assert errors_of(form, {"case_number": "X-1"}) == {"case_number": ["This field is read-only."]}
    assert clean_form_data(form, {}) == {}


@pytest.mark.parametrize("value", [1.5, True, "12abc", "9" * 30, 2**70])
def test_long_field_refuses_what_is_not_a_whole_java_long(value):
    form = FormSpec("t", None, (FieldSpec("count", "long"),))
    assert "count" in errors_of(form, {"count": value})


def test_date_bounds_are_checked():
    form = FormSpec("t", None, (FieldSpec("seen_on", "date", constraints={"min": "2026-01-01", "max": "2026-12-31"}),))
    assert clean_form_data(form, {"seen_on": "2026-06-01"}) == {"seen_on": "2026-06-01"}
    assert "seen_on" in errors_of(form, {"seen_on": "2025-12-31"})


def test_required_text_may_not_be_blank():
    form = FormSpec("t", None, (FieldSpec("name", "string", constraints={"required": None}),))
    assert "name" in errors_of(form, {"name": ""})


def test_data_that_is_not_a_mapping_is_refused(assessment: FormSpec):
    with pytest.raises(InvalidData):
        clean_form_data(assessment, ["risk_level", "high"])


def test_schema_can_be_used_directly(assessment: FormSpec):
    assert form_schema(assessment).load({"risk_level": "low"}) == {"risk_level": "low"}


def test_form_from_spiff_user_task_matches_the_diagram(assessment: FormSpec):
    from SpiffWorkflow.camunda.specs.user_task import EnumFormField, Form, FormField

    spiff = Form()
    spiff.key = "assessment"
    enum = EnumFormField()
    enum.id, enum.type, enum.label = "risk_level", "enum", "Niveau de risque"
    enum.add_option("high", "Élevé")
    enum.add_validation("required", None)
    count = FormField()
    count.id, count.type = "needs_count", "long"
    count.add_validation("max", "20")
    spiff.add_field(enum)
    spiff.add_field(count)
    form = form_spec_from_spiff(spiff, "Task_Assess")
    assert form.field("risk_level").values == (EnumValue("high", "Élevé"),)
    assert form.field("risk_level").required
    assert "needs_count" in errors_of(form, {"risk_level": "high", "needs_count": 99})
