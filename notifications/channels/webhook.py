"""Webhook: a signed HTTP POST of a small JSON document, for SMS or messaging gateways.

The body carries its own timestamp and the signature covers the whole raw body, so a receiver
that checks the signature and the timestamp's freshness cannot be fooled by a replayed request.
The same delivery id comes back on every retry: receivers drop duplicates by it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from engine.errors import NotificationError, PermanentDeliveryError, TemporaryDeliveryError

SIGNATURE_HEADER = "X-Aiguillage-Signature"
TIMESTAMP_HEADER = "X-Aiguillage-Timestamp"
DELIVERY_HEADER = "X-Aiguillage-Delivery"


def sign(secret: str, body: bytes) -> str:
    """The signature header value for a body: `sha256=<hex HMAC-SHA256>`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(
    secret: str, body: bytes, signature: str, timestamp: str, now: datetime, tolerance: timedelta = timedelta(minutes=5)
) -> bool:
    """What a receiver checks: a valid signature, a timestamp matching the body's, and fresh."""
    if not hmac.compare_digest(sign(secret, body), signature or ""):
        return False
    try:
        sent_at = int(json.loads(body)["timestamp"])
    except (ValueError, KeyError, TypeError):
        return False
    if str(sent_at) != (timestamp or "").strip():
        return False
    return abs(now.timestamp() - sent_at) <= tolerance.total_seconds()


@dataclass(frozen=True)
class WebhookDocument:
    """What a webhook receives: enough to route an alert, never the person's data."""

    event: str
    delivery_id: str
    recipient_id: str | None
    language: str
    subject: str
    case_reference: str | None
    deadline: datetime | None
    link: str | None

    def body(self, sent_at: datetime) -> bytes:
        """The JSON body, with the time of sending in whole seconds since the epoch."""
        document = {
            "event": self.event,
            "delivery_id": self.delivery_id,
            "recipient_id": self.recipient_id,
            "language": self.language,
            "subject": self.subject,
            "case_reference": self.case_reference,
            "deadline": self.deadline.astimezone(timezone.utc).isoformat() if self.deadline else None,
            "link": self.link,
            "timestamp": int(sent_at.timestamp()),
        }
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect would resend a signed alert to a place nobody configured.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class WebhookChannel:
    """Posts signed JSON documents to one URL."""

    def __init__(self, url: str, secret: str, timeout: float = 10.0):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise NotificationError(f"AIGUILLAGE_WEBHOOK_URL must be an http:// or https:// URL (got scheme {parts.scheme!r})")
        if not secret:
            raise NotificationError("AIGUILLAGE_WEBHOOK_SECRET is empty: webhook calls must be signed")
        self.url, self.secret, self.timeout = url, secret, timeout
        self._opener = urllib.request.build_opener(_NoRedirect)

    def send(self, document: WebhookDocument, sent_at: datetime) -> None:
        """POST one document; raises TemporaryDeliveryError or PermanentDeliveryError."""
        body = document.body(sent_at)
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "Aiguillage-Webhook/1",
                SIGNATURE_HEADER: sign(self.secret, body),
                TIMESTAMP_HEADER: str(int(sent_at.timestamp())),
                DELIVERY_HEADER: document.delivery_id,
            },
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                response.read(1024)
        except urllib.error.HTTPError as error:
            error.close()
            status = error.code
            # Busy, throttled or broken receivers may recover; any other refusal will not.
            if status in (408, 425, 429) or status >= 500:
                raise TemporaryDeliveryError(f"webhook answered HTTP {status}") from None
            raise PermanentDeliveryError(f"webhook answered HTTP {status}") from None
        except (urllib.error.URLError, socket.timeout, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise TemporaryDeliveryError(f"cannot reach webhook {urlsplit(self.url).netloc}: {reason}") from None
