"""Shared fixtures: a fresh application database per test, on SQLite and on PostgreSQL."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from aligna.db import open_database
from aligna.throwaway_postgres import create_database, throwaway_cluster

DATA = Path(__file__).parent / "data"
TEMPLATES = Path(__file__).parents[1] / "src" / "aligna" / "files" / "templates"
_names = itertools.count()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """One throwaway PostgreSQL cluster for the whole test session."""
    with throwaway_cluster() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a new, empty application database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'aligna.db'}"
    server = request.getfixturevalue("postgres_server")
    return create_database(server, f"test_{next(_names)}")


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a migrated, empty application database."""
    engine = open_database(database_url)
    yield engine
    engine.dispose()
