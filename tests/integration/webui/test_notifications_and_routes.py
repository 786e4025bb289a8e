"""In-app notifications as pages and API, and no route left open to visitors by mistake."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engine.store.models import InAppNotification, OutboxRow, User
from web_forms import csrf_of, sign_in

# Routes a visitor may reach without signing in, and why.
PUBLIC_ENDPOINTS = {
    "static",  # the stylesheet
    "healthz",  # liveness probe for the process supervisor
    "favicon",  # "no content": browsers ask for it before anyone signs in
    "auth.login",  # the sign-in form
    "auth.login_submit",
    "auth.logout",  # harmless when nobody is signed in
    "auth.switch_language",  # choosing the language of the sign-in page
}


@pytest.fixture
def notified(container, people, clock):
    """Two notifications for the caseworker (one already read), one for the other admin."""
    with container.uow() as uow:
        users = {u.username: u.id for u in uow.session.scalars(select(User))}
        event = OutboxRow(event_type="referral_overdue", payload={}, created_at=clock.now())
        uow.session.add(event)
        uow.flush()
        uow.session.add_all([
            InAppNotification(user_id=users["awa_caseworker"], outbox_id=event.id, subject="Référence en retard",
                              body="MNR-2026-000001", link="/cases/1", created_at=clock.now()),
            InAppNotification(user_id=users["chantal_admin"], outbox_id=event.id, subject="Pour Chantal",
                              created_at=clock.now()),
        ])
        uow.commit()
        return {n.subject: n.id for n in uow.session.scalars(select(InAppNotification))}


def test_notification_is_listed_counted_and_marked_read(client, notified):
    sign_in(client, "awa_caseworker")
    assert "1 notification non lue" in client.get("/").get_data(as_text=True)
    page = client.get("/notifications").get_data(as_text=True)
    assert "Référence en retard" in page and "Pour Chantal" not in page
    client.post(f"/notifications/{notified['Référence en retard']}/read", data={"csrf_token": csrf_of(client, "/")})
    assert "0 notification non lue" in client.get("/").get_data(as_text=True)


def test_user_cannot_mark_someone_elses_notification(client, notified):
    sign_in(client, "awa_caseworker")
    response = client.post(f"/notifications/{notified['Pour Chantal']}/read", data={"csrf_token": csrf_of(client, "/")})
    assert response.status_code == 404


def test_mark_all_read(client, notified):
    sign_in(client, "awa_caseworker")
    client.post("/notifications/read", data={"csrf_token": csrf_of(client, "/")})
    assert "0 notification non lue" in client.get("/").get_data(as_text=True)


def test_api_lists_and_marks_notifications_with_a_token(client, app, notified):
    sign_in(client, "awa_caseworker")
    created = client.post("/account/tokens", data={"name": "n", "csrf_token": csrf_of(client, "/")})
    token = re.search(r'<code id="new-token">([^<]+)</code>', created.get_data(as_text=True)).group(1)
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    listed = api.get("/api/v1/notifications", headers=headers).json["notifications"]
    assert [n["subject"] for n in listed] == ["Référence en retard"] and listed[0]["read_at"] is None
    notification_id = listed[0]["id"]
    assert api.post(f"/api/v1/notifications/{notification_id}/read", headers=headers).status_code == 200
    assert api.get("/api/v1/notifications", headers=headers).json["notifications"][0]["read_at"] is not None
    assert api.post(f"/api/v1/notifications/{notified['Pour Chantal']}/read", headers=headers).status_code == 404


def test_api_write_with_the_browser_session_needs_the_csrf_header(client, notified):
    sign_in(client, "awa_caseworker")
    notification_id = notified["Référence en retard"]
    assert client.post(f"/api/v1/notifications/{notification_id}/read").status_code == 400
    token = csrf_of(client, "/")
    response = client.post(f"/api/v1/notifications/{notification_id}/read", headers={"X-CSRF-Token": token})
    assert response.status_code == 200


def test_every_route_but_the_public_ones_needs_a_signed_in_user(app):
    client = app.test_client()
    checked = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        path = rule.build({name: 1 for name in rule.arguments})[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            headers = {"X-CSRF-Token": csrf_of(client)} if method != "GET" else {}
            response = client.open(path, method=method, headers=headers)
            if path.startswith("/api/"):
                assert response.status_code == 401, f"{method} {path}"
            else:
                assert response.status_code == 302, f"{method} {path}"
                assert response.headers["Location"].startswith("/login"), f"{method} {path}"
            checked.append((method, path))
    assert len(checked) >= 10
