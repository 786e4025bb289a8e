"""Published pathway versions and their exact files."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.store.models.base import Base


class PathwayVersionRow(Base):
    """One immutable published version of a pathway; cases are pinned to it."""

    __tablename__ = "pathway_versions"
    __table_args__ = (
        UniqueConstraint("pathway_id", "version"),
        UniqueConstraint("pathway_id", "content_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_id: Mapped[str] = mapped_column(String(100))
    version: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[dict[str, Any]] = mapped_column(default=dict)
    languages: Mapped[list[Any]] = mapped_column(default=list)
    main_file: Mapped[str] = mapped_column(String(255))
    published_at: Mapped[datetime]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    notes: Mapped[str | None] = mapped_column(Text)
    # The runtime may cache the serialized workflow spec here: stored once per version, never per case.
    spec_json: Mapped[str | None] = mapped_column(Text)

    files: Mapped[list[PathwayFileRow]] = relationship(
        cascade="all, delete-orphan", order_by="PathwayFileRow.path"
    )


class PathwayFileRow(Base):
    """The exact bytes of one file of a published version, for byte-for-byte export."""

    __tablename__ = "pathway_files"
    __table_args__ = (UniqueConstraint("version_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("pathway_versions.id", ondelete="CASCADE"))
    path: Mapped[str] = mapped_column(String(500))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))


class PathwayDraftRow(Base):
    """An uploaded or edited pathway not yet published: SOP authors check, test and edit it here.

    A draft is never run for a case; publishing turns its files into a version and deletes it.
    """

    __tablename__ = "pathway_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_id: Mapped[str] = mapped_column(String(100))
    # The folder's files as one zip archive (engine.pathways.archive): read back with the same limits.
    archive: Mapped[bytes] = mapped_column(LargeBinary)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class PathwayScenarioResultRow(Base):
    """The last run of one scenario of a published version: the version page shows it, with who ran it.

    A version's files never change, so a run replaces the version's results; the failures are the
    scenario's own words (file, step, expected and found), kept as the runner wrote them.
    """

    __tablename__ = "pathway_scenario_results"
    __table_args__ = (UniqueConstraint("version_id", "file"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("pathway_versions.id", ondelete="CASCADE"))
    # The scenario's file under scenarios/; empty for the one row saying the scenarios could not be read.
    file: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    passed: Mapped[bool]
    failures: Mapped[list[Any]] = mapped_column(default=list)
    ran_at: Mapped[datetime]
    ran_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
