"""One error shape for the whole of /api/: unknown versions, paths and methods answer the API's JSON,
never a page; pages keep their HTML error pages."""

from __future__ import annotations

import pytest


def _is_api_error(response, status: int, code: str) -> bool:
    return (response.status_code == status and response.mimetype == "application/json"
            and response.json["error"]["code"] == code and response.json["error"]["message"]
            and "<html" not in response.get_data(as_text=True).lower())


@pytest.mark.parametrize("path", ["/api/v2/cases", "/api/v1/nope", "/api/v1/tasks/some-task/nope", "/api/", "/api"])
def test_an_unknown_api_path_is_a_json_404_with_or_without_a_token(api, path):
    headers = {"Authorization": f"Bearer {api.token('demo-caseworker')}"}
    assert _is_api_error(api.client.get(path, headers=headers), 404, "not_found")
    assert _is_api_error(api.client.post(path, json={}), 404, "not_found")


def test_a_wrong_method_on_an_api_route_is_a_json_405_that_names_the_allowed_ones(api):
    wrong = api.call("demo-caseworker", "DELETE", "/tasks")
    assert _is_api_error(wrong, 405, "method_not_allowed")
    assert "GET" in wrong.headers["Allow"]
    assert _is_api_error(api.call("demo-caseworker", "GET", "/tasks/some-task/complete"), 405, "method_not_allowed")
    assert _is_api_error(api.client.put("/api/v1/openapi.json"), 405, "method_not_allowed")


def test_a_bad_token_on_an_unknown_api_path_is_a_json_401(api):
    refused = api.client.get("/api/v2/cases", headers={"Authorization": "Bearer not-a-token"})
    assert _is_api_error(refused, 401, "unauthenticated")
    assert refused.headers["WWW-Authenticate"].lower().startswith("bearer")


def test_pages_keep_their_html_error_pages(api):
    for response in (api.client.get("/nope"), api.client.get("/apiary"), api.client.delete("/login")):
        assert response.status_code in (404, 405) and response.mimetype == "text/html"
        assert "<html" in response.get_data(as_text=True).lower()
