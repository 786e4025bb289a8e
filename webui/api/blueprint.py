"""Routes of the JSON API, version 1."""

from __future__ import annotations

from flask import Blueprint, g

from webui.auth.session_user import login_required

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
