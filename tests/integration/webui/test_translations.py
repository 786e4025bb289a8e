"""The interface catalogs: complete, not fuzzy, and compiled from exactly what is committed."""

from __future__ import annotations

import pytest

from webui.i18n import LANGUAGES, catalog_path, compiled_catalog, extract_messages, read_catalog


def _msgid(message) -> str:
    return message[0] if isinstance(message, tuple) else message


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_interface_text_is_translated_and_not_fuzzy(language):
    catalog = read_catalog(language)
    problems = []
    for message, locations in extract_messages().items():
        entry = catalog.get(_msgid(message))
        where = "%s:%d" % locations[0]
        if entry is None:
            problems.append(f"missing: {_msgid(message)!r} ({where})")
        elif entry.fuzzy:
            problems.append(f"fuzzy: {_msgid(message)!r} ({where})")
        elif not all(entry.string) if entry.pluralizable else not entry.string:
            problems.append(f"untranslated: {_msgid(message)!r} ({where})")
    assert not problems, f"{language} catalog: " + "; ".join(problems) + " (run webui.i18n.update_catalogs())"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_holds_no_text_the_interface_no_longer_uses(language):
    used = {_msgid(message) for message in extract_messages()}
    stale = [entry.id for entry in read_catalog(language) if entry.id and _msgid(entry.id) not in used]
    assert not stale, f"{language} catalog has unused entries: {stale}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalog_matches_its_source(language):
    assert catalog_path(language, "mo").read_bytes() == compiled_catalog(language), (
        f"{language}: messages.mo is not compiled from messages.po (run webui.i18n.compile_stale_catalogs())"
    )
