"""Walking a Cameroon case through the services in tests: find a task in someone's inbox and complete it."""

from __future__ import annotations

from pathlib import Path

from engine.pathways.folder import load_source
from engine.services.accounts.actors import load_actor
from engine.services.pathways.publishing import publish_pathway
from engine.services.tasks.inbox import TaskSummary, list_inbox
from engine.services.tasks.completion import complete_task


class CaseWalker:
    """Completes tasks as named demo users, the way they would from their inbox."""

    def __init__(self, container):
        self.container = container

    def actor(self, username: str):
        return load_actor(self.container.uow(), username)

    def inbox(self, username: str) -> list[TaskSummary]:
        return list_inbox(self.container.uow(), self.actor(username), limit=500)

    def task(self, username: str, bpmn_id: str, sector: str | None = None, case_id: int | None = None) -> TaskSummary:
        found = [
            t for t in self.inbox(username)
            if t.bpmn_id == bpmn_id and (sector is None or t.instance_label == sector)
            and (case_id is None or t.case_id == case_id)
        ]
        assert len(found) == 1, f"{username} should have one {bpmn_id} ({sector}); inbox: {[(t.bpmn_id, t.instance_label) for t in self.inbox(username)]}"
        return found[0]

    def complete(self, username: str, bpmn_id: str, data: dict, sector: str | None = None, case_id: int | None = None, **kwargs):
        task = self.task(username, bpmn_id, sector, case_id)
        return complete_task(self.container.uow(), self.container.clock, task.id, self.actor(username), data, **kwargs)


def walker_on(container, pathway: Path) -> CaseWalker:
    """A walker on a database holding the demo data and the pathway of this folder, published."""
    from engine.store.seed import load_demo_data

    load_demo_data(container.uow(), container.clock)
    publish_pathway(container.uow(), load_source(pathway), container.clock)
    return CaseWalker(container)
