"""The interface catalogs: complete, not fuzzy, and compiled from exactly what is committed."""

from __future__ import annotations

import re

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


# French sets « : ; ? ! » apart with a space. What is quoted, or between braces, is code (a YAML key, an
# attribute) and keeps its own spelling; so does a code word written exactly as in the English text.
QUOTED_OR_CODE = re.compile(r"«[^»]*»|\"[^\"]*\"|`[^`]*`|\{[^{}]*\}|(?<![\w’])'[^']*'(?!\w)")
UNSPACED = re.compile(r"(\S+)([:;?!])(?=\s|$)")


def _unspaced_punctuation(msgid: str, msgstr: str) -> list[str]:
    text = msgstr
    while (stripped := QUOTED_OR_CODE.sub("", text)) != text:
        text = stripped
    return [found.group(0) for found in UNSPACED.finditer(text)
            if not (re.fullmatch(r"\(?[A-Za-z_.-]+", found.group(1)) and found.group(0).lstrip("(") in msgid)]


def test_french_texts_put_a_space_before_colons_semicolons_and_question_and_exclamation_marks():
    problems = []
    for entry in read_catalog("fr"):
        if not entry.id:
            continue
        msgid = " ".join(entry.id) if isinstance(entry.id, tuple) else entry.id
        for msgstr in entry.string if isinstance(entry.string, tuple) else (entry.string,):
            problems += [f"{found!r} in {msgstr!r}" for found in _unspaced_punctuation(msgid, msgstr)]
    assert not problems, "French wants a space before « : ; ? ! »: " + "; ".join(problems)


def test_the_french_spacing_rule_finds_a_missing_space_and_leaves_code_alone():
    assert _unspaced_punctuation("%(label)s: %(value)s", "%(label)s: %(value)s") == ["%(label)s:"]
    assert _unspaced_punctuation("Sure?", "Sûr?") == ["Sûr?"]
    assert _unspaced_punctuation("add main: to it", "ajoutez main: et « id: » ou '%(key)s:' ou {fr: x}") == []
    assert _unspaced_punctuation("%(label)s: %(value)s", "%(label)s : %(value)s ; l'heure 08:00") == []
