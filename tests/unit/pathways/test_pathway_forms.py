"""User task forms read from the diagram and from SpiffWorkflow's form objects."""

from __future__ import annotations

import pytest

from engine.pathways.folder import load_source
from engine.pathways.forms import EnumValue, FieldSpec, FormSpec, form_spec_from_spiff, form_spec_of, load_form
from pathway_fixtures import MINI


@pytest.fixture
def assessment() -> FormSpec:
    form = load_form(load_source(MINI).files, "Task_Assess")
    assert form is not None
    return form


def test_form_is_read_from_camunda_form_fields(assessment: FormSpec):
    assert [f.id for f in assessment.fields] == ["risk_level", "needs_count", "notes", "consent_given", "return_date"]
    risk = assessment.field("risk_level")
    assert risk.type == "enum" and risk.required and risk.label == "Niveau de risque"
    assert [v.id for v in risk.values] == ["high", "low"]
    assert assessment.field("needs_count").bound("max") == 20


def test_a_field_is_sensitive_only_when_its_property_says_true():
    assert FieldSpec("alias", "string", properties={"sensitive": " True "}).sensitive
    assert not FieldSpec("alias", "string", properties={"sensitive": "false"}).sensitive
    assert not FieldSpec("alias", "string").sensitive


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
    assert form.field("needs_count").bound("max") == assessment.field("needs_count").bound("max")
    assert [f.id for f in form_spec_of(spiff).fields] == ["risk_level", "needs_count"]
    assert form_spec_of(form) is form and form_spec_of(None) is None
