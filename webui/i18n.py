"""Interface languages: French by default, English; the catalogs and how a request picks one."""

from __future__ import annotations

import logging
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from flask import Flask, g, request, session
from flask_babel import Babel, get_locale

from engine.domain import Language

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
TRANSLATIONS_DIR = PACKAGE_DIR / "translations"
EXTRACTION_CONFIG = PACKAGE_DIR / "babel.cfg"
LANGUAGES = tuple(language.value for language in Language)
DEFAULT_LANGUAGE = Language.FR.value
SESSION_KEY = "language"
# Labels defined at import time are marked with lazy_gettext (imported as _l).
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}


# English pages write dates as Cameroon reads them, day first (05/12/2026 is 5 December), not the
# American way Babel's plain "en" uses; texts still come from the "en" catalog.
_FORMAT_LOCALES = {Language.EN.value: "en_GB"}


def select_language() -> str:
    """The locale of the request: the signed-in user's language, else the switch, else the browser's,
    else French (written with its date conventions)."""
    return _FORMAT_LOCALES.get(_chosen_language(), _chosen_language())


def _chosen_language() -> str:
    user = g.get("user")
    if user is not None and getattr(user, "language", None) in LANGUAGES:
        return user.language
    chosen = session.get(SESSION_KEY)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def current_language() -> str:
    """The language this request is answered in ("fr" or "en")."""
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LANGUAGE


def catalog_path(language: str, suffix: str = "po") -> Path:
    """Where the catalog of `language` lives."""
    return TRANSLATIONS_DIR / language / "LC_MESSAGES" / f"messages.{suffix}"


def read_catalog(language: str) -> Catalog:
    """The translations of `language` as written by translators."""
    with catalog_path(language).open("rb") as source:
        return read_po(source, locale=language)


def compiled_catalog(language: str) -> bytes:
    """The .mo bytes of `language`'s catalog; the same .po always gives the same bytes."""
    out = BytesIO()
    write_mo(out, read_catalog(language), use_fuzzy=False)
    return out.getvalue()


def compile_stale_catalogs() -> None:
    """Write each .mo whose .po is newer or whose bytes differ (a checkout does not keep times)."""
    for language in LANGUAGES:
        po, mo = catalog_path(language), catalog_path(language, "mo")
        if not po.exists():
            continue
        wanted = compiled_catalog(language)
        if mo.exists() and mo.read_bytes() == wanted:
            continue
        try:
            mo.write_bytes(wanted)
        except OSError as exc:
            # A read-only install keeps working with the .mo files it was installed with.
            log.warning("cannot write %s: %s", mo.name, exc)


def extract_messages() -> dict[str | tuple[str, ...], list[tuple[str, int]]]:
    """Every translatable text of the web interface (plurals as tuples), with where it appears."""
    with EXTRACTION_CONFIG.open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict[str | tuple[str, ...], list[tuple[str, int]]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(PACKAGE_DIR), method_map, options_map, keywords=KEYWORDS
    ):
        found.setdefault(message, []).append((filename, lineno))
    return found


def update_catalogs() -> None:
    """Merge the texts found in the code into every catalog; new French entries wait for a translator."""
    template = Catalog(project="Aiguillage", charset="utf-8")
    for msgid, locations in extract_messages().items():
        template.add(msgid, locations=locations)
    for language in LANGUAGES:
        path = catalog_path(language)
        if path.exists():
            catalog = read_catalog(language)
        else:
            catalog = Catalog(locale=language, project="Aiguillage", charset="utf-8")
            path.parent.mkdir(parents=True, exist_ok=True)
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        # The interface is written in English: the English catalog translates each text to itself.
        if language == Language.EN.value:
            for message in catalog:
                if message.id:
                    message.string = message.id
                    message.flags.discard("fuzzy")
        catalog.obsolete.clear()
        catalog.fuzzy = False
        catalog.project, catalog.version = "Aiguillage", ""
        catalog.copyright_holder = "the Aiguillage contributors"
        with path.open("wb") as target:
            write_po(target, catalog, width=100, omit_header=False, sort_output=True)
    compile_stale_catalogs()


def init_i18n(app: Flask) -> None:
    """Install Flask-Babel with our catalogs and language choice."""
    compile_stale_catalogs()
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS_DIR))
    Babel(app, locale_selector=select_language)
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
