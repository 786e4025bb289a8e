"""The mark of a template for the catalogs."""

from __future__ import annotations


def N_(text: str) -> str:
    """Marks a template for the catalogs; worded later, once its values are known."""
    return text
