"""Moving running cases to a newer version of their pathway: a dry run case by case, then the move.

    report = migrate_cases(uow, clock, actor, "cameroon-nrm", dry_run=True)   # who can move, who cannot and why
    report = migrate_cases(uow, clock, actor, "cameroon-nrm", dry_run=False)  # move the movable ones

Each case moves in its own transaction (`begin_step`/`finish_step`): its workflow is checked again
and moved, its pinned version changes, and its history and the audit log record who moved it from
which version to which. A case refused (a changed or removed step already reached,
`engine.runtime.migration`), or changed by someone else meanwhile, stays where it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from engine.access import Actor, can_migrate_cases
from engine.clock import Clock
from engine.domain import CaseStatus
from engine.errors import AccessDenied, AiguillageError, Conflict, NotFound
from engine.runtime import case_runtime
from engine.runtime.migration import migrate, migration_blockers
from engine.services.cases.step import begin_step, finish_step, specs_for_version
from engine.store.models import CaseRow, PathwayVersionRow
from engine.store.unit_of_work import UnitOfWork

ACTION = "case_migrated"


@dataclass(frozen=True)
class CaseMove:
    """One running case: whether it can move (or moved), and why not."""

    case_id: int
    reference: str
    from_version: int
    movable: bool
    reasons: tuple[str, ...]
    moved: bool = False


@dataclass(frozen=True)
class MigrationReport:
    """Every running case of the pathway on an older version, case by case."""

    pathway_id: str
    to_version: int
    dry_run: bool
    cases: tuple[CaseMove, ...]

    @property
    def movable(self) -> int:
        """How many cases can move (or moved)."""
        return sum(1 for case in self.cases if case.movable)

    @property
    def moved(self) -> int:
        """How many cases this run moved."""
        return sum(1 for case in self.cases if case.moved)


def migrate_cases(uow: UnitOfWork, clock: Clock, actor: Actor, pathway_id: str, to_version: int | None = None,
                  dry_run: bool = True) -> MigrationReport:
    """Check (dry run) or move every running case of `pathway_id` on an older version to `to_version` (the latest)."""
    if not can_migrate_cases(actor):
        raise AccessDenied(f"{actor.username} may not move cases to another pathway version (SOP authors do)")
    target, candidates = _target_and_candidates(uow, pathway_id, to_version)
    moves = [_move_one(uow, clock, actor, target, case_id, reference, version, dry_run)
             for case_id, reference, version in candidates]
    return MigrationReport(pathway_id, target.version, dry_run, tuple(moves))


def _target_and_candidates(uow: UnitOfWork, pathway_id: str, to_version: int | None):
    with uow:
        statement = select(PathwayVersionRow).where(PathwayVersionRow.pathway_id == pathway_id)
        if to_version is None:
            statement = statement.order_by(PathwayVersionRow.version.desc()).limit(1)
        else:
            statement = statement.where(PathwayVersionRow.version == to_version)
        target = uow.session.scalar(statement)
        if target is None:
            raise NotFound(f"pathway {pathway_id!r} has no version {to_version}" if to_version
                           else f"pathway {pathway_id!r} has not been published")
        uow.session.expunge(target)
        candidates = uow.session.execute(
            select(CaseRow.id, CaseRow.reference, PathwayVersionRow.version)
            .join(PathwayVersionRow, PathwayVersionRow.id == CaseRow.pathway_version_id)
            .where(PathwayVersionRow.pathway_id == pathway_id, PathwayVersionRow.version < target.version,
                   CaseRow.status == CaseStatus.OPEN)
            .order_by(CaseRow.id)
        ).all()
    return target, candidates


def _move_one(uow: UnitOfWork, clock: Clock, actor: Actor, target: PathwayVersionRow, case_id: int,
              reference: str, from_version: int, dry_run: bool) -> CaseMove:
    try:
        with uow:
            step = begin_step(uow, clock, case_id, actor, ACTION)
            new_specs = specs_for_version(uow, target.id, target.content_hash, target.main_file)
            blockers = migration_blockers(step.workflow, new_specs)
            if blockers or dry_run:
                return CaseMove(case_id, reference, from_version, not blockers, tuple(map(str, blockers)))
            migrate(step.workflow, new_specs)
            step.specs = new_specs
            step.case.pathway_version_id = target.id
            step.content_hash = target.content_hash  # what the rest of the step reads of the version
            step.details = {"from_version": from_version, "to_version": target.version}
            finish_step(step, case_runtime.advance(step.workflow))
            return CaseMove(case_id, reference, from_version, True, (), moved=True)
    except Conflict:
        return CaseMove(case_id, reference, from_version, False,
                        ("the case changed while it was being moved; run the migration again",))
    except AiguillageError as error:
        return CaseMove(case_id, reference, from_version, False, (f"the case cannot be moved: {error}",))
