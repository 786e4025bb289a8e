"""API routes: my in-app notifications, and marking one read."""

from __future__ import annotations

from flask import g
from marshmallow import Schema, fields

from engine.services.accounts.notification_list import list_notifications, mark_read
from webui.api.operations import Page, operation
from webui.api.schemas import page_of
from webui.i18n import current_language
from webui.request_scope import begin_writing, clock, uow


class NotificationQuery(Page):
    """Which notifications to list."""

    unread = fields.Boolean(load_default=False)


class Notification(Schema):
    """An in-app notification in the reader's language (no personal data: a case reference, the step, a link)."""

    id = fields.Integer()
    title = fields.String()
    sentence = fields.String()
    subject = fields.String()  # the title, kept for clients written before it
    body = fields.String()  # the sentence, likewise
    link = fields.String(allow_none=True)  # a path inside the application
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)
    done = fields.Boolean()  # nothing left to do: the task it is about is over, or no longer the reader's
    for_group = fields.Boolean()  # work offered to one of the reader's groups
    no_longer_yours = fields.Boolean()  # done because the task, still open, was handed on or back to the team
    referral_state = fields.String(allow_none=True)  # a done "new referral": the referral's state since
    escalation_state = fields.String(allow_none=True)  # a done escalation alert: resolved, or overtaken by the work
    unread = fields.Boolean()  # neither read nor done: what the unread count counts


class NotificationRead(Schema):
    """A notification marked read."""

    id = fields.Integer()
    read = fields.Boolean()


NotificationList = page_of("NotificationList", "notifications", Notification)


@operation("GET", "/notifications", tag="notifications", query=NotificationQuery, response=NotificationList)
def notifications(query: dict):
    """My in-app notifications, newest first."""
    found = list_notifications(uow(), g.user.actor, current_language(), query["unread"], query["limit"], query["offset"])
    return {"notifications": found, "limit": query["limit"], "offset": query["offset"]}


@operation("POST", "/notifications/<notification_id>/read", tag="notifications", response=NotificationRead)
def mark_notification_read(notification_id: int):
    """Mark one of my notifications read (404 if it is not mine)."""
    mark_read(begin_writing().session, g.user.actor, notification_id, clock().now())
    uow().commit()
    return {"id": notification_id, "read": True}
