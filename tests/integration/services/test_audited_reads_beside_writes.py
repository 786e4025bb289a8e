"""Audited reads (a case page, a referral, an alias search) while other people's work is committed.

Each such read writes an audit entry after reading. On SQLite, a read whose transaction did not
take the write lock first fails when any other write is committed between its read and its audit
entry: a caseworker opening a case would be told it was changed by someone else. These reads run
beside another connection's steady writes and must all succeed, each audited once.
"""

from __future__ import annotations

import time

from sqlalchemy import func, select

from engine.services.cases.lifecycle import open_case
from engine.services.cases.listing import CaseFilters, list_cases
from engine.services.cases.view import show_case
from engine.services.tasks.completion import complete_task
from engine.store.models import AuditEntry
from tests.integration.services.conftest import IDENTIFICATION
from tests.integration.services.walk import CaseWalker
from tests.integration.store.steady_writes import steady_writes

READS = 40


def test_case_pages_and_alias_searches_beside_steady_writes_all_succeed(container, published, database_url, tmp_path):
    walker = CaseWalker(container)
    caseworker = walker.actor("demo-caseworker")
    case = open_case(container.uow(), container.clock, "cameroon-nrm", caseworker)
    complete_task(container.uow(), container.clock, case.open_task_ids[0], caseworker, IDENTIFICATION)  # names the person

    failures = []
    with steady_writes(database_url, tmp_path / "other", container.clock, walker.actor("demo-supervisor").id) as writes:
        for _ in range(READS):
            for read in (
                lambda: show_case(container.uow(), container.clock, case.reference, caseworker),
                lambda: list_cases(container.uow(), caseworker, filters=CaseFilters(alias="A. M."), now=container.clock.now()),
            ):
                try:
                    read()
                except Exception as error:  # the outcome under test
                    failures.append(repr(error))
            time.sleep(0.01)  # room for the other connection's writes between the reads

    assert writes.failures == [] and writes.count >= READS // 4
    assert failures == []
    with container.uow() as u:
        audited = dict(u.session.execute(
            select(AuditEntry.action, func.count()).where(AuditEntry.action.in_(["case.viewed", "cases.searched_by_alias"]))
            .group_by(AuditEntry.action)).all())
    assert audited == {"case.viewed": READS, "cases.searched_by_alias": READS}
