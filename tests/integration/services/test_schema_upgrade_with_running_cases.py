"""An installation with cases in progress takes the newest migration, and gives it back, without
losing a row, and its cases go on afterwards: what an operator's upgrade (or its rollback) meets."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from engine.services.cases.lifecycle import open_case
from engine.services.tasks.completion import complete_task
from engine.store.migrate import alembic_config, current_revision, head_revision, upgrade_database
from tests.integration.services.conftest import ASSESSMENT, IDENTIFICATION

COUNTED = ("cases", "tasks", "task_candidates", "case_events", "audit_log", "outbox", "referrals", "consents")


def _counts(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() for table in COUNTED}


def test_the_newest_migration_goes_down_and_up_again_under_cases_in_progress(container, actor):
    caseworker = actor("demo-caseworker")
    uow, clock = container.uow, container.clock
    cases = [open_case(uow(), clock, "cameroon-nrm", caseworker) for _ in range(2)]
    identified = complete_task(uow(), clock, cases[0].open_task_ids[0], caseworker, IDENTIFICATION)
    before = _counts(container.engine)
    assert before["task_candidates"] > 0 and before["audit_log"] > 0

    container.engine.dispose()
    with container.engine.begin() as connection:
        command.downgrade(alembic_config(connection), "-1")
    assert current_revision(container.engine) != head_revision()
    assert _counts(container.engine) == before
    upgrade_database(container.engine)
    container.engine.dispose()
    assert _counts(container.engine) == before

    # Both cases go on: the one identified before the round trip, and the one still at its first step.
    assessed = complete_task(uow(), clock, identified.new_task_ids[0], caseworker, ASSESSMENT)
    complete_task(uow(), clock, cases[1].open_task_ids[0], caseworker, IDENTIFICATION)
    assert assessed.new_task_ids
    after = _counts(container.engine)
    assert after["tasks"] > before["tasks"] and after["case_events"] > before["case_events"]
