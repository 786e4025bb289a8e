"""Routes: the published pathway versions."""

from __future__ import annotations

from flask import Blueprint, render_template

from engine.domain import Role
from engine.services.pathways.publishing import list_pathways
from webui.auth.session_user import role_required
from webui.request_scope import uow

bp = Blueprint("pathways", __name__, url_prefix="/pathways")


@bp.get("/")
@role_required(Role.SOP_AUTHOR)
def versions():
    """Every published version of every pathway."""
    return render_template("pathways/versions.html", versions=list_pathways(uow()))
