"""Handing a task back: it returns to the groups it is offered to; one drawn for a person alone has none."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from engine.errors import Conflict
from engine.pathways.folder import load_source
from engine.services.cases.lifecycle import open_case
from engine.services.pathways.publishing import publish_pathway
from engine.services.tasks.completion import claim_task, release_task
from engine.store.models import TaskCandidate, TaskRow
from tests.integration.webui.web_forms import TEST_SECRET, csrf_of, sign_in
from webui import create_app

DUE_DATES = Path(__file__).resolve().parents[1] / "deadlines" / "fixtures" / "due-dates"


def _publish(container, tmp_path, groups: str) -> None:
    folder = tmp_path / "due-dates"
    folder.mkdir()
    for source in DUE_DATES.iterdir():
        (folder / source.name).write_bytes(source.read_bytes())
    bpmn = folder / "pathway.bpmn"
    bpmn.write_text(bpmn.read_text(encoding="utf-8").replace(
        '<bpmn:userTask id="Task_Visit" name="Rendre visite" camunda:candidateGroups="caseworker"',
        f'<bpmn:userTask id="Task_Visit" name="Rendre visite" {groups}', 1), encoding="utf-8")
    publish_pathway(container.uow(), load_source(folder), container.clock)


@pytest.fixture
def web(container, published):
    """The web application, and a client signed in as the demo caseworker."""
    from engine.store.seed import load_demo_data

    password = load_demo_data(container.uow(), container.clock).password
    app = create_app({"SECRET_KEY": TEST_SECRET, "SESSION_COOKIE_SECURE": False}, container=container)
    client = app.test_client()
    assert sign_in(client, "demo-caseworker", password).status_code == 302
    return client


def test_a_task_handed_back_waits_for_its_team_and_the_page_says_so(container, tmp_path, actor, web):
    _publish(container, tmp_path, 'camunda:candidateGroups="caseworker"')
    task_id = open_case(container.uow(), container.clock, "due-dates", actor("demo-caseworker")).open_task_ids[0]
    claim_task(container.uow(), container.clock, task_id, actor("demo-caseworker"))
    inbox = web.get("/tasks/").get_data(as_text=True)
    assert f'action="/tasks/{task_id}/release"' in inbox
    handed = web.post(f"/tasks/{task_id}/release", data={"csrf_token": csrf_of(web, "/tasks/")})
    assert handed.status_code == 302
    page = web.get(handed.headers["Location"]).get_data(as_text=True)
    assert "La tâche est rendue à votre équipe." in page and f'action="/tasks/{task_id}/claim"' in page


def test_a_task_drawn_for_one_person_is_not_handed_back_to_nobody(container, tmp_path, actor, web):
    _publish(container, tmp_path, 'camunda:assignee="demo-caseworker"')
    task_id = open_case(container.uow(), container.clock, "due-dates", actor("demo-caseworker")).open_task_ids[0]
    inbox = web.get("/tasks/").get_data(as_text=True)
    assert f"/tasks/{task_id}" in inbox and f'action="/tasks/{task_id}/release"' not in inbox
    assert f'action="/tasks/{task_id}/release"' not in web.get(f"/tasks/{task_id}").get_data(as_text=True)
    with pytest.raises(Conflict, match="offered to no group"):
        release_task(container.uow(), container.clock, task_id, actor("demo-caseworker"))
    with container.uow() as uow:
        row = uow.session.get(TaskRow, task_id)
        assert row.assignee_id == actor("demo-caseworker").id
        assert uow.session.scalars(select(TaskCandidate).where(TaskCandidate.task_id == task_id)).all() == []
