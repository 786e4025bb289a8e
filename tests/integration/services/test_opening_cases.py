"""Opening a case: its version, reference and id are reserved together, and its row is written once, with the
rest of its first step (or before, when something of that step must refer to it)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import event, func, select

from engine.errors import NotFound
from engine.runtime import case_runtime, serializer
from engine.services.cases.lifecycle import open_case
from engine.services.cases.step import finish_step, script_engine_for, specs_for_version, start_step
from engine.services.cases.sync import local_year
from engine.domain import CaseStatus, Priority
from engine.store import case_records
from engine.store.case_records import CaseRecord
from engine.store.models import CaseRow, OutboxRow, TaskRow
from engine.store.write_lock import lock_for_writing
from tests.integration.services.conftest import IDENTIFICATION
from tests.integration.services.walk import CaseWalker


@pytest.fixture
def walker(container, published) -> CaseWalker:
    return CaseWalker(container)


def test_opening_writes_the_case_row_once_with_its_workflow(container, walker):
    statements: list[str] = []

    def seen(_connection, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(container.engine, "before_cursor_execute", seen)
    try:
        case = open_case(container.uow(), container.clock, "cameroon-nrm", walker.actor("demo-caseworker"))
    finally:
        event.remove(container.engine, "before_cursor_execute", seen)
    assert len([s for s in statements if s.startswith("INSERT INTO cases")]) == 1
    assert not [s for s in statements if s.startswith("UPDATE cases")]
    with container.uow() as uow:
        row = uow.session.get(CaseRow, case.id)
        assert (row.reference, row.lock_version) == (case.reference, 2)
        assert serializer.SERIALIZER_VERSION == row.serializer_version and row.workflow_json.startswith("{")
        opened = uow.session.scalars(select(TaskRow.id).where(TaskRow.case_id == case.id)).all()
    assert opened == list(case.open_task_ids)
    # The next step loads what the opening wrote.
    result = walker.complete("demo-caseworker", "Task_Identification", IDENTIFICATION, case_id=case.id)
    assert result.case_id == case.id and result.stage == "assessment"


def test_a_pathway_never_published_opens_nothing_and_uses_no_reference(container, walker):
    with pytest.raises(NotFound, match="not-a-pathway"):
        open_case(container.uow(), container.clock, "not-a-pathway", walker.actor("demo-caseworker"))
    with container.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(CaseRow)) == 0
    assert open_case(container.uow(), container.clock, "cameroon-nrm",
                     walker.actor("demo-caseworker")).reference == "MNR-2026-000001"


def test_caseworkers_opening_at_once_get_distinct_cases(container, walker):
    actor = walker.actor("demo-caseworker")
    opened, errors = [], []
    start = threading.Barrier(4)

    def open_some() -> None:
        try:
            start.wait()
            for _ in range(6):
                opened.append(open_case(container.uow(), container.clock, "cameroon-nrm", actor))
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=open_some) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len({case.id for case in opened}) == len({case.reference for case in opened}) == 24
    with container.uow() as uow:
        rows = uow.session.execute(select(CaseRow.id, CaseRow.reference)).all()
    assert sorted(rows) == sorted((case.id, case.reference) for case in opened)


def test_a_first_step_that_writes_a_row_naming_the_case_before_its_batch_finds_the_case_written(container, walker):
    """A row written through the ORM (or an escalation recorded) during a new case's first step refers to
    the case: the case's row is then written first, and the step's save updates it instead of inserting it."""
    actor = walker.actor("demo-caseworker")
    with container.uow() as uow:
        now = container.clock.now()
        version, case_id, reference = case_records.reserve_new_case(lock_for_writing(uow), "cameroon-nrm",
                                                                     local_year(now))
        specs = specs_for_version(uow, version.id, version.content_hash, version.main_file)
        workflow = case_runtime.start(specs, script_engine_for(container.clock), None)
        case = CaseRecord(
            id=case_id, reference=reference, pathway_version_id=version.id, status=CaseStatus.OPEN, stage=None,
            priority=Priority.NORMAL, risk_level=None, region=None, organisation_id=actor.organisation_id,
            created_at=now, created_by_id=actor.id, updated_at=now, closed_at=None, close_reason=None,
            workflow_json="", serializer_version=serializer.SERIALIZER_VERSION, lock_version=1,
            needs_attention=False, attention_message=None, attention_at=None,
        )
        step = start_step(uow, container.clock, case, specs, workflow, actor, version.content_hash)
        uow.session.add(OutboxRow(event_type="case_flagged", case_id=case_id, payload={}, created_at=now))
        finish_step(step, [])
    with container.uow() as uow:
        row = uow.session.get(CaseRow, case_id)
        assert (row.reference, row.lock_version, row.stage) == (reference, 2, "identification")
        assert uow.session.scalar(select(func.count()).select_from(OutboxRow).where(
            OutboxRow.case_id == case_id, OutboxRow.event_type == "case_flagged")) == 1
