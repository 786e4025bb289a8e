"""The JSON API, version 1: the blueprint with every area's routes and its OpenAPI document.

Its errors are answered for the whole of /api/ (known routes or not) by `webui.api.errors.api_error`.
"""

from __future__ import annotations

from flask import g, request

from webui.api import schemas
from webui.api.operations import bp, operation
from webui.auth.session_user import login_required

# Importing an area registers its routes on `bp`.
from webui.api import cases, consents, directory, escalations, notifications, pathways, referrals, tasks  # noqa: F401


@operation("GET", "/me", tag="account", response=schemas.Me)
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


@bp.get("/openapi.json")
@login_required
def openapi():
    """The OpenAPI 3 document of this API."""
    from webui.api.openapi import openapi_document

    return openapi_document(request.script_root + bp.url_prefix)
