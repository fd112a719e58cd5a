"""The words of a message about an event: subject, plain text and HTML, with a link back.

Messages say what happened, to what, why the reader is told, and where to act, in the
domain's words. The HTML part is the same text, escaped, with the link as a button.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

from sqlalchemy import select
from sqlalchemy.orm import Session

from aligna import model as m
from aligna.channels.recipients import Recipient
from aligna.enums import EventKind
from aligna.words import EXCEPTION_WORDS, STATUS_WORDS

CHUNK = 500


@dataclass(frozen=True)
class Composed:
    """A message's subject, plain text, HTML and the path it links to inside aligna; and the
    short form the in-app inbox shows (the page already names the organisation and links)."""

    subject: str
    text: str
    html: str
    link: str
    headline: str
    summary: str


class Names:
    """The names and ids messages mention, read once for a batch of events."""

    def __init__(self, session: Session, events: Sequence[m.ChannelEvent]) -> None:
        self.kpis = self._read(session, m.Kpi, (e.kpi_id for e in events))
        self.initiatives = self._read(session, m.Initiative, (e.initiative_id for e in events))
        self.units = self._read(session, m.Unit, (e.unit_id for e in events))
        self.milestones: dict[int, str] = {}
        ids = sorted({e.milestone_id for e in events if e.milestone_id is not None})
        for start in range(0, len(ids), CHUNK):
            rows = session.execute(
                select(m.Milestone.id, m.Milestone.name).where(
                    m.Milestone.id.in_(ids[start : start + CHUNK])
                )
            )
            self.milestones.update({key: value for key, value in rows})
        self.exception_kinds: dict[int, str] = {}
        ids = sorted({e.exception_id for e in events if e.exception_id is not None})
        for start in range(0, len(ids), CHUNK):
            x = m.PerformanceException
            rows = session.execute(select(x.id, x.kind).where(x.id.in_(ids[start : start + CHUNK])))
            self.exception_kinds.update({key: value for key, value in rows})
        self.people: dict[int, str] = {}

    @staticmethod
    def _read(
        session: Session,
        table: type[m.Kpi] | type[m.Initiative] | type[m.Unit],
        ids: Iterable[int | None],
    ) -> dict[int, tuple[str, str]]:
        wanted = sorted({i for i in ids if i is not None})
        found: dict[int, tuple[str, str]] = {}
        for start in range(0, len(wanted), CHUNK):
            rows = session.execute(
                select(table.id, table.slug, table.name).where(
                    table.id.in_(wanted[start : start + CHUNK])
                )
            )
            found.update({i: (slug, name) for i, slug, name in rows})
        return found

    def read_people(self, session: Session, ids: Iterable[int]) -> None:
        """Also know these people's names (the managers escalations reach, the actors)."""
        wanted = sorted({i for i in ids if i not in self.people})
        for start in range(0, len(wanted), CHUNK):
            rows = session.execute(
                select(m.Person.id, m.Person.name).where(
                    m.Person.id.in_(wanted[start : start + CHUNK])
                )
            )
            self.people.update({key: value for key, value in rows})

    def item(self, event: m.ChannelEvent) -> tuple[str, str]:
        """The item the event is about, as (name for people, path of its page)."""
        if event.kpi_id is not None and event.kpi_id in self.kpis:
            slug, name = self.kpis[event.kpi_id]
            if event.unit_id is not None and event.unit_id in self.units:
                return f"{name} ({self.units[event.unit_id][1]})", f"/kpis/{slug}"
            return name, f"/kpis/{slug}"
        if event.initiative_id is not None and event.initiative_id in self.initiatives:
            slug, name = self.initiatives[event.initiative_id]
            return name, f"/initiatives/{slug}"
        return "an item", "/"


def compose(
    event: m.ChannelEvent, recipient: Recipient, names: Names, *, public_url: str, org: str = ""
) -> Composed:
    """The message telling one recipient of one event."""
    item, item_path = names.item(event)
    link = f"/exceptions/{event.exception_id}" if event.exception_id is not None else item_path
    headline, what = _what(event, item, names)
    # Whole sentences: the inbox shows the lines run together.
    lines = [line if line.endswith((".", "!", "?")) else f"{line}." for line in what]
    actor = names.people.get(event.actor_person_id or -1)
    if actor:
        lines.append(f"By {actor}.")
    if event.note:
        lines.append(f"Note: {event.note}")
    lines.append(f"You are told because {recipient.reason}.")
    url = public_url.rstrip("/") + link
    prefix = f"[{org}] " if org else "[aligna] "
    text = "\n\n".join([headline, *lines, f"Open it: {url}"])
    text += (
        "\n\n-- \nChoose what you hear of and when: "
        + public_url.rstrip("/")
        + "/me/notifications\n"
    )
    html = (
        '<div style="font-family:system-ui,sans-serif;max-width:36rem;line-height:1.5">'
        f"<p><strong>{escape(headline)}</strong></p>"
        + "".join(f"<p>{escape(line)}</p>" for line in lines)
        + f'<p><a href="{escape(url)}" style="display:inline-block;padding:.5rem 1rem;'
        'background:#1f4e79;color:#fff;text-decoration:none;border-radius:4px">Open it in aligna'
        "</a></p>"
        f'<p style="color:#666;font-size:.85rem"><a href="{escape(public_url.rstrip("/"))}'
        '/me/notifications">Choose what you hear of and when</a></p></div>'
    )
    return Composed(
        subject=prefix + headline,
        text=text,
        html=html,
        link=link,
        headline=headline,
        summary="\n\n".join(lines),
    )


def _what(event: m.ChannelEvent, item: str, names: Names) -> tuple[str, list[str]]:
    """The headline and the lines saying what happened."""
    kind = EventKind(event.kind)
    exception = EXCEPTION_WORDS.get(names.exception_kinds.get(event.exception_id or -1, ""), "")
    detail = [event.detail] if event.detail else []
    if kind is EventKind.status_changed:
        before = STATUS_WORDS.get(event.status_from or "", event.status_from or "")
        after = STATUS_WORDS.get(event.status_to or "", event.status_to or "")
        period = f" in {event.period}" if event.period else ""
        return f"{item} is now {after}", [f"It went from {before} to {after}{period}."]
    if kind is EventKind.exception_opened:
        return f"Exception on {item}: {exception or 'needs attention'}", [
            *detail,
            "Acknowledge it with a note, or turn it into a commitment with a deadline; "
            "unacknowledged, it goes up the reporting line.",
        ]
    if kind is EventKind.exception_escalated:
        return f"Escalated (level {event.level}): {item}", detail
    if kind is EventKind.exception_acknowledged:
        return f"Acknowledged: {item}", detail
    if kind is EventKind.exception_committed:
        due = f" by {event.deadline.isoformat()}" if event.deadline else ""
        return f"Commitment{due}: {item}", detail
    if kind is EventKind.commitment_missed:
        return f"Commitment missed: {item}", [
            *detail,
            "The deadline passed and the exception is still open, so its escalation resumes.",
        ]
    if kind is EventKind.exception_resolved:
        return f"Resolved: {item}", detail
    milestone = names.milestones.get(event.milestone_id or -1, "a milestone")
    return f"Due soon: {milestone} of {item}", detail
