"""Routes: one case, and the person's record of it."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, g, render_template, request
from flask_babel import force_locale

from engine.domain import Language
from engine.services.cases.person_record import export_person_record, record_as_json
from engine.services.pathways.labels import show_labelled_case
from webui.auth.session_user import login_required
from webui.i18n import current_language
from webui.pdf import html_to_pdf, pdf_response
from webui.request_scope import clock, uow

bp = Blueprint("cases", __name__, url_prefix="/cases")


@bp.get("/<reference>")
@login_required
def show(reference: str):
    """The case page, if the user may see the case (the read is audited by the service)."""
    page = show_labelled_case(uow(), clock(), reference, g.user.actor, current_language())
    return render_template("cases/show.html", case=page.case, task_names=page.task_names)


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
