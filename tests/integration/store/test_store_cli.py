"""The operator's commands: init, user and organisation creation, pathway versions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from engine.domain import Role
from engine.store.models import ApiToken, AuditEntry, User, UserSession
from engine.store.passwords import verify_password
from tests.pathways.worked_example import edited_example
from webui.cli import main

VALID = Path(__file__).resolve().parents[2] / "fixtures" / "valid" / "referral-mini"


@pytest.fixture
def run(container):
    """Runs `aiguillage ...` against the test database; returns the click result."""

    def invoke(*args: str, input: str | None = None):
        return CliRunner().invoke(main, list(args), obj=container, input=input)

    return invoke


def test_init_creates_the_sqlite_database_then_says_it_is_up_to_date(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AIGUILLAGE_DATABASE_URL", raising=False)
    monkeypatch.delenv("AIGUILLAGE_INSTANCE_DIR", raising=False)
    first = CliRunner().invoke(main, ["init"])
    again = CliRunner().invoke(main, ["init"])
    assert first.exit_code == 0 and "Created the database" in first.output
    assert again.exit_code == 0 and "already up to date" in again.output
    assert (tmp_path / "instance" / "aiguillage.sqlite").is_file()


def test_init_on_a_postgresql_database_that_does_not_exist_says_to_create_it(postgres_admin_url, monkeypatch):
    missing = postgres_admin_url.set(database="aiguillage_never_created_by_anyone")
    monkeypatch.setenv("AIGUILLAGE_DATABASE_URL", missing.render_as_string(hide_password=False))
    result = CliRunner().invoke(main, ["init"])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert result.output.strip().endswith(f"(create it first: createdb -h HOST -U ADMIN -O {missing.username} "
                                          "aiguillage_never_created_by_anyone)")


def test_a_user_is_created_with_roles_and_a_hashed_password(run, container):
    assert run("org", "create", "iom-cameroon", "--name", "IOM Cameroon", "--kind", "iom").exit_code == 0
    result = run(
        "user", "create", "amina", "--org", "iom-cameroon", "--role", "caseworker", "--role", "supervisor",
        "--email", "amina@example.org", "--language", "en", "--password-stdin", input="s3cret phrase\n",
    )
    assert result.exit_code == 0, result.output
    with container.uow() as u:
        amina = u.session.scalar(select(User).where(User.username == "amina"))
        assert amina.roles == {Role.CASEWORKER, Role.SUPERVISOR}
        assert amina.organisation.slug == "iom-cameroon"
        assert verify_password(amina.password_hash, "s3cret phrase")
        assert amina.password_hash != "s3cret phrase"
        assert amina.must_change_password  # the operator typed it: amina chooses her own at first sign-in
    assert "choose their own password" in result.output


def test_an_operator_keeps_the_password_of_their_own_account(run, container):
    run("org", "create", "iom-cameroon", "--name", "IOM Cameroon")
    kept = run("user", "create", "operator", "--org", "iom-cameroon", "--role", "admin", "--password-stdin",
               "--keep-password", input="my own long phrase\n")
    assert kept.exit_code == 0, kept.output
    run("user", "create", "api-only", "--org", "iom-cameroon", "--role", "caseworker")
    with container.uow() as u:
        flags = dict(u.session.execute(select(User.username, User.must_change_password)).all())
    assert flags == {"operator": False, "api-only": False}


def test_a_password_shorter_than_the_pages_allow_is_refused_and_no_account_is_made(run, container):
    run("org", "create", "iom-cameroon", "--name", "IOM Cameroon")
    result = run("user", "create", "amina", "--org", "iom-cameroon", "--role", "caseworker", "--password-stdin",
                 "--keep-password", input="abc\n")
    assert result.exit_code == 1
    assert result.output.strip() == "Error: the password on standard input is 3 characters long: give at least 12"
    with container.uow() as u:
        assert u.session.scalar(select(User.id).where(User.username == "amina")) is None


def test_an_account_made_without_a_password_says_it_cannot_sign_in_and_how_to_give_it_one(run, container):
    run("org", "create", "mnr", "--name", "MNR", "--secretariat")
    made = run("user", "create", "first-admin", "--org", "mnr", "--role", "admin")
    assert made.exit_code == 0, made.output
    assert "without a password" in made.output
    assert "aiguillage user password first-admin --password-stdin" in made.output
    given = run("user", "password", "first-admin", "--password-stdin", "--keep-password", input="my own long phrase\n")
    assert given.exit_code == 0, given.output
    assert given.output.strip() == "Set a new password for first-admin; their open sessions ended."
    with container.uow() as u:
        admin = u.session.scalar(select(User).where(User.username == "first-admin"))
        assert verify_password(admin.password_hash, "my own long phrase") and not admin.must_change_password
    reset = run("user", "password", "first-admin", "--password-stdin", input="a one-time phrase\n")
    assert "choose their own password at their next sign-in" in reset.output
    with container.uow() as u:
        assert u.session.scalar(select(User.must_change_password).where(User.username == "first-admin"))
    missing = run("user", "password", "nobody", "--password-stdin", input="a one-time phrase\n")
    assert missing.exit_code == 1 and missing.output.strip() == "Error: user 'nobody' does not exist"


def test_an_operators_new_password_ends_the_sessions_and_revokes_the_api_tokens(run, container):
    run("org", "create", "iom-cameroon", "--name", "IOM Cameroon")
    run("user", "create", "amina", "--org", "iom-cameroon", "--role", "caseworker", "--password-stdin",
        input="her own long phrase\n")
    with container.uow() as u:
        amina = u.session.scalar(select(User).where(User.username == "amina"))
        at = container.clock.now()
        u.session.add_all([ApiToken(user_id=amina.id, name="script", token_hash="a" * 64, created_at=at),
                           UserSession(token_hash="b" * 64, user_id=amina.id, created_at=at, last_seen_at=at)])
        u.commit()
    result = run("user", "password", "amina", "--password-stdin", input="a one-time phrase\n")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Set a new password for amina; their open sessions ended and 1 API token revoked.")
    with container.uow() as u:
        assert u.session.scalar(select(func.count()).select_from(ApiToken)) == 0
        assert u.session.scalar(select(UserSession.ended_at)) is not None
        details = u.session.scalar(select(AuditEntry.details).where(AuditEntry.action == "account.password_set"))
        assert details == {"by": "command line", "api_tokens_revoked": 1}


def test_a_user_in_an_unknown_organisation_is_one_clear_error(run):
    result = run("user", "create", "amina", "--org", "nowhere", "--role", "caseworker")
    assert result.exit_code == 1
    assert result.output.strip() == "Error: organisation 'nowhere' does not exist"


def test_a_second_user_with_the_same_name_is_refused(run):
    run("org", "create", "iom-cameroon", "--name", "IOM Cameroon")
    run("user", "create", "amina", "--org", "iom-cameroon", "--role", "caseworker")
    result = run("user", "create", "amina", "--org", "iom-cameroon", "--role", "admin")
    assert result.exit_code == 1
    assert "already exists" in result.output


def test_publish_list_and_export_walk_a_pathway_through_its_versions(run, tmp_path):
    folder = tmp_path / "referral-mini"
    shutil.copytree(VALID, folder)
    assert "version 1" in run("pathway", "publish", str(folder)).output
    assert "unchanged, identical to version 1" in run("pathway", "publish", str(folder)).output
    (folder / "pathway.yaml").write_bytes((folder / "pathway.yaml").read_bytes() + b"# edited\n")
    assert "version 2" in run("pathway", "publish", str(folder)).output
    listed = run("pathway", "list").output.splitlines()
    assert [line.split()[:2] for line in listed[1:]] == [["referral-mini", "1"], ["referral-mini", "2"]]
    result = run("pathway", "export", "referral-mini", "--version", "1", str(tmp_path / "v1"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "v1" / "pathway.yaml").read_bytes() == (VALID / "pathway.yaml").read_bytes()


def test_publishing_an_invalid_pathway_lists_its_problems_and_fails(run, tmp_path):
    folder = tmp_path / "broken"
    shutil.copytree(VALID, folder)
    (folder / "pathway.bpmn").write_bytes(b"garbage")
    result = run("pathway", "publish", str(folder))
    assert result.exit_code == 1
    assert "pathway.bpmn" in result.output
    assert "was not published" in result.output
    assert "Traceback" not in result.output
    assert "No pathway published yet" in run("pathway", "list").output


def test_publishing_says_which_assignee_is_no_user_of_this_installation(run, tmp_path):
    folder = edited_example(tmp_path, "pathway.bpmn", '<bpmn:userTask id="Task_FollowUp" name="Follow up the unacknowledged referral">',
                            '<bpmn:userTask id="Task_FollowUp" name="Follow up the unacknowledged referral" camunda:assignee="demo">')
    result = run("pathway", "publish", str(folder))
    assert result.exit_code == 0, result.output
    assert "Task_FollowUp 'Follow up the unacknowledged referral': warning: assignee 'demo' is not a user of this installation" in result.output
    assert "Published small-referral version 1" in result.output


def test_exporting_an_unknown_pathway_is_one_clear_error(run, tmp_path):
    result = run("pathway", "export", "nothing-here", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert result.output.strip() == "Error: pathway 'nothing-here' has not been published"


def test_init_on_a_migrated_database_says_it_is_up_to_date(run):
    result = run("init")
    assert result.exit_code == 0
    assert "already up to date" in result.output


def test_an_unreachable_database_is_one_clear_error(monkeypatch):
    monkeypatch.setenv("AIGUILLAGE_DATABASE_URL", "postgresql://postgres@127.0.0.1:9/nowhere")
    result = CliRunner().invoke(main, ["init"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot initialise the database postgresql+psycopg://")
    assert len(result.output.strip().splitlines()) == 1


def test_an_unsupported_database_url_is_one_clear_error(monkeypatch):
    monkeypatch.setenv("AIGUILLAGE_DATABASE_URL", "mysql://root@localhost/aiguillage")
    result = CliRunner().invoke(main, ["pathway", "list"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: unsupported database URL 'mysql://root@localhost/aiguillage': use sqlite:/// or postgresql://"


def test_org_list_and_user_list_show_what_an_administrator_manages(run):
    run("org", "create", "iom-cameroon", "--name", "IOM Cameroon", "--kind", "iom")
    run("org", "create", "hopital-douala", "--name", "Hôpital de Douala", "--provider")
    run("user", "create", "admin1", "--org", "iom-cameroon", "--role", "admin", "--name", "Ada Admin")
    run("user", "create", "amina", "--org", "iom-cameroon", "--role", "caseworker", "--role", "supervisor")
    users = run("user", "list", "--user", "admin1")
    assert users.exit_code == 0, users.output
    assert "amina  amina  IOM Cameroon  roles: caseworker, supervisor" in users.output
    assert "admin1  Ada Admin  IOM Cameroon  roles: admin" in users.output
    orgs = run("org", "list", "--user", "admin1")
    assert orgs.exit_code == 0 and "iom-cameroon  IOM Cameroon  iom  signed: nothing  users: 2" in orgs.output
    refused = run("user", "list", "--user", "amina")
    assert refused.exit_code != 0 and "Traceback" not in refused.output


def test_the_command_line_runs_as_a_module_of_a_checkout():
    # A checkout that was not installed with pip has no `aiguillage` script: `python -m webui.cli` is the same command.
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[3]
    result = subprocess.run(
        [sys.executable, "-m", "webui.cli", "--help"], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: aiguillage ")
