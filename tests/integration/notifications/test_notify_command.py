import pytest
from click.testing import CliRunner

from engine.bootstrap import Settings, build
from engine.domain import Language, OrganisationKind, Role
from engine.store.models import Organisation, OutboxRow, User, UserRole
from webui.cli import main


@pytest.fixture
def container_with_smtp(database_url, tmp_path, clock, smtp_server):
    settings = Settings(
        database_url=database_url,
        instance_dir=tmp_path,
        smtp_url=smtp_server.url,
        mail_from="MNR <alertes@mnr.example.cm>",
        base_url="https://mnr.example.cm",
    )
    container = build(settings, clock=clock)
    yield container
    container.dispose()


def test_notify_sends_the_pending_notifications_once_and_says_what_it_did(container_with_smtp, clock, mailbox):
    with container_with_smtp.uow() as u:
        organisation = Organisation(slug="iom", name="OIM", kind=OrganisationKind.IOM, created_at=clock.now())
        u.session.add(organisation)
        u.flush()
        user = User(
            username="carine", display_name="Carine", email="carine@example.cm", language=Language.EN,
            organisation_id=organisation.id, created_at=clock.now(), role_rows=[UserRole(role=Role.CASEWORKER)],
        )
        u.session.add(user)
        u.flush()
        u.session.add(
            OutboxRow(
                event_type="case_closed",
                payload={"case_reference": "MNR-2026-000007", "recipients": [{"user": user.id}]},
                created_at=clock.now(),
            )
        )
        u.commit()
    runner = CliRunner()

    first = runner.invoke(main, ["notify"], obj=container_with_smtp)
    second = runner.invoke(main, ["notify"], obj=container_with_smtp)

    assert first.exit_code == 0, first.output
    assert "1 events expanded into 2 deliveries; 2 sent" in first.output
    assert "0 sent" in second.output
    assert [message["Subject"] for message in mailbox.messages] == ["[MNR-2026-000007] Case closed"]
    assert mailbox.messages[0]["From"] == "MNR <alertes@mnr.example.cm>"
