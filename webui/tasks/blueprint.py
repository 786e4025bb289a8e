"""Routes: the inbox, claim, release."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, url_for

from engine.services.inbox import list_inbox
from engine.services.tasks import claim_task, release_task
from webui.auth.session_user import login_required
from webui.request_scope import clock, uow

bp = Blueprint("tasks", __name__, url_prefix="/tasks")

PAGE_SIZE = 50


@bp.get("/")
@login_required
def inbox():
    """The user's open tasks and their groups' unclaimed ones, most pressing first."""
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    tasks = list_inbox(uow(), g.user.actor, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render_template("tasks/inbox.html", tasks=tasks, page=page, page_size=PAGE_SIZE)


@bp.post("/<task_id>/claim")
@login_required
def claim(task_id: str):
    """Take a task offered to one of the user's groups."""
    claim_task(uow(), clock(), task_id, g.user.actor)
    return redirect(url_for("tasks.inbox"))


@bp.post("/<task_id>/release")
@login_required
def release(task_id: str):
    """Give a task back to its groups."""
    release_task(uow(), clock(), task_id, g.user.actor)
    return redirect(url_for("tasks.inbox"))
