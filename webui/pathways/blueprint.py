"""Routes: the SOP author's area — pathways and their versions, drafts uploaded and checked, published."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from engine.domain import Role
from engine.errors import InvalidData, NotFound, PathwayInvalid
from engine.pathways.archive import ArchiveRefused, files_from_zip, zip_of
from engine.pathways.comparison import compare
from engine.pathways.folder import BPMN_SUFFIXES
from engine.pathways.overview import overview_of
from engine.pathways.rules.layout import layout_warnings
from engine.pathways.scenarios import scenario_files
from engine.pathways.sop import sop_document
from engine.services.pathways import drafts
from engine.services.pathways.labels import version_texts
from engine.services.pathways.migration import migrate_cases
from engine.services.pathways.publishing import get_version, list_pathways
from engine.services.pathways.scenario_runs import last_run, run_pathway_scenarios, run_version_scenarios, version_last_run
from engine.services.pathways.uploads import source_of_files
from webui.api.schemas import LONG_TEXT
from webui.auth.session_user import role_required
from webui.i18n import current_language
from webui.pathways.durations import duration_words
from webui.pdf import html_to_pdf, pdf_response
from webui.pathways.problem_texts import located_problems, property_name
from webui.request_scope import clock, uow
from webui.security_headers import MODELER_CONTENT_SECURITY_POLICY

bp = Blueprint("pathways", __name__, url_prefix="/pathways")
bp.add_app_template_filter(duration_words, "duration_words")
bp.add_app_template_filter(property_name, "property_name")


@bp.get("/")
@role_required(Role.SOP_AUTHOR)
def versions():
    """Every pathway with its published versions, and the drafts not yet published."""
    return _list_page()


@bp.get("/<pathway_id>/<int:version>")
@role_required(Role.SOP_AUTHOR)
def version(pathway_id: str, version: int):
    """One published version: its diagram, steps, forms, deadlines and scenarios."""
    published = _version_or_404(pathway_id, version)
    source = source_of_files(published.files)
    others = [v for v in list_pathways(uow()) if v.pathway_id == pathway_id]
    info = next(v for v in others if v.version == version)
    return render_template("pathways/version.html", version=info, overview=overview_of(source, current_language()),
                           scenarios=version_last_run(uow(), published.id), has_scenarios=bool(scenario_files(source)),
                           versions=others)


@bp.get("/<pathway_id>/compare")
@role_required(Role.SOP_AUTHOR)
def compare_versions(pathway_id: str):
    """Two versions side by side: elements added, removed and changed, marked on both diagrams."""
    listed = [v.version for v in list_pathways(uow()) if v.pathway_id == pathway_id]
    if not listed:
        abort(404)
    after = request.args.get("to", type=int) or max(listed)
    before = request.args.get("from", type=int) or max([v for v in listed if v < after], default=after)
    if before not in listed or after not in listed:
        abort(404)
    old, new = _version_or_404(pathway_id, before), _version_or_404(pathway_id, after)
    changes = compare(source_of_files(old.files), source_of_files(new.files))
    return render_template("pathways/compare.html", pathway_id=pathway_id, before=before, after=after,
                           versions=listed, changes=changes)


@bp.get("/<pathway_id>/<int:version>/sop")
@role_required(Role.SOP_AUTHOR)
def sop(pathway_id: str, version: int):
    """The SOP document of a version, as a page to print."""
    return _sop_html(pathway_id, version)


@bp.get("/<pathway_id>/<int:version>/sop.pdf")
@role_required(Role.SOP_AUTHOR)
def sop_pdf(pathway_id: str, version: int):
    """The SOP document of a version as a PDF (A4)."""
    html = _sop_html(pathway_id, version, printable=True)
    return pdf_response(html_to_pdf(html), f"sop-{pathway_id}-v{version}-{current_language()}.pdf")


@bp.get("/<pathway_id>/<int:version>/diagram")
@role_required(Role.SOP_AUTHOR)
def version_diagram(pathway_id: str, version: int):
    """The main BPMN file of a published version, for the diagram viewer, named in the reader's language."""
    published = _version_or_404(pathway_id, version)
    return _diagram(version_texts(published, current_language()).labels.diagram(published.files.get(published.main_file, b"")))


@bp.get("/<pathway_id>/<int:version>/download")
@role_required(Role.SOP_AUTHOR)
def version_download(pathway_id: str, version: int):
    """The version's folder as a zip, to open in Camunda Modeler."""
    published = _version_or_404(pathway_id, version)
    return _zip_download(published.files, pathway_id, f"{pathway_id}-v{version}.zip")


@bp.post("/<pathway_id>/<int:version>/scenarios")
@role_required(Role.SOP_AUTHOR)
def version_scenarios(pathway_id: str, version: int):
    """Run the version's scenarios; the page then shows their results."""
    try:
        run_version_scenarios(uow(), clock(), pathway_id, version, g.user.actor)
    except NotFound:
        abort(404)
    return redirect(url_for(".version", pathway_id=pathway_id, version=version, _anchor="scenarios"))


