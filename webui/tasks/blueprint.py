"""Routes: the inbox, a task's form, claim, release, complete."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.errors import InvalidData, TaskClosed
from engine.access import can_list_provider_referrals, can_view_case_of_task
from engine.services.tasks.handover import task_takers
from engine.services.referrals.view import referral_answerable
from engine.services.tasks.inbox import list_inbox, next_task_of_case, referral_of_task, task_line
from engine.services.pathways.labels import describe_labelled_task, labelled_tasks
from engine.services.tasks.completion import claim_task, complete_task, reassign_task, release_task
from webui.labels import handover_choices
from webui.auth.session_user import login_required
from webui.engine_messages import field_messages
from webui.i18n import current_language
from webui.request_scope import clock, uow
from webui.tasks.form_inputs import form_inputs, posted_values, submit_label
from webui.tasks.provider_words import finding_words, verdict
from webui.typed_form import shows_typed_values
from webui.untrusted_input import judged_by_pathway_form

bp = Blueprint("tasks", __name__, url_prefix="/tasks")

PAGE_SIZE = 50
MAX_PAGE = 2000  # as deep as the API's offsets go: deeper pages would only load the database


@bp.errorhandler(TaskClosed)
def task_closed(closed: TaskClosed):
    """A task done or cancelled before the request reached it (a second tab, the back button, an old link): say so,
    and go on to where the case's work now is rather than to a page that can only repeat the refusal."""
    return _after_closed(closed, request.view_args["task_id"])


def _after_closed(closed: TaskClosed, task_id: str):
    if request.method == "POST":
        flash(_("This task had already been done or cancelled, in another tab or by someone else: "
                "what you sent was not recorded."), "info")
    else:
        flash(_("This task has already been done or cancelled."), "info")
    return redirect(next_page(closed.case_id, referral_of_task(uow(), task_id)))


@bp.get("/")
@login_required
def inbox():
    """The user's open tasks and their groups' unclaimed ones, most pressing first."""
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)
    tasks = labelled_tasks(uow(), list_inbox(uow(), g.user.actor, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE),
                           current_language())
    return render_template("tasks/inbox.html", tasks=tasks, page=page, page_size=PAGE_SIZE)


@bp.post("/<task_id>/claim")
@login_required
def claim(task_id: str):
    """Take a task offered to one of the user's groups, and open it: whoever takes a task means to do it."""
    claim_task(uow(), clock(), task_id, g.user.actor)
    return redirect(url_for("tasks.show", task_id=task_id))


@bp.post("/<task_id>/release")
@login_required
def release(task_id: str):
    """Give a task back to its groups, and say so: the list it leads to shows it offered to them again."""
    release_task(uow(), clock(), task_id, g.user.actor)
    flash(_("The task is handed back to your team."), "info")
    return redirect(url_for("tasks.inbox"))


@bp.get("/<task_id>/reassign")
@login_required
def handover(task_id: str):
    """Choose who takes the task over, among the users who may (supervisors and coordinators)."""
    return _handover_page(task_id, None)


def _handover_typed(posted, task_id: str):
    """The hand-over page holding the choice made (its language switched before it was sent)."""
    try:
        return _handover_page(task_id, None, posted.get("username"))
    except TaskClosed as closed:
        return _after_closed(closed, task_id)


@bp.post("/<task_id>/reassign")
@login_required
@shows_typed_values(_handover_typed)
def reassign(task_id: str):
    """Hand the task to the chosen user; a refused choice is shown on the same page."""
    chosen = request.form.get("username", "")
    try:
        reassign_task(uow(), clock(), task_id, g.user.actor, chosen)
    except InvalidData as invalid:
        refused = field_messages(invalid.errors).get("username") or [_("Choose someone.")]
        return _handover_page(task_id, refused, chosen), 422
    flash(_("The task was handed over."), "info")
    line = task_line(uow(), task_id)
    if line is not None and can_view_case_of_task(g.user.actor, line):
        return redirect(url_for("cases.show", reference=line.case_reference))
    return redirect(url_for("tasks.inbox"))


def _handover_page(task_id: str, error, chosen: str | None = None):
    handover_to = task_takers(uow(), task_id, g.user.actor)
    line = task_line(uow(), task_id)
    name = labelled_tasks(uow(), [line], current_language())[0].name if line else handover_to.name
    choices = handover_choices(handover_to.takers)
    return render_template("tasks/reassign.html", handover=handover_to, name=name, error=error, choices=choices,
                           chosen=chosen)


@bp.get("/<task_id>")
@login_required
def show(task_id: str):
    """The task's form."""
    return _task_page(describe_labelled_task(uow(), clock(), task_id, g.user.actor, current_language()), {}, {})


def _typed_again(posted, task_id: str):
    """The task's page holding the values typed (its language switched before they were sent)."""
    values = posted_values(posted)
    try:
        task = describe_labelled_task(uow(), clock(), task_id, g.user.actor, current_language(), submitted=values)
    except TaskClosed as closed:
        return _after_closed(closed, task_id)
    return _task_page(task, values, {})


@bp.post("/<task_id>")
@login_required
@judged_by_pathway_form
@shows_typed_values(_typed_again)
def complete(task_id: str):
    """Submit the task's form; the service checks every field and answers with all problems at once."""
    # The form posts strings; the service converts and checks them against the task's own form.
    values = posted_values(request.form)
    referral_id = referral_of_task(uow(), task_id)
    try:
        result = complete_task(uow(), clock(), task_id, g.user.actor, values)
    except InvalidData as invalid:
        task = describe_labelled_task(uow(), clock(), task_id, g.user.actor, current_language(), submitted=values)
        return _task_page(task, values, field_messages(invalid.errors)), 422
    flash(_("Task completed."), "info")
    return redirect(next_page(result.case_id, referral_id))


def next_page(case_id: int, referral_id: int | None) -> str:
    """After a submit: the next task of the same case if the user may do it, a provider's referral, else the inbox."""
    actor = g.user.actor
    following = next_task_of_case(uow(), actor, case_id)
    if following is not None:
        return url_for("tasks.show", task_id=following)
    if referral_id is not None and can_list_provider_referrals(actor) and may_answer(referral_id):
        return url_for("referrals.show", referral_id=referral_id)
    return url_for("tasks.inbox")


def may_answer(referral_id: int) -> bool:
    """Whether the user answers this referral for its provider (so its page is theirs to see)."""
    return referral_answerable(uow(), referral_id, g.user.actor)


def _task_page(task, values: dict, errors: dict) -> str:
    context = task_line(uow(), task.task_id)
    if context is not None:
        context = labelled_tasks(uow(), [context], current_language())[0]
    return render_template("tasks/task.html", task=task, inputs=form_inputs(task), values=values, errors=errors,
                           context=context, submit_label=submit_label(task), finding_words=finding_words,
                           verdict=verdict)
