"""channels.yaml in the database: escalation_rule and apprise_destination rows, read as
canonical records and written from a plan.

Escalation rules have no history of their own (the audit log keeps every before and after), so
a removed rule is deleted.

Apprise destinations are referred to by the outbox (`outbox_message.destination_id`), and the
messages sent are history that is never deleted. So a destination keeps its row for as long as
it is the same destination, and "the same" means the same owner and the same URL:
- its natural key is whose it is (person or unit) and its URL. A new description, new event
  kinds or another place in the file update the row in place; a new URL is another
  destination (the old one removed, the new one added), so a message's destination always
  shows the URL it was written for, and a queued message never goes to a URL nobody chose
  for it (matching rows by position would silently repoint them when the file is reordered).
- removing a destination deletes its row when no message refers to it. When messages do,
  the row is kept, retired: its `events` become `[RETIRED]`, a word no event kind can be. The
  dispatcher treats a non-empty `events` list as the only kinds a destination hears of, so a
  retired destination gets no new message, with no special case anywhere; messages already
  queued for it are still delivered (they were written while it was declared). Retired rows
  are left out of snapshots, so plan and export never see them; declaring the same owner and
  URL again restores the row (the plan says `restore`), like an archived entity.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from aligna import model as m
from aligna.files.channels import destination_key
from aligna.files.plan import Action, Change, Plan

if TYPE_CHECKING:
    from aligna.files.canonical import Record
    from aligna.files.snapshot import Keys

RETIRED = "-retired-"
CHUNK = 500


def _retired(events: Any) -> bool:
    return isinstance(events, list) and RETIRED in events


def _destination_rows(session: Session) -> list[Any]:
    d = m.AppriseDestination
    query = select(d.id, d.person_id, d.unit_id, d.url, d.description, d.events, d.position)
    return list(session.execute(query.order_by(d.position, d.id)))


def _key(keys: Keys, row: Any) -> str:
    return destination_key(
        keys.slug("person", row.person_id), keys.slug("unit", row.unit_id), row.url
    )


def escalation_records(session: Session) -> dict[str, Record]:
    """The stored escalation rules as records, by exception kind."""
    r = m.EscalationRule
    rows = session.execute(select(r.exception_kind, r.days, r.levels).order_by(r.exception_kind))
    return {kind: {"kind": kind, "days": days, "levels": levels} for kind, days, levels in rows}


def destination_records(session: Session, keys: Keys) -> dict[str, Record]:
    """The live (not retired) Apprise destinations as records, by natural key."""
    records: dict[str, Record] = {}
    for row in _destination_rows(session):
        if _retired(row.events):
            continue
        record = {
            "person": keys.slug("person", row.person_id),
            "unit": keys.slug("unit", row.unit_id),
            "url": row.url,
            "description": row.description,
            "events": list(row.events or []),
        }
        records.setdefault(_key(keys, row), record)
    return records


def retired_keys(session: Session, keys: Keys) -> set[str]:
    """The keys of retired destinations: declaring one again restores it."""
    rows = _destination_rows(session)
    live = {_key(keys, row) for row in rows if not _retired(row.events)}
    return {_key(keys, row) for row in rows if _retired(row.events)} - live


def write_channels(session: Session, plan: Plan, keys: Keys, model: Any) -> None:
    """Write the escalation rules and Apprise destinations a plan changes.

    `model(change)` builds the validated model of a change's new record.
    """
    _write_escalation(session, plan.changes["escalation_rule"])
    changes = plan.changes["apprise_destination"]
    if changes:
        _write_destinations(session, changes, keys, model)


def _write_escalation(session: Session, changes: list[Change]) -> None:
    r = m.EscalationRule
    for change in changes:
        if change.action is Action.remove:
            session.execute(delete(r).where(r.exception_kind == change.key))
            continue
        after = change.after or {}
        values = {"days": after["days"], "levels": after["levels"]}
        if change.action is Action.add:
            session.execute(insert(r), [{"exception_kind": change.key, **values}])
        else:
            session.execute(update(r).where(r.exception_kind == change.key).values(**values))


def _write_destinations(session: Session, changes: list[Change], keys: Keys, model: Any) -> None:
    d = m.AppriseDestination
    rows = _destination_rows(session)
    # Live rows first, so a key held by a live and a retired row resolves to the live one.
    by_key: dict[str, int] = {}
    for row in sorted(rows, key=lambda r: _retired(r.events)):
        by_key.setdefault(_key(keys, row), row.id)
    removed = [by_key[c.key] for c in changes if c.action is Action.remove]
    referenced = _referenced(session, removed)
    for key_id in removed:
        if key_id in referenced:
            session.execute(update(d).where(d.id == key_id).values(events=[RETIRED]))
        else:
            session.execute(delete(d).where(d.id == key_id))
    for change in changes:
        if change.action is Action.remove:
            continue
        built = model(change)
        values = {"description": built.description, "events": list(built.events)}
        if change.action is Action.add:
            owner = {
                "person_id": keys.ids["person"][built.person] if built.person else None,
                "unit_id": keys.ids["unit"][built.unit] if built.unit else None,
            }
            session.execute(insert(d), [{**owner, "url": built.url, "position": 0, **values}])
        else:  # change, restore
            session.execute(update(d).where(d.id == by_key[change.key]).values(**values))
    _renumber(session, keys)


def _referenced(session: Session, ids: list[int]) -> set[int]:
    """The destinations some outbox message refers to."""
    found: set[int] = set()
    column = m.Message.destination_id
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        found.update(session.scalars(select(column).where(column.in_(chunk)).distinct()))
    return found


def _renumber(session: Session, keys: Keys) -> None:
    """Positions follow the order export writes (by key), so the database and files agree."""
    d = m.AppriseDestination
    live = [row for row in _destination_rows(session) if not _retired(row.events)]
    for position, row in enumerate(sorted(live, key=lambda r: (_key(keys, r), r.id))):
        if row.position != position:
            session.execute(update(d).where(d.id == row.id).values(position=position))
