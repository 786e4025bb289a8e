"""Completing a task records the indicator dimensions the pathway declares, coarse, in the step's history."""

from __future__ import annotations

from sqlalchemy import select

from engine.services.cases.lifecycle import open_case
from engine.services.tasks.completion import complete_task
from engine.store.models import CaseEvent, CaseFactRow
from tests.integration.services.conftest import IDENTIFICATION


def test_identification_records_source_sex_and_age_group_but_not_the_age(container, actor):
    caseworker = actor("demo-caseworker")
    case = open_case(container.uow(), container.clock, "cameroon-nrm", caseworker)
    complete_task(container.uow(), container.clock, case.open_task_ids[0], caseworker, {**IDENTIFICATION, "age": 16})
    with container.uow() as u:
        facts = {row.name: (row.value, row.field_id) for row in u.session.scalars(select(CaseFactRow))}
        history = u.session.scalars(select(CaseEvent).where(CaseEvent.action == "task_completed")).one()
    assert facts == {"source": ("airport", "identification_source"), "sex": ("female", "sex"),
                     "age_group": ("12-17", "age"), "vulnerability": ("vuln_medical", "vuln_medical")}
    assert history.details["indicators"] == {"source": "airport", "sex": "female", "age_group": "12-17",
                                             "vulnerability": ["vuln_medical"]}
    assert "16" not in str(history.details["indicators"])


def test_each_vulnerability_ticked_is_one_value_of_the_vulnerability_dimension(container, actor):
    caseworker = actor("demo-caseworker")
    case = open_case(container.uow(), container.clock, "cameroon-nrm", caseworker)
    complete_task(container.uow(), container.clock, case.open_task_ids[0], caseworker,
                  {**IDENTIFICATION, "vuln_trafficking": True, "vuln_debt": True, "vuln_medical": False})
    with container.uow() as u:
        ticked = sorted(u.session.scalars(select(CaseFactRow.value).where(CaseFactRow.name == "vulnerability")))
        history = u.session.scalars(select(CaseEvent).where(CaseEvent.action == "task_completed")).one()
    assert ticked == ["vuln_debt", "vuln_trafficking"]
    assert sorted(history.details["indicators"]["vulnerability"]) == ["vuln_debt", "vuln_trafficking"]


def test_a_screening_with_nothing_ticked_records_no_vulnerability(container, actor):
    caseworker = actor("demo-caseworker")
    case = open_case(container.uow(), container.clock, "cameroon-nrm", caseworker)
    complete_task(container.uow(), container.clock, case.open_task_ids[0], caseworker,
                  {**IDENTIFICATION, "vuln_medical": False})
    with container.uow() as u:
        names = set(u.session.scalars(select(CaseFactRow.name)))
        history = u.session.scalars(select(CaseEvent).where(CaseEvent.action == "task_completed")).one()
    assert "vulnerability" not in names and "sex" in names
    assert history.details["indicators"]["vulnerability"] == []
