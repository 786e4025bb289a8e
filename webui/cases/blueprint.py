"""Routes: the list of cases, opening a case, one case, its printable summary, and the person's record of it."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from engine.access import can_list_cases, can_open_case, can_search_by_alias
from engine.domain import Language
from engine.errors import InvalidData
from engine.services.cases.consents import consents_to_withdraw, withdraw_consent
from engine.services.cases.lifecycle import open_case
from engine.services.cases.listing import CaseFilters, list_cases, openable_pathways
from engine.services.cases.person_record import export_person_record, record_as_json
from engine.services.pathways.labels import show_labelled_case
from webui.auth.session_user import login_required
from webui.engine_messages import field_messages
from webui.i18n import current_language
from webui.labels import STAGE_NAMES
from webui.pdf import html_to_pdf, pdf_response
from webui.request_scope import clock, uow

bp = Blueprint("cases", __name__, url_prefix="/cases")

PAGE_SIZE = 50
# The six stages of a case, in order: the progress line of the case page.
STAGES = ("identification", "assessment", "consent", "referral", "follow_up", "closure")


@bp.get("/")
@login_required
def index():
    """The cases the user may see, narrowed by reference, status, stage, priority, region, overdue, mine."""
    if not can_list_cases(g.user.actor):
        abort(403)
    # The person's alias is looked up with the form below (POST): an address keeps no alias for
    # server logs or a shared desk's browser history.
    return _case_list(request.args, alias=None)


@bp.post("/")
@login_required
def search_by_alias():
    """The cases whose person's alias starts with what was typed (case staff; each search audited)."""
    if not can_search_by_alias(g.user.actor):
        abort(403)
    alias = request.form.get("alias", "").strip()
    if not alias:
        return _case_list(request.form, alias=None, errors={"alias": [_("Type the start of the person's alias.")]})
    return _case_list(request.form, alias=alias)


def _case_list(args, alias: str | None, errors: dict | None = None):
    page = max(args.get("page", 1, type=int) or 1, 1) if alias is None else 1
    filters = CaseFilters(
        reference=args.get("reference") or None, alias=alias, stage=args.get("stage") or None,
        priority=args.get("priority") or None, region=args.get("region") or None,
        overdue=args.get("overdue") == "1", assigned_to_me=args.get("mine") == "1",
    )
    errors = dict(errors or {})
    cases = []
    if not errors:
        try:
            # Open cases unless the reader asks otherwise ("—" in the list means every status).
            status = args.get("status", "open") or None
            cases = list_cases(uow(), g.user.actor, status=status, limit=PAGE_SIZE,
                               offset=(page - 1) * PAGE_SIZE, filters=filters, now=clock().now())
        except InvalidData as invalid:
            errors = field_messages(invalid.errors)
    shown = {"status": "open", **{key: value for key, value in args.to_dict().items() if key not in ("alias", "csrf_token")}}
    return render_template("cases/index.html", cases=cases, page=page, page_size=PAGE_SIZE, args=shown,
                           alias=alias or "", errors=errors,
                           stage_choices=[(stage, STAGE_NAMES[stage]) for stage in STAGES],
                           may_open=can_open_case(g.user.actor)), (422 if errors else 200)


@bp.get("/new")
@login_required
def new():
    """Choose the pathway a new case follows (skipped in effect when there is only one)."""
    if not can_open_case(g.user.actor):
        abort(403)
    return render_template("cases/new.html", pathways=openable_pathways(uow()))


@bp.post("/new")
@login_required
def create():
    """Open a case and go straight to its first task."""
    if not can_open_case(g.user.actor):
        abort(403)
    pathways = {pathway.pathway_id for pathway in openable_pathways(uow())}
    chosen = request.form.get("pathway_id", "")
    if chosen not in pathways:
        return render_template("cases/new.html", pathways=openable_pathways(uow()),
                               error=_("Choose the pathway the case follows.")), 422
    opened = open_case(uow(), clock(), chosen, g.user.actor)
    if opened.open_task_ids:
        return redirect(url_for("tasks.show", task_id=opened.open_task_ids[0]))
    return redirect(url_for("cases.show", reference=opened.reference))


@bp.get("/<reference>")
@login_required
def show(reference: str):
    """The case page, if the user may see the case (the read is audited by the service)."""
    page = show_labelled_case(uow(), clock(), reference, g.user.actor, current_language())
    return render_template("cases/show.html", case=page.case, task_names=page.task_names, person=page.person,
                           stages=STAGES, consent_scopes=page.consent_scopes or {}, history_notes=page.history_notes)


@bp.get("/<reference>/consents/withdraw")
@login_required
def confirm_consent_withdrawal(reference: str):
    """Ask before recording that the person withdrew consent: what it revokes, and a reason."""
    return render_template("cases/withdraw_consent.html",
                           withdrawal=consents_to_withdraw(uow(), clock(), reference, g.user.actor), reason="", errors={})


@bp.post("/<reference>/consents/withdraw")
@login_required
def withdraw(reference: str):
    """Record the withdrawal: standing consents end, pending referrals are revoked; a refused reason stays on the page."""
    withdrawal = consents_to_withdraw(uow(), clock(), reference, g.user.actor)
    reason = request.form.get("reason", "")
    try:
        withdraw_consent(uow(), clock(), withdrawal.case_id, g.user.actor, reason)
    except InvalidData as invalid:
        return render_template("cases/withdraw_consent.html", withdrawal=withdrawal, reason=reason,
                               errors=field_messages(invalid.errors)), 422
    flash(_("The withdrawal of consent is recorded; pending referrals are revoked."), "info")
    return redirect(url_for("cases.show", reference=withdrawal.reference))


@bp.get("/<reference>/summary")
@login_required
def summary(reference: str):
    """The case summary to print (or as a PDF with ?format=pdf): what the reader may see, nothing more."""
    page = show_labelled_case(uow(), clock(), reference, g.user.actor, current_language())
    html = render_template("cases/summary.html", case=page.case, task_names=page.task_names, person=page.person,
                           stages=STAGES, history_notes=page.history_notes)
    if request.args.get("format") == "pdf":
        return pdf_response(html_to_pdf(html), f"case-{page.case.reference}.pdf")
    return html


RECORD_FORMATS = ("pdf", "json")


@bp.get("/<reference>/record")
@login_required
def person_record(reference: str):
    """The person's record of this case, as PDF or JSON, in French or English (a subject access request; audited)."""
    file_format = request.args.get("format", "pdf")
    language = request.args.get("language") or current_language()
    if file_format not in RECORD_FORMATS or language not in {member.value for member in Language}:
        abort(404)
    record = export_person_record(uow(), clock(), reference, g.user.actor, language, file_format)
    filename = f"record-{record.reference}-{language}"
    if file_format == "json":
        return Response(json.dumps(record_as_json(record), ensure_ascii=False, indent=2), mimetype="application/json",
                        headers={"Content-Disposition": f'attachment; filename="{filename}.json"', "Cache-Control": "no-store"})
    with force_locale(language):
        html = render_template("cases/record_print.html", record=record, language=language)
    return pdf_response(html_to_pdf(html), f"{filename}.pdf")
