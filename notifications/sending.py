"""Render and send a batch of claimed deliveries; every message gets its own outcome."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.domain import DeliveryChannel
from engine.errors import AiguillageError, DeliveryError, NotificationError, TemporaryDeliveryError
from notifications.channels.smtp import SmtpChannel, email_for_wire
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
    digest: bool = False  # an email that waited for the daily digest: sent with the user's others
    task_id: str | None = None  # the task a "new task" is about
    caused_by_id: int | None = None  # whose step caused the event


@dataclass(frozen=True)
class Outcome:
    """How one attempt ended: `error` is None when the channel accepted the message."""

    error: AiguillageError | None = None
    rendered: RenderedMessage | None = None
    link: str | None = None
    texts: dict[str, dict[str, str]] | None = None  # in-app: language -> title and sentence

    @property
    def temporary(self) -> bool:
        return isinstance(self.error, DeliveryError) and self.error.temporary


@dataclass
class Prepared:
    """A batch rendered and built, ready to go out: what is known already, and what is left to send."""

    outcomes: dict[int, Outcome]
    emails: list[tuple[list[Claimed], Any]]  # deliveries (one, or a digest's) and the built email
    posts: list[tuple[Claimed, RenderedMessage, str | None]]


def send_claimed(claimed: list[Claimed], channels: Channels, now: datetime) -> dict[int, Outcome]:
    """Render each delivery in its recipient's language and send it; never raises for one message."""
    return deliver(prepare(claimed, channels, now), channels, now)


def deliver(prepared: Prepared, channels: Channels, now: datetime) -> dict[int, Outcome]:
    """Send what `prepare` built (one connection for the emails); every delivery gets its outcome."""
    outcomes = dict(prepared.outcomes)
    for item, rendered, link in prepared.posts:
        outcomes[item.delivery_id] = _post(item, rendered, link, channels.webhook, now)
    if prepared.emails:
        results = channels.email.send_many([email for _, email in prepared.emails])
        for (items, _), result in zip(prepared.emails, results, strict=True):
            outcomes.update((item.delivery_id, Outcome(error=result.error)) for item in items)
    return outcomes


def prepare(claimed: list[Claimed], channels: Channels, now: datetime) -> Prepared:
    """Render each delivery in its recipient's language and build its message; never raises for one message."""
    outcomes: dict[int, Outcome] = {}
    posts: list[tuple[Claimed, RenderedMessage, str | None]] = []
    emails: list[tuple[list[Claimed], RenderedMessage]] = []
    digests: dict[int | None, list[tuple[Claimed, RenderedMessage, str | None]]] = {}
    # One event to many recipients: rendered once per language, not once per recipient.
    rendered_by: dict[tuple[int, str | None, str | None], tuple[RenderedMessage, str | None] | Exception] = {}

    def render(item: Claimed, language: str | None = None) -> tuple[RenderedMessage, str | None]:
        # The link is chosen per recipient (notifications.links): it is part of what is rendered.
        key = (item.outbox_id, language or item.language, item.payload.get("path"))
        if key not in rendered_by:
            try:
                rendered_by[key] = _render(item, channels, language)
            except Exception as error:  # kept, so that each delivery of the event gets it
                rendered_by[key] = error
        result = rendered_by[key]
        if isinstance(result, Exception):
            raise result
        return result

    for item in claimed:
        try:
            rendered, link = render(item)
        except NotificationError as error:
            outcomes[item.delivery_id] = Outcome(error=error)
            continue
        except Exception as error:  # a template bug of any kind must not stop the batch
            log.exception("rendering delivery %s failed", item.delivery_id)
            outcomes[item.delivery_id] = Outcome(error=NotificationError(f"rendering failed: {type(error).__name__}"))
            continue
        if item.channel is DeliveryChannel.IN_APP:
            try:
                # Kept in every language: a group's item is read by members of either, and a person
                # may switch language after it arrived.
                others = [render(item, language)[0] for language in LANGUAGES if language != rendered.language]
            except NotificationError as error:
                outcomes[item.delivery_id] = Outcome(error=error)
                continue
            texts = {message.language: in_app_texts(message) for message in [rendered, *others]}
            outcomes[item.delivery_id] = Outcome(rendered=rendered, link=link, texts=texts)
        elif item.channel is DeliveryChannel.EMAIL and channels.email is not None and item.address:
            if item.digest:
                digests.setdefault(item.user_id, []).append((item, rendered, link))
            else:
                emails.append(([item], rendered))
        elif item.channel is DeliveryChannel.WEBHOOK and channels.webhook is not None:
            posts.append((item, rendered, link))
        else:
            missing = TemporaryDeliveryError(f"channel {item.channel.value} is not configured or has no address")
            outcomes[item.delivery_id] = Outcome(error=missing)
    for entries in digests.values():
        items = [item for item, _, _ in entries]
        if len(entries) == 1:
            emails.append((items, entries[0][1]))
            continue
        try:
            digest = channels.renderer.render_digest(entries[0][1].language, [(r, link) for _, r, link in entries])
        except NotificationError as error:
            outcomes.update((item.delivery_id, Outcome(error=error)) for item in items)
            continue
        emails.append((items, digest))
    built = [
        (items, email_for_wire(
            rendered,
            sender=channels.settings.sender,
            recipient=items[0].address,
            message_id=items[0].message_id if len(items) == 1 else _digest_message_id(items, channels.settings),
            sent_at=now,
        ))
        for items, rendered in emails
    ]
    return Prepared(outcomes=outcomes, emails=built, posts=posts)


def _digest_message_id(items: list[Claimed], settings: NotificationSettings) -> str:
    # Stable for the same deliveries, so a digest retried whole keeps its Message-ID.
    ids = sorted(item.delivery_id for item in items)
    return f"<digest-{ids[0]}-{ids[-1]}.n{len(ids)}.user-{items[0].user_id}@{settings.message_id_domain}>"


def in_app_texts(message: RenderedMessage) -> dict[str, str]:
    """An in-app item's title (the subject, its case reference tag moved to the end) and one sentence
    (the first paragraph of the text after the greeting)."""
    title, reference = message.subject, None
    if title.startswith("[") and "] " in title:
        reference, title = title[1:].split("] ", 1)
    # Templates write the sentence on one line, the details below it.
    paragraphs = [part.strip().splitlines()[0] for part in message.text.split("\n\n") if part.strip()]
    sentence = paragraphs[1] if len(paragraphs) > 1 and paragraphs[0].endswith(",") else (paragraphs or [""])[0]
    # The list shows no details block: without the reference, two alerts or answers about different
    # cases read the same. A sentence that names the case already (new task) needs it no second time.
    if reference and reference not in sentence:
        title = f"{title} — {reference}"
    return {"title": title, "sentence": sentence}


def _render(item: Claimed, channels: Channels, language: str | None = None) -> tuple[RenderedMessage, str | None]:
    context = notification_context(item.event, item.payload)
    language = language or item.language
    language = language if language in LANGUAGES else LANGUAGES[0]
    rendered = channels.renderer.render(context.event, language, context)
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
