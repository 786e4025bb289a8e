"""Routes: one case."""

from __future__ import annotations

from flask import Blueprint, g, render_template

from engine.services.case_view import show_case
from webui.auth.session_user import login_required
from webui.request_scope import clock, uow

bp = Blueprint("cases", __name__, url_prefix="/cases")


@bp.get("/<reference>")
@login_required
def show(reference: str):
    """The case page, if the user may see the case (the read is audited by the service)."""
    return render_template("cases/show.html", case=show_case(uow(), clock(), reference, g.user.actor))
