"""The line of sight: from a scorecard item through the objectives it serves up to the vision."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from aligna import model as m


@dataclass(frozen=True)
class Step:
    """One link of a line of sight: an objective or a vision target."""

    kind: str  # objective | vision_target
    id: str
    name: str


@dataclass(frozen=True)
class ObjectiveIndex:
    """Every live objective with its parent and the vision targets it serves, read once."""

    objectives: dict[int, tuple[str, str, int | None]]  # id -> slug, name, parent
    serves: dict[int, list[int]]  # objective -> vision targets
    vision_targets: dict[int, tuple[str, str]]  # id -> slug, name

    def path(self, objective: int) -> list[Step]:
        """The objective, its ancestors, then the vision targets the chain serves."""
        steps: list[Step] = []
        targets: list[int] = []
        seen: set[int] = set()
        current: int | None = objective
        while current is not None and current in self.objectives and current not in seen:
            seen.add(current)
            slug, name, parent = self.objectives[current]
            steps.append(Step("objective", slug, name))
            targets.extend(t for t in self.serves.get(current, []) if t not in targets)
            current = parent
        steps.extend(
            Step("vision_target", *self.vision_targets[t])
            for t in targets
            if t in self.vision_targets
        )
        return steps


def objective_index(session: Session) -> ObjectiveIndex:
    """Read the objective tree and what it serves (three queries, whatever the size)."""
    objectives = {
        oid: (slug, name, parent)
        for oid, slug, name, parent in session.execute(
            select(m.Objective.id, m.Objective.slug, m.Objective.name, m.Objective.parent_id).where(
                m.Objective.archived_at.is_(None)
            )
        )
    }
    serves: dict[int, list[int]] = defaultdict(list)
    for objective, target in session.execute(
        select(m.ObjectiveVisionTarget.objective_id, m.ObjectiveVisionTarget.vision_target_id)
    ):
        serves[objective].append(target)
    targets = {
        vid: (slug, name)
        for vid, slug, name in session.execute(
            select(m.VisionTarget.id, m.VisionTarget.slug, m.VisionTarget.name).where(
                m.VisionTarget.archived_at.is_(None)
            )
        )
    }
    return ObjectiveIndex(objectives, dict(serves), targets)


def lines_of_sight(
    session: Session,
    index: ObjectiveIndex,
    *,
    kpis: Iterable[int] = (),
    initiatives: Iterable[int] = (),
) -> dict[tuple[str, int], list[list[Step]]]:
    """Every path from each KPI and initiative up to the vision, heaviest link first."""
    kpis, initiatives = list(kpis), list(initiatives)
    paths: dict[tuple[str, int], list[list[Step]]] = defaultdict(list)
    # Both statements run even when a list is empty: a page's query count stays fixed.
    for kpi, objective, _ in session.execute(
        select(m.KpiObjective.kpi_id, m.KpiObjective.objective_id, m.KpiObjective.weight)
        .where(m.KpiObjective.kpi_id.in_(kpis))
        .order_by(m.KpiObjective.kpi_id, m.KpiObjective.weight.desc())
    ):
        paths[("kpi", kpi)].append(index.path(objective))
    for initiative, objective, target in session.execute(
        select(
            m.InitiativeContribution.initiative_id,
            m.InitiativeContribution.objective_id,
            m.InitiativeContribution.vision_target_id,
        )
        .where(m.InitiativeContribution.initiative_id.in_(initiatives))
        .order_by(m.InitiativeContribution.initiative_id, m.InitiativeContribution.position)
    ):
        if objective is not None:
            paths[("initiative", initiative)].append(index.path(objective))
        elif target is not None and target in index.vision_targets:
            paths[("initiative", initiative)].append(
                [Step("vision_target", *index.vision_targets[target])]
            )
    return dict(paths)
