"""The unit of work: one transaction per step, conflicts detected, times kept in UTC."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from engine.errors import Conflict
from engine.store.models import CaseEvent, CaseRow

DOUALA = timezone(timedelta(hours=1))


def test_changes_are_kept_only_when_committed(uow, make_case, clock):
    case_id = make_case()
    with uow() as u:
        u.session.add(CaseEvent(case_id=case_id, at=clock.now(), action="kept"))
        u.commit()
    with uow() as u:
        u.session.add(CaseEvent(case_id=case_id, at=clock.now(), action="forgotten"))
    with uow() as u:
        assert [e.action for e in u.session.query(CaseEvent)] == ["kept"]


def test_an_exception_inside_the_block_rolls_everything_back(uow, make_case, clock):
    case_id = make_case()
    with pytest.raises(RuntimeError), uow() as u:
        u.cases.get(case_id).stage = "assessment"
        u.session.add(CaseEvent(case_id=case_id, at=clock.now(), action="half a step"))
        u.flush()
        raise RuntimeError("failure injected mid-step")
    with uow() as u:
        assert u.cases.get(case_id).stage is None
        assert u.session.query(CaseEvent).count() == 0


def test_a_stale_case_update_raises_a_conflict_and_changes_nothing(uow, make_case):
    case_id = make_case()
    with uow() as first, uow() as second:
        mine = first.cases.get(case_id)
        theirs = second.cases.get(case_id)
        assert mine.lock_version == theirs.lock_version == 1
        theirs.stage = "theirs"
        second.commit()
        mine.stage = "mine"
        with pytest.raises(Conflict, match="reload"):
            first.commit()
    with uow() as u:
        case = u.cases.get(case_id)
        assert (case.stage, case.lock_version) == ("theirs", 2)


def test_times_come_back_aware_and_in_utc(uow, make_case):
    case_id = make_case()
    seen_in_douala = datetime(2026, 3, 2, 9, 30, tzinfo=DOUALA)
    with uow() as u:
        u.cases.get(case_id).attention_at = seen_in_douala
        u.commit()
    with uow() as u:
        stored = u.session.get(CaseRow, case_id).attention_at
    assert stored == seen_in_douala
    assert stored.tzinfo == timezone.utc
    assert stored.hour == 8


def test_a_naive_time_is_refused(uow, make_case):
    case_id = make_case()
    with pytest.raises(Exception, match="naive datetime"), uow() as u:
        u.cases.get(case_id).attention_at = datetime(2026, 3, 2, 9, 30)
        u.commit()


def test_a_service_called_inside_an_open_unit_of_work_joins_its_transaction(uow, make_case, clock):
    case_id = make_case()
    outer = uow()
    with outer:
        with outer:  # what a service does with the unit of work it is given
            outer.session.add(CaseEvent(case_id=case_id, at=clock.now(), action="inner"))
        assert outer.session.query(CaseEvent).count() == 1  # the inner block did not end the transaction
    with uow() as u:
        assert u.session.query(CaseEvent).count() == 0  # nobody committed


def test_a_step_saving_a_case_someone_moved_meanwhile_gets_a_conflict_and_writes_nothing(uow, make_case):
    from engine.store import case_records

    case_id = make_case()
    with uow() as first, uow() as second:
        mine = case_records.load_case(first.session.connection(), case_id).case
        theirs = case_records.load_case(second.session.connection(), case_id).case
        theirs.stage = "theirs"
        case_records.save_case(second.session.connection(), theirs)
        second.commit()
        mine.stage, mine.region = "mine", "littoral"
        with pytest.raises(Conflict, match="reload"):
            first.guard(case_records.save_case, first.session.connection(), mine)
    with uow() as u:
        case = u.cases.get(case_id)
        assert (case.stage, case.region, case.lock_version) == ("theirs", None, 2)


def test_a_step_writes_only_the_case_columns_it_changed(uow, make_case):
    from engine.store import case_records

    case_id = make_case()
    with uow() as u:
        case = case_records.load_case(u.session.connection(), case_id).case
        assert case.changed() == {}
        case.stage = "assessment"
        assert case.changed() == {"stage": "assessment"}
        case_records.save_case(u.session.connection(), case)
        assert case.changed() == {} and case.lock_version == 2
        u.commit()
    with uow() as u:
        assert (u.cases.get(case_id).stage, u.cases.get(case_id).lock_version) == ("assessment", 2)


@pytest.mark.parametrize("database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_a_pooled_postgresql_connection_the_server_ended_is_replaced_before_a_step_uses_it(postgres_admin_url, uow,
                                                                                            make_case, container):
    """No round trip per checkout: the idle socket tells whether the server ended the connection."""
    import time

    from sqlalchemy import create_engine, text

    assert container.engine.dialect.name == "postgresql"
    with container.engine.connect() as connection:
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
    admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    admin.dispose()
    time.sleep(0.2)  # the server's goodbye reaches the client's socket

    case_id = make_case()  # a step on the pool's one connection: it would fail on the ended one
    with container.engine.connect() as connection:
        assert connection.execute(text("SELECT pg_backend_pid()")).scalar() != pid
    assert case_id is not None


@pytest.mark.parametrize("how", ["statement", "flushed", "pending"])
def test_a_block_left_without_commit_keeps_nothing_it_wrote(uow, make_case, clock, how):
    """Through a plain statement on its connection, or the ORM, flushed or not."""
    from sqlalchemy import text

    case_id = make_case()
    with uow() as u:
        if how == "statement":
            u.session.connection().execute(text("UPDATE cases SET stage = 'written' WHERE id = :id"), {"id": case_id})
        else:
            u.session.add(CaseEvent(case_id=case_id, at=clock.now(), action=how))
            if how == "flushed":
                u.flush()
    with uow() as u:
        assert u.session.query(CaseEvent).count() == 0
        assert u.cases.get(case_id).stage != "written"


@pytest.mark.parametrize("database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_a_block_that_only_read_leaves_its_connections_prepared_statements_in_place(uow, make_case, container):
    """psycopg forgets them on a ROLLBACK: the next step on the pooled connection would parse and plan again."""
    from sqlalchemy import select

    case_id = make_case()
    prepared_here = "SELECT count(*) FROM pg_prepared_statements"
    for _ in range(8):  # psycopg prepares a statement from its fifth run on a connection
        with uow() as u:
            assert u.session.scalar(select(CaseRow.stage).where(CaseRow.id == case_id)) is None
            before = u.session.connection().exec_driver_sql(prepared_here).scalar()
    with uow() as u:
        after = u.session.connection().exec_driver_sql(prepared_here).scalar()
    assert before > 0 and after >= before
