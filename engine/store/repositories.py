"""Small query objects over the session, for what services ask most often."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.store.models import CaseRow, CaseSequence, Organisation, User

REFERENCE_PREFIX = "MNR"


class CaseRepository:
    """Cases by id or reference, and their human references."""

    def __init__(self, session: Session):
        self.session = session

    def add(self, case: CaseRow) -> CaseRow:
        """Stage a new case for insertion."""
        self.session.add(case)
        return case

    def get(self, case_id: int) -> CaseRow:
        """The case with this id, or NotFound."""
        case = self.session.get(CaseRow, case_id)
        if case is None:
            raise NotFound(f"case {case_id} does not exist")
        return case

    def get_by_reference(self, reference: str) -> CaseRow:
        """The case with this reference (MNR-2026-000123), or NotFound."""
        case = self.session.scalar(select(CaseRow).where(CaseRow.reference == reference))
        if case is None:
            raise NotFound(f"case {reference} does not exist")
        return case

    def next_reference(self, year: int) -> str:
        """Allocate the next reference of `year` in this transaction (unique under concurrency)."""
        return f"{REFERENCE_PREFIX}-{year}-{next_case_number(self.session, year):06d}"


def next_case_number(session: Session, year: int) -> int:
    """Increment the year's counter with one upsert; the row lock serialises concurrent openers.

    A rolled-back transaction gives its number back, a committed one keeps it, so numbers stay
    unique; gaps are possible only if a database-level failure happens after allocation.
    """
    statement = _NEXT_NUMBER[session.get_bind().dialect.name]
    return session.connection().execute(statement, {"year": year}).scalar_one()


def _next_number(insert):
    table = CaseSequence.__table__
    return (
        insert(table)
        .values(year=bindparam("year"), last=1)
        .on_conflict_do_update(index_elements=[table.c.year], set_={"last": table.c.last + 1})
        .returning(table.c.last)
    )


_NEXT_NUMBER = {"postgresql": _next_number(postgresql.insert), "sqlite": _next_number(sqlite.insert)}


class DirectoryRepository:
    """Organisations and users by their public names."""

    def __init__(self, session: Session):
        self.session = session

    def organisation(self, slug: str) -> Organisation:
        """The organisation with this slug, or NotFound."""
        organisation = self.session.scalar(select(Organisation).where(Organisation.slug == slug))
        if organisation is None:
            raise NotFound(f"organisation {slug!r} does not exist")
        return organisation

    def user(self, username: str) -> User:
        """The user with this username, or NotFound."""
        user = self.session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"user {username!r} does not exist")
        return user
