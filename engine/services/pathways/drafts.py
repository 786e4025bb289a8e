"""Pathway drafts: an uploaded (or browser-edited) pathway kept for SOP authors until it is published.

    draft_id = save_draft(uow, clock, files, actor)          # a zip's files, or {"x.bpmn": ...}
    draft = get_draft(uow, draft_id, actor); check_draft(uow, draft).problems
    publish_draft(uow, clock, draft_id, actor, notes="...")   # a new version; the draft is gone

A draft is no pathway version: no case ever runs on it, and it is read back with the same limits
as an upload. Any SOP author may open, replace, publish or discard any draft (they share the work
of one mechanism's SOP); who made it is kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import delete, select

from engine.access import Actor
from engine.clock import Clock
from engine.errors import NotFound
from engine.pathways.archive import files_from_zip, zip_of
from engine.pathways.folder import PathwaySource, plain_id
from engine.pathways.problems import Problem
from engine.pathways.validation import review
from engine.services.pathways.publishing import PublishResult, installation_usernames, publish_pathway
from engine.services.pathways.uploads import check_author, source_of_files
from engine.store.models import PathwayDraftRow, User
from engine.store.unit_of_work import UnitOfWork
from engine.store.write_lock import lock_for_writing


@dataclass(frozen=True)
class DraftInfo:
    """A draft as listed."""

    id: int
    pathway_id: str
    created_by: str | None  # display name
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Draft(DraftInfo):
    """A draft with its files."""

    files: dict[str, bytes]


@dataclass(frozen=True)
class DraftCheck:
    """A draft read as a pathway and validated."""

    source: PathwaySource
    problems: list[Problem]
    # What Camunda 7 runs but may surprise here (a message nothing sends, an implicit split): publishing goes on.
    cautions: list[Problem] = field(default_factory=list)


def save_draft(uow: UnitOfWork, clock: Clock, files: dict[str, bytes], actor: Actor,
               draft_id: int | None = None) -> int:
    """Keep `files` as a new draft (or as the new content of draft `draft_id`); its id."""
    check_author(actor)
    source = source_of_files(files)  # refuses bad file names before anything is kept
    # The id in pathway.yaml is not checked yet: as a folder of the kept zip or a download's name it could
    # climb out of the folder or break the header, and the draft would not open again. Its problem is still
    # reported from the draft's pathway.yaml.
    folder = plain_id(source.id)
    now = clock.now()
    with uow:
        lock_for_writing(uow)
        if draft_id is None:
            row = PathwayDraftRow(pathway_id=folder, archive=zip_of(source.files, folder),
                                  created_by_id=actor.id, created_at=now, updated_at=now)
            uow.session.add(row)
        else:
            row = _row(uow, draft_id)
            row.pathway_id = folder
            row.archive = zip_of(source.files, folder)
            row.updated_at = now
        uow.commit()
        return row.id


def list_drafts(uow: UnitOfWork, actor: Actor) -> list[DraftInfo]:
    """Every draft, newest first."""
    check_author(actor)
    statement = (select(PathwayDraftRow, User.display_name).outerjoin(User, User.id == PathwayDraftRow.created_by_id)
                 .order_by(PathwayDraftRow.updated_at.desc(), PathwayDraftRow.id.desc()))
    with uow:
        return [_info(row, name) for row, name in uow.session.execute(statement)]


def get_draft(uow: UnitOfWork, draft_id: int, actor: Actor) -> Draft:
    """One draft with its files (NotFound when there is no such draft)."""
    check_author(actor)
    with uow:
        row = _row(uow, draft_id)
        name = uow.session.scalar(select(User.display_name).where(User.id == row.created_by_id)) if row.created_by_id else None
        return Draft(**_info(row, name).__dict__, files=files_from_zip(row.archive))


def check_draft(uow: UnitOfWork, draft: Draft) -> DraftCheck:
    """The draft read as a pathway, and every problem and warning validation finds in it (its assignees checked
    against the installation's users, as publishing checks them)."""
    with uow:
        usernames = installation_usernames(uow)
    return _checked_draft(source_of_files(draft.files), usernames)


def save_diagram(uow: UnitOfWork, clock: Clock, draft_id: int, diagram: bytes, actor: Actor) -> DraftCheck:
    """Replace the draft's main diagram (as edited in the browser) and check the draft again."""
    draft = get_draft(uow, draft_id, actor)
    main = source_of_files(draft.files).main
    files = {**draft.files, main: diagram}
    save_draft(uow, clock, files, actor, draft_id)
    return check_draft(uow, replace(draft, files=files))


def publish_draft(uow: UnitOfWork, clock: Clock, draft_id: int, actor: Actor, notes: str | None) -> PublishResult:
    """Publish the draft as its pathway's next version (PathwayInvalid listing the problems), then drop it."""
    draft = get_draft(uow, draft_id, actor)
    result = publish_pathway(uow, source_of_files(draft.files), clock, published_by=actor.id, notes=notes)
    discard_draft(uow, draft_id, actor)
    return result


def discard_draft(uow: UnitOfWork, draft_id: int, actor: Actor) -> None:
    """Delete the draft (nothing else is touched)."""
    check_author(actor)
    with uow:
        lock_for_writing(uow)
        uow.session.execute(delete(PathwayDraftRow).where(PathwayDraftRow.id == draft_id))
        uow.commit()


# Checking the Cameroon pathway takes about a second; the same files and users always give the same problems,
# so a draft's page is checked once per content and set of users, not once per view.
_checked: OrderedDict[tuple[str, frozenset[str]], list[Problem]] = OrderedDict()
_checked_lock = threading.Lock()
CHECKED_KEPT = 32


def _checked_draft(source: PathwaySource, usernames: frozenset[str]) -> DraftCheck:
    found = _reviewed(source, usernames)
    return DraftCheck(source, [p for p in found if not p.is_warning], [p for p in found if p.is_warning])


def _reviewed(source: PathwaySource, usernames: frozenset[str]) -> list[Problem]:
    key = (source.content_hash, usernames)
    with _checked_lock:
        if key in _checked:
            _checked.move_to_end(key)
            return list(_checked[key])
    # The same check as publishing's: an assignee naming no user of the installation is warned about here already.
    problems = review(source, users=usernames)
    with _checked_lock:
        _checked[key] = list(problems)
        while len(_checked) > CHECKED_KEPT:
            _checked.popitem(last=False)
    return problems


def _row(uow: UnitOfWork, draft_id: int) -> PathwayDraftRow:
    row = uow.session.get(PathwayDraftRow, draft_id)
    if row is None:
        raise NotFound(f"there is no pathway draft {draft_id}")
    return row


def _info(row: PathwayDraftRow, name: str | None) -> DraftInfo:
    return DraftInfo(row.id, row.pathway_id, name, row.created_at, row.updated_at)
