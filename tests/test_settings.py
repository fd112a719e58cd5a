"""Settings: aligna.toml, ALIGNA_* variables and explicit values, in that rising order."""

from __future__ import annotations

from pathlib import Path

import pytest

from aligna.settings import SettingsError, find_project, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ALIGNA_PROJECT", "ALIGNA_DATABASE_URL", "ALIGNA_TIMEZONE", "ALIGNA_NAME"):
        monkeypatch.delenv(name, raising=False)


def _project(folder: Path, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "aligna.toml").write_text(body)
    return folder


def test_found_from_a_subfolder_and_relative_sqlite_paths_resolved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path / "org", '[project]\nname = "Org"\ndatabase = "sqlite:///data/a.db"\n')
    (root / "a" / "b").mkdir(parents=True)
    monkeypatch.chdir(root / "a" / "b")
    assert find_project() == root.resolve()
    settings = load_settings()
    assert settings.name == "Org"
    assert settings.resolved_database_url() == f"sqlite:///{root.resolve() / 'data' / 'a.db'}"


def test_environment_beats_the_file_and_arguments_beat_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path / "org", '[project]\ntimezone = "Europe/Paris"\n')
    assert load_settings(root).timezone == "Europe/Paris"
    monkeypatch.setenv("ALIGNA_TIMEZONE", "Asia/Tokyo")
    assert load_settings(root).timezone == "Asia/Tokyo"
    assert load_settings(root, timezone="UTC").timezone == "UTC"


def test_unknown_setting_is_an_error_naming_the_file(tmp_path: Path) -> None:
    root = _project(tmp_path / "org", "[project]\ndatabse = 'x'\n")
    with pytest.raises(SettingsError, match=r"aligna.toml: \[project\] databse: unknown setting"):
        load_settings(root)


def test_broken_toml_is_an_error_naming_the_file(tmp_path: Path) -> None:
    root = _project(tmp_path / "org", "[project\n")
    with pytest.raises(SettingsError, match=r"aligna\.toml"):
        load_settings(root)


def test_secrets_are_refused_in_the_settings_file(tmp_path: Path) -> None:
    (tmp_path / "aligna.toml").write_text('[project]\noidc_client_secret = "hunter2"\n')
    with pytest.raises(SettingsError) as caught:
        load_settings(tmp_path)
    message = str(caught.value)
    assert "oidc_client_secret: a secret is never kept in a file" in message
    assert "ALIGNA_OIDC_CLIENT_SECRET" in message and "hunter2" not in message
