"""Password checks that take as long whether or not the username exists."""

from __future__ import annotations

from functools import lru_cache

from engine.store.passwords import hash_password, needs_rehash, verify_password

__all__ = ["hash_password", "needs_rehash", "password_matches"]


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    # Verifying against a decoy keeps unknown usernames as slow as wrong passwords,
    # so response times do not reveal which accounts exist.
    return hash_password("decoy password that no account has")


def password_matches(stored_hash: str | None, password: str) -> bool:
    """Whether `password` matches `stored_hash`; a missing hash never matches."""
    if not stored_hash:
        verify_password(_decoy_hash(), password)
        return False
    return verify_password(stored_hash, password)
