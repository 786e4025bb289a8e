"""Personal API tokens: random secrets shown once, stored only as their SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "aig_"


def new_token() -> str:
    """A fresh token to show its owner once."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the database keeps of a token: enough to recognise it, useless to anyone who reads it."""
    return hashlib.sha256(token.encode()).hexdigest()
