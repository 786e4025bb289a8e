"""The person's alias as case staff search it: folded so that "aicha" finds "Aïcha", kept on the case row."""

from __future__ import annotations

import unicodedata

# The identification form's field for the name the person is known by (the case page's summary reads it too).
ALIAS_FIELD = "person_alias"
KEY_LENGTH = 200


def alias_key(text: str | None) -> str | None:
    """Lower case, without accents, spaces collapsed; None for nothing."""
    if not isinstance(text, str):
        return None
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    folded = " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())
    return folded[:KEY_LENGTH] or None
