"""Email over SMTP: plain, STARTTLS or implicit TLS, one connection per batch, classified failures."""

from __future__ import annotations

import binascii
import random
import re
import smtplib
import socket
import ssl
import sys
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
from functools import lru_cache
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
class WireEmail:
    """An email already written as the bytes that go on the wire, with its envelope addresses."""

    message_id: str
    sender: str
    recipient: str
    data: bytes


def email_for_wire(
    rendered: RenderedMessage, *, sender: str, recipient: str, message_id: str, sent_at: datetime
) -> WireEmail | Message:
    """The email of `build_email`, written straight to the bytes that smtplib sends.

    Flattening a `Message` (every header folded through `email.header`, a boundary drawn and
    searched for in the bodies, the addresses parsed back) costs more than sending it; here only a
    subject with accents, or a header too long for one line, is encoded. Addresses this does not
    write as they are (quotes, comments, non-ASCII, line breaks) get `build_email`'s `Message`.
    """
    envelope_sender, from_line = _sender(sender)
    if envelope_sender is None or not (_PLAIN_ADDRESS.match(recipient) and _PRINTABLE.match(message_id)):
        return build_email(rendered, sender=sender, recipient=recipient, message_id=message_id, sent_at=sent_at)
    # Both bodies are quoted-printable, which writes every "=" as "=3D": no body line can hold
    # "==", so a boundary made of them needs no search through the text.
    boundary = f"==============={random.randrange(sys.maxsize):019d}=="
    head = "".join((
        f'Content-Type: multipart/alternative;{_CRLF} boundary="{boundary}"{_CRLF}MIME-Version: 1.0{_CRLF}',
        _header_line("Subject", rendered.subject),
        from_line,
        _header_line("To", recipient),
        f"Date: {format_datetime(sent_at)}{_CRLF}",
        _header_line("Message-ID", message_id),
        f"Auto-Submitted: auto-generated{_CRLF}",
        _header_line("Content-Language", rendered.language),
        f"{_CRLF}--{boundary}{_CRLF}",
    ))
    data = b"".join((
        head.encode("ascii"),
        _part("plain", rendered.text),
        f"{_CRLF}--{boundary}{_CRLF}".encode("ascii"),
        _part("html", rendered.html),
        f"{_CRLF}--{boundary}--{_CRLF}".encode("ascii"),
    ))
    return WireEmail(message_id=message_id, sender=envelope_sender, recipient=recipient, data=data)


_CRLF = "\r\n"
_MAX_LINE = 78  # where the generator folds headers
# An address the generator writes as it is and smtplib's send_message takes back unchanged.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+\Z")
_PRINTABLE = re.compile(r"[ -~]*\Z")


def _header_line(name: str, value: str) -> str:
    if "\r" in value or "\n" in value:
        # A line break would end the header and start another (or the body): never written.
        raise NotificationError(f"the {name} header would contain a line break")
    if len(name) + 2 + len(value) <= _MAX_LINE and _PRINTABLE.match(value):
        return f"{name}: {value}{_CRLF}"
    if value.isascii():
        return f"{name}: {Header(value, header_name=name).encode(linesep=_CRLF, maxlinelen=_MAX_LINE)}{_CRLF}"
    return f"{name}: {_encoded_words(value, len(name) + 2)}{_CRLF}"


_WORD_BYTES = (75 - len("=?utf-8?b??=")) // 4 * 3  # the most UTF-8 bytes one encoded word holds


def _encoded_words(value: str, first_line_used: int) -> str:
    """RFC 2047 words (UTF-8, base64), each of whole characters, on lines of at most 78 characters."""
    words, chunk, size = [], [], 0
    room = min(_WORD_BYTES, (_MAX_LINE - first_line_used - len("=?utf-8?b??=")) // 4 * 3)
    for character in value:
        length = len(character.encode("utf-8"))
        if size + length > room and chunk:
            words.append("".join(chunk))
            chunk, size, room = [], 0, _WORD_BYTES
        chunk.append(character)
        size += length
    words.append("".join(chunk))
    encoded = (binascii.b2a_base64(word.encode("utf-8"), newline=False).decode("ascii") for word in words)
    return f"{_CRLF} ".join(f"=?utf-8?b?{word}?=" for word in encoded)


def _part(subtype: str, body: str) -> bytes:
    # Lines end where the classic quoted-printable encoder ends them (CR, LF or both), in CRLF on the wire.
    text = body.replace("\r\n", "\n").replace("\r", "\n")
    encoded = binascii.b2a_qp(text.encode("utf-8"), istext=True).replace(b"\n", b"\r\n")
    head = (f'Content-Type: text/{subtype}; charset="utf-8"{_CRLF}MIME-Version: 1.0{_CRLF}'
            f"Content-Transfer-Encoding: quoted-printable{_CRLF}{_CRLF}")
    return head.encode("ascii") + encoded


@lru_cache(maxsize=8)
def _sender(sender: str) -> tuple[str | None, str]:
    """The envelope address and From line of the installation's sender (None: not written plainly here)."""
    from_value = _address(sender)
    address = parseaddr(sender)[1]
    if not (isinstance(from_value, str) and from_value.isascii() and _PLAIN_ADDRESS.match(address)):
        return None, ""
    return address, _header_line("From", from_value)


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

    def send(self, email: Message | WireEmail) -> None:
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

    def send_many(self, emails: Sequence[Message | WireEmail]) -> list[SendResult]:
        """Send a batch over one connection; one refused message does not stop the others."""
        if not emails:
            return []
        reused, self._kept = self._kept, None
        try:
            connection = reused or self._connect()
        except DeliveryError as error:
            return [SendResult(_message_id(email), error) for email in emails]
        results: list[SendResult] = []
        lost = False
        try:
            for index, email in enumerate(emails):
                try:
                    _send_one(connection, email)
                    results.append(SendResult(_message_id(email)))
                except smtplib.SMTPException as error:
                    if isinstance(error, smtplib.SMTPServerDisconnected):
                        lost = True
                        if reused is not None and index == 0:
                            # A kept connection the server closed while idle: nothing went out on it.
                            return self.send_many(emails)
                        return results + self._lost(emails[index:], error)
                    results.append(SendResult(_message_id(email), _classify(error)))
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
    def _lost(unsent: Sequence[Message | WireEmail], error: BaseException) -> list[SendResult]:
        # The connection is gone: nothing from this message on can be sent over it.
        failure = TemporaryDeliveryError(f"SMTP connection lost: {_describe(error)}")
        return [SendResult(_message_id(email), failure) for email in unsent]

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


def _send_one(connection: smtplib.SMTP, email: Message | WireEmail) -> None:
    if isinstance(email, WireEmail):
        connection.sendmail(email.sender, [email.recipient], email.data)
    else:
        connection.send_message(email)


def _message_id(email: Message | WireEmail) -> str:
    return email.message_id if isinstance(email, WireEmail) else str(email["Message-ID"])


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
