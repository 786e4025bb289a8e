"""Ids and text from people: bounded ids, control characters found wherever they hide, JSON depth counted."""

from __future__ import annotations

import pytest

from engine.errors import InvalidData
from engine.untrusted_values import (
    INTEGER_ID_MAX,
    from_spreadsheet_text,
    parse_id,
    refuse_control_characters,
    spreadsheet_text,
    texts_with_control_characters,
)
from webui.untrusted_input import json_depth


@pytest.mark.parametrize("value, expected", [
    ("42", 42), (42, 42), (" 7 ", 7), (str(INTEGER_ID_MAX), INTEGER_ID_MAX), (str(INTEGER_ID_MAX + 1), None),
    ("9" * 20, None), ("²", None), ("١٢", None), ("-1", None), ("0", None), ("1.5", None), (True, None), (None, None),
    ([1], None), ("", None),
])
def test_an_id_is_ascii_digits_within_the_columns_range(value, expected):
    assert parse_id(value) == expected


def test_control_characters_are_found_in_nested_json_and_named_by_their_field():
    found = texts_with_control_characters({"note": "ok\tfine\n", "data": {"site": "Douala\x00"}, "tags": ["\x1b[2J"]})
    assert set(found) == {"site", "tags"}
    with pytest.raises(InvalidData) as refused:
        refuse_control_characters(display_name="Awa\x00", note="fine")
    assert set(refused.value.errors) == {"display_name"}


def test_json_depth_ignores_brackets_inside_strings():
    assert json_depth('{"a": [1, {"b": "[[[[[["}]}') == 3
    assert json_depth("[" * 40 + "]" * 40) == 40


@pytest.mark.parametrize("maximum", [9, 10, 205, 2**31 - 1, 2**63 - 1])
def test_the_route_pattern_for_ids_matches_exactly_1_to_the_maximum(maximum):
    import re

    from webui.untrusted_input import digits_up_to

    pattern = re.compile(digits_up_to(maximum) + r"\Z")
    assert [n for n in range(0, 300) if pattern.match(str(n))] == list(range(1, min(maximum, 299) + 1))
    assert pattern.match(str(maximum)) and not pattern.match(str(maximum + 1)) and not pattern.match("0" + str(maximum))


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3+cmd|x!A0", "@SUM(A1)", "\t=1+1", "\r=1+1"])
def test_text_a_spreadsheet_would_run_is_written_behind_an_apostrophe_and_read_back(text):
    assert spreadsheet_text(text) == "'" + text
    assert from_spreadsheet_text(spreadsheet_text(text)) == text


@pytest.mark.parametrize("value", ["-4.05", "+237 6 99 00 00 00", "-", "Douala", "'quoted", -3, 2.5, None])
def test_numbers_phone_numbers_and_plain_text_are_written_as_they_are(value):
    assert spreadsheet_text(value) == value and from_spreadsheet_text(value) == value
