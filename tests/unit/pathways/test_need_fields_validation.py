"""pathway.yaml's `need_fields:` names the case's needs, one need and a need's sector and urgency
(`engine.pathways.need_fields`): without it today's names stand; with it, the need is found under the
declared names only; a declaration that is malformed or names no possible variable is refused, naming the name,
in English and in French. Its acknowledge step names its fields (recu_par, recu_le): a named field the form lacks
is refused too."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.pathways.need_fields import NeedFields, need_fields_of
from pathway_fixtures import VALID, folder_editor

OWN_NEEDS = VALID / "own-need-fields"
DECLARED = NeedFields("besoins", "besoin", "domaine", "urgence")


@pytest.fixture
def edit(tmp_path: Path):
    edited = folder_editor(tmp_path, OWN_NEEDS)
    return lambda old, new, file="pathway.yaml": [(p.rule, p.line, p.message) for p in edited(old, new, file)]


def test_without_a_declaration_the_need_keeps_todays_names():
    assert need_fields_of({}) == NeedFields("needs", "need", "sector", "urgency")
    assert need_fields_of({"need_fields": {"sector": "domaine"}}) == NeedFields("needs", "need", "domaine", "urgency")
    # A malformed declaration runs as none (validation refuses it before publishing).
    assert need_fields_of({"need_fields": {"sector": "2 domaines"}}) == NeedFields()
    assert NeedFields().need_of(None, {"sector": "health", "urgency": "urgent"}) == {"sector": "health", "urgency": "urgent"}


def test_the_need_is_found_under_the_declared_names_only():
    branch = {"index": 1, "value": {"domaine": "shelter", "urgence": "urgent"}}
    assert DECLARED.need_of(branch, {}) == {"sector": "shelter", "urgency": "urgent"}
    assert (DECLARED.branch_key(branch, {}), DECLARED.item_sector(branch), DECLARED.item_urgency(branch)) == (
        "1", "shelter", "urgent")
    assert DECLARED.need_of(None, {"besoin": {"domaine": "health"}}) == {"sector": "health", "urgency": None}
    assert DECLARED.need_of(None, {"domaine": "cash", "urgence": "normal"}) == {"sector": "cash", "urgency": "normal"}
    assert DECLARED.branch_key(None, {"domaine": "cash"}) == "need:cash"
    # Today's names mean nothing to this pathway.
    today = {"index": 0, "value": {"sector": "health", "urgency": "urgent"}}
    assert DECLARED.need_of(today, {"need": {"sector": "health"}, "sector": "health"}) is None
    assert DECLARED.item_sector(today) is None
    assert DECLARED.assessed_sectors({"besoins": [{"domaine": "health"}, {"domaine": "health"}, {"domaine": "spa"},
                                                  {"sector": "cash"}], "needs": [{"sector": "shelter"}]}) == ["health"]
    assert "multi-instance sub-process over the case's besoins (element variable besoin)" in DECLARED.no_need_message("Task_Send")


def test_a_declared_name_that_is_no_variable_name_is_refused_naming_it(edit):
    problems = edit("  sector: domaine\n", "  sector: 2-domaine\n")
    assert ("need_fields.invalid", 10, (
        "need_fields.sector names '2-domaine', which is not a variable name; use letters, digits and underscores, not "
        "starting with a digit, and no word of the language such as and, not or if, e.g. service_sector")) in problems
    assert [rule for rule, *_ in problems if rule.startswith("need_fields")] == ["need_fields.invalid"]
    problems = edit("  sector: 2-domaine\n", "  sector: not\n  region: zone\n")
    assert sorted(message for rule, _, message in problems if rule == "need_fields.invalid") == [
        "need_fields has an unknown key 'region'; known keys are needs, need, sector, urgency",
        "need_fields.sector names 'not', which is not a variable name; use letters, digits and underscores, not "
        "starting with a digit, and no word of the language such as and, not or if, e.g. service_sector",
    ]


def test_two_keys_declaring_one_name_are_refused(edit):
    problems = edit("  urgency: urgence\n", "  urgency: domaine\n")
    assert ("need_fields.invalid", 10, "need_fields gives 'domaine' to more than one of needs, need, sector, urgency; "
            "give each its own name") in problems


def test_the_refusal_is_worded_in_french(edit):
    from webui.cli.language import in_cli_language, start_language
    from webui.pathways.problem_texts import worded_detail

    [message] = [message for rule, _, message in edit("  need: besoin\n", "  need: 1besoin\n") if rule == "need_fields.invalid"]
    start_language(None, None, "fr")
    try:
        with in_cli_language():
            french, worded = worded_detail(message)
    finally:
        start_language(None, None, None)
    assert worded and french.startswith("need_fields.need nomme '1besoin', qui n'est pas un nom de variable")


def test_an_acknowledgement_field_the_step_names_that_is_not_in_the_form_is_refused(edit):
    problems = edit('value="recu_le" />', 'value="recu_a" />', "pathway.bpmn")
    assert [(rule, message) for rule, _, message in problems] == [("form.referral_field_missing", (
        "aiguillage.acknowledged_on_field names 'recu_a', which is no field of this step's form; name the form field "
        "that holds the day the referral was acknowledged"))]
    problems = edit('id="recu_le" label="Received on" type="date"', 'id="recu_a" label="Received on" type="boolean"',
                    "pathway.bpmn")
    assert [(rule, message) for rule, _, message in problems] == [("form.referral_field_type", (
        "field 'recu_a' holds the day the referral was acknowledged, but it is of type boolean; make it a field of "
        "type date or string"))]
