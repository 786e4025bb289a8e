"""Email over SMTP: plain, STARTTLS or implicit TLS, one connection per batch, classified failures."""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from email import charset
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, format_datetime, parseaddr
from urllib.parse import unquote, urlsplit

from engine.errors import DeliveryError, NotificationError, PermanentDeliveryError, TemporaryDeliveryError
from notifications.rendering import RenderedMessage

_SCHEMES = {"smtp": ("plain", 25), "smtp+starttls": ("starttls", 587), "smtps": ("tls", 465)}


def message_id(delivery_id: int | str, outbox_id: int | str, domain: str) -> str:
    """The Message-ID of a delivery: the same on every retry, so a receiver can drop duplicates."""
    return f"<delivery-{delivery_id}.outbox-{outbox_id}@{domain}>"


# Quoted-printable bodies: readable in the raw message, and what most mail servers expect.
_UTF8 = charset.Charset("utf-8")
_UTF8.body_encoding = charset.QP


def _header(value: str, name: str) -> str | Header:
    return value if value.isascii() else Header(value, "utf-8", header_name=name)


def _address(value: str) -> str:
    name, address = parseaddr(value)
    return formataddr((name, address), charset="utf-8") if name else address


def build_email(
    rendered: RenderedMessage, *, sender: str, recipient: str, message_id: str, sent_at: datetime
) -> Message:
    """A text + HTML email for one recipient.

    Built with the classic MIME classes: the `email.policy.default` header registry parses every
    header it is given, which cost about as much as sending the message over a local connection.
    """
    email = MIMEMultipart("alternative")
    email["Subject"] = _header(rendered.subject, "Subject")
    email["From"] = _address(sender)
    email["To"] = recipient
    email["Date"] = format_datetime(sent_at)
    email["Message-ID"] = message_id
    # RFC 3834: tells mail servers and autoresponders not to answer an automatic message.
    email["Auto-Submitted"] = "auto-generated"
    email["Content-Language"] = rendered.language
    email.attach(MIMEText(rendered.text, "plain", _UTF8))
    email.attach(MIMEText(rendered.html, "html", _UTF8))
    return email


@dataclass(frozen=True)
class SendResult:
    """What happened to one message of a batch: `error` is None when the server accepted it."""

    message_id: str
    error: DeliveryError | None = None


