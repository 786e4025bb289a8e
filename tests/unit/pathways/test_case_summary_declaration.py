"""The `case_summary:` declaration of pathway.yaml: what a case header shows of the person and how needs are
named; refused at validation, at its line, when malformed or when it names what no form has."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.pathways.case_summary import summary_rule_of
from engine.pathways.folder import load_source
from engine.pathways.validation import validate

CAMEROON = Path(__file__).resolve().parents[3] / "pathways" / "cameroon-nrm"


def test_the_rule_reads_the_declared_person_fields_and_the_needs_by_sector():
    rule = summary_rule_of({"case_summary": {"person": ["alias", "age"],
                                             "needs": {"needed": "wants_{sector}", "urgency": "{sector}_how_soon"}}})
    data = {"alias": "A. M.", "age": 27, "phone": "+237", "wants_health": True, "health_how_soon": "urgent",
            "wants_cash": False, "cash_how_soon": "normal", "wants_shelter": True}
    assert rule.person_of(data) == {"alias": "A. M.", "age": 27}
    assert rule.needs_of(data) == {"health": "urgent", "shelter": ""}


def test_a_pathway_that_declares_no_summary_shows_nothing():
    rule = summary_rule_of({})
    assert rule.fields == () and rule.person_of({"person_alias": "A"}) == {} and rule.needs_of({"need_health": True}) == {}


def _with_summary(tmp_path, declaration: str) -> Path:
    folder = tmp_path / "pathway"
    shutil.copytree(CAMEROON, folder)
    metadata = (folder / "pathway.yaml").read_text()
    start, end = metadata.index("case_summary:"), metadata.index("# What a provider receives")
    (folder / "pathway.yaml").write_text(metadata[:start] + declaration + metadata[end:])
    return folder


@pytest.mark.parametrize("declaration, expected", [
    ("case_summary:\n  person: [person_alias, shoe_size]\n", "case_summary.person names 'shoe_size'"),
    ("case_summary:\n  person: person_alias\n", "must be a list of field ids"),
    ("case_summary:\n  alias: nickname\n", "case_summary.alias names 'nickname'"),
    ("case_summary:\n  alias: [person_alias]\n", "case_summary.alias must be one field id"),
    ("case_summary:\n  colour: blue\n", "unknown key 'colour'"),
    ("case_summary:\n  needs:\n    needed: need_health\n", "{sector} once in it"),
    ("case_summary:\n  needs:\n    needed: wish_{sector}\n", "fits no field of any form"),
    ("case_summary:\n  needs:\n    needed: need_{sector}\n    urgency: \"{sector}_haste\"\n", "names 'health_haste'"),
    ("case_summary:\n  needs:\n    needed: vuln_{sector}\n", "is not a sector"),
])
def test_a_malformed_summary_is_refused_at_its_line_naming_what_is_wrong(tmp_path, declaration, expected):
    folder = _with_summary(tmp_path, declaration)
    problems = [p for p in validate(load_source(folder)) if expected in p.message]
    assert problems, [str(p) for p in validate(load_source(folder))]
    line = (folder / "pathway.yaml").read_text().splitlines().index("case_summary:") + 1
    assert {(p.file, p.line) for p in problems} == {("pathway.yaml", line)}


def test_the_cameroon_pathway_declares_its_summary():
    rule = summary_rule_of(load_source(CAMEROON).metadata)
    assert rule.person[0] == "person_alias" and rule.need_field("health") == "need_health"
    assert rule.urgency_field("shelter") == "shelter_urgency"
    assert rule.alias == "person_alias"  # what case staff search cases by
