"""Small query objects over the session, for what services ask most often."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.store.models import CaseRow, CaseSequence, Organisation, User
from engine.store.prepared import Prepared

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
        return case_reference(year, next_case_number(self.session, year))


def case_reference(year: int, number: int) -> str:
    """The reference people quote for the year's case number: MNR-2026-000123."""
    return f"{REFERENCE_PREFIX}-{year}-{number:06d}"


def next_case_number(session: Session, year: int) -> int:
    """Increment the year's counter with one upsert; the row lock serialises concurrent openers.

    A rolled-back transaction gives its number back, a committed one keeps it, so numbers stay
    unique; gaps are possible only if a database-level failure happens after allocation.
    """
    connection = session.connection()
    return NEXT_CASE_NUMBER[connection.dialect.name].first(connection, {"year": year})[0]


def _next_number(insert):
    table = CaseSequence.__table__
    return (
        insert(table)
        .values(year=bindparam("year"), last=1)
        .on_conflict_do_update(index_elements=[table.c.year], set_={"last": table.c.last + 1})
        .returning(table.c.last)
    )


# Prepared: opening a case sends it with the case's other first reads (one round trip on PostgreSQL).
NEXT_CASE_NUMBER = {"postgresql": Prepared(_next_number(postgresql.insert)), "sqlite": Prepared(_next_number(sqlite.insert))}


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
