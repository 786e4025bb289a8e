"""Case staff find a case by the start of the person's alias, accents and case ignored; each search is audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.errors import AccessDenied
from engine.services.cases.lifecycle import open_case
from engine.services.cases.listing import CaseFilters, list_cases
from engine.services.cases.retention import anonymise_due_cases
from engine.store.models import AuditEntry, CaseRow
from tests.integration.services.conftest import IDENTIFICATION
from tests.integration.services.walk import CaseWalker


@pytest.fixture
def walker(container, published) -> CaseWalker:
    return CaseWalker(container)


def _identified(container, walker, alias: str) -> str:
    case = open_case(container.uow(), container.clock, "cameroon-nrm", walker.actor("demo-caseworker"))
    walker.complete("demo-caseworker", "Task_Identification", {**IDENTIFICATION, "person_alias": alias})
    return case.reference


def _search(container, walker, username: str, alias: str) -> list[str]:
    cases = list_cases(container.uow(), walker.actor(username), status=None, filters=CaseFilters(alias=alias),
                       now=container.clock.now())
    return [case.reference for case in cases]


def test_the_start_of_an_alias_finds_the_case_whatever_its_accents_and_the_search_is_audited(container, walker):
    aicha = _identified(container, walker, "Aïcha Mbarga")
    other = _identified(container, walker, "Brigitte")
    assert _search(container, walker, "demo-supervisor", "  aicha ") == [aicha]
    assert _search(container, walker, "demo-caseworker", "AÏCHA MB") == [aicha]
    assert other not in _search(container, walker, "demo-caseworker", "a")
    with container.uow() as uow:
        rows = uow.session.scalars(select(AuditEntry).where(AuditEntry.action == "cases.searched_by_alias")
                                   .order_by(AuditEntry.id)).all()
    assert [(row.details["alias"], row.details["found"]) for row in rows][:2] == [("aicha", [aicha]), ("AÏCHA MB", [aicha])]
    assert rows[0].user_id == walker.actor("demo-supervisor").id


def test_only_case_staff_search_by_alias_and_only_among_the_cases_they_see(container, walker):
    _identified(container, walker, "Aïcha")
    with pytest.raises(AccessDenied):
        _search(container, walker, "demo-coordinator", "aicha")
    assert _search(container, walker, "demo-minas-caseworker", "aicha") == []


def test_an_anonymised_case_is_no_longer_found_by_alias(container, walker):
    reference = _identified(container, walker, "Aïcha")
    with container.uow() as uow:
        case = uow.session.scalar(select(CaseRow).where(CaseRow.reference == reference))
        assert case.alias_key == "aicha"
        # Closed long ago: the retention rule's time has passed.
        case.status, case.closed_at = "closed", container.clock.now() - timedelta(days=4000)
        uow.commit()
    anonymise_due_cases(container.uow(), container.clock)
    assert _search(container, walker, "demo-caseworker", "aicha") == []
