import email
import email.policy
from email.message import Message

import pytest

from notifications.channels.smtp import SmtpChannel, WireEmail, build_email, email_for_wire, message_id
from notifications.context import notification_context
from notifications.rendering import Renderer, RenderedMessage

from test_smtp_channel import PAYLOAD, SENT_AT

AWKWARD = RenderedMessage(
    subject="Échéance dépassée : " + "référence réorientée, " * 8,
    text="Bonjour,\r\n.une ligne qui commence par un point\rtrailing spaces  \n" + "é=à " * 40 + "\n\x0b--\n",
    html="<p>" + 'a="b" ' * 40 + "</p>\n.\n",
    language="fr",
)


def both(rendered, sender="MNR Cameroun – Douala <alertes@mnr.example.cm>", recipient="focal@caritas.example.cm"):
    arguments = dict(sender=sender, recipient=recipient, message_id=message_id(7, 45, "mnr.example.cm"),
                     sent_at=SENT_AT)
    return build_email(rendered, **arguments), email_for_wire(rendered, **arguments)


def read(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


def content(message, kind: str) -> str:
    # Read from the wire, lines end in CRLF; from `as_bytes`, in LF.
    return message.get_body((kind,)).get_content().replace("\r\n", "\n")


def rendered_in(language: str) -> RenderedMessage:
    context = notification_context("referral_received", PAYLOAD)
    return Renderer("https://mnr.example.cm").render("referral_received", language, context)


@pytest.mark.parametrize("rendered", [rendered_in("fr"), rendered_in("en"), AWKWARD], ids=["fr", "en", "awkward"])
def test_an_email_written_for_the_wire_reads_as_the_built_one(rendered):
    built, wire = both(rendered)
    assert isinstance(wire, WireEmail)
    expected, arrived = read(built.as_bytes()), read(wire.data)

    def headers(message):
        return [(name, str(value)) for name, value in message.items() if name != "Content-Type"]

    assert headers(arrived) == headers(expected)
    assert arrived.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in arrived.iter_parts()] == ["text/plain", "text/html"]
    for kind in ("plain", "html"):
        assert content(arrived, kind) == content(expected, kind)
    assert (wire.sender, wire.recipient) == ("alertes@mnr.example.cm", "focal@caritas.example.cm")


def test_the_wire_email_keeps_to_the_lines_mail_allows():
    _, wire = both(AWKWARD)
    assert wire.data.isascii()  # 7-bit: no server needs 8BITMIME for it
    lines = wire.data.split(b"\r\n")
    assert max(len(line) for line in lines) <= 78
    assert b"\n" not in wire.data.replace(b"\r\n", b"")
    assert read(wire.data)["Subject"] == AWKWARD.subject


@pytest.mark.parametrize("recipient", ['"focal point"@caritas.example.cm', "focal@caritas.example.cm\r\nBcc: x@y.cm",
                                       "Focal <focal@caritas.example.cm>", "focal@caritas.exemplé.cm"])
def test_an_address_not_written_plainly_gets_the_built_message(recipient):
    _, wire = both(rendered_in("fr"), recipient=recipient)
    assert isinstance(wire, Message)


def test_wire_emails_arrive_whole_beside_built_ones(smtp_server, mailbox):
    _, wire = both(AWKWARD)
    built, _ = both(rendered_in("fr"), recipient="other@caritas.example.cm")
    results = SmtpChannel.from_url(smtp_server.url).send_many([wire, built])

    assert [result.message_id for result in results] == [wire.message_id, str(built["Message-ID"])]
    assert all(result.error is None for result in results)
    arrived = mailbox.messages[0]
    assert arrived["Message-ID"] == "<delivery-7.outbox-45@mnr.example.cm>"
    assert content(arrived, "plain") == AWKWARD.text.replace("\r\n", "\n").replace("\r", "\n")
    assert content(arrived, "html") == AWKWARD.html
    assert [str(message["To"]) for message in mailbox.messages] == ["focal@caritas.example.cm",
                                                                  "other@caritas.example.cm"]


def test_a_refused_wire_email_is_classified_like_a_built_one(smtp_server, mailbox):
    _, wire = both(rendered_in("fr"), recipient="refused@caritas.example.cm")
    (result,) = SmtpChannel.from_url(smtp_server.url).send_many([wire])
    assert result.error is not None and not result.error.temporary and "550" in str(result.error)
    assert mailbox.messages == []


@pytest.mark.parametrize("subject", ["Relance\r\nBcc: autre@example.org", "Relance\nsuite", "Réorientée\rsuite"])
def test_a_subject_with_a_line_break_is_never_written(subject):
    """A line break would end the Subject header and start another one (or the body)."""
    from engine.errors import NotificationError

    rendered = RenderedMessage(subject=subject, text="x\n", html="<p>x</p>", language="fr")
    with pytest.raises(NotificationError, match="line break"):
        email_for_wire(rendered, sender="alertes@mnr.example.cm", recipient="focal@caritas.example.cm",
                       message_id=message_id(7, 45, "mnr.example.cm"), sent_at=SENT_AT)
