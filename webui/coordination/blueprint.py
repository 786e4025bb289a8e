"""Routes: attention, escalations, indicators and their downloads, provider follow-up, the live diagram."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.access import can_view_committee_report, can_view_indicators
from engine.domain import EscalationStatus, Role
from engine.errors import EscalationMovedOn, InvalidData
from engine.services.coordination.attention import list_attention
from engine.services.coordination.committee_report import committee_report, parse_period
from engine.services.coordination.indicators import compute_indicators
from engine.services.coordination.live_diagram import (
    DiagramFilters,
    cases_at_step,
    published_versions,
    step_counts,
    version_diagram,
)
from engine.services.coordination.providers import list_followed_providers, provider_follow_up
from engine.services.coordination.suppression import DEFAULT_THRESHOLD
from engine.services.coordination.vocabulary import indicator_vocabulary
from engine.services.pathways.labels import pathway_texts
from engine.untrusted_values import parse_id

from engine.services.escalations.stalled import list_stalled
from engine.services.referrals.unmet import list_unmet_needs
from engine.services.escalations.handling import (
    NOTE_MAX,
    acknowledge_escalation,
    escalation_takers,
    list_escalations,
    reassign_escalation,
    resolve_escalation,
)
from webui.labels import handover_choices
from webui.auth.session_user import login_required
from webui.engine_messages import field_messages
from webui.coordination.charts import bar_chart
from webui.coordination.exports import csv_response, xlsx_response
from webui.coordination.filters import organisation_asked, parse_filters
from webui.coordination.wording import column_name, dimension_name, figure_text, row_label, table_title
from webui.i18n import current_language
from webui.labels import SECTOR_NAMES
from webui.pdf import html_to_pdf, pdf_response
from webui.request_scope import clock, container, uow

bp = Blueprint("coordination", __name__, url_prefix="/coordination")

MAX_USERNAME = 64
STATUSES = tuple(status.value for status in EscalationStatus)


@bp.get("/attention")
@login_required
def attention():
    """Failed steps, stalled referrals, declined emergencies, overrides waiting and unmet needs (403 for who may not list them)."""
    return render_template("coordination/attention.html", attention=list_attention(uow(), clock(), g.user.actor),
                           unmet_needs=list_unmet_needs(uow(), g.user.actor))


@bp.get("/escalations")
@login_required
def escalations():
    """The escalations the user may see: by default the stalled work, one row per missed deadline; else by status."""
    return _escalations_page(request.args.get("status", EscalationStatus.OPEN.value))


def _escalations_page(status: str | None, problem: dict | None = None):
    # `problem`: a refused resolution, shown at its escalation's note field with what was typed.
    status = status if status in STATUSES else None
    stalled, rows = None, ()
    if status == EscalationStatus.OPEN.value:
        # Work still waited on: one row per missed deadline, at its highest level.
        stalled = list_stalled(uow(), clock(), g.user.actor)
        shown = {item.escalation_id for item in stalled}
    else:
        rows = list_escalations(uow(), g.user.actor, status=status)
        shown = {row.id for row in rows}
    if problem is not None:
        problem["shown"] = problem["escalation_id"] in shown  # else said at the top of the page
    return render_template("coordination/escalations.html", stalled=stalled, escalations=rows, status=status,
                           statuses=STATUSES, problem=problem)


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
    """Close the escalation with a note saying how it was resolved (no further level is raised); a refused note is shown on the page."""
    note = request.form.get("note", "")
    try:
        resolve_escalation(uow(), clock(), escalation_id, g.user.actor, note)
    except InvalidData as invalid:
        problem = {"escalation_id": escalation_id, "note": note[:NOTE_MAX],
                   "messages": field_messages(invalid.errors).get("note") or [_("Say how it was resolved.")]}
        return _escalations_page(request.form.get("status") or EscalationStatus.OPEN.value, problem), 422
    flash(_("The escalation is resolved."), "info")
    return _back()


@bp.get("/escalations/<int:escalation_id>/reassign")
@login_required
def handover(escalation_id: int):
    """Choose who takes the escalation over, among the users who may handle it."""
    return _handover_page(escalation_id, None, "")


@bp.post("/escalations/<int:escalation_id>/reassign")
@login_required
def reassign(escalation_id: int):
    """Hand the escalation to the chosen user, who is alerted; a refused choice is shown on the same page."""
    username = request.form.get("username", "").strip()[:MAX_USERNAME]
    if not username:
        return _handover_page(escalation_id, [_("Choose someone.")], username), 422
    try:
        reassign_escalation(uow(), clock(), escalation_id, g.user.actor, username)
    except InvalidData as invalid:
        return _handover_page(escalation_id, field_messages(invalid.errors).get("username"), username), 422
    flash(_("The escalation was handed over."), "info")
    return _back()


def _handover_page(escalation_id: int, error, chosen: str):
    handover_to = escalation_takers(uow(), escalation_id, g.user.actor)
    choices = handover_choices(handover_to.takers)
    return render_template("coordination/escalation_handover.html", handover=handover_to, error=error,
                           choices=choices, chosen=chosen, status=request.values.get("status"))


@bp.errorhandler(EscalationMovedOn)
def escalation_moved_on(moved_on: EscalationMovedOn):
    """An escalation taken up or resolved before the request reached it (a second tab, a colleague): say so and
    show the list as it stands, rather than an error page that can only repeat the refusal."""
    flash(_("This escalation had already been taken up or resolved, in another tab or by someone else: "
            "what you sent was not recorded."), "info")
    return _back()


def _back():
    status = request.form.get("status")
    return redirect(url_for("coordination.escalations", status=status if status in STATUSES else None))


# ---- indicators ---------------------------------------------------------------------------------


@bp.context_processor
def _indicator_words():
    return {"table_title": table_title, "column_name": column_name, "dimension_name": dimension_name,
            "row_label": row_label, "figure_text": figure_text}


EXPORTS = {"csv": csv_response, "xlsx": xlsx_response}


def _threshold() -> int:
    return int(current_app.config.get("SMALL_CELL_THRESHOLD", DEFAULT_THRESHOLD))


def _indicator_request():
    parsed = parse_filters(request.args, container().calendar.local_date(clock().now()), container().calendar)
    report = compute_indicators(uow(), g.user.actor, parsed.filters, _threshold())
    vocabulary = indicator_vocabulary(uow(), current_language(), parsed.filters.pathway_version_id)
    return parsed, report, vocabulary


@bp.get("/indicators")
@login_required
def indicators():
    """The mechanism's indicators for a period, with charts and downloads (403 for readers without the right)."""
    parsed, report, vocabulary = _indicator_request()
    query = parsed.query()

    def export_url(key: str, fmt: str) -> str:
        return url_for("coordination.indicator_export", table=key, format=fmt, **query)

    return render_template("coordination/indicators.html", parsed=parsed, report=report, vocabulary=vocabulary,
                           sectors=SECTOR_NAMES, chart_of=_chart_of, threshold=report.threshold, export_url=export_url)


