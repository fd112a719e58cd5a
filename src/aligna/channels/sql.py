"""SQL the channels need on both databases."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from aligna.model import Base

# SQLite allows 32,766 parameters per statement; keep well under it.
BATCH_ROWS = 500


def insert_ignoring(
    session: Session, model: type[Base], rows: list[dict[str, Any]], key: str
) -> int:
    """Insert rows, skipping those whose unique key already exists; how many were inserted."""
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    inserted = 0
    for start in range(0, len(rows), BATCH_ROWS):
        statement: Insert = module.insert(model).values(rows[start : start + BATCH_ROWS])
        statement = statement.on_conflict_do_nothing(index_elements=[key])
        # RETURNING lists only the rows inserted; rowcount is not reliable on every driver.
        inserted += len(session.execute(statement.returning(getattr(model, key))).all())
    return inserted
