"""Settings come from AIGUILLAGE_* variables, with safe defaults for a local install."""

from __future__ import annotations

from pathlib import Path

from engine.bootstrap import Settings


def test_without_variables_the_database_is_sqlite_under_instance():
    settings = Settings.from_env({})
    assert settings.resolved_database_url == "sqlite:///instance/aiguillage.sqlite"
    assert settings.smtp_url is None and settings.secret_key is None


def test_a_plain_postgresql_url_is_given_the_psycopg_driver():
    settings = Settings.from_env({"AIGUILLAGE_DATABASE_URL": "postgresql://aiguillage@db.example.org/mnr"})
    assert settings.resolved_database_url == "postgresql+psycopg://aiguillage@db.example.org/mnr"


def test_the_instance_directory_moves_the_sqlite_file_and_unknown_variables_are_kept():
    settings = Settings.from_env({"AIGUILLAGE_INSTANCE_DIR": "/srv/aiguillage", "AIGUILLAGE_SWEEP_SECONDS": "30"})
    assert settings.resolved_database_url == f"sqlite:///{Path('/srv/aiguillage') / 'aiguillage.sqlite'}"
    assert settings.extra == {"AIGUILLAGE_SWEEP_SECONDS": "30"}
