"""The errors of signing in and managing accounts, each with a message fit to show."""

from __future__ import annotations


class AccountError(Exception):
    """An account operation that cannot be done, with the reason in the message."""


class PasswordPolicyError(AccountError):
    """A password that does not meet the password rules."""


class LoginFailed(Exception):
    """Sign-in failed; deliberately the same for every reason, so it reveals nothing."""

    def __init__(self) -> None:
        super().__init__("wrong email or password")


class LoginLimited(Exception):
    """Too many failed sign-ins recently; try again after `retry_after_seconds`."""

    def __init__(self, retry_after_seconds: int) -> None:
        self.retry_after_seconds = retry_after_seconds
        super().__init__(f"too many failed sign-ins: try again in {_duration(retry_after_seconds)}")


class TokenInvalid(Exception):
    """A reset or API token that is unknown, used, revoked or expired."""


def _duration(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    if minutes == 0:
        return f"{rest} s"
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"
