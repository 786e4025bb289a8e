"""Routes: cases needing attention."""

from __future__ import annotations

from flask import Blueprint, g, render_template

from engine.services.cases import list_cases_needing_attention
from webui.auth.session_user import login_required
from webui.request_scope import uow

bp = Blueprint("coordination", __name__, url_prefix="/coordination")


@bp.get("/attention")
@login_required
def attention():
    """Open cases whose workflow failed (the service decides who may list them: 403 otherwise)."""
    return render_template("coordination/attention.html", cases=list_cases_needing_attention(uow(), g.user.actor))
