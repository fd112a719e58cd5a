"""An initiative as the page and the API show it: its people and what it contributes to."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aligna import model as m
from aligna.web.access import Viewer, person_visible


def initiative_people(
    session: Session, viewer: Viewer, initiative: m.Initiative
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The owner and contributors, each marked visible when their page answers the viewer."""
    contributor = m.InitiativeContributor
    rows = session.execute(
        select(
            m.Person.id,
            m.Person.slug,
            m.Person.name,
            m.Person.position,
            person_visible(viewer).label("visible"),
        )
        .outerjoin(
            contributor,
            (contributor.person_id == m.Person.id) & (contributor.initiative_id == initiative.id),
        )
        .where((m.Person.id == initiative.owner_id) | contributor.person_id.is_not(None))
        .order_by(contributor.position, m.Person.name)
    ).all()
    people = [
        {
            "id": r.id,
            "slug": r.slug,
            "name": r.name,
            "position": r.position,
            "visible": bool(r.visible),
        }
        for r in rows
    ]
    owner = next((p for p in people if p["id"] == initiative.owner_id), None)
    return owner, [p for p in people if p["id"] != initiative.owner_id]


def initiative_contributions(session: Session, initiative_id: int) -> list[Any]:
    """The objectives and vision targets an initiative contributes to, in their order."""
    c = m.InitiativeContribution
    return list(
        session.execute(
            select(
                m.Objective.slug.label("objective"),
                m.Objective.name.label("objective_name"),
                m.VisionTarget.slug.label("vision_target"),
                m.VisionTarget.name.label("vision_target_name"),
                c.weight,
                c.expected,
            )
            .outerjoin(m.Objective, m.Objective.id == c.objective_id)
            .outerjoin(m.VisionTarget, m.VisionTarget.id == c.vision_target_id)
            .where(c.initiative_id == initiative_id)
            .order_by(c.position, c.id)
        ).all()
    )
