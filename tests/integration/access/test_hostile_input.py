"""Hostile values in every path, query, form and JSON body of the application: never a server error.

The routes come from the app's own URL map (through the access table, which covers all of them),
the path parameters, form fields and JSON fields from what each route takes; each is sent with
every value of the lists below, as a role that may use the route, so that the values reach parsing.

What runs where (the same routes on both databases, every route on each):

- SQLite gets every value of the lists below.
- PostgreSQL gets the values whose difference can lie in the database (DATABASE_VALUES): ids beyond
  what a column holds, text that is no number where one is expected, impossible dates, NUL, quotes,
  texts longer than a column, non-ASCII text, and in JSON every type that is not a string. The values
  left out there (markup, template syntax, a path, terminal and bidi controls, digits of other
  scripts, a blank) are parsed, refused or stored as plain text in Python the same way whatever the
  database; each database-relevant property they have is carried by a value that PostgreSQL does get.
- A query string or form whose names the route's view does not read at all (a PDF, running a
  version's scenarios) meets the same view code whatever its values: after the first value, which
  does reach the view, the others are not sent to that route. The checks every request passes
  before any view (control characters, CSRF, who is signed in) meet every value on the other routes.
  Which names a view reads is observed, not declared: a view that starts reading one gets them all.
"""

from __future__ import annotations

from contextlib import contextmanager
from urllib.parse import quote, urlencode

from flask import Request
from flask import request as flask_request
from werkzeug.datastructures import ImmutableMultiDict

from access_table import TABLE, Outcome
from access_world import Role
from test_access_matrix import PARAMETER, _csrf, _route_keys

from webui.api.operations import OPERATIONS

# What a person, a script or an attacker may type where an id, a number, a date or a word is expected.
TEXTS = [
    "", " ", "0", "-1", "9" * 20, "1" * 40, "²", "١٢", "1e309", "NaN", "1.5", "2026-02-30", "9999-12-31",
    "\x00", "a\x00b", "\x1b[2J", "\u202e", "<script>alert(1)</script>", "' OR '1'='1", "{{7*7}}", "../../etc/passwd",
    "x" * 100_000, "é" * 300,
]
# What only JSON can carry, on top of the texts.
JSON_VALUES = TEXTS + ["\ud800", None, True, False, 0, -1, 2**64, -(2**63) - 1, 1.5, float("inf"), [], {}, [[["x"]]],
                       {"a": {"b": None}}, ["²"]]
# Path values: the texts a URL can hold.
PATH_VALUES = [value for value in TEXTS if value and len(value) < 1000]
QUERY_NAMES = ("status", "level", "limit", "offset", "page", "language", "next", "state")
# Names of fields pages take, beyond those the access table sends.
PAGE_FIELDS = ("note", "username", "display_name", "password", "current_password", "new_password",
               "new_password_again", "name", "organisation", "roles", "email", "slug", "kind", "language", "next",
               "status", "reason", "provider_id")
DEEP_JSON = "[" * 50_000 + "]" * 50_000
# Values the database never meets in a form of its own: each database-relevant property of these (text that is
# no number, non-ASCII text, a control character) is carried by a value PostgreSQL still gets (see the docstring).
PLAIN_TEXT_VALUES = {" ", "²", "١٢", "\x1b[2J", "\u202e", "<script>alert(1)</script>", "{{7*7}}", "../../etc/passwd"}


def _database_values(values: list) -> list:
    """The values PostgreSQL gets: all but the plain texts (compared by identity of strings, not truth)."""
    return [value for value in values if not (isinstance(value, str) and value in PLAIN_TEXT_VALUES)]


ALL_VALUES = {"texts": TEXTS, "json": JSON_VALUES, "path": PATH_VALUES}
DATABASE_VALUES = {kind: _database_values(values) for kind, values in ALL_VALUES.items()}
# A name of the query string or form that the view read by going through all of them.
EVERY_NAME = "*"


def _allowed_role(key: str) -> Role:
    """A role that gets through to the route's own objects (so that bad values reach its parsing)."""
    entry = TABLE[key]
    for role in (Role.COORDINATOR, Role.ADMIN, Role.CASEWORKER, Role.SUPERVISOR, Role.PROVIDER, Role.SOP_AUTHOR):
        expected = entry.expect[role]
        own = expected[0] if isinstance(expected, tuple) else expected
        if own in (Outcome.ALLOW, Outcome.ALLOW_OR_STATE):
            return role
    return Role.ANONYMOUS


def _body_fields(key: str) -> set[str]:
    method, rule = key.split(" ", 1)
    fields = set()
    body = TABLE[key].body
    if isinstance(body, dict):
        fields |= set(body)
    for op in OPERATIONS:
        if op.method == method and "/api/v1" + op.rule == rule and op.body is not None:
            fields |= set(op.body().fields)
    return fields


