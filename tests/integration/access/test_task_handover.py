"""Handing a task over: only to someone of the organisation that must do it, since the assignee sees
and completes the task (and, through it, works on the case)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.errors import InvalidData, NotFound
from engine.pathways.folder import load_source
from engine.services.accounts.actors import load_actor
from engine.services.cases.lifecycle import open_case
from engine.services.pathways.publishing import publish_pathway
from engine.services.tasks.completion import describe_task, reassign_task
from engine.store.models import TaskRow
from engine.store.seed import load_demo_data
from tests.integration.services.conftest import CAMEROON


@pytest.fixture
def identification_task(container) -> str:
    """IOM's new case, waiting for its identification by an IOM caseworker."""
    load_demo_data(container.uow(), container.clock)
    publish_pathway(container.uow(), load_source(CAMEROON), container.clock)
    case = open_case(container.uow(), container.clock, "cameroon-nrm", load_actor(container.uow(), "demo-caseworker"))
    return case.open_task_ids[0]


def _assignee(container, task_id: str) -> int | None:
    with container.uow() as uow:
        return uow.session.scalar(select(TaskRow.assignee_id).where(TaskRow.id == task_id))


def test_a_supervisor_cannot_hand_a_task_to_another_organisations_user(container, identification_task):
    supervisor = load_actor(container.uow(), "demo-supervisor")
    before = _assignee(container, identification_task)
    with pytest.raises(InvalidData, match="not of the organisation"):
        reassign_task(container.uow(), container.clock, identification_task, supervisor, "demo-minas-caseworker")
    assert _assignee(container, identification_task) == before
    with pytest.raises(NotFound):
        describe_task(container.uow(), container.clock, identification_task,
                      load_actor(container.uow(), "demo-minas-caseworker"))


def test_a_supervisor_hands_a_task_to_a_colleague_of_the_same_organisation(container, identification_task):
    supervisor = load_actor(container.uow(), "demo-supervisor")
    reassign_task(container.uow(), container.clock, identification_task, supervisor, "demo-caseworker-en")
    assert _assignee(container, identification_task) == load_actor(container.uow(), "demo-caseworker-en").id
