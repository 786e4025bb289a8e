"""Routes: cases needing attention; escalations and what coordinators and supervisors do with them."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.domain import EscalationStatus
from engine.services.cases.lifecycle import list_cases_needing_attention
from engine.services.escalations.stalled import list_stalled
from engine.services.referrals.unmet import list_unmet_needs
from engine.services.escalations.handling import (
    acknowledge_escalation,
    list_escalations,
    reassign_escalation,
    resolve_escalation,
)
from webui.auth.session_user import login_required
from webui.request_scope import clock, uow

bp = Blueprint("coordination", __name__, url_prefix="/coordination")

MAX_USERNAME = 64
STATUSES = tuple(status.value for status in EscalationStatus)


@bp.get("/attention")
@login_required
def attention():
    """Open cases whose workflow failed, and needs left unmet (the services decide who may list them: 403 otherwise)."""
    return render_template("coordination/attention.html", cases=list_cases_needing_attention(uow(), g.user.actor),
                           unmet_needs=list_unmet_needs(uow(), g.user.actor))


@bp.get("/escalations")
@login_required
def escalations():
    """The escalations the user may see: by default the stalled work, one row per missed deadline; else by status."""
    status = request.args.get("status", EscalationStatus.OPEN.value)
    status = status if status in STATUSES else None
    if status == EscalationStatus.OPEN.value:
        # Work still waited on: one row per missed deadline, at its highest level.
        stalled = list_stalled(uow(), clock(), g.user.actor)
        return render_template("coordination/escalations.html", stalled=stalled, escalations=(), status=status,
                               statuses=STATUSES)
    rows = list_escalations(uow(), g.user.actor, status=status)
    return render_template("coordination/escalations.html", stalled=None, escalations=rows, status=status,
                           statuses=STATUSES)


@bp.post("/escalations/<int:escalation_id>/acknowledge")
@login_required
def acknowledge(escalation_id: int):
    """Say someone is looking at the escalation."""
    acknowledge_escalation(uow(), clock(), escalation_id, g.user.actor)
    flash(_("The escalation is acknowledged."), "info")
    return _back()


@bp.post("/escalations/<int:escalation_id>/resolve")
@login_required
def resolve(escalation_id: int):
    """Close the escalation with a note saying how it was resolved (no further level is raised)."""
    resolve_escalation(uow(), clock(), escalation_id, g.user.actor, request.form.get("note", ""))
    flash(_("The escalation is resolved."), "info")
    return _back()


@bp.post("/escalations/<int:escalation_id>/reassign")
@login_required
def reassign(escalation_id: int):
    """Hand the escalation to a named user, who is alerted."""
    username = request.form.get("username", "").strip()[:MAX_USERNAME]
    reassign_escalation(uow(), clock(), escalation_id, g.user.actor, username)
    flash(_("The escalation was handed to %(username)s.", username=username), "info")
    return _back()


def _back():
    status = request.form.get("status")
    return redirect(url_for("coordination.escalations", status=status if status in STATUSES else None))
