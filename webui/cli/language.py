"""The command line's language: `--lang`, else the locale (LC_ALL, LC_MESSAGES, LANG), else English.

Its words come from the same Babel catalogs as the pages (webui/translations), read inside a small
application context made for that alone, so that a command says in French what a page says in French.
English stays the default: scripts that read the output keep reading what they read before.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

import click

from webui.i18n import LANGUAGES

LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")
_chosen: ContextVar[str | None] = ContextVar("cli_language", default=None)


def cli_language() -> str:
    """The language the command answers in ("fr" or "en")."""
    chosen = _chosen.get()
    if chosen:
        return chosen
    for name in LOCALE_VARIABLES:
        value = (os.environ.get(name) or "").strip()
        if value:
            # The first variable set decides, as the C library does ("fr_FR.UTF-8", "C", "en_GB").
            language = value[:2].lower()
            return language if language in LANGUAGES else "en"
    return "en"


def choose_language(_context, _parameter, value: str | None) -> str | None:
    """A command's `--lang`: its language from now on (none given: as chosen before, by the group or the locale)."""
    if value:
        _chosen.set(value)
    return value


def start_language(_context, _parameter, value: str | None) -> str | None:
    """The group's `--lang`: each run of `aiguillage` starts from it (none given: the locale)."""
    _chosen.set(value or None)
    return value


_HELP = "Language of messages (default: the locale, LC_ALL/LC_MESSAGES/LANG; else English)."
LANG_OPTION = click.option("--lang", type=click.Choice(LANGUAGES), default=None, expose_value=False, is_eager=True,
                           callback=choose_language, help=_HELP)
MAIN_LANG_OPTION = click.option("--lang", type=click.Choice(LANGUAGES), default=None, expose_value=False, is_eager=True,
                                callback=start_language, help=_HELP)


@lru_cache(maxsize=1)
def _words_app():
    from flask import Flask
    from flask_babel import Babel

    from webui.i18n import TRANSLATIONS_DIR

    app = Flask("webui", root_path=str(TRANSLATIONS_DIR.parent))
    Babel(app, locale_selector=cli_language)
    return app


@contextmanager
def in_cli_language() -> Iterator[str]:
    """A context where the catalogs' gettext speaks the command's language; yields that language."""
    with _words_app().app_context():
        yield cli_language()
