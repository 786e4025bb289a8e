"""Routes: home page, notifications."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.services.accounts import notification_list as notes
from engine.services.tasks.inbox import list_inbox
from engine.services.pathways.labels import labelled_tasks
from webui.auth.session_user import login_required
from webui.dashboard import notification_list, notification_settings
from webui.i18n import current_language
from webui.request_scope import begin_writing, clock, uow

bp = Blueprint("dashboard", __name__)

HOME_TASKS = 10


@bp.get("/")
@login_required
def home():
    """Who the user is, and what waits for them."""
    unread = notes.unread_count(uow().session, g.user.actor)
    tasks = labelled_tasks(uow(), list_inbox(uow(), g.user.actor, limit=HOME_TASKS), current_language())
    return render_template("dashboard/home.html", unread=unread, tasks=tasks, more=len(tasks) == HOME_TASKS)


@bp.get("/notifications")
@login_required
def notifications():
    """The user's in-app notifications, newest first, by day."""
    items = notes.list_notifications(uow(), g.user.actor, current_language())
    return render_template("dashboard/notifications.html", notifications=items, days=notification_list.by_day(items))


@bp.post("/notifications/<bigid:notification_id>/read")
@login_required
def mark_read(notification_id: int):
    """Mark one notification read."""
    notes.mark_read(begin_writing().session, g.user.actor, notification_id, clock().now())
    uow().commit()
    return redirect(url_for("dashboard.notifications"))


@bp.post("/notifications/read")
@login_required
def mark_all_read():
    """Mark every notification read."""
    notes.mark_all_read(begin_writing().session, g.user.actor, clock().now())
    uow().commit()
    return redirect(url_for("dashboard.notifications"))


@bp.get("/notifications/settings")
@login_required
def settings():
    """How the user wants to be told: channels, and immediate or daily-digest email."""
    choices = notification_settings.choices_of(uow().session, g.user.id)
    return render_template("dashboard/settings.html", choices=choices)


@bp.post("/notifications/settings")
@login_required
def save_settings():
    """Store the ticked channels and the digest choice."""
    chosen = {key: request.form.get(key) == "on" for key in notification_settings.KEYS}
    notification_settings.save_choices(begin_writing().session, g.user.id, chosen, clock().now(),
                                       group_tasks=request.form.get("group_tasks", "off"))
    uow().commit()
    flash(_("Your notification settings were saved."), "info")
    return redirect(url_for("dashboard.settings"))
