"""Fixtures for notification tests: a real local SMTP server, up, down or behind TLS."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest

from local_servers import Mailbox, SmtpServer, self_signed_certificate


@pytest.fixture
def mailbox() -> Mailbox:
    return Mailbox()


@pytest.fixture
def smtp_server(mailbox) -> Iterator[SmtpServer]:
    server = SmtpServer(mailbox).start()
    yield server
    server.stop()


@pytest.fixture
def smtp_down(mailbox) -> Iterator[SmtpServer]:
    """A server that is configured but not running (start() it to bring it back)."""
    server = SmtpServer(mailbox)
    yield server
    server.stop()


@pytest.fixture
def tls_files(tmp_path) -> tuple[Path, Path]:
    return self_signed_certificate(tmp_path)


@pytest.fixture
def client_tls_context(tls_files) -> ssl.SSLContext:
    """A client context that trusts only the test certificate (and still checks the host name)."""
    return ssl.create_default_context(cafile=str(tls_files[0]))


@pytest.fixture
def server_tls_context(tls_files) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(tls_files[0]), str(tls_files[1]))
    return context


