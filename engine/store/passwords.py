"""Password hashing with Argon2id (argon2-cffi's defaults follow the current recommendation)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """The Argon2id hash to store for `password`."""
    if not password:
        raise ValueError("a password cannot be empty")
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches the stored hash; False for accounts without one."""
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's and should be redone."""
    return _hasher.check_needs_rehash(password_hash)
