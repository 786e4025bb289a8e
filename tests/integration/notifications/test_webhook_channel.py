import json
from datetime import datetime, timedelta, timezone

import pytest

from engine.errors import NotificationError, PermanentDeliveryError, TemporaryDeliveryError
from notifications.channels.webhook import WebhookChannel, WebhookDocument, sign, verify

from local_servers import Gateway, free_port

SECRET = "shared-secret-for-the-sms-gateway"
SENT_AT = datetime(2026, 3, 9, 7, 30, tzinfo=timezone.utc)
DOCUMENT = WebhookDocument(
    event="escalation_level_2",
    delivery_id="delivery-17.outbox-4",
    recipient_id="31",
    language="fr",
    subject="[CM-2026-0042] Alerte : référencement en retard (niveau 2)",
    case_reference="CM-2026-0042",
    deadline=datetime(2026, 3, 9, 14, tzinfo=timezone.utc),
    link="https://mnr.example.cm/referrals/42",
)


def test_the_gateway_receives_a_small_signed_json_document():
    with Gateway() as gateway:
        WebhookChannel(gateway.url, SECRET).send(DOCUMENT, sent_at=SENT_AT)

    ((headers, body),) = gateway.requests
    assert headers["X-Aiguillage-Signature"] == sign(SECRET, body)
    assert headers["X-Aiguillage-Delivery"] == "delivery-17.outbox-4"
    assert verify(SECRET, body, headers["X-Aiguillage-Signature"], headers["X-Aiguillage-Timestamp"], now=SENT_AT)
    document = json.loads(body)
    assert document == {
        "event": "escalation_level_2",
        "delivery_id": "delivery-17.outbox-4",
        "recipient_id": "31",
        "language": "fr",
        "subject": "[CM-2026-0042] Alerte : référencement en retard (niveau 2)",
        "case_reference": "CM-2026-0042",
        "deadline": "2026-03-09T14:00:00+00:00",
        "link": "https://mnr.example.cm/referrals/42",
        "timestamp": int(SENT_AT.timestamp()),
    }


def test_a_receiver_rejects_a_wrong_secret_a_tampered_body_and_a_replay():
    with Gateway() as gateway:
        WebhookChannel(gateway.url, SECRET).send(DOCUMENT, sent_at=SENT_AT)
    ((headers, body),) = gateway.requests
    signature, timestamp = headers["X-Aiguillage-Signature"], headers["X-Aiguillage-Timestamp"]

    assert not verify("another-secret", body, signature, timestamp, now=SENT_AT)
    assert not verify(SECRET, body.replace(b"CM-2026-0042", b"CM-2026-0043"), signature, timestamp, now=SENT_AT)
    assert not verify(SECRET, body, signature, str(int(SENT_AT.timestamp()) + 3600), now=SENT_AT)
    assert not verify(SECRET, body, signature, timestamp, now=SENT_AT + timedelta(minutes=10))


@pytest.mark.parametrize("status", [500, 503, 429, 408])
def test_a_busy_or_broken_gateway_is_a_temporary_error(status):
    with Gateway(status=status) as gateway, pytest.raises(TemporaryDeliveryError, match=str(status)):
        WebhookChannel(gateway.url, SECRET).send(DOCUMENT, sent_at=SENT_AT)


@pytest.mark.parametrize("status", [400, 401, 404, 410, 302])
def test_a_gateway_that_refuses_the_request_is_a_permanent_error(status):
    with Gateway(status=status) as gateway, pytest.raises(PermanentDeliveryError, match=str(status)):
        WebhookChannel(gateway.url, SECRET).send(DOCUMENT, sent_at=SENT_AT)
    assert len(gateway.requests) == 1


def test_a_gateway_that_is_down_is_a_temporary_error():
    with pytest.raises(TemporaryDeliveryError, match="cannot reach webhook"):
        WebhookChannel(f"http://127.0.0.1:{free_port()}/hook", SECRET, timeout=5).send(DOCUMENT, sent_at=SENT_AT)


def test_a_gateway_slower_than_the_timeout_is_a_temporary_error():
    with Gateway(delay=2.0) as gateway, pytest.raises(TemporaryDeliveryError, match="timed out"):
        WebhookChannel(gateway.url, SECRET, timeout=0.5).send(DOCUMENT, sent_at=SENT_AT)


def test_a_webhook_needs_an_http_url_and_a_secret():
    with pytest.raises(NotificationError, match="http:// or https://"):
        WebhookChannel("file:///etc/passwd", SECRET)
    with pytest.raises(NotificationError, match="SECRET is empty"):
        WebhookChannel("https://gateway.example.cm/hook", "")
