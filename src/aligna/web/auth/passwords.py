"""Passwords: argon2 hashing, verification, rehashing, and the password rules."""

from __future__ import annotations

import threading
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from aligna.model.account import normalise_email
from aligna.web.auth.errors import PasswordPolicyError

__all__ = [
    "MAX_LENGTH",
    "MIN_LENGTH",
    "PasswordPolicyError",
    "check_password_policy",
    "hash_password",
    "needs_rehash",
    "spend_verify_time",
    "verify_password",
]

MIN_LENGTH = 12
# Hashing is deliberately slow; an unbounded password would let anyone burn CPU with one request.
MAX_LENGTH = 1024

# argon2-cffi's defaults follow RFC 9106's recommendation; raising them later only makes
# check_needs_rehash true, and the next successful sign-in upgrades the stored hash.
_hasher = PasswordHasher()


def check_password_policy(*, password: str, email: str) -> None:
    """Raise PasswordPolicyError, saying what is wrong, unless the password meets the rules."""
    if len(password) < MIN_LENGTH:
        raise PasswordPolicyError(
            f"the password is too short: it has {len(password)} characters, "
            f"at least {MIN_LENGTH} are needed"
        )
    if len(password) > MAX_LENGTH:
        raise PasswordPolicyError(
            f"the password is too long: at most {MAX_LENGTH} characters are allowed"
        )
    if normalise_email(password) == normalise_email(email):
        raise PasswordPolicyError("the password must not be the account's email address")


# Each argon2 computation takes 64 MiB: a burst of sign-ins would otherwise take gigabytes
# (20 at once took one web worker from 180 MiB to 1.1 GiB). Two at a time per process.
_at_once = threading.BoundedSemaphore(2)


def hash_password(password: str) -> str:
    """The argon2id hash of a password, with its own random salt, for storing."""
    with _at_once:
        return _hasher.hash(password)


def verify_password(*, password_hash: str, password: str) -> bool:
    """Whether a password matches a stored hash (False for a damaged hash, never raises)."""
    try:
        with _at_once:
            return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash was made with weaker parameters than today's."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@cache
def _dummy_hash() -> str:
    return hash_password("not the password of anyone at all")


def spend_verify_time(password: str) -> None:
    """Spend the time of a real verification, so a missing account takes as long as a real one."""
    verify_password(password_hash=_dummy_hash(), password=password)
