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
- The names of the query string are those the views read, observed, not declared: each GET route is
  first asked without a query, and the names its view reads (by name, or declared by an API query
  schema) are the ones it is sent; the first value goes in every name some view reads, and a route whose
  view reads none by name gets the others in one name (the query string as a whole, echoed in a link,
  is read the same whatever its names). Forms get the fields the access table and the API declare and
  PAGE_FIELDS. A name a view reads beyond those sent joins them and gets the values it missed; a name the
  view read before but not this time (another name's refusal stopped it) gets the value alone: every
  value reaches every name a view reads.
- A query string or form whose names the route's view does not read at all (a PDF, running a
  version's scenarios) meets the same view code whatever its values: after the first value, which
  does reach the view, the others are not sent to that route. The checks every request passes
  before any view (control characters, CSRF, who is signed in) meet every value on the other routes.
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


def _every_value_in_every_name_read(fuzzer: Fuzzer, values: list, names, send, first_names=()) -> None:
    """`send({name: value for name in names})` for each value (the first also in `first_names`); the view's
    reading decides what else is sent.

    A name the view reads beyond those sent joins `names`, and is sent the values it missed. A name the
    view read before but not this time (an earlier name's refusal stopped it) is sent the value alone, so
    that each value reaches every name the view reads. When the view reads no name at all, only the first
    value that reaches it is sent."""
    names = set(names)
    seen: set[str] = set()  # the names the view was seen reading, each by its name
    received: dict[str, set[str]] = {}  # each value sent, with the names it was sent in
    todo: list[tuple[str, frozenset | None]] = [(value, None) for value in values]  # None: in every name
    if first_names:
        todo[0] = (values[0], frozenset(names | set(first_names)))
    while todo:
        value, into = todo.pop(0)
        into = frozenset(names) if into is None else into
        send({name: value for name in into})
        received.setdefault(value, set()).update(into)
        read = fuzzer.view_read
        if read is None:
            continue
        if not read and not seen:
            fuzzer.skipped += sum(1 for _value, other in todo if other is None)
            return
        by_name = read - {EVERY_NAME}
        new = by_name - names
        if new:
            names |= new
            todo += [(earlier, frozenset(new - had)) for earlier, had in received.items() if new - had]
        if len(into) > 1:
            todo[:0] = [(value, frozenset({name})) for name in sorted(seen & into - read)]
        seen |= by_name


def _query_schema_names(key: str) -> set[str]:
    """The names an API operation's query schema declares (its view reads them all at once)."""
    method, rule = key.split(" ", 1)
    return {field.data_key or name for op in OPERATIONS if op.method == method and "/api/v1" + op.rule == rule
            and op.query is not None for name, field in op.query().fields.items()}


def _query_names_read(world, fuzzer: Fuzzer, keys) -> dict[str, set[str]]:
    """For each GET route, the query names its view reads, each by its name, when the query string is empty."""
    found, seen = {}, set()
    for key in keys:
        rule = key.split(" ", 1)[1]
        role = _allowed_role(key)
        fuzzer.send(role, "GET", _path(world, rule, role))
        by_name = (fuzzer.view_read or set()) - {EVERY_NAME}
        seen |= by_name
        found[key] = by_name | _query_schema_names(key)
    # Pages read query names (filters, pages of a list): seeing none means the reading is no longer observed.
    assert seen, "no view was seen reading a query name: _ReadValues no longer observes the request"
    return found


def test_no_value_in_any_path_query_form_or_json_body_makes_a_server_error(world, module_database_url):
    values = DATABASE_VALUES if module_database_url.startswith("postgresql") else ALL_VALUES
    with _views_reading(world.app) as views:
        fuzzer = Fuzzer(world, views)
        query_names = _send_everything(world, fuzzer, values)
    print(f"hostile input: {fuzzer.sent} requests over {len(_route_keys(world.app))} routes and {len(query_names)} "
          f"query names: {sorted(query_names)} "
          f"({fuzzer.skipped} left out where the view reads none of the names)")
    assert not fuzzer.errors, f"{len(fuzzer.errors)} server errors:\n" + "\n".join(fuzzer.errors[:50])


def _send_everything(world, fuzzer: Fuzzer, values: dict) -> set[str]:
    """Everything to every route; returns the query names the views read."""
    routes = sorted(key for key in _route_keys(world.app)
                    if not TABLE[key].ends_session and not key.startswith("GET /static"))
    query_names = _query_names_read(world, fuzzer, [key for key in routes if key.startswith("GET ")])
    every_query_name = set().union(*query_names.values())  # every name some view reads
    for key in routes:
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
            # The first value goes in every name some view reads: a view that reads one only beside another
            # shows it. A view that reads none by name but the query as a whole (echoing it in a link) reads
            # the same whatever the name: one carries the other values.
            _every_value_in_every_name_read(
                fuzzer, [value for value in values["texts"] if "\x00" not in value],
                query_names[key] or {min(every_query_name)},
                lambda query: fuzzer.send(role, method, _path(world, rule, role) + "?" + urlencode(query)),
                first_names=every_query_name)
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
            _every_value_in_every_name_read(fuzzer, values["texts"], _body_fields(key) | set(PAGE_FIELDS),
                                            lambda form: fuzzer.send(role, method, path, form=form))
    return every_query_name
