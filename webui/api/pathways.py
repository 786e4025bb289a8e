"""API routes for SOP authors: published pathway versions, validating and publishing uploaded pathway files."""

from __future__ import annotations

from flask import g, request
from marshmallow import Schema, ValidationError, fields

from engine.domain import Role
from engine.services.pathways import uploads as pathway_uploads
from engine.services.pathways import publishing as pathways
from webui.api.operations import operation
from webui.api.schemas import LONG_TEXT
from webui.request_scope import clock, uow

AUTHORS = (Role.SOP_AUTHOR,)


class PathwayVersion(Schema):
    """A published, immutable version of a pathway."""

    pathway_id = fields.String()
    version = fields.Integer()
    content_hash = fields.String()
    title = fields.Dict(keys=fields.String(), values=fields.String(), metadata={"description": "by language"})
    languages = fields.List(fields.String())
    main_file = fields.String()
    published_at = fields.DateTime()
    published_by = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)
    file_count = fields.Integer()


class PathwayList(Schema):
    """Every published version, by pathway then version."""

    pathways = fields.List(fields.Nested(PathwayVersion))


class ValidationProblem(Schema):
    """One thing the SOP author must fix, located as precisely as the file allows."""

    file = fields.String()
    line = fields.Integer(allow_none=True)
    element_id = fields.String(allow_none=True)
    element_name = fields.String(allow_none=True)
    message = fields.String()
    rule = fields.String()


class ValidationReport(Schema):
    """Whether the uploaded pathway can be published, and every problem otherwise."""

    valid = fields.Boolean()
    problems = fields.List(fields.Nested(ValidationProblem))


class Published(Schema):
    """The version the upload was published as (`created` is false when the same files were already published)."""

    pathway_id = fields.String()
    version = fields.Integer()
    content_hash = fields.String()
    created = fields.Boolean()


def _uploaded() -> dict[str, bytes]:
    # Each part's file name is its path inside the pathway folder (pathway.yaml, i18n/en.yaml...).
    files = {upload.filename or "": upload.read() for upload in request.files.getlist("files")}
    if not files:
        raise ValidationError({"files": ["send the pathway's files as multipart/form-data parts named 'files'"]})
    return files


def _notes() -> str | None:
    notes = request.form.get("notes")
    if notes is not None and len(notes) > LONG_TEXT:
        raise ValidationError({"notes": [f"at most {LONG_TEXT} characters"]})
    return notes or None


@operation("GET", "/pathways", tag="pathways", response=PathwayList, roles=AUTHORS)
def list_pathways():
    """Every published pathway version."""
    return {"pathways": pathways.list_pathways(uow())}


@operation("POST", "/pathways/validate", tag="pathways", response=ValidationReport, uploads=True, roles=AUTHORS)
def validate_pathway():
    """Validate uploaded pathway files without publishing them."""
    problems = pathway_uploads.validate_uploaded_pathway(_uploaded(), g.user.actor)
    return {"valid": not problems, "problems": problems}


@operation("POST", "/pathways/publish", tag="pathways", response=Published, status=201, uploads=True,
           roles=AUTHORS, errors=(409,))
def publish_pathway():
    """Publish uploaded pathway files as the pathway's next version (422 listing every problem)."""
    return pathway_uploads.publish_uploaded_pathway(uow(), clock(), _uploaded(), g.user.actor, _notes())
