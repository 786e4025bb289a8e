"""Routes: a provider's referrals, and one referral with what it shares and the answer it waits for."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine.access import can_list_provider_referrals
from engine.errors import InvalidData
from engine.services.pathways.labels import decline_reason_words, describe_labelled_task, labelled_values, texts_of_cases
from engine.services.referrals.view import list_referrals, open_step_of_referral, referral_answerable, show_referral
from engine.services.tasks.completion import complete_task
from webui.auth.session_user import login_required
from webui.engine_messages import field_messages
from webui.i18n import current_language
from webui.request_scope import clock, uow
from webui.typed_form import shows_typed_values
from webui.untrusted_input import judged_by_pathway_form
from webui.tasks.form_inputs import form_inputs, posted_values, submit_label

bp = Blueprint("referrals", __name__, url_prefix="/referrals")

LIST_SIZE = 60
MOVED_ON = _l("This referral has moved on since the page was opened; here it is as it stands.")
# The provider's three piles, by the referral's state.
PILES = (
    ("incoming", ("sent",)),
    ("to_decide", ("acknowledged",)),
    ("waiting_outcome", ("accepted", "appointment_booked")),
)


@bp.get("/")
@login_required
def index():
    """The referrals addressed to the user's organisation: incoming, to decide, waiting for an outcome, done."""
    if not can_list_provider_referrals(g.user.actor):
        abort(403)
    referrals = list_referrals(uow(), g.user.actor, limit=LIST_SIZE)
    piles = {name: [r for r in referrals if r.state in states] for name, states in PILES}
    placed = {r.id for pile in piles.values() for r in pile}
    piles["done"] = [r for r in referrals if r.id not in placed]
    return render_template("referrals/index.html", piles=piles)


@bp.get("/<int:referral_id>")
@login_required
def show(referral_id: int):
    """One referral: what it shares, the need, who sent it, and the answer it waits for from this user."""
    return _referral_page(referral_id, {}, {})


def _typed_again(posted, referral_id: int):
    """The referral's page holding the answer typed (its language switched before it was sent); the referral as
    it stands if its step moved on meanwhile (what was typed answered a step no longer waiting)."""
    step = open_step_of_referral(uow(), referral_id, g.user.actor)
    if step is None or posted.get("task_id") != step.task_id:
        flash(str(MOVED_ON), "info")
        return _referral_page(referral_id, {}, {})
    values = posted_values(posted, ("csrf_token", "task_id"))
    return _referral_page(referral_id, values, {}, submitted=values)


@bp.post("/<int:referral_id>")
@login_required
@judged_by_pathway_form
@shows_typed_values(_typed_again)
def answer(referral_id: int):
    """Submit the referral's waiting step (acknowledge, decide, report); then back to the same referral."""
    if not referral_answerable(uow(), referral_id, g.user.actor):
        show_referral(uow(), clock(), referral_id, g.user.actor)  # NotFound (404) for those who may not see it
        abort(403)
    step = open_step_of_referral(uow(), referral_id, g.user.actor)
    task_id = step.task_id if step else None
    # The page names the step it showed; a post naming none answers the step waiting now.
    if task_id is None or request.form.get("task_id", task_id) != task_id:
        # Someone else answered first, or the form is stale: show the referral as it is now.
        flash(str(MOVED_ON), "info")
        return redirect(url_for("referrals.show", referral_id=referral_id))
    values = posted_values(request.form, ("csrf_token", "task_id"))
    try:
        complete_task(uow(), clock(), task_id, g.user.actor, values)
    except InvalidData as invalid:
        return _referral_page(referral_id, values, field_messages(invalid.errors), submitted=values), 422
    flash(_("Your answer was recorded."), "info")
    return redirect(url_for("referrals.show", referral_id=referral_id))


@bp.get("/<int:referral_id>/form")
@login_required
def printable(referral_id: int):
    """The referral form to print or download as PDF (?format=pdf): only what the referral shares."""
    from webui.pdf import html_to_pdf, pdf_response

    referral = show_referral(uow(), clock(), referral_id, g.user.actor)
    asked, shared, declined_because, answered = _shared(referral)
    html = render_template("referrals/printable.html", referral=referral, shared=shared, asked=asked,
                           declined_because=declined_because, answered=answered)
    if request.args.get("format") == "pdf":
        return pdf_response(html_to_pdf(html), f"referral-{referral.case_reference}-{referral.id}.pdf")
    return html


def _shared(referral, texts=None) -> tuple:
    """(what the referral asks, what it shares of the person, why it was declined, what the provider
    answered besides): all but the reason as (label, value) pairs, all in the pathway's words."""
    texts = texts or _texts(referral)
    asked, shared, answered = referral.request or {}, referral.shared_data, referral.answer or {}
    if texts is None:
        return tuple(asked.items()), tuple(shared.items()), referral.decline_reason, tuple(answered.items())
    return (labelled_values(texts, asked), labelled_values(texts, shared), decline_reason_words(texts, referral.decline_reason),
            labelled_values(texts, answered))


def _texts(referral):
    """The texts of the referral's pathway in the reader's language (None when its version has none)."""
    return texts_of_cases(uow(), [referral.case_id], current_language()).get(referral.case_id)


def _referral_page(referral_id: int, values: dict, errors: dict, submitted: dict | None = None):
    referral = show_referral(uow(), clock(), referral_id, g.user.actor)
    step = open_step_of_referral(uow(), referral_id, g.user.actor)
    task = (describe_labelled_task(uow(), clock(), step.task_id, g.user.actor, current_language(), submitted=submitted)
            if step else None)
    texts = _texts(referral)
    asked, shared, declined_because, answered = _shared(referral, texts)
    step_names = {done.bpmn_id: texts.labels.element(done.bpmn_id, default=done.name) if texts else done.name
                  for done in referral.steps}
    return render_template("referrals/show.html", referral=referral, shared=shared, asked=asked, task=task,
                           step_names=step_names,
                           due_at=step.due_at if step else None, declined_because=declined_because, answered=answered,
                           inputs=form_inputs(task) if task else (), values=values, errors=errors,
                           submit_label=submit_label)
