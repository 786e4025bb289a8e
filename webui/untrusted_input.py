"""Hostile input stops at the door: ids in paths bounded to their columns, JSON bodies bounded in depth,
and text holding control characters refused wherever it comes in (form, query, JSON).

The pathway's form check judges the values of a task's form field by field (it refuses control
characters with the same code); views that hand their values to it say so with
`@judged_by_pathway_form`, and are skipped here so that every way in gives the same answer.
"""

from __future__ import annotations

import json
import re

from flask import Flask, abort, current_app, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter

from engine.errors import InvalidData
from engine.untrusted_values import BIG_ID_MAX, INTEGER_ID_MAX, has_control_characters, texts_with_control_characters
from webui.api_paths import is_api_request

# Deepest nesting of a JSON body: forms are flat, a task's data one level deeper; far beyond that is an attack.
MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_NESTING = re.compile(r"[\[\]{}]")


class JsonTooDeep(ValueError):
    """A JSON document nested deeper than MAX_JSON_DEPTH."""


def json_depth(text: str) -> int:
    """How deep arrays and objects nest in the JSON `text` (brackets inside strings do not count)."""
    deepest = depth = 0
    for bracket in _JSON_NESTING.findall(_JSON_STRING.sub('""', text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, refusing documents nested deeper than MAX_JSON_DEPTH before parsing them."""

    def loads(self, s, **kwargs):
        text = s.decode("utf-8", "replace") if isinstance(s, (bytes, bytearray)) else s
        # Counting brackets is cheap; the scan runs only when there are enough of them to matter.
        if text.count("[") + text.count("{") > MAX_JSON_DEPTH and json_depth(text) > MAX_JSON_DEPTH:
            raise JsonTooDeep(f"the JSON is nested more than {MAX_JSON_DEPTH} levels deep")
        return json.loads(s, **kwargs)


def digits_up_to(maximum: int) -> str:
    """A regular expression matching the decimal numbers from 1 to `maximum`, without leading zeros."""
    limit = str(maximum)
    shorter = [f"[1-9][0-9]{{0,{len(limit) - 2}}}"] if len(limit) > 1 else []
    same_length = []
    for position, digit in enumerate(limit):
        lowest = 1 if position == 0 else 0
        if int(digit) > lowest:
            rest = len(limit) - position - 1
            same_length.append(f"{limit[:position]}[{lowest}-{int(digit) - 1}]" + (f"[0-9]{{{rest}}}" if rest else ""))
    return "(?:" + "|".join([*shorter, *same_length, limit]) + ")"


class IdConverter(IntegerConverter):
    """`<int:...>` in a route: an id from 1 to what an INTEGER column holds; anything else is a 404.

    The bound is in the pattern itself: a number out of range then matches no route at all (a check
    after matching would answer 405 where another method of the same path exists).
    """

    def __init__(self, map, fixed_digits=0, min=1, max=INTEGER_ID_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
        self.regex = digits_up_to(max)


class BigIdConverter(IdConverter):
    """`<bigid:...>` in a route: an id of a BIGINT column (notifications, deliveries)."""

    def __init__(self, map, fixed_digits=0, min=1, max=BIG_ID_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def judged_by_pathway_form(view):
    """Mark a view whose values the pathway's form check judges field by field (see the module docstring)."""
    view.judged_by_pathway_form = True
    return view


def json_body():
    """The request's JSON body (None when empty or not JSON); a 400 when it is nested too deep."""
    data = request.get_data(cache=True)
    if not data:
        return None
    try:
        return current_app.json.loads(data)
    except JsonTooDeep as deep:
        abort(400, description=str(deep))
    except ValueError:
        return None


def _refuse_control_characters() -> None:
    view = current_app.view_functions.get(request.endpoint)
    if view is None:
        return
    # A path naming something with a control character in it names nothing.
    if any(isinstance(value, str) and has_control_characters(value) for value in (request.view_args or {}).values()):
        abort(404)
    if getattr(view, "judged_by_pathway_form", False):
        return
    found: dict[str, list] = {}
    for values in (request.args, request.form):
        for name, texts in values.lists():
            found.update(texts_with_control_characters(texts, name))
    if request.is_json or is_api_request():
        found.update(texts_with_control_characters(json_body()))
    if found:
        raise InvalidData(f"{', '.join(found)}: remove the control characters", found)


def init_untrusted_input(app: Flask) -> None:
    """Register the bounded id converters and JSON parser (before any route), and the control-character check."""
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["bigid"] = BigIdConverter
    app.json = BoundedJSONProvider(app)
    app.before_request(_refuse_control_characters)
