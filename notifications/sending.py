"""Render and send a batch of claimed deliveries; every message gets its own outcome."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.domain import DeliveryChannel
from engine.errors import AiguillageError, DeliveryError, NotificationError, TemporaryDeliveryError
from notifications.channels.smtp import SmtpChannel, build_email
from notifications.channels.webhook import WebhookChannel, WebhookDocument
from notifications.context import LANGUAGES, notification_context
from notifications.rendering import RenderedMessage, Renderer
from notifications.settings import NotificationSettings

log = logging.getLogger(__name__)


@dataclass
class Channels:
    """The ways out this installation has, and how to render for them."""

    settings: NotificationSettings
    email: SmtpChannel | None = None
    webhook: WebhookChannel | None = None
    renderer: Renderer = field(init=False)

    def __post_init__(self) -> None:
        self.renderer = Renderer(self.settings.base_url)

    @classmethod
    def from_settings(cls, settings: NotificationSettings) -> Channels:
        """Email when an SMTP URL is set, webhook when a URL and a secret are set; in-app always."""
        email = SmtpChannel.from_url(settings.smtp_url) if settings.smtp_url else None
        webhook = None
        if settings.webhook_url:
            webhook = WebhookChannel(settings.webhook_url, settings.webhook_secret or "")
        return cls(settings=settings, email=email, webhook=webhook)

    @property
    def available(self) -> frozenset[DeliveryChannel]:
        """Channels that can deliver now."""
        present = {DeliveryChannel.IN_APP}
        if self.email is not None:
            present.add(DeliveryChannel.EMAIL)
        if self.webhook is not None:
            present.add(DeliveryChannel.WEBHOOK)
        return frozenset(present)


@dataclass(frozen=True)
class Claimed:
    """A delivery this dispatcher holds for one attempt (`attempt` fences out stale writers)."""

    delivery_id: int
    outbox_id: int
    attempt: int
    channel: DeliveryChannel
    user_id: int | None
    address: str | None
    language: str
    event: str
    payload: dict[str, Any]
    message_id: str


@dataclass(frozen=True)
class Outcome:
    """How one attempt ended: `error` is None when the channel accepted the message."""

    error: AiguillageError | None = None
    rendered: RenderedMessage | None = None
    link: str | None = None

    @property
    def temporary(self) -> bool:
        return isinstance(self.error, DeliveryError) and self.error.temporary


def send_claimed(claimed: list[Claimed], channels: Channels, now: datetime) -> dict[int, Outcome]:
    """Render each delivery in its recipient's language and send it; never raises for one message."""
    outcomes: dict[int, Outcome] = {}
    emails = []
    for item in claimed:
        try:
            rendered, link = _render(item, channels)
        except NotificationError as error:
            outcomes[item.delivery_id] = Outcome(error=error)
            continue
        except Exception as error:  # a template bug of any kind must not stop the batch
            log.exception("rendering delivery %s failed", item.delivery_id)
            outcomes[item.delivery_id] = Outcome(error=NotificationError(f"rendering failed: {type(error).__name__}"))
            continue
        if item.channel is DeliveryChannel.IN_APP:
            outcomes[item.delivery_id] = Outcome(rendered=rendered, link=link)
        elif item.channel is DeliveryChannel.EMAIL and channels.email is not None and item.address:
            email = build_email(
                rendered, sender=channels.settings.sender, recipient=item.address, message_id=item.message_id, sent_at=now
            )
            emails.append((item, email))
        elif item.channel is DeliveryChannel.WEBHOOK and channels.webhook is not None:
            outcomes[item.delivery_id] = _post(item, rendered, link, channels.webhook, now)
        else:
            missing = TemporaryDeliveryError(f"channel {item.channel.value} is not configured or has no address")
            outcomes[item.delivery_id] = Outcome(error=missing)
    if emails:
        results = channels.email.send_many([email for _, email in emails])
        for (item, _), result in zip(emails, results, strict=True):
            outcomes[item.delivery_id] = Outcome(error=result.error)
    return outcomes


def _render(item: Claimed, channels: Channels) -> tuple[RenderedMessage, str | None]:
    context = notification_context(item.event, item.payload)
    language = item.language if item.language in LANGUAGES else LANGUAGES[0]
    rendered = channels.renderer.render(item.event, language, context)
    link = f"{channels.settings.base_url}{context.path}" if context.path else None
    return rendered, link


def _post(item: Claimed, rendered: RenderedMessage, link: str | None, webhook: WebhookChannel, now: datetime) -> Outcome:
    context = notification_context(item.event, item.payload)
    document = WebhookDocument(
        event=item.event,
        delivery_id=item.message_id.strip("<>").split("@", 1)[0],
        recipient_id=str(item.user_id) if item.user_id is not None else None,
        language=rendered.language,
        subject=rendered.subject,
        case_reference=context.case_reference,
        deadline=context.deadline,
        link=link,
    )
    try:
        webhook.send(document, sent_at=now)
    except DeliveryError as error:
        return Outcome(error=error)
    return Outcome()
