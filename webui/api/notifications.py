"""API routes: my in-app notifications, and marking one read."""

from __future__ import annotations

from flask import g
from marshmallow import Schema, fields

from engine.services.accounts.notification_list import list_notifications
from webui.api.operations import Page, operation
from webui.api.schemas import page_of
from webui.dashboard import notification_list
from webui.request_scope import clock, uow


class NotificationQuery(Page):
    """Which notifications to list."""

    unread = fields.Boolean(load_default=False)


class Notification(Schema):
    """An in-app notification (no personal data: a case reference, the step, a link)."""

    id = fields.Integer()
    subject = fields.String()
    body = fields.String()
    link = fields.String(allow_none=True)
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class NotificationRead(Schema):
    """A notification marked read."""

    id = fields.Integer()
    read = fields.Boolean()


NotificationList = page_of("NotificationList", "notifications", Notification)


@operation("GET", "/notifications", tag="notifications", query=NotificationQuery, response=NotificationList)
def notifications(query: dict):
    """My in-app notifications, newest first."""
    found = list_notifications(uow(), g.user.id, query["unread"], query["limit"], query["offset"])
    return {"notifications": found, "limit": query["limit"], "offset": query["offset"]}


@operation("POST", "/notifications/<notification_id>/read", tag="notifications", response=NotificationRead)
def mark_notification_read(notification_id: int):
    """Mark one of my notifications read (404 if it is not mine)."""
    notification_list.mark_read(uow().session, g.user.id, notification_id, clock().now())
    uow().commit()
    return {"id": notification_id, "read": True}
