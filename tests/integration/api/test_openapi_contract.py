"""The OpenAPI document against the running API: schemathesis fuzzes every operation with a bearer token,
over real HTTP to a waitress server on a free localhost port; no 5xx, no answer that breaks the document.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from waitress.server import create_server

from tests.integration.services.conftest import ASSESSMENT, CONSENT, IDENTIFICATION

# Small and fixed, so that CI runs the same examples every time, within a minute or two.
MAX_EXAMPLES = 5
SEED = 20260302
# For the SOP author, the coverage phase (the document's boundary values one by one: most of a run) covers only the
# operations under /pathways, which that role alone may use (the caseworker gets a 403 before anything is parsed).
# Every other operation parses those values with the same code before any service asks who is asking, and the
# caseworker's coverage phase sends them all; the fuzzing phase still sends every operation as both roles.
COVERAGE_OF_THE_SOP_AUTHOR = """
[[operations]]
include-path-regex = "^/(?!pathways)"
phases.coverage.enabled = false
"""


@pytest.fixture
def live_url(app):
    """The application served by waitress in a thread, on a free port of localhost."""
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(timeout=10)


@pytest.fixture
def case_with_referrals(api):
    """Something for the fuzzer to find: a case with two referrals sent, seen by its caseworker."""
    opened = api.post("demo-caseworker", "/cases", json={"pathway_id": "cameroon-nrm"}).json
    for data in (IDENTIFICATION, ASSESSMENT):
        task = api.get("demo-caseworker", "/tasks").json["tasks"][0]
        assert api.post("demo-caseworker", f"/tasks/{task['id']}/complete", json={"data": data}).status_code == 200
    consent = {k: v for k, v in CONSENT.items() if k != "consent_given"}
    api.post("demo-caseworker", f"/cases/{opened['id']}/consents", json={"consent_given": True, "data": consent})
    return opened


def test_the_openapi_document_describes_every_api_route(api, app):
    document = api.get("demo-caseworker", "/openapi.json").json
    documented = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    routes = {
        (method, str(rule).removeprefix("/api/v1").replace("<", "{").replace(">", "}"))
        for rule in app.url_map.iter_rules() if str(rule).startswith("/api/v1/") and rule.endpoint != "api.openapi"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert documented == routes
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    complete = document["paths"]["/tasks/{task_id}/complete"]["post"]
    assert {"200", "401", "404", "409", "422"} <= set(complete["responses"])


@pytest.mark.slow
@pytest.mark.parametrize("username", ["demo-caseworker", "demo-sop-author"])
def test_schemathesis_finds_no_server_error_and_no_answer_outside_the_document(
    live_url, api, case_with_referrals, username, tmp_path
):
    config = tmp_path / "schemathesis.toml"
    config.write_text(COVERAGE_OF_THE_SOP_AUTHOR if username == "demo-sop-author" else "")
    command = [
        str(Path(sys.executable).parent / "schemathesis"), "--config-file", str(config), "run",
        f"{live_url}/api/v1/openapi.json",
        "--header", f"Authorization: Bearer {api.token(username)}",
        "--checks", "all",
        # The document lists the statuses each operation answers; 405 for other methods is Werkzeug's.
        # The forms of tasks come from the pathway, not from this document: data the document allows is
        # still refused (422, with each field's problem) when the task's own form says so.
        "--exclude-checks", "unsupported_method,positive_data_acceptance",
        "--max-examples", str(MAX_EXAMPLES),
        "--seed", str(SEED),
        "--generation-deterministic",
        "--phases", "examples,coverage,fuzzing",
        "--workers", "1",
        "--request-timeout", "30",
        "--no-color",
        "--report-dir", str(tmp_path),
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[:20000] + run.stderr[-2000:]


def test_marshmallow_fields_become_the_json_schema_they_accept():
    from marshmallow import Schema, fields, validate

    from webui.api.json_schema import SchemaRegistry

    class Inner(Schema):
        name = fields.String(required=True, validate=validate.Length(1, 10))

    class Outer(Schema):
        count = fields.Integer(validate=validate.Range(0, 5))
        state = fields.String(validate=validate.OneOf(["open", "closed"]), allow_none=True)
        inner = fields.Nested(Inner, allow_none=True)
        tags = fields.List(fields.String(), validate=validate.Length(max=3))
        when = fields.DateTime()

    registry = SchemaRegistry()
    assert registry.reference(Outer, response=False) == {"$ref": "#/components/schemas/Outer"}
    outer = registry.components["Outer"]
    assert outer["additionalProperties"] is False and "required" not in outer
    assert outer["properties"]["count"] == {"type": "integer", "minimum": 0, "maximum": 5}
    assert outer["properties"]["state"] == {"type": "string", "enum": ["open", "closed"], "nullable": True}
    assert outer["properties"]["inner"] == {"allOf": [{"$ref": "#/components/schemas/Inner"}], "nullable": True}
    assert outer["properties"]["tags"] == {"type": "array", "items": {"type": "string"}, "maxItems": 3}
    assert outer["properties"]["when"] == {"type": "string", "format": "date-time"}
    assert registry.components["Inner"]["required"] == ["name"]
    assert registry.object_of(Outer(), response=True)["required"] == ["count", "state", "inner", "tags", "when"]
