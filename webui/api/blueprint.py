"""Routes of the JSON API, version 1."""

from __future__ import annotations

from flask import Blueprint, g

from webui.auth.session_user import login_required
from webui.dashboard import notification_list
from webui.request_scope import clock, uow

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/me")
@login_required
def me():
    """Who the token or session belongs to."""
    user = g.user
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "language": user.language,
        "organisation": {"id": user.organisation_id, "name": user.organisation_name},
        "roles": sorted(role.value for role in user.roles),
    }


def _notification(item) -> dict:
    return {
        "id": item.id,
        "subject": item.subject,
        "body": item.body,
        "link": item.link,
        "created_at": item.created_at.isoformat(),
        "read_at": item.read_at.isoformat() if item.read_at else None,
    }


@bp.get("/notifications")
@login_required
def notifications():
    """The caller's latest in-app notifications, newest first."""
    items = notification_list.latest(uow().session, g.user.id)
    return {"notifications": [_notification(item) for item in items]}


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def mark_notification_read(notification_id: int):
    """Mark one of the caller's notifications read."""
    notification_list.mark_read(uow().session, g.user.id, notification_id, clock().now())
    uow().commit()
    return {"id": notification_id, "read": True}