@bp.post("/<pathway_id>/<int:version>/draft")
@role_required(Role.SOP_AUTHOR)
def version_to_draft(pathway_id: str, version: int):
    """Start a draft from a published version, to change it."""
    published = _version_or_404(pathway_id, version)
    draft_id = drafts.save_draft(uow(), clock(), published.files, g.user.actor)
    return redirect(url_for(".draft", draft_id=draft_id))


@bp.get("/<pathway_id>/<int:version>/migrate")
@role_required(Role.SOP_AUTHOR)
def migration(pathway_id: str, version: int):
    """A dry run: each running case on an older version, whether it can move here and why not."""
    return _migration_page(pathway_id, version, dry_run=True)


@bp.post("/<pathway_id>/<int:version>/migrate")
@role_required(Role.SOP_AUTHOR)
def migrate(pathway_id: str, version: int):
    """Move every movable running case to this version, one case at a time."""
    return _migration_page(pathway_id, version, dry_run=False)


@bp.post("/drafts")
@role_required(Role.SOP_AUTHOR)
def upload():
    """Keep an uploaded pathway (a zipped folder or one .bpmn file) as a draft to check."""
    upload = request.files.get("pathway")
    if upload is None or not upload.filename:
        return _list_page(_("Choose a zipped pathway folder or a .bpmn file."), 422)
    name = upload.filename.replace("\\", "/").rsplit("/", 1)[-1]
    data = upload.read()
    try:
        if name.lower().endswith(".zip"):
            files = files_from_zip(data)
        elif name.lower().endswith(BPMN_SUFFIXES):
            files = {name: data}
        else:
            return _list_page(_("%(name)s is neither a .zip archive nor a .bpmn (or .bpmn2) file.", name=name), 422)
        draft_id = drafts.save_draft(uow(), clock(), files, g.user.actor)
    except ArchiveRefused as refused:
        return _list_page(_archive_message(refused), 422)
    except InvalidData as invalid:
        return _list_page(_("A file name in the archive is not a plain path inside the folder: %(detail)s",
                            detail=str(invalid)), 422)
    return redirect(url_for(".draft", draft_id=draft_id))


@bp.get("/drafts/<int:draft_id>")
@role_required(Role.SOP_AUTHOR)
def draft(draft_id: int):
    """A draft checked: its problems listed and marked on the diagram, its scenarios, publishing."""
    return _draft_page(draft_id)


@bp.get("/drafts/<int:draft_id>/diagram")
@role_required(Role.SOP_AUTHOR)
def draft_diagram(draft_id: int):
    """The main BPMN file of a draft, for the diagram viewer."""
    found = _draft_or_404(draft_id)
    source = source_of_files(found.files)
    return _diagram(source.files.get(source.main, b""))


@bp.get("/drafts/<int:draft_id>/download")
@role_required(Role.SOP_AUTHOR)
def draft_download(draft_id: int):
    """The draft's folder as a zip, to continue in Camunda Modeler."""
    found = _draft_or_404(draft_id)
    return _zip_download(found.files, found.pathway_id, f"{found.pathway_id}-draft-{draft_id}.zip")


@bp.get("/drafts/<int:draft_id>/edit")
@role_required(Role.SOP_AUTHOR)
def edit(draft_id: int):
    """The draft's diagram in the browser modeler, with the Camunda properties panel."""
    found = _draft_or_404(draft_id)
    response = make_response(render_template("pathways/edit.html", draft=found, select=request.args.get("element", "")))
    response.headers["Content-Security-Policy"] = MODELER_CONTENT_SECURITY_POLICY
    return response


@bp.post("/drafts/<int:draft_id>/edit")
@role_required(Role.SOP_AUTHOR)
def save_edit(draft_id: int):
    """Keep the diagram edited in the browser in the draft, then show the draft checked again."""
    _draft_or_404(draft_id)
    diagram = (request.form.get("bpmn") or "").encode("utf-8")
    if not diagram.strip():
        flash(_("The modeler sent no diagram; nothing was changed."), "error")
        return redirect(url_for(".edit", draft_id=draft_id))
    checked = drafts.save_diagram(uow(), clock(), draft_id, diagram, g.user.actor)
    flash(ngettext("Saved. %(num)s problem is left.", "Saved. %(num)s problems are left.", len(checked.problems))
          if checked.problems else _("Saved. No problem found."), "info")
    return redirect(url_for(".draft", draft_id=draft_id))


@bp.post("/drafts/<int:draft_id>/scenarios")
@role_required(Role.SOP_AUTHOR)
def draft_scenarios(draft_id: int):
    """Run the draft's scenarios; the draft page then shows their results."""
    found = _draft_or_404(draft_id)
    run_pathway_scenarios(source_of_files(found.files), clock())
    return redirect(url_for(".draft", draft_id=draft_id, _anchor="scenarios"))


