"""The person's alias as case staff search it: folded so that "aicha" finds "Aïcha", kept on the case row.

Which field holds the alias is the pathway's to say (`case_summary: alias:` in pathway.yaml).
"""

from __future__ import annotations

import unicodedata

KEY_LENGTH = 200


def alias_key(text: str | None) -> str | None:
    """Lower case, without accents, spaces collapsed; None for nothing."""
    if not isinstance(text, str):
        return None
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    folded = " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())
    return folded[:KEY_LENGTH] or None
