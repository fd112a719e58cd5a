"""A person's notification preferences as the page and the API show them: per event kind, the
choice made (or none, when the default applies) and what the default is."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from aligna.channels.preferences import (
    DEFAULTS,
    DIGEST,
    DIGEST_DEFAULT,
    KINDS,
    LABELS,
    person_preferences,
)

DELIVERY_WORDS = {
    "immediately": "immediately",
    "daily": "daily digest",
    "weekly": "weekly digest",
    "off": "off",
}
DIGEST_WORDS = {"daily": "daily", "weekly": "weekly", "off": "off"}


@dataclass(frozen=True)
class PreferenceRow:
    """One event kind: its label, the person's choice and the defaults."""

    kind: str
    label: str
    chosen: str | None  # None: the default applies
    default_owner: str  # for the owner and the managers it is escalated to
    default_influencer: str  # for influencers and followers
    options: tuple[str, ...]

    @property
    def is_digest(self) -> bool:
        """Whether this row is the digest's cadence rather than an event kind."""
        return self.kind == DIGEST

    @property
    def default_words(self) -> str:
        """The default, in words: one for both, or 'owner / influencers'."""
        words = DIGEST_WORDS if self.is_digest else DELIVERY_WORDS
        if self.default_owner == self.default_influencer:
            return words[self.default_owner]
        return f"{words[self.default_owner]} / {words[self.default_influencer]}"

    def words(self, option: str) -> str:
        """An option in words."""
        return (DIGEST_WORDS if self.is_digest else DELIVERY_WORDS)[option]


def defaults_of(kind: str) -> tuple[str, str]:
    """(default for owners and managers, default for influencers and followers) of a kind."""
    if kind == DIGEST:
        return str(DIGEST_DEFAULT), str(DIGEST_DEFAULT)
    owner, influencer = DEFAULTS[kind]
    return str(owner), str(influencer)


def preference_rows(session: Session, person_id: int) -> list[PreferenceRow]:
    """Every kind, in the order people read them, with the person's choice."""
    chosen = person_preferences(session, person_id)
    rows = []
    for kind in KINDS:
        owner, influencer = defaults_of(kind)
        value = chosen.get(kind)
        rows.append(
            PreferenceRow(
                kind=kind,
                label=LABELS[kind],
                chosen=str(value) if value is not None else None,
                default_owner=owner,
                default_influencer=influencer,
                options=tuple(DIGEST_WORDS if kind == DIGEST else DELIVERY_WORDS),
            )
        )
    return rows
