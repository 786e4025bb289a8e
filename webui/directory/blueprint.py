"""Routes: the directory of services (searchable, filterable, printable) and, for administrators, its edit pages."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.domain import Priority, Sector
from engine.errors import InvalidData
from engine.services.directory import editing
from engine.services.directory.listing import DirectoryFilter, search_services
from engine.services.directory.vocabulary import TARGET_GROUPS
from webui.auth.session_user import login_required
from webui.directory.service_form import (
    document_from_form, form_inputs, form_problems, form_values, new_form_values, submitted_values,
)
from webui.engine_messages import field_messages
from webui.labels import (
    PRIORITY_NAMES,
    CAPACITY_PERIOD_NAMES,
    REGION_NAMES,
    SECTOR_NAMES,
    SERVICE_LANGUAGE_NAMES,
    SEX_NAMES,
    TARGET_GROUP_NAMES,
)
from webui.request_scope import clock, uow
from webui.typed_form import shows_typed_values

bp = Blueprint("directory", __name__, url_prefix="/directory")
LABELS = dict(REGION_NAMES=REGION_NAMES, SECTOR_NAMES=SECTOR_NAMES, PRIORITY_NAMES=PRIORITY_NAMES, SERVICE_LANGUAGE_NAMES=SERVICE_LANGUAGE_NAMES, TARGET_GROUP_NAMES=TARGET_GROUP_NAMES,
              SEX_NAMES=SEX_NAMES, CAPACITY_PERIOD_NAMES=CAPACITY_PERIOD_NAMES)


@bp.get("/")
@login_required
def organisations():
    """Who does what, where: no personal data, so every signed-in user may read it (and print it)."""
    wanted = DirectoryFilter(
        text=(request.args.get("q") or "").strip()[:100] or None,
        sector=request.args.get("sector") if request.args.get("sector") in Sector.__members__.values() else None,
        region=request.args.get("region") if request.args.get("region") in REGION_NAMES else None,
        language=request.args.get("language") if request.args.get("language") in SERVICE_LANGUAGE_NAMES else None,
        target_group=request.args.get("target_group") if request.args.get("target_group") in TARGET_GROUPS else None,
    )
    entries = search_services(uow(), wanted)
    by_sector: dict[str, list] = {}
    for entry in entries:
        by_sector.setdefault(entry.sector, []).append(entry)
    editable = {slug for slug, _name in editing.editable_organisations(uow(), g.user.actor)}
    return render_template("directory/organisations.html", by_sector=by_sector, wanted=wanted, count=len(entries),
                           editable=editable, choices=_filter_choices(), names=names, **LABELS)


def names(table: dict, codes) -> str:
    """Codes in words, joined (the code itself where the table has none)."""
    return ", ".join(str(table.get(code, code)) for code in codes)


def _filter_choices() -> dict[str, list[tuple[str, str]]]:
    return {
        "sector": code_choices(SECTOR_NAMES),
        "region": sorted(((code, str(name)) for code, name in REGION_NAMES.items()), key=lambda pair: pair[1]),
        "language": code_choices(SERVICE_LANGUAGE_NAMES),
        "target_group": [(code, str(TARGET_GROUP_NAMES[code])) for code in TARGET_GROUPS],
    }


@bp.get("/services/new")
@login_required
def new_service():
    """An empty service form, for administrators who may add services."""
    return _edit_page(None, new_form_values(), {})


def _new_service_typed(posted):
    """The new service's form holding what was typed (its language switched before it was saved)."""
    return _edit_page(None, submitted_values(posted), {})


@bp.post("/services/new")
@login_required
@shows_typed_values(_new_service_typed)
def create_service():
    """Add a service to the directory (audited)."""
    return _save(str(uuid.uuid4()), None)


@bp.get("/services/<service_id>/edit")
@login_required
def edit_service(service_id: str):
    """A service's edit form (its organisation's administrators and the secretariat's)."""
    document = editing.service_for_editing(uow(), g.user.actor, service_id[:100])
    return _edit_page(service_id, form_values(document), {})


def _service_typed(posted, service_id: str):
    """A service's edit form holding what was typed (its language switched before it was saved)."""
    editing.service_for_editing(uow(), g.user.actor, service_id[:100])  # refused to those who may not edit it
    return _edit_page(service_id, submitted_values(posted), {})


@bp.post("/services/<service_id>/edit")
@login_required
@shows_typed_values(_service_typed)
def update_service(service_id: str):
    """Save a changed service (audited)."""
    return _save(service_id[:100], editing.service_for_editing(uow(), g.user.actor, service_id[:100]))


def _save(service_id: str, current: dict | None):
    organisations = editing.editable_organisations(uow(), g.user.actor)
    if not organisations:
        abort(403)
    try:
        editing.save_service(uow(), clock(), g.user.actor, service_id, document_from_form(request.form, current))
    except InvalidData as invalid:
        errors = field_messages(form_problems(invalid.errors))
        return _edit_page(None if current is None else service_id, submitted_values(request.form), errors), 422
    flash(_("The service was saved."), "info")
    return redirect(url_for("directory.organisations"))


def _edit_page(service_id: str | None, values: dict, errors: dict):
    organisations = editing.editable_organisations(uow(), g.user.actor)
    if not organisations:
        abort(403)
    inputs = form_inputs()
    return render_template("directory/service_edit.html", service_id=service_id, values=values, errors=errors,
                           inputs=inputs, labels={i.name: i.label for i in inputs}, organisations=organisations,
                           priorities=[p.value for p in Priority], code_choices=code_choices, **LABELS)


def code_choices(table: dict) -> list[tuple[str, str]]:
    """(code, words) pairs of a label table, for a list or checkboxes."""
    return [(code, str(name)) for code, name in table.items()]
