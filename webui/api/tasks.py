"""API routes: my tasks and my groups', a task's form, claim, release, complete, reassign."""

from __future__ import annotations

from flask import g

from engine.services.tasks import inbox

from engine.services.pathways import labels

from engine.services.tasks import forms as task_forms

from engine.services.tasks import completion as tasks
from webui.api import schemas
from webui.api.operations import operation
from webui.request_scope import clock, uow
from webui.untrusted_input import judged_by_pathway_form


@operation("GET", "/tasks", tag="tasks", query=schemas.ListQuery, response=schemas.TaskList)
def list_tasks(query: dict):
    """Open tasks assigned to me or offered to my groups, most pressing first."""
    found = inbox.list_inbox(uow(), g.user.actor, limit=query["limit"], offset=query["offset"])
    # Task names as the caller reads them: a presentation of the same rows, not another query of work.
    return {"tasks": labels.labelled_tasks(uow(), found, g.user.language), "limit": query["limit"], "offset": query["offset"]}


@operation("GET", "/tasks/<task_id>", tag="tasks", query=schemas.LanguageQuery, response=schemas.TaskDetail,
           errors=(409,))
def show_task(task_id: str, query: dict):
    """An open task with its form, labelled in my language or the one asked for (409 once it is done)."""
    language = query.get("language") or g.user.language
    return task_forms.describe_task_form(uow(), clock(), task_id, g.user.actor, language)


@operation("POST", "/tasks/<task_id>/claim", tag="tasks", response=schemas.TaskAssignment, errors=(409,))
def claim_task(task_id: str):
    """Take a task offered to one of my groups (409 if someone was faster)."""
    tasks.claim_task(uow(), clock(), task_id, g.user.actor)
    return {"id": task_id, "assignee_id": g.user.id}


@operation("POST", "/tasks/<task_id>/release", tag="tasks", response=schemas.TaskAssignment, errors=(409,))
def release_task(task_id: str):
    """Give a task I hold back to its groups."""
    tasks.release_task(uow(), clock(), task_id, g.user.actor)
    return {"id": task_id, "assignee_id": None}


@operation("POST", "/tasks/<task_id>/complete", tag="tasks", body=schemas.CompleteTaskBody,
           response=schemas.StepResult, errors=(403, 409))
@judged_by_pathway_form
def complete_task(task_id: str, body: dict):
    """Submit a task's form: 422 lists every field to correct and changes nothing; 409 if it changed meanwhile."""
    return tasks.complete_task(uow(), clock(), task_id, g.user.actor, body["data"])


@operation("POST", "/tasks/<task_id>/reassign", tag="tasks", body=schemas.ReassignBody,
           response=schemas.TaskReassigned, errors=(403, 409))
def reassign_task(task_id: str, body: dict):
    """Give an open task to a named user of its organisation (for its supervisors and coordinators)."""
    tasks.reassign_task(uow(), clock(), task_id, g.user.actor, body["username"])
    return {"id": task_id, "assignee": body["username"]}
