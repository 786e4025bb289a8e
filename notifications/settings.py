"""Notification settings: where links point, who mail is from, how to send, how often to retry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from engine.errors import NotificationError


@dataclass(frozen=True)
class NotificationSettings:
    """What the renderer, the channels and the dispatcher need to know about this installation."""

    base_url: str = "http://localhost:8000"
    sender: str = "Aiguillage <no-reply@aiguillage.local>"
    smtp_url: str | None = None  # None: no email channel (in-app notifications still go out)
    webhook_url: str | None = None
    webhook_secret: str | None = None
    max_attempts: int = 8  # then the delivery is dead-lettered with its last error
    first_retry: timedelta = timedelta(seconds=30)  # doubled at each attempt, with jitter
    longest_retry: timedelta = timedelta(hours=1)
    digest_hour: int = 7  # local (Douala) hour at which digest users get their held emails

    @property
    def message_id_domain(self) -> str:
        """The domain of the sender address, used on the right of every Message-ID."""
        address = self.sender.rsplit("<", 1)[-1].rstrip(">").strip()
        return address.rsplit("@", 1)[-1] if "@" in address else "aiguillage.local"

    @classmethod
    def from_settings(cls, settings) -> NotificationSettings:
        """From the application's settings (engine.bootstrap.Settings) and its AIGUILLAGE_* extras."""
        extra = getattr(settings, "extra", {}) or {}
        return cls(
            base_url=settings.base_url.rstrip("/"),
            sender=settings.mail_from,
            smtp_url=settings.smtp_url,
            webhook_url=extra.get("AIGUILLAGE_WEBHOOK_URL") or None,
            webhook_secret=extra.get("AIGUILLAGE_WEBHOOK_SECRET") or None,
            max_attempts=_whole(extra, "AIGUILLAGE_NOTIFY_MAX_ATTEMPTS", cls.max_attempts),
        )


def _whole(extra: dict, name: str, default: int) -> int:
    raw = (extra.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise NotificationError(f"{name}={raw!r} must be a whole number of at least 1")
    return int(raw)
