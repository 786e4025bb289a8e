"""The OpenAPI 3 document of the API, generated from the route table and its marshmallow schemas."""

from __future__ import annotations

import re

from marshmallow import Schema, fields

from webui.api.errors import ERROR_CODES
from webui.api.json_schema import SchemaRegistry
from webui.api.operations import OPERATIONS, PATH_PARAMETERS, Operation

OPENAPI_VERSION = "3.0.3"
API_VERSION = "1.0.0"
_PARAMETER = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


class FieldProblem(Schema):
    """One problem with one field, as a stable code and its parameters."""

    code = fields.String(metadata={"description": "e.g. required, not_a_choice, too_long, unknown_field, no_such_user; "
                                                  "invalid for a malformed request body"})
    params = fields.Dict(metadata={"description": "what the code needs to be worded, e.g. {\"limit\": 120}"})


class ErrorDetail(Schema):
    """What went wrong: a stable code, a message for people, and per-field problems."""

    code = fields.String(metadata={"description": "one of: " + ", ".join(sorted(set(ERROR_CODES.values()) | {"consent_required"}))})
    message = fields.String()
    # `fields` is a Schema attribute in marshmallow: the key is renamed on the wire only.
    field_errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), data_key="fields",
                               metadata={"description": "per field, what to correct"})
    problems = fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(FieldProblem)),
                           metadata={"description": "the same problems per field, as codes with their parameters"})


class Error(Schema):
    """The body of every error answer."""

    error = fields.Nested(ErrorDetail)


def openapi_document(server_url: str = "/api/v1") -> dict:
    """The whole document: every operation, its parameters, bodies and responses, and bearer security."""
    registry = SchemaRegistry()
    error_ref = registry.reference(Error, response=True)
    # `fields` is optional in an error: only field problems carry it.
    registry.components["ErrorDetail"]["required"] = ["code", "message"]
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        path = _PARAMETER.sub(r"{\1}", op.rule)
        paths.setdefault(path, {})[op.method.lower()] = _operation(op, registry, error_ref)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Aiguillage API",
            "version": API_VERSION,
            "description": "Cases, tasks, referrals, escalations, consents, pathways and notifications of the "
                           "referral mechanism. Authenticate with a personal API token: `Authorization: Bearer <token>`.",
        },
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(registry.components.items())),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "a personal API token created on the account page"}},
        },
    }


def _operation(op: Operation, registry: SchemaRegistry, error_ref: dict) -> dict:
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": registry.field(PATH_PARAMETERS[name], response=False)}
        for name in _PARAMETER.findall(op.rule)
    ]
    if op.query is not None:
        for name, field in op.query().fields.items():
            parameters.append({"name": field.data_key or name, "in": "query", "required": field.required,
                               "schema": registry.field(field, response=False)})
    responses = {str(op.status): _success(op, registry)}
    for status in sorted({401, *op.errors, *([404] if parameters and any(p["in"] == "path" for p in parameters) else [])}):
        responses[str(status)] = {"description": ERROR_CODES.get(status, "error"),
                                  "content": {"application/json": {"schema": error_ref}}}
    result = {
        "operationId": op.endpoint.removeprefix("api."),
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": parameters,
        "responses": responses,
    }
    if op.roles:
        result["description"] = "For " + " or ".join(role.value for role in op.roles) + "."
    if op.body is not None:
        # A body whose fields are all optional may be left out altogether (the view then sees {}).
        needed = any(field.required for field in op.body().fields.values())
        result["requestBody"] = {"required": needed,
                                 "content": {"application/json": {"schema": registry.reference(op.body, response=False)}}}
    elif op.uploads:
        result["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object",
            "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                           "notes": {"type": "string", "maxLength": 2000}},
            "required": ["files"],
        }}}}
    return result


def _success(op: Operation, registry: SchemaRegistry) -> dict:
    if op.response is None:
        return {"description": "done"}
    return {"description": "success", "content": {"application/json": {"schema": registry.reference(op.response, response=True)}}}
