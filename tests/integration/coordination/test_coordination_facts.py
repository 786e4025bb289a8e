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
                     "age_group": ("12-17", "age")}
    assert history.details["indicators"] == {"source": "airport", "sex": "female", "age_group": "12-17"}
    assert "16" not in str(history.details["indicators"])
