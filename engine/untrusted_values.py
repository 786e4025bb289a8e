"""Values that come from people: ids bounded to what the id columns hold, text without control characters.

Every id a person types or a URL carries goes through `parse_id`, every free text through
`refuse_control_characters` (or the pathway's form check, which uses the same pattern), so that a
hostile value is a clear refusal, never an overflow or a database error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from engine import field_problems as problem
from engine.errors import InvalidData

# Largest id an INTEGER column holds (most tables), and a BIGINT one (cases, audit, outbox, deliveries).
INTEGER_ID_MAX = 2**31 - 1
BIG_ID_MAX = 2**63 - 1

# Dates a person may ask about (a period, a report's month): far wider than any period read, narrow
# enough that a period's arithmetic (the day after its end, the period before it) stays within a date.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)

# Control characters other than tab and line breaks, and halves of surrogate pairs: no person types
# them, PostgreSQL refuses NUL in text and UTF-8 cannot encode a lone surrogate.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")

# ASCII digits only: str.isdigit() also says yes to "²" and "٣", which int() refuses or reads oddly.
_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_id(value: object, maximum: int = INTEGER_ID_MAX) -> int | None:
    """`value` as an id from 1 to `maximum` (an int, or ASCII digits as text), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        return None
    return number if 1 <= number <= maximum else None


def has_control_characters(text: str) -> bool:
    """Whether `text` holds a character no person types (see CONTROL_CHARACTERS)."""
    return CONTROL_CHARACTERS.search(text) is not None


def refuse_control_characters(**texts: str | None) -> None:
    """InvalidData naming every given text that holds control characters."""
    wrong = {name: [problem.control_characters()] for name, text in texts.items()
             if isinstance(text, str) and has_control_characters(text)}
    if wrong:
        raise InvalidData(f"{', '.join(wrong)}: remove the control characters", wrong)


def texts_with_control_characters(values: object, name: str = "") -> dict[str, list]:
    """Every text inside `values` (nested mappings and lists) holding control characters, by its field name."""
    found: dict[str, list] = {}
    if isinstance(values, str):
        if has_control_characters(values):
            found[name or "_body"] = [problem.control_characters()]
    elif isinstance(values, Mapping):
        for key, inner in values.items():
            if isinstance(key, str) and has_control_characters(key):
                found[name or "_body"] = [problem.control_characters()]
            found.update(texts_with_control_characters(inner, str(key)))
    elif isinstance(values, (list, tuple)):
        for inner in values:
            found.update(texts_with_control_characters(inner, name))
    return found


# What makes a spreadsheet program read a cell as a formula (OWASP's list): text from people starting
# with one of these is written behind an apostrophe, which the programs show as text and do not run.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A number, or a phone number ("+237 6 99 00 00 00", "-4.05"): without letters no function can be
# called, so it stays as it is and numeric columns keep their signs.
_PLAIN_NUMBER = re.compile(r"[+\-]?[0-9 .,()/+\-]*")


def spreadsheet_text(value: object) -> object:
    """`value` as a CSV or XLSX cell that cannot run as a formula (text behind an apostrophe; other values as given)."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def from_spreadsheet_text(value: object) -> object:
    """A cell written by `spreadsheet_text` back to its text."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_START) \
            and not _PLAIN_NUMBER.fullmatch(value[1:]):
        return value[1:]
    return value
