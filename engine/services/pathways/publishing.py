"""Publishing pathway versions (immutable, content-addressed), listing and exporting them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from engine.clock import Clock
from engine.errors import Conflict, NotFound, PathwayError, PathwayInvalid
from engine.pathways.folder import PathwaySource
from engine.pathways.problems import Problem
from engine.pathways.validation import review
from engine.domain import CaseStatus
from engine.store.models import CaseRow, PathwayFileRow, PathwayVersionRow, User
from engine.store.unit_of_work import UnitOfWork
from engine.store.write_lock import lock_for_writing


@dataclass(frozen=True)
class PublishResult:
    """What publishing did: `created` is False when identical content was already published."""

    pathway_id: str
    version: int
    content_hash: str
    created: bool
    # What the author should know though it does not stop publishing (an assignee who is no user
    # of this installation, a group no role holds, a timer that alerts no one...).
    warnings: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class VersionFacts:
    """What identifies and describes a published version."""

    pathway_id: str
    version: int
    content_hash: str
    title: dict[str, str]
    languages: list[str]
    main_file: str
    published_at: datetime


@dataclass(frozen=True)
class VersionInfo(VersionFacts):
    """A published version as listed: no file contents."""

    published_by: str | None  # username
    notes: str | None
    file_count: int
    cases: int = 0  # every case started on this version
    open_cases: int = 0  # those still running


@dataclass(frozen=True)
class PathwayVersion(VersionFacts):
    """A published version with its exact files, as the runtime needs it."""

    id: int
    files: dict[str, bytes]


def installation_usernames(uow: UnitOfWork) -> frozenset[str]:
    """Every username of the installation: a pathway's assignees are checked against them."""
    return frozenset(uow.session.scalars(select(User.username)))


def publish_pathway(
    uow: UnitOfWork,
    source: PathwaySource,
    clock: Clock,
    published_by: int | None = None,
    notes: str | None = None,
) -> PublishResult:
    """Store `source` as the pathway's next version, unless it is invalid or already published."""
    with uow:
        users = installation_usernames(uow)
    found = review(source, users=users)
    problems = [problem for problem in found if not problem.is_warning]
    warnings = tuple(problem for problem in found if problem.is_warning)
    if problems:
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        raise PathwayInvalid(f"pathway {source.id!r} was not published: {count}", problems)
    with uow:
        lock_for_writing(uow)
        existing = uow.session.scalar(
            select(PathwayVersionRow).where(
                PathwayVersionRow.pathway_id == source.id,
                PathwayVersionRow.content_hash == source.content_hash,
            )
        )
        if existing is not None:
            return PublishResult(source.id, existing.version, existing.content_hash, created=False, warnings=warnings)
        latest = uow.session.scalar(
            select(func.max(PathwayVersionRow.version)).where(PathwayVersionRow.pathway_id == source.id)
        )
        row = PathwayVersionRow(
            pathway_id=source.id,
            version=(latest or 0) + 1,
            content_hash=source.content_hash,
            title=dict(source.title),
            languages=list(source.languages),
            main_file=source.main,
            published_at=clock.now(),
            published_by_id=published_by,
            notes=notes,
            files=[
                PathwayFileRow(path=path, content=content, sha256=hashlib.sha256(content).hexdigest())
                for path, content in sorted(source.files.items())
            ],
        )
        uow.session.add(row)
        try:
            uow.commit()
        except IntegrityError as error:
            # Someone published the same pathway between our read and our write.
            raise Conflict(f"another version of pathway {source.id!r} was published at the same time; publish again") from error
        return PublishResult(row.pathway_id, row.version, row.content_hash, created=True, warnings=warnings)


def list_pathways(uow: UnitOfWork) -> list[VersionInfo]:
    """Every published version, by pathway id then version."""
    file_count = (
        select(func.count(PathwayFileRow.id))
        .where(PathwayFileRow.version_id == PathwayVersionRow.id)
        .scalar_subquery()
    )
    # Counted per version from the cases' indexed pathway_version_id: no case is loaded.
    cases = select(func.count(CaseRow.id)).where(CaseRow.pathway_version_id == PathwayVersionRow.id)
    statement = (
        select(PathwayVersionRow, User.username, file_count, cases.scalar_subquery(),
               cases.where(CaseRow.status == CaseStatus.OPEN).scalar_subquery())
        .outerjoin(User, User.id == PathwayVersionRow.published_by_id)
        .order_by(PathwayVersionRow.pathway_id, PathwayVersionRow.version)
    )
    with uow:
        return [
            VersionInfo(
                **_facts(row),
                published_by=username,
                notes=row.notes,
                file_count=count,
                cases=total,
                open_cases=running,
            )
            for row, username, count, total, running in uow.session.execute(statement)
        ]


def get_version(uow: UnitOfWork, pathway_id: str, version: int | None = None) -> PathwayVersion:
    """A published version with its files; the latest one when `version` is None."""
    statement = select(PathwayVersionRow).where(PathwayVersionRow.pathway_id == pathway_id)
    if version is None:
        statement = statement.order_by(PathwayVersionRow.version.desc()).limit(1)
    else:
        statement = statement.where(PathwayVersionRow.version == version)
    with uow:
        row = uow.session.scalar(statement.options(selectinload(PathwayVersionRow.files)))
        if row is None:
            if version is None:
                raise NotFound(f"pathway {pathway_id!r} has not been published")
            raise NotFound(f"pathway {pathway_id!r} has no version {version}")
        return PathwayVersion(
            **_facts(row),
            id=row.id,
            files={file.path: _checked(row, file) for file in row.files},
        )


def export_version(uow: UnitOfWork, pathway_id: str, version: int | None, dest: Path) -> PathwayVersion:
    """Write a published version's files, byte for byte, into `dest` (new or empty)."""
    dest = Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise PathwayError(f"{dest}: the destination must be an empty folder or not exist yet")
    published = get_version(uow, pathway_id, version)
    root = dest.resolve()
    targets = {}
    for path in published.files:
        target = (root / PurePosixPath(path)).resolve()
        if not target.is_relative_to(root):
            raise PathwayError(f"pathway {pathway_id!r} v{published.version}: file {path!r} would be written outside {dest}")
        targets[path] = target
    for path, target in targets.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(published.files[path])
    return published


def _facts(row: PathwayVersionRow) -> dict:
    return {
        "pathway_id": row.pathway_id,
        "version": row.version,
        "content_hash": row.content_hash,
        "title": dict(row.title),
        "languages": list(row.languages),
        "main_file": row.main_file,
        "published_at": row.published_at,
    }


def _checked(row: PathwayVersionRow, file: PathwayFileRow) -> bytes:
    if hashlib.sha256(file.content).hexdigest() != file.sha256:
        raise PathwayError(f"pathway {row.pathway_id!r} v{row.version}: stored file {file.path!r} is corrupted (checksum mismatch)")
    return file.content
