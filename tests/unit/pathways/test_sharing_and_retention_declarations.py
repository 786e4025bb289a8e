"""The `sharing:` and `retention:` declarations of pathway.yaml: read as rules, refused when malformed or
when they name a field no form has."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from engine.pathways.folder import load_source
from engine.pathways.retention import retention_rule_of
from engine.pathways.sharing import rule_of
from engine.pathways.validation import validate

CAMEROON = Path(__file__).resolve().parents[3] / "pathways" / "cameroon-nrm"


def test_a_scope_gives_its_every_sector_fields_then_the_sectors_own_once_each():
    rule = rule_of({"sharing": {"provider_access_after_closure": "P2W", "scopes": {
        "including_health": {"every_sector": ["sex", "age"], "health": ["vuln_medical", "age"]}}}})
    assert rule.fields_for("including_health", "health") == ("sex", "age", "vuln_medical")
    assert rule.fields_for("including_health", "shelter") == ("sex", "age")
    assert rule.fields_for("including_protection", "health") == ()
    assert rule.access_after_closure == timedelta(days=14)


def test_a_pathway_that_declares_nothing_shares_nothing_and_keeps_its_cases():
    assert rule_of({}).fields_for("minimum_necessary", "health") == ()
    assert retention_rule_of({}).anonymise_after_closure is None


def _with_metadata(tmp_path, extra: str) -> Path:
    folder = tmp_path / "pathway"
    shutil.copytree(CAMEROON, folder)
    metadata = (folder / "pathway.yaml").read_text()
    metadata = metadata[:metadata.index("# What a provider receives")] + extra
    (folder / "pathway.yaml").write_text(metadata)
    return folder


@pytest.mark.parametrize("extra, expected", [
    ("sharing:\n  scopes:\n    minimum_necessary:\n      every_sector: [person_alias, shoe_size]\n", "names 'shoe_size'"),
    ("sharing:\n  provider_access_after_closure: 30 days\n", "not an ISO 8601 duration"),
    ("sharing:\n  scopes:\n    minimum_necessary: [sex]\n", "must map sectors"),
    ("retention:\n  anonymise_after_closure: P5Y\n  keep_for_statistics: [sex, favourite_colour]\n", "names 'favourite_colour'"),
    ("retention:\n  keep_for_statistics: [sex]\n", "not an ISO 8601 duration"),
])
def test_a_malformed_declaration_is_refused_at_validation_naming_what_is_wrong(tmp_path, extra, expected):
    problems = validate(load_source(_with_metadata(tmp_path, extra)))
    assert any(expected in str(problem) for problem in problems), [str(p) for p in problems]


def test_the_cameroon_pathway_declares_both_and_validates():
    source = load_source(CAMEROON)
    assert validate(source) == []
    assert retention_rule_of(source.metadata).anonymise_after_closure == timedelta(days=5 * 365)
    assert "person_alias" not in retention_rule_of(source.metadata).keep_for_statistics
