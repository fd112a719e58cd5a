"""Following a KPI or an initiative: a person hears of it like an influencer does.

Following twice, or unfollowing what one does not follow, changes nothing and is no error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from aligna import model as m
from aligna.web.access import Viewer, initiative_visible
from aligna.web.views.kpi import find_kpi


@dataclass(frozen=True)
class Followable:
    """A live KPI or initiative the viewer may see."""

    kind: str  # kpi | initiative
    id: int
    slug: str
    name: str

    @property
    def path(self) -> str:
        """The item's page."""
        return f"/{self.kind}s/{self.slug}"


def find_followable(session: Session, viewer: Viewer, kind: str, slug: str) -> Followable | None:
    """The KPI or initiative by its id, if the viewer may see it."""
    if kind == "kpi":
        kpi = find_kpi(session, viewer, slug)
        return Followable("kpi", kpi.id, kpi.slug, kpi.name) if kpi is not None else None
    row = session.execute(
        select(m.Initiative.id, m.Initiative.slug, m.Initiative.name).where(
            m.Initiative.slug == slug,
            m.Initiative.archived_at.is_(None),
            initiative_visible(viewer),
        )
    ).first()
    return Followable("initiative", row.id, row.slug, row.name) if row is not None else None


def _which(kind: str, item_id: int) -> dict[str, int | None]:
    return {
        "kpi_id": item_id if kind == "kpi" else None,
        "initiative_id": item_id if kind == "initiative" else None,
    }


def is_following(session: Session, *, person_id: int, kind: str, item_id: int) -> bool:
    """Whether the person follows the item."""
    f = m.Follow
    column = f.kpi_id if kind == "kpi" else f.initiative_id
    found = session.execute(
        select(f.id).where(f.person_id == person_id, column == item_id).limit(1)
    ).first()
    return found is not None


def set_following(
    session: Session,
    *,
    person_id: int,
    kind: str,
    item_id: int,
    following: bool,
    now: datetime,
) -> bool:
    """Follow or stop following an item; whether anything changed (twice is harmless)."""
    if not following:
        f = m.Follow
        column = f.kpi_id if kind == "kpi" else f.initiative_id
        result = session.execute(
            delete(f)
            .where(f.person_id == person_id, column == item_id)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    row = {"person_id": person_id, "created_at": now, **_which(kind, item_id)}
    # No conflict target: the unique indexes are partial (one per kind of item), and two
    # requests following at once must both succeed without a second row.
    statement = module.insert(m.Follow).values(row).on_conflict_do_nothing()
    return bool(session.execute(statement.returning(m.Follow.id)).first())


def follow_state(
    session: Session, viewer: Viewer, item: Followable
) -> tuple[Followable | None, bool]:
    """What an item's page needs for its toggle: the item (None for an account without a
    person, who cannot follow) and whether the viewer follows it."""
    if viewer.person_id is None:
        return None, False
    return item, is_following(session, person_id=viewer.person_id, kind=item.kind, item_id=item.id)
