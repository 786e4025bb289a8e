"""Routes: the users of the administrator's organisation."""

from __future__ import annotations

from flask import Blueprint, g, render_template

from engine.domain import Role
from webui.admin import user_list
from webui.auth.session_user import role_required
from webui.request_scope import uow

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/users")
@role_required(Role.ADMIN)
def users():
    """Every user of the administrator's own organisation, with their roles."""
    rows = user_list.users_of_organisation(uow().session, g.user.organisation_id)
    return render_template("admin/users.html", users=rows)
