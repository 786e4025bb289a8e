"""Marshmallow schemas as JSON Schema (the OpenAPI 3.0 dialect), for the API's document.

Only what our schemas use is translated; an unknown field type fails loudly so the document
never silently describes less than the API accepts.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

SIMPLE_TYPES: tuple[tuple[type[fields.Field], dict], ...] = (
    # Order matters: subclasses before their parents.
    (fields.AwareDateTime, {"type": "string", "format": "date-time"}),
    (fields.DateTime, {"type": "string", "format": "date-time"}),
    (fields.Date, {"type": "string", "format": "date"}),
    (fields.Boolean, {"type": "boolean"}),
    (fields.Integer, {"type": "integer"}),
    (fields.Float, {"type": "number"}),
    (fields.String, {"type": "string"}),
    (fields.Raw, {}),
)


class SchemaRegistry:
    """Collects named component schemas while operations refer to them."""

    def __init__(self) -> None:
        self.components: dict[str, dict] = {}

    def reference(self, schema: type[Schema] | Schema, response: bool) -> dict:
        """A `$ref` to the component for `schema` (built on first use)."""
        cls = schema if isinstance(schema, type) else type(schema)
        name = cls.__name__
        if name not in self.components:
            self.components[name] = {}  # reserve the name first: schemas may nest themselves
            self.components[name] = self.object_of(cls(), response)
        return {"$ref": f"#/components/schemas/{name}"}

    def object_of(self, schema: Schema, response: bool) -> dict:
        """The JSON Schema object for a marshmallow schema instance."""
        properties = {}
        required = []
        for name, field in schema.fields.items():
            if (response and field.load_only) or (not response and field.dump_only):
                continue
            key = field.data_key or name
            properties[key] = self.field(field, response)
            # Responses always carry every field; requests need only the required ones.
            if response or field.required:
                required.append(key)
        result: dict = {"type": "object", "properties": properties}
        if required:
            result["required"] = required
        if not response:
            result["additionalProperties"] = False  # our schemas refuse unknown fields
        if schema.__doc__:
            result["description"] = schema.__doc__.strip().splitlines()[0]
        return result

    def field(self, field: fields.Field, response: bool) -> dict:
        """The JSON Schema of one marshmallow field."""
        if isinstance(field, fields.Nested):
            target = self.reference(field.schema, response)
            result = {"type": "array", "items": target} if field.many else target
        elif isinstance(field, fields.List):
            result = {"type": "array", "items": self.field(field.inner, response)}
        elif isinstance(field, fields.Dict):
            values = field.value_field
            result = {"type": "object", "additionalProperties": self.field(values, response) if values else {}}
        else:
            result = _simple(field)
        result = {**result, **_constraints(field)}
        if field.metadata.get("description"):
            result = {**result, "description": field.metadata["description"]}
        if field.allow_none:
            # OpenAPI 3.0 cannot mark a bare $ref nullable: wrap it.
            result = {"allOf": [result], "nullable": True} if "$ref" in result else {**result, "nullable": True}
        return result


def _simple(field: fields.Field) -> dict:
    if getattr(field, "json_schema", None):
        return dict(field.json_schema)
    for kind, schema in SIMPLE_TYPES:
        if isinstance(field, kind):
            return dict(schema)
    raise TypeError(f"no JSON Schema for marshmallow field {type(field).__name__}")


def _constraints(field: fields.Field) -> dict:
    result: dict = {}
    for rule in field.validators:
        if isinstance(rule, validate.OneOf):
            result["enum"] = list(rule.choices)
        elif isinstance(rule, validate.Range):
            if rule.min is not None:
                result["minimum"] = rule.min
            if rule.max is not None:
                result["maximum"] = rule.max
        elif isinstance(rule, validate.Length):
            is_array = isinstance(field, fields.List)
            if rule.min is not None:
                result["minItems" if is_array else "minLength"] = rule.min
            if rule.max is not None:
                result["maxItems" if is_array else "maxLength"] = rule.max
    return result
