"""Who hears what, when: each person's delivery per event kind, with sensible defaults.

A person chooses, per event kind, to hear of it immediately, in their daily or weekly digest,
or not at all; `digest` itself is a preference too (the cadence of the feedback on their
scorecard: daily, weekly, or off). Without a choice, the default depends on why they hear of
it: the owner and the managers an exception is escalated to need to act, so they hear at once
of exceptions; influencers and followers need to know, so they read it in their digest.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from aligna.enums import Delivery, EventKind, RecipientRole
from aligna.model import NotificationPreference

DIGEST = "digest"
ACTING = (RecipientRole.owner, RecipientRole.manager)
NOW, DAILY, WEEKLY = Delivery.immediately, Delivery.daily, Delivery.weekly

# Event kind -> (default for the owner and managers, default for influencers and followers).
DEFAULTS: dict[str, tuple[Delivery, Delivery]] = {
    EventKind.exception_opened: (NOW, DAILY),
    EventKind.exception_escalated: (NOW, DAILY),
    EventKind.commitment_missed: (NOW, DAILY),
    EventKind.exception_acknowledged: (DAILY, WEEKLY),
    EventKind.exception_committed: (DAILY, WEEKLY),
    EventKind.exception_resolved: (DAILY, WEEKLY),
    EventKind.status_changed: (DAILY, WEEKLY),
    EventKind.milestone_due_soon: (DAILY, WEEKLY),
}
DIGEST_DEFAULT = Delivery.weekly
KINDS: tuple[str, ...] = (*DEFAULTS, DIGEST)

LABELS: dict[str, str] = {
    EventKind.exception_opened: "An exception opened on an item",
    EventKind.exception_escalated: "An exception escalated",
    EventKind.commitment_missed: "A commitment's deadline passed",
    EventKind.exception_acknowledged: "An exception acknowledged",
    EventKind.exception_committed: "A commitment made on an exception",
    EventKind.exception_resolved: "An exception resolved",
    EventKind.status_changed: "A status changed",
    EventKind.milestone_due_soon: "A milestone due soon",
    DIGEST: "Feedback on my scorecard (the digest)",
}


class PreferenceError(ValueError):
    """A preference that cannot be set, saying what was expected."""


@dataclass(frozen=True)
class Preferences:
    """Everyone's explicit choices, looked up with the defaults filled in."""

    chosen: dict[tuple[int, str], Delivery]

    def delivery(self, person_id: int, kind: str, role: RecipientRole) -> Delivery:
        """How a person hears of an event kind they receive in a role."""
        choice = self.chosen.get((person_id, kind))
        if choice is not None:
            return choice
        acting, informed = DEFAULTS[kind]
        return acting if role in ACTING else informed

    def digest(self, person_id: int) -> Delivery:
        """The cadence of a person's digest: daily, weekly or off."""
        return self.chosen.get((person_id, DIGEST), DIGEST_DEFAULT)


def load_preferences(session: Session, person_ids: Iterable[int] | None = None) -> Preferences:
    """The explicit choices of some people (or of everyone)."""
    query = select(
        NotificationPreference.person_id,
        NotificationPreference.event_kind,
        NotificationPreference.delivery,
    )
    if person_ids is not None:
        ids = list(set(person_ids))
        chosen: dict[tuple[int, str], Delivery] = {}
        for start in range(0, len(ids), 500):
            part = query.where(NotificationPreference.person_id.in_(ids[start : start + 500]))
            chosen.update({(p, k): Delivery(d) for p, k, d in session.execute(part)})
        return Preferences(chosen)
    return Preferences({(p, k): Delivery(d) for p, k, d in session.execute(query)})


def person_preferences(session: Session, person_id: int) -> dict[str, Delivery | None]:
    """A person's explicit choice per kind (None: the default applies), for their settings page."""
    chosen = load_preferences(session, [person_id]).chosen
    return {kind: chosen.get((person_id, kind)) for kind in KINDS}


def set_preferences(session: Session, person_id: int, choices: dict[str, str | None]) -> None:
    """Set a person's choices (None or "default" clears one); unknown kinds or values fail whole."""
    checked: dict[str, Delivery | None] = {}
    for kind, value in choices.items():
        if kind not in KINDS:
            raise PreferenceError(
                f"unknown event kind {kind!r}: expected one of {', '.join(KINDS)}"
            )
        if value in (None, "", "default"):
            checked[kind] = None
            continue
        try:
            delivery = Delivery(value)
        except ValueError:
            raise PreferenceError(
                f"{kind}: unknown delivery {value!r}: expected immediately, daily, weekly or off"
            ) from None
        if kind == DIGEST and delivery is Delivery.immediately:
            raise PreferenceError("digest: a digest is daily, weekly or off, not immediately")
        checked[kind] = delivery
    for kind, delivery in checked.items():
        session.execute(
            delete(NotificationPreference).where(
                NotificationPreference.person_id == person_id,
                NotificationPreference.event_kind == kind,
            )
        )
        if delivery is not None:
            session.add(
                NotificationPreference(person_id=person_id, event_kind=kind, delivery=delivery)
            )
    session.flush()