@bp.get("/indicators/export")
@login_required
def indicator_export():
    """One indicator table (`table`) as CSV or XLSX (`format`), with the same small-cell protection as the page."""
    key, fmt = request.args.get("table", "cases_by_region"), request.args.get("format", "csv")
    parsed, report, vocabulary = _indicator_request()
    if fmt not in EXPORTS:
        abort(404)
    try:
        table = report.table(key)
    except KeyError:
        abort(404)
    filename = f"{key}-{parsed.start_date.isoformat()}-{parsed.end_date.isoformat()}.{fmt}"
    return EXPORTS[fmt](table, vocabulary, report.threshold, filename)


def _chart_of(table, vocabulary, threshold):
    """The bar chart of a table's first column (nothing for a table without rows)."""
    column = table.columns[0]
    bars = [
        (row_label(table.dimension, row.key, vocabulary), row.figures[0].shown, figure_text(row.figures[0], column, threshold))
        for row in table.rows
        if row.figures[0].value or row.figures[0].hidden
    ]
    return bar_chart(bars, table_title(table))


# ---- provider follow-up ---------------------------------------------------------------------------


@bp.get("/providers")
@login_required
def providers():
    """A provider's follow-up: coordinators choose any provider; a provider's people see their own only."""
    actor = g.user.actor
    chosen = organisation_asked(request.args)
    followed = list_followed_providers(uow(), actor)
    if chosen is not None:
        provider_id = chosen
    elif actor.has(Role.COORDINATOR):
        return render_template("coordination/providers.html", followed=followed, follow_up=None)
    else:
        provider_id = actor.organisation_id
    parsed = parse_filters(request.args, container().calendar.local_date(clock().now()), container().calendar)
    follow_up = provider_follow_up(uow(), actor, provider_id, parsed.filters, _threshold())
    vocabulary = indicator_vocabulary(uow(), current_language(), parsed.filters.pathway_version_id)
    return render_template("coordination/providers.html", followed=followed, follow_up=follow_up, parsed=parsed,
                           vocabulary=vocabulary, threshold=_threshold(), chart_of=_chart_of)


# ---- live diagram ---------------------------------------------------------------------------------


