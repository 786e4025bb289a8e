"""Statements compiled once per dialect convert values as SQLAlchemy would, and refuse what they cannot fill in."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from engine.domain import CaseStatus, Priority
from engine.store.models import AuditEntry, CaseEvent, CaseRow
from engine.store.prepared import Prepared, StatementBatch, read_together

DOUALA = timezone(timedelta(hours=1))
_EVENT = Prepared(insert(CaseEvent.__table__))
_CASE_FACTS = Prepared(
    select(CaseRow.status, CaseRow.priority, CaseRow.created_at, CaseRow.needs_attention).where(CaseRow.id == bindparam("case_id"))
)


def test_values_go_in_and_come_back_as_the_orm_has_them(uow, make_case):
    case_id = make_case()
    at = datetime(2026, 3, 2, 9, 30, tzinfo=DOUALA)
    with uow() as u:
        _EVENT.execute(u.session.connection(), {"case_id": case_id, "at": at, "actor_id": None, "action": "kept",
                                                "task_bpmn_id": None, "details": {"fields": ["é", 1], "nested": {"a": None}}})
        status, priority, created_at, needs_attention = _CASE_FACTS.first(u.session.connection(), {"case_id": case_id})
        u.commit()
    assert (status, priority, needs_attention) == (CaseStatus.OPEN, Priority.NORMAL, False)
    assert created_at.tzinfo is not None
    with uow() as u:
        event = u.session.scalars(select(CaseEvent)).one()
        assert (event.at, event.details) == (at.astimezone(timezone.utc), {"fields": ["é", 1], "nested": {"a": None}})


def test_an_insert_missing_a_column_the_orm_would_fill_is_refused_by_name(uow, make_case):
    case_id = make_case()
    audit = Prepared(insert(AuditEntry.__table__))
    with uow() as u, pytest.raises(ValueError, match="'ip'"):
        audit.execute(u.session.connection(), {"at": datetime.now(timezone.utc), "user_id": None, "action": "a",
                                               "object_type": "case", "object_id": "x", "case_id": case_id, "details": {}})


def test_database_errors_come_back_as_sqlalchemys(uow):
    with uow() as u, pytest.raises(IntegrityError):
        _EVENT.execute(u.session.connection(), {"case_id": 999_999, "at": datetime.now(timezone.utc), "actor_id": None,
                                                "action": "orphan", "task_bpmn_id": None, "details": {}})


_MOVE_CASE = Prepared(update(CaseRow.__table__).where(CaseRow.id == bindparam("b_id"), CaseRow.lock_version == bindparam("b_version")))


class _Lost(Exception):
    """What the batch raises when its checked statement finds another version."""


def _event(case_id: int, action: str, details: dict) -> dict:
    return {"case_id": case_id, "at": datetime(2026, 3, 2, 8, tzinfo=timezone.utc), "actor_id": None, "action": action,
            "task_bpmn_id": None, "details": details}


def _move_and_record(u, case_id: int, version: int, event_case_id: int, action: str) -> StatementBatch:
    """A batch moving the case on from `version` (checked), then writing one event."""
    batch = StatementBatch(u.session.connection())
    batch.add(_MOVE_CASE, [{"stage": "moved", "b_id": case_id, "b_version": version}], expect=1, on_mismatch=_Lost())
    batch.add(_EVENT, [_event(event_case_id, action, {})])
    return batch


def test_a_batch_writes_awkward_values_as_they_were_given(uow, make_case):
    """On PostgreSQL the batch goes as one text with the values quoted in: quotes, percent signs, semicolons survive."""
    case_id = make_case()
    awkward = {"note": "l'avis; DROP TABLE cases; -- 100 % \\ \"x\" %(b_id)s %s", "é": ["ß", None, 1.5]}
    with uow() as u:
        version = u.session.get(CaseRow, case_id).lock_version
        batch = StatementBatch(u.session.connection())
        batch.add(_MOVE_CASE, [{"stage": "o'clock %s", "b_id": case_id, "b_version": version}], expect=1, on_mismatch=_Lost())
        batch.add(_EVENT, [_event(case_id, "first", awkward), _event(case_id, "second; --", {})])
        batch.send()
        u.commit()
    with uow() as u:
        events = u.session.scalars(select(CaseEvent).order_by(CaseEvent.id)).all()
        case = u.session.get(CaseRow, case_id)
    assert [(e.action, e.details) for e in events] == [("first", awkward), ("second; --", {})]
    assert case.stage == "o'clock %s"


def test_a_batch_whose_checked_statement_finds_another_version_raises_its_mismatch(uow, make_case):
    case_id = make_case()
    with uow() as u:
        batch = _move_and_record(u, case_id, 70, case_id, "written")
        with pytest.raises(_Lost):
            batch.send()


def test_a_later_error_after_a_lost_check_is_reported_as_the_lost_check(uow, make_case):
    """What the step that won wrote first makes a later statement fail: the lost race is what happened."""
    case_id = make_case()
    with uow() as u:
        batch = _move_and_record(u, case_id, 70, 999_999, "orphan")
        with pytest.raises(_Lost):
            batch.send()


def test_a_later_error_after_a_check_that_held_is_the_error(uow, make_case):
    case_id = make_case()
    with uow() as u:
        batch = _move_and_record(u, case_id, u.session.get(CaseRow, case_id).lock_version, 999_999, "orphan")
        with pytest.raises(IntegrityError):
            batch.send()


def test_a_batch_sent_with_the_commit_is_durable_on_postgresql_and_left_to_the_caller_elsewhere(uow, make_case):
    case_id = make_case()
    with uow() as u:
        batch = _move_and_record(u, case_id, u.session.get(CaseRow, case_id).lock_version, case_id, "written")
        committed = batch.send(commit=True)
        assert committed == (u.session.get_bind().dialect.name == "postgresql")
        if not committed:
            u.commit()
    with uow() as u:
        assert [e.action for e in u.session.scalars(select(CaseEvent))] == ["written"]
        assert u.session.get(CaseRow, case_id).stage == "moved"


def test_a_lost_check_sent_with_the_commit_commits_nothing_of_the_transaction(uow, make_case):
    """Not the batch's statements, nor what the step wrote through the ORM before it."""
    case_id = make_case()
    with uow() as u:
        u.session.add(CaseEvent(**_event(case_id, "flushed before", {})))
        u.flush()
        batch = StatementBatch(u.session.connection())
        batch.add(_EVENT, [_event(case_id, "before the check", {})])
        batch.add(_MOVE_CASE, [{"stage": "moved", "b_id": case_id, "b_version": 70}], expect=1, on_mismatch=_Lost())
        batch.add(_EVENT, [_event(case_id, "after the check", {})])
        with pytest.raises(_Lost):
            batch.send(commit=True)
    with uow() as u:
        assert u.session.scalars(select(CaseEvent)).all() == []
        assert u.session.get(CaseRow, case_id).stage != "moved"


