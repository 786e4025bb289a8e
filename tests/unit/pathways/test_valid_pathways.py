"""Valid pathways pass: our fixtures, files shaped like other tools' exports, the shipped pathways."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.pathways.folder import load_source
from engine.pathways.validation import validate
from pathway_fixtures import FIXTURES, VALID

SHIPPED = FIXTURES.parents[1] / "pathways"
VALID_CASES = sorted([
    VALID / "referral-mini", VALID / "referral-mini" / "pathway.bpmn", VALID / "referral-decision", VALID / "readonly-review",
    VALID / "own-decision-fields",
    VALID / "own-case-fields",
    VALID / "own-need-fields",
    *sorted((VALID / "other-tools").iterdir()),
])


@pytest.mark.parametrize("path", VALID_CASES, ids=lambda p: p.name)
def test_valid_fixture_has_no_problem(path: Path):
    assert [str(p) for p in validate(load_source(path))] == []


@pytest.mark.parametrize("path", sorted(p for p in SHIPPED.iterdir() if (p / "pathway.yaml").exists()), ids=lambda p: p.name)
def test_shipped_pathway_is_valid(path: Path):
    assert [str(p) for p in validate(load_source(path))] == []
