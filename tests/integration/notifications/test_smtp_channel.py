from datetime import datetime, timezone

import pytest

from engine.errors import NotificationError, PermanentDeliveryError, TemporaryDeliveryError
from notifications.channels.smtp import SmtpChannel, build_email, message_id
from notifications.context import notification_context
from notifications.rendering import Renderer

from local_servers import SmtpServer, accept_user

SENDER = "MNR Cameroun <alertes@mnr.example.cm>"
SENT_AT = datetime(2026, 3, 9, 7, 30, tzinfo=timezone.utc)
PAYLOAD = {
    "case_reference": "CM-2026-0042",
    "step": {"fr": "Accuser réception", "en": "Acknowledge receipt"},
    "deadline": "2026-03-09T14:00:00+00:00",
    "path": "/referrals/42",
    "name": "Aminatou Bello",
}


def email_for(recipient: str, delivery_id: int = 1, language: str = "fr", event: str = "referral_received"):
    rendered = Renderer("https://mnr.example.cm").render(event, language, notification_context(event, PAYLOAD))
    return build_email(
        rendered,
        sender=SENDER,
        recipient=recipient,
        message_id=message_id(delivery_id, 45, "mnr.example.cm"),
        sent_at=SENT_AT,
    )


def test_an_email_arrives_with_its_subject_message_id_language_and_both_parts(smtp_server, mailbox):
    SmtpChannel.from_url(smtp_server.url).send(email_for("focal@caritas.example.cm", delivery_id=123))

    (arrived,) = mailbox.messages
    assert arrived["Message-ID"] == "<delivery-123.outbox-45@mnr.example.cm>"
    assert arrived["Subject"] == "[CM-2026-0042] Nouveau référencement reçu : Accuser réception"
    assert arrived["Content-Language"] == "fr"
    assert arrived["From"] == SENDER
    assert arrived["Auto-Submitted"] == "auto-generated"
    text = arrived.get_body(preferencelist=("plain",)).get_content()
    html = arrived.get_body(preferencelist=("html",)).get_content()
    assert "lundi 9 mars 2026 à 15:00" in text
    assert 'href="https://mnr.example.cm/referrals/42"' in html
    assert "Aminatou" not in arrived.as_string()


def test_an_english_recipient_gets_the_english_message(smtp_server, mailbox):
    SmtpChannel.from_url(smtp_server.url).send(email_for("focal@unhcr.example.org", language="en"))
    (arrived,) = mailbox.messages
    assert arrived["Content-Language"] == "en"
    assert arrived["Subject"].startswith("[CM-2026-0042] New referral received")


def test_a_batch_goes_over_one_connection_and_a_refused_recipient_does_not_stop_the_others(smtp_server, mailbox):
    emails = [
        email_for("first@example.cm", delivery_id=1),
        email_for("refused@example.cm", delivery_id=2),
        email_for("busy@example.cm", delivery_id=3),
        email_for("last@example.cm", delivery_id=4),
    ]
    results = SmtpChannel.from_url(smtp_server.url).send_many(emails)

    assert [result.error is None for result in results] == [True, False, False, True]
    assert isinstance(results[1].error, PermanentDeliveryError) and "550" in str(results[1].error)
    assert isinstance(results[2].error, TemporaryDeliveryError) and "451" in str(results[2].error)
    assert mailbox.message_ids() == [
        "<delivery-1.outbox-45@mnr.example.cm>",
        "<delivery-4.outbox-45@mnr.example.cm>",
    ]


def test_a_recipient_refused_with_550_is_a_permanent_error(smtp_server):
    with pytest.raises(PermanentDeliveryError, match="550"):
        SmtpChannel.from_url(smtp_server.url).send(email_for("refused@example.cm"))


def test_a_server_that_is_down_is_a_temporary_error(smtp_down):
    with pytest.raises(TemporaryDeliveryError, match="cannot reach SMTP server 127.0.0.1"):
        SmtpChannel.from_url(smtp_down.url, timeout=5).send(email_for("focal@example.cm"))


def test_the_same_delivery_keeps_the_same_message_id_on_retry(smtp_server, mailbox):
    channel = SmtpChannel.from_url(smtp_server.url)
    channel.send(email_for("focal@example.cm", delivery_id=7))
    channel.send(email_for("focal@example.cm", delivery_id=7))
    assert mailbox.message_ids() == ["<delivery-7.outbox-45@mnr.example.cm>"] * 2


@pytest.fixture
def starttls_server(mailbox, server_tls_context):
    """A server that demands STARTTLS, then a login as mnr with the password s3cret:/@."""
    server = SmtpServer(
        mailbox,
        tls_context=server_tls_context,
        require_starttls=True,
        auth_required=True,
        authenticator=accept_user("mnr", "s3cret:/@"),
    ).start()
    yield server
    server.stop()


def test_starttls_with_login_delivers_over_an_encrypted_connection(starttls_server, mailbox, client_tls_context):
    channel = SmtpChannel.from_url(
        f"smtp+starttls://mnr:s3cret%3A%2F%40@127.0.0.1:{starttls_server.port}", ssl_context=client_tls_context
    )
    channel.send(email_for("focal@example.cm", delivery_id=9))
    assert mailbox.message_ids() == ["<delivery-9.outbox-45@mnr.example.cm>"]


def test_a_wrong_password_is_a_temporary_error_so_fixing_the_settings_lets_retries_succeed(
    starttls_server, mailbox, client_tls_context
):
    channel = SmtpChannel.from_url(
        f"smtp+starttls://mnr:wrong@127.0.0.1:{starttls_server.port}", ssl_context=client_tls_context
    )
    with pytest.raises(TemporaryDeliveryError, match="535"):
        channel.send(email_for("focal@example.cm"))
    assert mailbox.messages == []


def test_implicit_tls_delivers(mailbox, server_tls_context, client_tls_context):
    server = SmtpServer(mailbox, ssl_context=server_tls_context).start()
    try:
        SmtpChannel.from_url(f"smtps://127.0.0.1:{server.port}", ssl_context=client_tls_context).send(
            email_for("focal@example.cm", delivery_id=11)
        )
    finally:
        server.stop()
    assert mailbox.message_ids() == ["<delivery-11.outbox-45@mnr.example.cm>"]


def test_an_untrusted_certificate_is_a_temporary_error(mailbox, server_tls_context):
    server = SmtpServer(mailbox, tls_context=server_tls_context, require_starttls=True).start()
    try:
        with pytest.raises(TemporaryDeliveryError, match="CERTIFICATE_VERIFY_FAILED"):
            SmtpChannel.from_url(f"smtp+starttls://127.0.0.1:{server.port}").send(email_for("focal@example.cm"))
    finally:
        server.stop()
    assert mailbox.messages == []


@pytest.mark.parametrize(
    "url,port,security",
    [
        ("smtp://mail.example.cm", 25, "plain"),
        ("smtp+starttls://u:p@mail.example.cm", 587, "starttls"),
        ("smtps://mail.example.cm", 465, "tls"),
        ("smtps://mail.example.cm:2465", 2465, "tls"),
    ],
)
def test_smtp_urls_choose_security_and_default_port(url, port, security):
    channel = SmtpChannel.from_url(url)
    assert (channel.host, channel.port, channel.security) == ("mail.example.cm", port, security)


def test_a_bad_smtp_url_is_refused_without_showing_its_password():
    with pytest.raises(NotificationError, match="scheme 'http'") as raised:
        SmtpChannel.from_url("http://user:hunter2@mail.example.cm")
    assert "hunter2" not in str(raised.value)
