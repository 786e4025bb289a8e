"""Web configuration read from the environment, with defaults that are safe in production."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta

from engine.errors import AiguillageError


class ConfigurationError(AiguillageError):
    """An environment variable holds a value the application cannot use."""


def _flag(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name}={raw!r} is not a yes/no value (use 1 or 0)")


def _positive_int(environ: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise ConfigurationError(f"{name}={raw!r} must be at least {minimum}")
    return value


def config_from_env(environ: Mapping[str, str] | None = None) -> dict:
    """The Flask configuration the environment asks for (see the README, "Configuration")."""
    environ = os.environ if environ is None else environ
    base_url = environ.get("AIGUILLAGE_BASE_URL", "").strip().rstrip("/")
    # Secure cookies unless the site is explicitly served over plain HTTP: a forgotten
    # variable must not leak session cookies over an unencrypted connection.
    secure = _flag(environ, "AIGUILLAGE_COOKIE_SECURE", not base_url.startswith("http://"))
    idle_minutes = _positive_int(environ, "AIGUILLAGE_SESSION_IDLE_MINUTES", 30)
    max_age = timedelta(hours=_positive_int(environ, "AIGUILLAGE_SESSION_MAX_HOURS", 12))
    return {
        "SECRET_KEY": environ.get("AIGUILLAGE_SECRET_KEY") or None,
        "BASE_URL": base_url or None,
        "PREFERRED_URL_SCHEME": "https" if secure else "http",
        "SESSION_COOKIE_NAME": "aiguillage_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        "SESSION_IDLE_TIMEOUT": timedelta(minutes=idle_minutes),
        # However active, a session ends after this long: a stolen cookie cannot be kept alive by use.
        "SESSION_MAX_AGE": max_age,
        # The browser keeps the cookie as long as a session can live, so that a request after the idle timeout
        # still says whose session ended: the person is told so, and a form they were filling in is offered
        # again once they sign in (webui.auth.resume). The server refuses the ended session all the same.
        "PERMANENT_SESSION_LIFETIME": max_age,
        "MAX_CONTENT_LENGTH": _positive_int(environ, "AIGUILLAGE_MAX_REQUEST_BYTES", 4 * 1024 * 1024),
        "LOGIN_MAX_FAILURES": _positive_int(environ, "AIGUILLAGE_LOGIN_MAX_FAILURES", 5),
        # One address trying one password against many usernames: an office behind one address fails more often.
        "LOGIN_MAX_FAILURES_PER_ADDRESS": _positive_int(environ, "AIGUILLAGE_LOGIN_MAX_FAILURES_PER_ADDRESS", 20),
        "LOGIN_FAILURE_WINDOW": timedelta(
            minutes=_positive_int(environ, "AIGUILLAGE_LOGIN_WINDOW_MINUTES", 15)
        ),
        # Number of reverse proxies in front of the app whose X-Forwarded-* headers are trusted;
        # 0 means the client address is the socket's (nobody can spoof it to dodge throttling).
        "TRUSTED_PROXIES": _positive_int(environ, "AIGUILLAGE_TRUSTED_PROXIES", 0, minimum=0),
        # Counts under this are shown as "< N" on the indicator pages, their downloads and the report.
        "SMALL_CELL_THRESHOLD": _positive_int(environ, "AIGUILLAGE_SMALL_CELL_THRESHOLD", 5, minimum=2),
        # Months each steering committee report covers (the scheduler reads the same variable).
        "COMMITTEE_REPORT_MONTHS": _positive_int(environ, "AIGUILLAGE_REPORT_MONTHS", 1),
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": "Africa/Douala",
    }
