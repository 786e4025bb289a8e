"""Routes: the directory of organisations and services."""

from __future__ import annotations

from flask import Blueprint, render_template

from webui.auth.session_user import login_required
from webui.directory import organisation_list
from webui.request_scope import uow

bp = Blueprint("directory", __name__, url_prefix="/directory")


@bp.get("/")
@login_required
def organisations():
    """Who does what, where: no personal data, so every signed-in user may read it."""
    return render_template("directory/organisations.html",
                           organisations=organisation_list.organisations(uow().session))
