"""One transaction per step: everything done inside commits together, or not at all."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from engine.errors import Conflict
from engine.store.repositories import CaseRepository, DirectoryRepository

CONFLICT_MESSAGE = "this case was changed by someone else in the meantime; reload it and try again"


class UnitOfWork:
    """`with uow: ...; uow.commit()` — rolls back whatever was not committed when the block ends."""

    session: Session
    cases: CaseRepository
    directory: DirectoryRepository

    def __init__(self, session_factory: sessionmaker[Session]):
        self._session_factory = session_factory
        self._depth = 0

    def __enter__(self) -> UnitOfWork:
        # Re-entering joins the open transaction, so a service can call another service with
        # the same unit of work; only the outermost block ends the transaction.
        if self._depth == 0:
            self.session = self._session_factory()
            self.cases = CaseRepository(self.session)
            self.directory = DirectoryRepository(self.session)
        self._depth += 1
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self._depth -= 1
        if self._depth == 0:
            # Closing ends the database transaction without committing it, and leaves the
            # loaded objects readable (detached) for whoever renders them after the step.
            # After a failure they are expired instead: their in-memory state may be half-done.
            try:
                if exc is not None:
                    self.session.rollback()
            finally:
                self.session.close()
        if exc is not None and _is_conflict(exc):
            raise Conflict(CONFLICT_MESSAGE) from exc

    @property
    def in_transaction(self) -> bool:
        """True inside a `with uow:` block (a service called from another shares its transaction)."""
        return self._depth > 0

    def flush(self) -> None:
        """Send pending changes now (to get ids, or to meet a conflict early)."""
        self.guard(self.session.flush)

    def commit(self) -> None:
        """Make the step's changes durable."""
        self.guard(self.session.commit)

    def rollback(self) -> None:
        """Forget the changes made since the last commit."""
        self.session.rollback()

    def guard(self, action, *args):
        """Run a write; a lost race (stale version, stale SQLite snapshot) rolls back and becomes Conflict."""
        try:
            return action(*args)
        except Conflict:
            self._undo()
            raise
        except Exception as exc:
            if _is_conflict(exc):
                self._undo()
                raise Conflict(CONFLICT_MESSAGE) from exc
            raise

    def _undo(self) -> None:
        # Inside a savepoint (one case of a sweep's batch) only that case's work is undone: the
        # other cases of the transaction stand.
        nested = self.session.get_nested_transaction()
        if nested is not None and nested.is_active:
            nested.rollback()
        else:
            self.session.rollback()


def _is_conflict(exc: BaseException) -> bool:
    # SQLite reports a write on a stale snapshot as "database is locked" (SQLITE_BUSY_SNAPSHOT):
    # the same situation as a stale version counter, and the same advice to the user.
    if isinstance(exc, StaleDataError):
        return True
    return isinstance(exc, OperationalError) and "database is locked" in str(exc.orig)
