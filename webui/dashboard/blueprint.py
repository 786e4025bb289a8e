"""Routes: home page, notifications."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, url_for

from engine.services.inbox import list_inbox
from webui.auth.session_user import login_required
from webui.dashboard import notification_list
from webui.request_scope import clock, uow

bp = Blueprint("dashboard", __name__)

HOME_TASKS = 10


@bp.get("/")
@login_required
def home():
    """Who the user is, and what waits for them."""
    unread = notification_list.unread_count(uow().session, g.user.id)
    tasks = list_inbox(uow(), g.user.actor, limit=HOME_TASKS)
    return render_template("dashboard/home.html", unread=unread, tasks=tasks, more=len(tasks) == HOME_TASKS)


@bp.get("/notifications")
@login_required
def notifications():
    """The user's in-app notifications, newest first."""
    items = notification_list.latest(uow().session, g.user.id)
    return render_template("dashboard/notifications.html", notifications=items)


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def mark_read(notification_id: int):
    """Mark one notification read."""
    notification_list.mark_read(uow().session, g.user.id, notification_id, clock().now())
    uow().commit()
    return redirect(url_for("dashboard.notifications"))


@bp.post("/notifications/read")
@login_required
def mark_all_read():
    """Mark every notification read."""
    notification_list.mark_all_read(uow().session, g.user.id, clock().now())
    uow().commit()
    return redirect(url_for("dashboard.notifications"))
