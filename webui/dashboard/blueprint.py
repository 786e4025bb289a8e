"""Routes: home page, notifications."""

from __future__ import annotations

from flask import Blueprint, g, render_template

from webui.auth.session_user import login_required
from webui.dashboard import notification_list
from webui.request_scope import uow

bp = Blueprint("dashboard", __name__)


@bp.get("/")
@login_required
def home():
    """Who the user is, and what waits for them."""
    unread = notification_list.unread_count(uow().session, g.user.id)
    return render_template("dashboard/home.html", unread=unread)


@bp.get("/notifications")
@login_required
def notifications():
    """The user's in-app notifications, newest first."""
    items = notification_list.latest(uow().session, g.user.id)
    return render_template("dashboard/notifications.html", notifications=items)
