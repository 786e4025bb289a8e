"""Hostile values in every path, query, form and JSON body of the application: never a server error.

The routes come from the app's own URL map (through the access table, which covers all of them),
the path parameters, form fields and JSON fields from what each route takes; each is sent with
every value of the lists below, as a role that may use the route, so that the values reach parsing.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

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


class Fuzzer:
    def __init__(self, world):
        self.world = world
        self.sent = 0
        self.errors: list[str] = []

    def send(self, role: Role, method: str, path: str, *, form=None, json=None, raw=None):
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


def test_no_value_in_any_path_query_form_or_json_body_makes_a_server_error(world):
    fuzzer = Fuzzer(world)
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
            for value in PATH_VALUES:
                fuzzer.send(role, method, _path(world, rule, role, (name, value)),
                            json={} if api and method != "GET" else None, form={} if not api and method != "GET" else None)
        if method == "GET":
            for value in TEXTS:
                if "\x00" in value:
                    continue  # a URL cannot carry NUL in its query through the test client
                fuzzer.send(role, method, _path(world, rule, role) + "?" + urlencode({n: value for n in QUERY_NAMES}))
            continue
        path = _path(world, rule, role)
        if api:
            fields = _body_fields(key) or {"data"}
            for value in JSON_VALUES:
                fuzzer.send(role, method, path, json={name: value for name in fields})
                fuzzer.send(role, method, path, json={"data": {name: value for name in fields | {"provider_id"}}})
            for raw in (DEEP_JSON, "{" * 10 + "}", "not json", '{"a": 1', "1" * 5000, "null", "[]", '"\\u0000"'):
                fuzzer.send(role, method, path, raw=raw)
        else:
            for value in TEXTS:
                fuzzer.send(role, method, path, form={name: value for name in _body_fields(key) | set(PAGE_FIELDS)})
    print(f"hostile input: {fuzzer.sent} requests over {len(routes)} routes")
    assert not fuzzer.errors, f"{len(fuzzer.errors)} server errors:\n" + "\n".join(fuzzer.errors[:50])
