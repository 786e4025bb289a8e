"""Every route of the application, as every role, on objects of their own and of another organisation.

The expected answer of each (route, role, object) is declared in `access_table.TABLE`; the routes
come from the app's own URL map, so a route added without an entry fails the first test here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from access_table import TABLE, Entry, Outcome
from access_world import Role, World
from tests.integration.webui.web_forms import csrf_of

IGNORED_METHODS = {"HEAD", "OPTIONS"}
SIDES = ("own", "other")
PARAMETER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def _route_keys(app) -> dict[str, str]:
    """Every "METHOD rule" the app answers, with its endpoint."""
    return {
        f"{method} {rule.rule}": rule.endpoint
        for rule in app.url_map.iter_rules()
        for method in sorted(rule.methods - IGNORED_METHODS)
    }


def test_every_route_of_the_app_has_an_entry_in_the_access_table(world):
    routes = _route_keys(world.app)
    missing = sorted(set(routes) - set(TABLE))
    assert not missing, "routes with no expected access in access_table.TABLE:\n  " + "\n  ".join(
        f"{key}  ({routes[key]})" for key in missing)


def test_every_entry_of_the_access_table_names_a_route_that_exists(world):
    stale = sorted(set(TABLE) - set(_route_keys(world.app)))
    assert not stale, "access_table.TABLE names routes the app no longer has:\n  " + "\n  ".join(stale)


def test_every_entry_says_what_every_role_gets():
    incomplete = {key: sorted(r.value for r in set(Role) - set(entry.expect)) for key, entry in TABLE.items()
                  if set(entry.expect) != set(Role)}
    assert not incomplete, f"entries that leave roles out: {incomplete}"


def test_an_organisations_administrator_manages_its_accounts_and_the_secretariats_manages_all(world):
    own_admin = world.clients[Role.ADMIN].get("/admin/users").get_data(as_text=True)
    assert "matrix-iom-spare" in own_admin and "matrix-minas-spare" not in own_admin
    secretariat = world.app.test_client()
    signed_in = secretariat.post("/login", data={"username": "demo-admin", "password": world.password,
                                                 "csrf_token": csrf_of(secretariat)})
    assert signed_in.status_code == 302
    every_account = secretariat.get("/admin/users").get_data(as_text=True)
    assert "matrix-iom-spare" in every_account and "matrix-minas-spare" in every_account
    assert secretariat.get("/admin/organisations").status_code == 200
    assert secretariat.get("/admin/deliveries").status_code == 200


# ---- the matrix ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    key: str
    role: Role
    side: str
    expected: Outcome


def _expected(entry: Entry, role: Role, side: str) -> Outcome:
    value = entry.expect[role]
    if isinstance(value, tuple):
        return value[0] if side == "own" else value[1]
    return value


def _cells(world: World) -> list[Cell]:
    keys = [key for key in TABLE if key in _route_keys(world.app)]
    # Reads before writes, and within a route the refusals first: a refused request changes
    # nothing, so every cell meets the objects as the world built them as far as possible.
    keys.sort(key=lambda key: not key.startswith("GET "))
    cells = []
    for key in keys:
        # A route that names no object is the same request for both: it is sent once.
        sides = SIDES if PARAMETER.search(key) else SIDES[:1]
        route = [Cell(key, role, side, _expected(TABLE[key], role, side)) for role in Role for side in sides]
        route.sort(key=lambda cell: cell.expected in (Outcome.ALLOW, Outcome.ALLOW_OR_STATE))
        cells.extend(route)
    return cells


def _csrf(world: World, role: Role) -> str:
    client = world.clients[role]
    with client.session_transaction() as session:
        token = session.get("csrf")
    if token is None:
        client.get("/login" if role is Role.ANONYMOUS else "/account/tokens")
        with client.session_transaction() as session:
            token = session["csrf"]
    return token


def _send(world: World, cell: Cell):
    method, rule = cell.key.split(" ", 1)
    path = PARAMETER.sub(lambda m: quote(str(world.param(m.group(1), cell.role, cell.side)), safe=""), rule)
    entry = TABLE[cell.key]
    body = entry.body(cell.role, cell.side) if callable(entry.body) else dict(entry.body or {})
    client = world.clients[cell.role]
    if path.startswith("/api/"):
        headers = {"Authorization": f"Bearer {world.bearer[cell.role]}"} if cell.role in world.bearer else {}
        json = body if method != "GET" else None
        response = client.open(path, method=method, headers=headers, json=json)
    elif method == "GET":
        response = client.get(path)
    else:
        response = client.open(path, method=method, data={**body, "csrf_token": _csrf(world, cell.role)})
    if entry.ends_session:
        world.sign_in(cell.role)
    return response


def _matches(outcome: Outcome, response) -> bool:
    status = response.status_code
    to_sign_in = status in (301, 302, 303) and response.headers.get("Location", "").startswith("/login")
    if outcome is Outcome.ALLOW:
        return 200 <= status < 400 and not to_sign_in
    if outcome is Outcome.ALLOW_OR_STATE:
        return (200 <= status < 400 and not to_sign_in) or status in (409, 422)
    if outcome is Outcome.SIGN_IN:
        return to_sign_in
    return status == {Outcome.UNAUTHORISED: 401, Outcome.FORBIDDEN: 403, Outcome.HIDDEN: 404}[outcome]


def test_every_role_gets_the_expected_answer_on_every_route_for_own_and_other_objects(world):
    cells = _cells(world)
    wrong = []
    for cell in cells:
        response = _send(world, cell)
        response.close()  # a static file's response holds the file open until closed
        if not _matches(cell.expected, response):
            wrong.append(f"{cell.key:55} as {cell.role.value:20} on {cell.side:5} object: expected "
                         f"{cell.expected.value}, got {response.status_code} {response.headers.get('Location', '')}")
    with_objects = {cell.key for cell in cells if PARAMETER.search(cell.key)}
    without = {cell.key for cell in cells} - with_objects
    print(f"access matrix: {len(with_objects)} routes x {len(Role)} roles x {len(SIDES)} objects + "
          f"{len(without)} routes without objects x {len(Role)} roles = {len(cells)} requests")
    assert not wrong, f"{len(wrong)} of {len(cells)} answers differ from access_table.TABLE:\n" + "\n".join(wrong)
