"""How pressing a due date is, in words and a class the stylesheet colours (never colour alone)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask
from flask_babel import lazy_gettext as _l

from engine import access
from webui.request_scope import clock

# A task due within this time is marked "due soon".
DUE_SOON = timedelta(hours=24)
URGENCY_NAMES = {"late": _l("Overdue"), "soon": _l("Due soon")}


def urgency(due_at: datetime | None) -> str | None:
    """'late' once the due time has passed, 'soon' within DUE_SOON of it, else None."""
    if due_at is None:
        return None
    now = clock().now()
    if due_at.tzinfo is None:
        due_at = due_at.replace(tzinfo=now.tzinfo)
    if due_at <= now:
        return "late"
    return "soon" if due_at - now <= DUE_SOON else None


def words(table: dict) -> dict:
    """A table of lazy labels translated once, for a long list that would otherwise translate in every row."""
    return {key: str(value) for key, value in table.items()}


def init_page_helpers(app: Flask) -> None:
    """Give templates the urgency of a date and the engine's access predicates (`may.can_...`)."""
    from webui.labels import SECTOR_NAMES, code_name

    app.jinja_env.globals.update(urgency=urgency, URGENCY_NAMES=URGENCY_NAMES, may=access, now=lambda: clock().now(),
                                 words=words)
    app.jinja_env.filters["sector_name"] = lambda sector: code_name(SECTOR_NAMES, sector)