def _diagram_request():
    """The chosen version (the newest published when none or an unknown one is asked for) and the filters."""
    if not can_view_indicators(g.user.actor):
        abort(403)
    versions = published_versions(uow(), current_language())
    asked = parse_id(request.args.get("version", ""))
    version_id = asked if any(v[0] == asked for v in versions) else None
    if version_id is None and versions:
        version_id = max(versions, key=lambda v: v[0])[0]
    parsed = parse_filters(request.args, container().calendar.local_date(clock().now()), container().calendar)
    filters = DiagramFilters(
        start=parsed.filters.start, end=parsed.filters.end, region=parsed.filters.region,
        priority=request.args.get("priority") or None,
        organisation_id=organisation_asked(request.args),
    )
    query = {**parsed.query(), "version": version_id, "priority": filters.priority,
             "organisation": filters.organisation_id}
    return versions, version_id, parsed, filters, {k: v for k, v in query.items() if v not in (None, "")}


@bp.get("/diagram")
@login_required
def live_diagram():
    """A published version's diagram with, per step, cases waiting, overdue and the median time spent."""
    versions, version_id, parsed, filters, query = _diagram_request()
    steps = step_counts(uow(), clock(), g.user.actor, version_id, filters, _threshold()) if version_id else []
    language = current_language()
    texts = pathway_texts(uow(), version_id, language) if version_id else None
    vocabulary = indicator_vocabulary(uow(), language, version_id)
    return render_template("coordination/live_diagram.html", versions=versions, version_id=version_id, parsed=parsed,
                           filters=filters, query=query, steps=steps, texts=texts, vocabulary=vocabulary,
                           threshold=_threshold())


@bp.get("/diagram/counts")
@login_required
def live_diagram_counts():
    """The live diagram's counts as JSON, for the overlays drawn on the diagram."""
    _versions, version_id, _parsed, filters, query = _diagram_request()
    if version_id is None:
        abort(404)
    steps = step_counts(uow(), clock(), g.user.actor, version_id, filters, _threshold())
    return jsonify({"steps": [
        {"id": s.bpmn_id, "waiting": s.waiting, "overdue": s.overdue, "median_hours": s.median_hours.shown,
         "url": url_for("coordination.live_diagram_step", step=s.bpmn_id, **query),
         "overdue_url": url_for("coordination.live_diagram_step", step=s.bpmn_id, overdue=1, **query)}
        for s in steps
    ]})


@bp.get("/diagram/bpmn")
@login_required
def live_diagram_bpmn():
    """The BPMN file of the chosen version, for the read-only viewer."""
    _versions, version_id, _parsed, _filters, _query = _diagram_request()
    if version_id is None:
        abort(404)
    content = version_diagram(uow(), g.user.actor, version_id)
    # Drawn with the step names the reader reads in the table beside it.
    response = Response(pathway_texts(uow(), version_id, current_language()).labels.diagram(content), mimetype="application/xml")
    # Not kept by the browser: its names follow the reader's language, which the address does not say.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/diagram/step")
@login_required
def live_diagram_step():
    """The cases waiting at one step now (only overdue ones with overdue=1), as far as the reader may open them."""
    _versions, version_id, _parsed, filters, query = _diagram_request()
    step = request.args.get("step", "")[:255]
    overdue_only = request.args.get("overdue") == "1"
    cases = cases_at_step(uow(), clock(), g.user.actor, version_id, step, filters, overdue_only) if version_id and step else []
    texts = pathway_texts(uow(), version_id, current_language()) if version_id else None
    return render_template("coordination/live_diagram_step.html", cases=cases, step=step, texts=texts,
                           overdue_only=overdue_only, query=query)


# ---- steering committee report ----------------------------------------------------------------------


def _committee_report():
    # Whoever may not read the report learns that first, not what its address may hold.
    if not can_view_committee_report(g.user.actor):
        abort(403)
    months = int(current_app.config.get("COMMITTEE_REPORT_MONTHS", 1))
    period = parse_period(request.args.get("period"), clock().now(), months)
    report = committee_report(uow(), clock(), g.user.actor, period, _threshold())
    vocabulary = indicator_vocabulary(uow(), current_language())
    return report, vocabulary


@bp.get("/report")
@login_required
def committee_report_page():
    """The steering committee's report of a period (YYYY-MM; the last complete one by default)."""
    report, vocabulary = _committee_report()
    return render_template("coordination/report.html", report=report, vocabulary=vocabulary,
                           threshold=report.threshold, chart_of=_chart_of)


@bp.get("/report/pdf")
@login_required
def committee_report_pdf():
    """The same report as a PDF on A4."""
    report, vocabulary = _committee_report()
    html = render_template("coordination/report_print.html", report=report, vocabulary=vocabulary,
                           threshold=report.threshold, chart_of=_chart_of)
    return pdf_response(html_to_pdf(html), f"steering-committee-report-{report.period.code}.pdf")
