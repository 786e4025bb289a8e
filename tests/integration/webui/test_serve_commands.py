"""`aiguillage serve` refuses to run without a secret key; `aiguillage demo` prepares a usable demo."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner

from engine.pathways.folder import load_source
from engine.services.accounts.actors import load_actor
from engine.services.installation.demo_cases import open_demo_cases
from engine.services.installation.training_clock import move_clock_forward, read_installation_time
from engine.services.pathways.publishing import publish_pathway
from engine.services.tasks.inbox import list_inbox
from engine.store.seed import demo_cases, load_demo_data
from web_forms import csrf_of
from webui.cli.serve import demo, prepare_demo, serve


def test_serve_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("AIGUILLAGE_SECRET_KEY", raising=False)
    result = CliRunner().invoke(serve, [])
    assert result.exit_code == 1
    assert "AIGUILLAGE_SECRET_KEY is not set" in result.output
    assert "Traceback" not in result.output


def test_serve_refuses_a_short_secret_key(monkeypatch, container):
    monkeypatch.setenv("AIGUILLAGE_SECRET_KEY", "too-short")
    result = CliRunner().invoke(serve, [], obj=container)
    assert result.exit_code == 1
    assert "at least 32 characters" in result.output


def test_demo_prepares_a_database_where_demo_users_can_sign_in(tmp_path):
    messages = []
    demo = prepare_demo(tmp_path / "instance", "http://127.0.0.1:8000", echo=lambda text, **_: messages.append(text))
    try:
        assert "demo-caseworker" in demo.usernames
        client = demo.app.test_client()
        response = client.post(
            "/login",
            data={"username": "demo-caseworker", "password": demo.password, "csrf_token": csrf_of(client)},
        )
        assert response.status_code == 302
        assert "Bienvenue" in client.get("/").get_data(as_text=True)
        assert any("cameroon-nrm" in text for text in messages)
    finally:
        demo.container.dispose()


def test_demo_can_be_prepared_twice_on_the_same_folder(tmp_path):
    first = prepare_demo(tmp_path, "http://127.0.0.1:8000", echo=lambda *a, **k: None)
    first.container.dispose()
    second = prepare_demo(tmp_path, "http://127.0.0.1:8000", echo=lambda *a, **k: None)
    second.container.dispose()
    assert second.app.config["SECRET_KEY"] == first.app.config["SECRET_KEY"]


def test_the_demo_opens_its_cases_once_and_each_walks_to_where_its_file_leaves_it(tmp_path):
    messages = []
    first = prepare_demo(tmp_path, "http://127.0.0.1:8000", echo=lambda text, **_: messages.append(text))
    try:
        assert not [text for text in messages if text.startswith("warning")], messages
        assert "Demo cases opened: MNR-2026-000001, MNR-2026-000002, MNR-2026-000003, MNR-2026-000004." in messages
        container = first.container

        def waiting(username: str) -> set[tuple[str, str | None]]:
            return {(task.bpmn_id, task.instance_label)
                    for task in list_inbox(container.uow(), load_actor(container.uow(), username))}

        assert waiting("demo-health-douala") == {("Task_AcknowledgeReferral", "health")}
        assert waiting("demo-shelter") == {("Task_ReferralDecision", "shelter")}
        assert waiting("demo-mhpss") == {("Task_ServiceOutcome", "mhpss")}
        assert waiting("demo-caseworker") == {("Task_Consent", None), ("Task_Identification", None)}
    finally:
        first.container.dispose()
    again = []
    second = prepare_demo(tmp_path, "http://127.0.0.1:8000", echo=lambda text, **_: again.append(text))
    second.container.dispose()
    assert not [text for text in again if "Demo cases" in text or text.startswith("warning")], again


def test_a_demo_case_that_cannot_go_on_stops_there_with_a_warning_and_the_others_are_opened(container):
    load_demo_data(container.uow(), container.clock)
    publish_pathway(container.uow(), load_source(Path(__file__).resolve().parents[3] / "pathways" / "cameroon-nrm"),
                    container.clock)
    cases = demo_cases()
    cases["cases"][0]["steps"][1]["by"] = "demo-health-douala"  # not theirs to assess
    opened = open_demo_cases(container.uow, container.clock, cases)
    assert len(opened.opened) == 4
    assert len(opened.failures) == 1 and "step 2 (Task_NeedsAssessment)" in opened.failures[0]


def test_serve_refuses_a_database_that_was_never_initialised(monkeypatch, tmp_path):
    from engine.bootstrap import Settings, build

    monkeypatch.setenv("AIGUILLAGE_SECRET_KEY", "x" * 48)
    fresh = build(Settings(instance_dir=tmp_path))
    try:
        result = CliRunner().invoke(serve, [], obj=fresh)
    finally:
        fresh.dispose()
    assert result.exit_code == 1
    assert "run `aiguillage init`" in result.output


def test_the_demo_database_is_a_training_installation_and_keeps_its_clock(tmp_path):
    first = prepare_demo(tmp_path, "http://127.0.0.1:8000", echo=lambda *a, **k: None)
    try:
        assert read_installation_time(first.container.uow(), first.container.clock.real).training
        move_clock_forward(first.container.uow(), first.container.clock.real, timedelta(days=31))
    finally:
        first.container.dispose()
    second = prepare_demo(tmp_path, "http://127.0.0.1:8000", echo=lambda *a, **k: None)
    try:
        assert second.container.clock.training_offset() == timedelta(days=31)
    finally:
        second.container.dispose()


def test_demo_no_serve_prepares_the_database_under_the_instance_folder_and_exits(tmp_path):
    result = CliRunner().invoke(demo, ["--no-serve"], env={"AIGUILLAGE_INSTANCE_DIR": str(tmp_path / "here")})
    assert result.exit_code == 0, result.output
    assert (tmp_path / "here" / "demo.sqlite").exists()
    assert "demo database ready" in result.output and "demo-caseworker" in result.output


def test_serve_says_which_database_it_serves_and_whether_the_session_cookie_needs_https(monkeypatch, container):
    import webui.cli.serve as serve_module

    served = []
    monkeypatch.setattr(serve_module, "_serve", lambda app, host, port, threads: served.append((host, port)))
    monkeypatch.setenv("AIGUILLAGE_SECRET_KEY", "k" * 40)
    monkeypatch.delenv("AIGUILLAGE_BASE_URL", raising=False)
    monkeypatch.delenv("AIGUILLAGE_COOKIE_SECURE", raising=False)
    result = CliRunner().invoke(serve, ["--port", "8123"], obj=container)
    assert result.exit_code == 0, result.output
    listening, serving = result.output.splitlines()
    assert listening == "Aiguillage listening on http://127.0.0.1:8123/"
    assert serving.startswith(f"database {container.engine.url.render_as_string(hide_password=True)}; ")
    assert "session cookie over HTTPS only" in serving and "AIGUILLAGE_BASE_URL=http://" in serving
    trial = CliRunner().invoke(serve, ["--insecure-dev"], obj=container)
    assert "session cookie over plain HTTP too" in trial.output
    assert served == [("127.0.0.1", 8123), ("127.0.0.1", 8000)]
