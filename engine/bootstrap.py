"""The composition root: builds the database, clock and calendar from settings. Nothing at import."""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import Clock, InstallationClock
from engine.store.db import default_url, make_engine, normalise_url, session_factory
from engine.store.installation import training_offset_reader
from engine.store.unit_of_work import UnitOfWork

# Pathways shipped with the code (the Cameroon NRM pathway), next to the engine package.
SHIPPED_PATHWAYS = Path(__file__).resolve().parent.parent / "pathways"


@dataclass(frozen=True)
class Settings:
    """Deployment configuration; every field has a safe default for a local SQLite install."""

    instance_dir: Path = Path("instance")
    database_url: str | None = None  # None: SQLite file in the instance directory
    smtp_url: str | None = None  # None: email is not sent (in-app notifications still are)
    mail_from: str = "aiguillage@localhost"
    secret_key: str | None = None  # the web application refuses to serve production without one
    base_url: str = "http://localhost:8000"  # for links in notifications
    pathways_dir: Path = SHIPPED_PATHWAYS
    extra: dict[str, str] = field(default_factory=dict)  # other AIGUILLAGE_* variables, for adapters

    @property
    def resolved_database_url(self) -> str:
        """The database URL to connect to."""
        if self.database_url:
            return normalise_url(self.database_url)
        return default_url(self.instance_dir)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from AIGUILLAGE_* environment variables."""
        env = os.environ if environ is None else environ
        known = {
            "AIGUILLAGE_INSTANCE_DIR",
            "AIGUILLAGE_DATABASE_URL",
            "AIGUILLAGE_SMTP_URL",
            "AIGUILLAGE_MAIL_FROM",
            "AIGUILLAGE_SECRET_KEY",
            "AIGUILLAGE_BASE_URL",
            "AIGUILLAGE_PATHWAYS_DIR",
        }
        defaults = cls()
        return cls(
            instance_dir=Path(env.get("AIGUILLAGE_INSTANCE_DIR") or defaults.instance_dir),
            database_url=env.get("AIGUILLAGE_DATABASE_URL") or None,
            smtp_url=env.get("AIGUILLAGE_SMTP_URL") or None,
            mail_from=env.get("AIGUILLAGE_MAIL_FROM") or defaults.mail_from,
            secret_key=env.get("AIGUILLAGE_SECRET_KEY") or None,
            base_url=env.get("AIGUILLAGE_BASE_URL") or defaults.base_url,
            pathways_dir=Path(env.get("AIGUILLAGE_PATHWAYS_DIR") or defaults.pathways_dir),
            extra={k: v for k, v in env.items() if k.startswith("AIGUILLAGE_") and k not in known},
        )


@dataclass
class Container:
    """Everything a service, a view or a job needs, built once per process."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    clock: Clock
    calendar: Any  # engine.calendar's working-day calendar, None until that module exists
    pathways_dir: Path

    def uow(self) -> UnitOfWork:
        """A fresh unit of work on this container's database."""
        return UnitOfWork(self.session_factory)

    def dispose(self) -> None:
        """Close the database connections."""
        self.engine.dispose()


def build(settings: Settings | None = None, clock: Clock | None = None, **engine_options) -> Container:
    """Wire the application's parts from settings; tests pass their own clock.

    The installation's clock is the real time, plus the offset of a training installation
    (its database says whether it is one); every process built here shares that offset.
    """
    settings = settings or Settings.from_env()
    engine = make_engine(settings.resolved_database_url, **engine_options)
    return Container(
        settings=settings,
        engine=engine,
        session_factory=session_factory(engine),
        clock=clock or InstallationClock(training_offset_reader(engine)),
        calendar=_cameroon_calendar(),
        pathways_dir=settings.pathways_dir,
    )


def _cameroon_calendar() -> Any:
    try:
        module = importlib.import_module("engine.calendar")
    except ModuleNotFoundError as error:
        if error.name != "engine.calendar":
            raise
        return None
    return module.cameroon_calendar()
