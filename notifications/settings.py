"""Notification settings read from the environment: where links point, who mail is from, how to send."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from engine.errors import NotificationError


@dataclass(frozen=True)
class NotificationSettings:
    """What the renderer and the channels need to know about this installation."""

    base_url: str = "http://localhost:8000"
    sender: str = "Aiguillage <no-reply@aiguillage.local>"
    smtp_url: str | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = None
    max_attempts: int = 8

    @property
    def message_id_domain(self) -> str:
        """The domain of the sender address, used on the right of every Message-ID."""
        address = self.sender.rsplit("<", 1)[-1].rstrip(">").strip()
        return address.rsplit("@", 1)[-1] if "@" in address else "aiguillage.local"

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> NotificationSettings:
        """Settings from AIGUILLAGE_* variables (see the README, "Configuration")."""
        environ = os.environ if environ is None else environ
        raw_attempts = environ.get("AIGUILLAGE_NOTIFY_MAX_ATTEMPTS", "").strip()
        try:
            max_attempts = int(raw_attempts) if raw_attempts else cls.max_attempts
        except ValueError:
            raise NotificationError(
                f"AIGUILLAGE_NOTIFY_MAX_ATTEMPTS={raw_attempts!r} is not a whole number"
            ) from None
        if max_attempts < 1:
            raise NotificationError(f"AIGUILLAGE_NOTIFY_MAX_ATTEMPTS={raw_attempts!r} must be at least 1")
        return cls(
            base_url=(environ.get("AIGUILLAGE_BASE_URL") or cls.base_url).strip().rstrip("/"),
            sender=(environ.get("AIGUILLAGE_MAIL_FROM") or cls.sender).strip(),
            smtp_url=environ.get("AIGUILLAGE_SMTP_URL") or None,
            webhook_url=environ.get("AIGUILLAGE_WEBHOOK_URL") or None,
            webhook_secret=environ.get("AIGUILLAGE_WEBHOOK_SECRET") or None,
            max_attempts=max_attempts,
        )
