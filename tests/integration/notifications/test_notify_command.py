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



def user_with_one_closed_case_event(container, clock, email: str, prefs: dict | None = None) -> int:
    """A caseworker and one pending `case_closed` event addressed to them; returns the user id."""
    with container.uow() as u:
        organisation = Organisation(slug="iom", name="OIM", kind=OrganisationKind.IOM, created_at=clock.now())
        u.session.add(organisation)
        u.flush()
        user = User(
            username="carine", display_name="Carine", email=email, language=Language.EN,
            organisation_id=organisation.id, created_at=clock.now(), notification_prefs=prefs or {},
            role_rows=[UserRole(role=Role.CASEWORKER)],
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
        return user.id


def test_notify_sends_the_pending_notifications_once_and_says_what_it_did(container_with_smtp, clock, mailbox):
    user_with_one_closed_case_event(container_with_smtp, clock, "carine@example.cm")
    runner = CliRunner()

    first = runner.invoke(main, ["notify"], obj=container_with_smtp)
    second = runner.invoke(main, ["notify"], obj=container_with_smtp)

    assert first.exit_code == 0, first.output
    assert "1 events expanded into 2 deliveries; 2 sent" in first.output
    assert "0 sent" in second.output
    assert [message["Subject"] for message in mailbox.messages] == ["[MNR-2026-000007] Case closed"]
    assert mailbox.messages[0]["From"] == "MNR <alertes@mnr.example.cm>"


def test_dead_letters_are_listed_and_a_retry_sends_once_the_address_is_fixed(container_with_smtp, clock, mailbox):
    user_id = user_with_one_closed_case_event(
        container_with_smtp, clock, "refused@example.cm", prefs={"in_app": False}
    )
    runner = CliRunner()

    assert "1 dead-lettered" in runner.invoke(main, ["notify"], obj=container_with_smtp).output
    listing = runner.invoke(main, ["notify", "--dead-letters"], obj=container_with_smtp).output
    delivery_id = listing.split("\t", 1)[0]
    assert "case_closed\tMNR-2026-000007\temail" in listing and "550" in listing

    with container_with_smtp.uow() as u:
        u.session.get(User, user_id).email = "carine@example.cm"
        u.commit()
    retried = runner.invoke(main, ["notify", "--retry", delivery_id], obj=container_with_smtp)

    assert "1 sent" in retried.output, retried.output
    assert runner.invoke(main, ["notify", "--dead-letters"], obj=container_with_smtp).output == ""
    assert [str(message["To"]) for message in mailbox.messages] == ["carine@example.cm"]
    again = runner.invoke(main, ["notify", "--retry", delivery_id], obj=container_with_smtp)
    assert again.exit_code == 1 and "is sent, not dead-lettered" in again.output
