"""The API's route table: each operation declares its schemas, so views stay thin and the OpenAPI
document is generated from the same declarations that parse and serialize the requests.

    @operation("GET", "/cases/<case_id>", tag="cases", response=CaseDetail, errors=(404,))
    def show_case(case_id: int): ...

The wrapper signs the caller in (401), parses path parameters, query and body with marshmallow
(404 for a malformed id, 422 for bad input), calls the view with what it parsed, and dumps the
view's result with the response schema.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import wraps

from flask import Blueprint, abort, g, request
from marshmallow import Schema, ValidationError, fields, validate

from engine.domain import Role
from engine.untrusted_values import BIG_ID_MAX, INTEGER_ID_MAX, parse_id
from webui.auth.session_user import login_required
from webui.untrusted_input import json_body

bp = Blueprint("api", __name__, url_prefix="/api/v1")

MAX_LIMIT = 100
MAX_OFFSET = 100_000

# Every path parameter of the API, by name: how it is parsed and documented.
# Ids bounded to their column: bigger numbers name nothing (and would overflow).
PATH_PARAMETERS: dict[str, fields.Field] = {
    name: fields.Integer(strict=True, validate=validate.Range(1, maximum))
    for name, maximum in (("case_id", INTEGER_ID_MAX), ("referral_id", INTEGER_ID_MAX),
                          ("escalation_id", INTEGER_ID_MAX), ("notification_id", BIG_ID_MAX))
}
PATH_PARAMETERS["task_id"] = fields.String(validate=validate.Length(1, 64))
PATH_PARAMETERS["service_id"] = fields.String(validate=validate.Length(1, 100))  # an HSDS service id


class Page(Schema):
    """Bounded pagination: `limit` rows from `offset`."""

    limit = fields.Integer(load_default=50, validate=validate.Range(1, MAX_LIMIT))
    offset = fields.Integer(load_default=0, validate=validate.Range(0, MAX_OFFSET))


@dataclass(frozen=True)
class Operation:
    """One route of the API as the OpenAPI document describes it."""

    method: str
    rule: str
    endpoint: str
    summary: str
    tag: str
    query: type[Schema] | None
    body: type[Schema] | None
    response: type[Schema] | None
    status: int
    errors: tuple[int, ...]
    uploads: bool = False  # multipart/form-data with files instead of a JSON body
    roles: tuple[Role, ...] = field(default=())


OPERATIONS: list[Operation] = []


def operation(
    method: str,
    rule: str,
    *,
    tag: str,
    query: type[Schema] | None = None,
    body: type[Schema] | None = None,
    response: type[Schema] | None = None,
    status: int = 200,
    errors: tuple[int, ...] = (),
    uploads: bool = False,
    roles: tuple[Role, ...] = (),
):
    """Register a view as an API operation (see the module docstring)."""

    def decorate(view):
        @wraps(view)
        def handler(**path):
            if roles and not any(g.user.has_role(role) for role in roles):
                abort(403, description="this operation is for " + " or ".join(role.value for role in roles))
            arguments = _path_arguments(path)
            if query is not None:
                arguments["query"] = query().load(request.args.to_dict())
            if body is not None:
                arguments["body"] = body().load(_json_object())
            result = view(**arguments)
            if response is None:
                return "", status
            return response().dump(result), status

        bp.add_url_rule(rule, view.__name__, login_required(handler), methods=[method])
        OPERATIONS.append(Operation(
            method=method, rule=rule, endpoint=f"{bp.name}.{view.__name__}",
            summary=(view.__doc__ or "").strip().splitlines()[0] if view.__doc__ else view.__name__,
            tag=tag, query=query, body=body, response=response, status=status,
            errors=tuple(sorted(set(errors) | ({422} if query or body or uploads else set()) | ({403} if roles else set()))),
            uploads=uploads, roles=roles,
        ))
        return view

    return decorate


def _path_arguments(path: dict[str, str]) -> dict:
    parsed = {}
    for name, value in path.items():
        field_ = PATH_PARAMETERS[name]
        try:
            parsed[name] = field_.deserialize(parse_id(value, BIG_ID_MAX) if isinstance(field_, fields.Integer) else value)
        except ValidationError:
            # A malformed id names nothing: the same answer as an id that does not exist.
            abort(404, description=f"{name} {value[:64]!r} does not exist")
    return parsed


def _json_object() -> dict:
    if not request.get_data(cache=True):
        return {}
    payload = json_body()
    if not isinstance(payload, dict):
        raise ValidationError({"_body": ["the request body must be a JSON object"]})
    return payload