@bp.post("/drafts/<int:draft_id>/publish")
@role_required(Role.SOP_AUTHOR)
def publish(draft_id: int):
    """Publish the draft as its pathway's next version, with the author's notes."""
    _draft_or_404(draft_id)
    notes = (request.form.get("notes") or "").strip()
    if len(notes) > LONG_TEXT:
        return _draft_page(draft_id, notes_error=_("At most %(count)s characters.", count=LONG_TEXT), status=422)
    try:
        result = drafts.publish_draft(uow(), clock(), draft_id, g.user.actor, notes or None)
    except PathwayInvalid:
        return _draft_page(draft_id, notes_error=_("Fix the problems listed before publishing."), status=422)
    if result.created:
        flash(_("Published %(pathway)s version %(version)s.", pathway=result.pathway_id, version=result.version), "success")
    else:
        flash(_("Nothing to publish: these files are version %(version)s already.", version=result.version), "info")
    return redirect(url_for(".version", pathway_id=result.pathway_id, version=result.version))


@bp.post("/drafts/<int:draft_id>/discard")
@role_required(Role.SOP_AUTHOR)
def discard(draft_id: int):
    """Delete a draft."""
    _draft_or_404(draft_id)
    drafts.discard_draft(uow(), draft_id, g.user.actor)
    flash(_("The draft was deleted."), "info")
    return redirect(url_for(".versions"))


def _list_page(upload_error: str | None = None, status: int = 200):
    pathways: dict[str, list] = {}
    for info in list_pathways(uow()):
        pathways.setdefault(info.pathway_id, []).append(info)
    for listed in pathways.values():
        listed.reverse()  # newest first
    return render_template("pathways/versions.html", pathways=pathways,
                           drafts=drafts.list_drafts(uow(), g.user.actor), upload_error=upload_error), status


def _draft_page(draft_id: int, notes_error: str | None = None, status: int = 200):
    found = _draft_or_404(draft_id)
    checked = drafts.check_draft(uow(), found)
    problems = located_problems(checked.problems)
    cautions = located_problems(checked.cautions)
    # Layout warnings are asked for: files drawn in other tools would drown in them.
    warnings = located_problems(layout_warnings(checked.source)) if request.args.get("layout") else None
    marks = {p.element_id: "warning" for p in warnings or () if p.element_id}
    marks.update({p.element_id: "warning" for p in cautions if p.element_id})
    marks.update({p.element_id: "problem" for p in problems if p.element_id})
    return render_template("pathways/draft.html", draft=found, source=checked.source, problems=problems,
                           cautions=cautions, warnings=warnings, marks=marks,
                           overview=overview_of(checked.source, current_language()),
                           scenarios=last_run(checked.source.content_hash), has_scenarios=bool(scenario_files(checked.source)),
                           notes_error=notes_error,
                           notes=request.form.get("notes", "")), status


def _sop_html(pathway_id: str, version: int, printable: bool = False) -> str:
    published = _version_or_404(pathway_id, version)
    document = sop_document(source_of_files(published.files), current_language(), _("Done by the system"))
    return render_template("pathways/sop.html", document=document, version=published, printable=printable)


def _migration_page(pathway_id: str, version: int, dry_run: bool):
    _version_or_404(pathway_id, version)
    report = migrate_cases(uow(), clock(), g.user.actor, pathway_id, version, dry_run=dry_run)
    return render_template("pathways/migrate.html", report=report, pathway_id=pathway_id)


def _version_or_404(pathway_id: str, version: int):
    try:
        return get_version(uow(), pathway_id, version)
    except NotFound:
        abort(404)


def _draft_or_404(draft_id: int):
    try:
        return drafts.get_draft(uow(), draft_id, g.user.actor)
    except NotFound:
        abort(404)


def _diagram(content: bytes) -> Response:
    # Plain text, never rendered by the browser as a document: the file came from an upload.
    return Response(content, mimetype="text/plain", headers={"Cache-Control": "no-store"})


def _zip_download(files: dict[str, bytes], folder: str, filename: str) -> Response:
    return Response(zip_of(files, folder), mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


def _archive_message(refused: ArchiveRefused) -> str:
    params = refused.params
    messages = {
        "zip.unreadable": _("The file is not a readable zip archive."),
        "zip.too_many_files": _("The archive holds too many files: a pathway has at most %(limit)s.", limit=params.get("limit")),
        "zip.empty": _("The archive holds no file."),
        "zip.encrypted": _("%(name)s is encrypted; send the archive without a password.", name=params.get("name")),
        "zip.duplicate": _("%(name)s is in the archive twice.", name=params.get("name")),
        "zip.too_large": _("The archive unpacks to more than %(limit)s bytes.", limit=params.get("limit")),
        "zip.file_too_large": _("%(name)s unpacks to more than %(limit)s bytes.", name=params.get("name"), limit=params.get("limit")),
        "zip.bad_name": _("%(name)s is not a plain path inside the pathway folder.", name=params.get("name")),
    }
    return messages.get(refused.code, str(refused))
