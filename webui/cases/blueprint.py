"""Routes: one case."""

from __future__ import annotations

from flask import Blueprint, g, render_template

from engine.services.pathways.labels import show_labelled_case
from webui.auth.session_user import login_required
from webui.i18n import current_language
from webui.request_scope import clock, uow

bp = Blueprint("cases", __name__, url_prefix="/cases")


@bp.get("/<reference>")
@login_required
def show(reference: str):
    """The case page, if the user may see the case (the read is audited by the service)."""
    page = show_labelled_case(uow(), clock(), reference, g.user.actor, current_language())
    return render_template("cases/show.html", case=page.case, task_names=page.task_names)
