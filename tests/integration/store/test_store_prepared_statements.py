"""Statements compiled once per dialect convert values as SQLAlchemy would, and refuse what they cannot fill in."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError

from engine.domain import CaseStatus, Priority
from engine.store.models import AuditEntry, CaseEvent, CaseRow
from engine.store.prepared import Prepared

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