class _ReadValues(ImmutableMultiDict):
    """A request's query string or form, noting which names the running view reads (see `_views_reading`)."""

    reading: set[str] | None = None  # the names the running view has read; None outside a view

    @staticmethod
    def _saw(name: str) -> None:
        if _ReadValues.reading is not None:
            _ReadValues.reading.add(name)

    def __getitem__(self, key):
        self._saw(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self._saw(key)
        return super().__contains__(key)

    def getlist(self, key, type=None):
        self._saw(key)
        return super().getlist(key, type)


def _reads_everything(name):
    def method(self, *args, **kwargs):
        self._saw(EVERY_NAME)
        return getattr(ImmutableMultiDict, name)(self, *args, **kwargs)

    return method


for _name in ("__iter__", "__len__", "keys", "values", "items", "lists", "listvalues", "to_dict", "copy"):
    setattr(_ReadValues, _name, _reads_everything(_name))


class _ReadingRequest(Request):
    parameter_storage_class = _ReadValues

    # The whole query string, as a redirect to the sign-in page carries it on.
    @property
    def full_path(self) -> str:
        _ReadValues._saw(EVERY_NAME)
        return super().full_path

    @property
    def url(self) -> str:
        _ReadValues._saw(EVERY_NAME)
        return super().url


@contextmanager
def _views_reading(app):
    """While inside, `Fuzzer.view_read` is the set of query and form names the last request's view read
    (None when no view ran): the app parses with `_ReadValues`, and notes only while the view runs."""
    original_class, original_dispatch = app.request_class, app.dispatch_request
    state = {"read": None}

    def dispatch_request():
        # A request that matched no route runs no view: nothing to note.
        if flask_request.routing_exception is None:
            _ReadValues.reading = state["read"] = set()
        try:
            return original_dispatch()
        finally:
            _ReadValues.reading = None

    app.request_class, app.dispatch_request = _ReadingRequest, dispatch_request
    try:
        yield state
    finally:
        app.request_class = original_class
        del app.dispatch_request


class Fuzzer:
    def __init__(self, world, views: dict):
        self.world = world
        self.views = views
        self.sent = 0
        self.skipped = 0
        self.errors: list[str] = []

    @property
    def view_read(self) -> set[str] | None:
        return self.views["read"]

    def send(self, role: Role, method: str, path: str, *, form=None, json=None, raw=None):
        self.views["read"] = None
        client = self.world.clients[role]
        headers = {}
        if path.startswith("/api/") and role in self.world.bearer:
            headers["Authorization"] = f"Bearer {self.world.bearer[role]}"
        if raw is not None:
            response = client.open(path, method=method, headers=headers, data=raw, content_type="application/json")
        elif json is not None:
            response = client.open(path, method=method, headers=headers, json=json)
        elif form is not None:
            response = client.open(path, method=method, headers=headers,
                                   data={**form, "csrf_token": _csrf(self.world, role)})
        else:
            response = client.open(path, method=method, headers=headers)
        response.close()
        self.sent += 1
        if response.status_code >= 500:
            shown = repr(form if form is not None else json if json is not None else raw)[:120]
            self.errors.append(f"{response.status_code} {method} {path[:120]} as {role.value}: {shown}")
        return response


def _path(world, rule: str, role: Role, bad: tuple[str, str] | None = None) -> str:
    def fill(match):
        name = match.group(1)
        if bad is not None and name == bad[0]:
            return quote(bad[1], safe="")
        return quote(str(world.param(name, role, "own")), safe="")

    return PARAMETER.sub(fill, rule)


def _each_until_unread(fuzzer: Fuzzer, values: list, names, send) -> None:
    """`send(value)` for each value, but only the first that reaches the view when the view reads none of `names`."""
    for sent, value in enumerate(values, start=1):
        send(value)
        read = fuzzer.view_read
        if read is not None and not read & {*names, EVERY_NAME}:
            fuzzer.skipped += len(values) - sent
            return


def test_no_value_in_any_path_query_form_or_json_body_makes_a_server_error(world, module_database_url):
    values = DATABASE_VALUES if module_database_url.startswith("postgresql") else ALL_VALUES
    with _views_reading(world.app) as views:
        fuzzer = Fuzzer(world, views)
        _send_everything(world, fuzzer, values)
    print(f"hostile input: {fuzzer.sent} requests over {len(_route_keys(world.app))} routes "
          f"({fuzzer.skipped} left out where the view reads none of the names)")
    assert not fuzzer.errors, f"{len(fuzzer.errors)} server errors:\n" + "\n".join(fuzzer.errors[:50])


def _send_everything(world, fuzzer: Fuzzer, values: dict) -> None:
    routes = _route_keys(world.app)
    for key in sorted(routes):
        entry = TABLE[key]
        if entry.ends_session or key.startswith("GET /static"):
            continue
        method, rule = key.split(" ", 1)
        role = _allowed_role(key)
        api = rule.startswith("/api/")
        # Every path parameter, one at a time, with every value a URL can carry.
        for name in PARAMETER.findall(rule):
            for value in values["path"]:
                fuzzer.send(role, method, _path(world, rule, role, (name, value)),
                            json={} if api and method != "GET" else None, form={} if not api and method != "GET" else None)
        if method == "GET":
            # A URL cannot carry NUL in its query through the test client.
            _each_until_unread(fuzzer, [value for value in values["texts"] if "\x00" not in value], QUERY_NAMES,
                               lambda value: fuzzer.send(role, method, _path(world, rule, role) + "?"
                                                         + urlencode({n: value for n in QUERY_NAMES})))
            continue
        path = _path(world, rule, role)
        if api:
            fields = _body_fields(key) or {"data"}
            for value in values["json"]:
                fuzzer.send(role, method, path, json={name: value for name in fields})
                fuzzer.send(role, method, path, json={"data": {name: value for name in fields | {"provider_id"}}})
            for raw in (DEEP_JSON, "{" * 10 + "}", "not json", '{"a": 1', "1" * 5000, "null", "[]", '"\\u0000"'):
                fuzzer.send(role, method, path, raw=raw)
        else:
            fields = _body_fields(key) | set(PAGE_FIELDS)
            _each_until_unread(fuzzer, values["texts"], fields,
                               lambda value: fuzzer.send(role, method, path, form={name: value for name in fields}))