class SmtpChannel:
    """Sends emails through one SMTP server."""

    def __init__(
        self,
        host: str,
        port: int,
        security: str = "plain",
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
        ssl_context: ssl.SSLContext | None = None,
    ):
        if security not in ("plain", "starttls", "tls"):
            raise NotificationError(f"SMTP security {security!r} is not plain, starttls or tls")
        self.host, self.port, self.security = host, port, security
        self.username, self.password = username, password
        self.timeout = timeout
        self.ssl_context = ssl_context
        # Inside `keeping_connection()`: the connection the batches share (None until the first).
        self._keeping = False
        self._kept: smtplib.SMTP | None = None

    @classmethod
    def from_url(cls, url: str, timeout: float = 30.0, ssl_context: ssl.SSLContext | None = None) -> SmtpChannel:
        """A channel from `smtp://`, `smtp+starttls://` or `smtps://` `[user:password@]host[:port]`."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise NotificationError("AIGUILLAGE_SMTP_URL is not a valid URL") from None
        if parts.scheme not in _SCHEMES or not parts.hostname:
            # The URL may hold a password: name the scheme only.
            raise NotificationError(
                f"AIGUILLAGE_SMTP_URL must start with smtp://, smtp+starttls:// or smtps:// and name a host "
                f"(got scheme {parts.scheme!r})"
            )
        security, default_port = _SCHEMES[parts.scheme]
        return cls(
            host=parts.hostname,
            port=port or default_port,
            security=security,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            timeout=timeout,
            ssl_context=ssl_context,
        )

    def send(self, email: Message) -> None:
        """Send one email; raises TemporaryDeliveryError or PermanentDeliveryError."""
        (result,) = self.send_many([email])
        if result.error is not None:
            raise result.error

    @contextmanager
    def keeping_connection(self) -> Iterator[SmtpChannel]:
        """Within the block, batches share one connection (opened by the first, closed at the end):
        a dispatch pass connects, greets and logs in once, not once per batch."""
        self._keeping = True
        try:
            yield self
        finally:
            self._keeping = False
            kept, self._kept = self._kept, None
            if kept is not None:
                _quit(kept)

    def send_many(self, emails: Sequence[Message]) -> list[SendResult]:
        """Send a batch over one connection; one refused message does not stop the others."""
        if not emails:
            return []
        reused, self._kept = self._kept, None
        try:
            connection = reused or self._connect()
        except DeliveryError as error:
            return [SendResult(str(email["Message-ID"]), error) for email in emails]
        results: list[SendResult] = []
        lost = False
        try:
            for index, email in enumerate(emails):
                try:
                    connection.send_message(email)
                    results.append(SendResult(str(email["Message-ID"])))
                except smtplib.SMTPException as error:
                    if isinstance(error, smtplib.SMTPServerDisconnected):
                        lost = True
                        if reused is not None and index == 0:
                            # A kept connection the server closed while idle: nothing went out on it.
                            return self.send_many(emails)
                        return results + self._lost(emails[index:], error)
                    results.append(SendResult(str(email["Message-ID"]), _classify(error)))
                    _reset(connection)
                except OSError as error:  # after SMTPException, which is an OSError too
                    lost = True
                    if reused is not None and index == 0:
                        return self.send_many(emails)
                    return results + self._lost(emails[index:], error)
        finally:
            if lost:
                connection.close()
            elif self._keeping:
                self._kept = connection
            else:
                _quit(connection)
        return results

    @staticmethod
    def _lost(unsent: Sequence[Message], error: BaseException) -> list[SendResult]:
        # The connection is gone: nothing from this message on can be sent over it.
        failure = TemporaryDeliveryError(f"SMTP connection lost: {_describe(error)}")
        return [SendResult(str(email["Message-ID"]), failure) for email in unsent]

    def _connect(self) -> smtplib.SMTP:
        try:
            if self.security == "tls":
                connection: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=self._context()
                )
            else:
                connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            try:
                if self.security == "starttls":
                    connection.starttls(context=self._context())
                if self.username:
                    connection.login(self.username, self.password or "")
            except BaseException:
                _quit(connection)
                raise
        except smtplib.SMTPNotSupportedError as error:
            raise TemporaryDeliveryError(f"SMTP server {self.host}:{self.port}: {_describe(error)}") from error
        except (smtplib.SMTPException, OSError) as error:
            # Refused connections, timeouts, TLS and login failures are the installation's
            # problem, not the message's: retry once it is fixed rather than give up on it.
            raise TemporaryDeliveryError(
                f"cannot reach SMTP server {self.host}:{self.port}: {_describe(error)}"
            ) from error
        return connection

    def _context(self) -> ssl.SSLContext:
        return self.ssl_context or ssl.create_default_context()


def _classify(error: smtplib.SMTPException) -> DeliveryError:
    """A 5xx answer about this message is permanent; a 4xx one is worth retrying."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        code = max(codes) if codes else 550
        detail = "; ".join(f"{code} {_text(message)}" for code, message in error.recipients.values())
        kind = PermanentDeliveryError if code >= 500 else TemporaryDeliveryError
        return kind(f"recipient refused: {detail}")
    if isinstance(error, smtplib.SMTPSenderRefused):
        # A refused sender address refuses every message: fix the settings, then retry.
        return TemporaryDeliveryError(f"sender refused: {error.smtp_code} {_text(error.smtp_error)}")
    code = getattr(error, "smtp_code", None)
    message = f"SMTP server answered {code} {_text(getattr(error, 'smtp_error', b''))}".strip()
    if isinstance(code, int) and 500 <= code < 600:
        return PermanentDeliveryError(message)
    return TemporaryDeliveryError(message if code else _describe(error))


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _describe(error: BaseException) -> str:
    if isinstance(error, socket.timeout | TimeoutError):
        return "timed out"
    return str(error) or type(error).__name__


def _reset(connection: smtplib.SMTP) -> None:
    # After a refused message the server may still hold a half-open transaction.
    try:
        connection.rset()
    except (smtplib.SMTPException, OSError):
        pass


def _quit(connection: smtplib.SMTP) -> None:
    try:
        connection.quit()
    except (smtplib.SMTPException, OSError):
        connection.close()