def test_a_checked_statement_takes_one_row(uow, make_case):
    case_id = make_case()
    with uow() as u:
        batch = StatementBatch(u.session.connection())
        rows = [{"stage": "moved", "b_id": case_id, "b_version": 1}] * 2
        with pytest.raises(ValueError, match="one row, not 2"):
            batch.add(_MOVE_CASE, rows, expect=1, on_mismatch=_Lost())


def test_reads_together_each_get_their_own_rows(uow, make_case):
    first, second = make_case(), make_case()
    with uow() as u:
        rows = read_together(u.session.connection(), [(_CASE_FACTS, {"case_id": second}), (_CASE_FACTS, {"case_id": 999_999}),
                                                     (_CASE_FACTS, {"case_id": first})])
    assert [len(found) for found in rows] == [1, 0, 1]
    assert rows[0][0][0] == CaseStatus.OPEN and rows[2][0][3] is False


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sqlite_keeps_times_as_utc_text_with_microseconds_and_reads_any_iso_text_back_as_utc(uow, make_case):
    # Stored times are compared as text in SQL (deadlines due, the dispatcher's queue): every one
    # must be written alike, the way SQLAlchemy's SQLite DATETIME writes them.
    case_id = make_case()
    with uow() as u:
        connection = u.session.connection()
        _EVENT.execute(connection, {**_event(case_id, "at-nine-in-douala", {}), "at": datetime(2026, 3, 2, 9, tzinfo=DOUALA)})
        assert connection.exec_driver_sql("SELECT at FROM case_events").scalar_one() == "2026-03-02 08:00:00.000000"
        connection.exec_driver_sql("UPDATE case_events SET at = '2026-03-02 07:59:58'")
        event = u.session.scalars(select(CaseEvent)).one()
        assert event.at == datetime(2026, 3, 2, 7, 59, 58, tzinfo=timezone.utc)
