"""The audit log's hash chain: rows from the step's prepared statements and from the ORM are sealed in
one chain; an edited, deleted or cut row is found by `aiguillage audit verify`; sealers in several
threads at once keep one verifiable chain."""

from __future__ import annotations

import threading

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, func, select, update

from engine.services.audit.chain import seal_audit_log, verify_audit_chain
from engine.services.cases.lifecycle import open_case
from engine.store.models import AuditChainHead, AuditEntry
from tests.integration.services.conftest import ASSESSMENT, IDENTIFICATION
from tests.integration.services.walk import CaseWalker
from webui.cli import main


@pytest.fixture
def walker(container, published) -> CaseWalker:
    return CaseWalker(container)


def _some_case_steps(container, walker) -> None:
    open_case(container.uow(), container.clock, "cameroon-nrm", walker.actor("demo-caseworker"))
    walker.complete("demo-caseworker", "Task_Identification", IDENTIFICATION)
    walker.complete("demo-caseworker", "Task_NeedsAssessment", ASSESSMENT)


def _audit_rows(container) -> int:
    with container.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(AuditEntry))


def _verify(container):
    return CliRunner().invoke(main, ["audit", "verify"], obj=container)


def test_every_audit_row_is_sealed_into_one_chain_that_verifies(container, walker):
    _some_case_steps(container, walker)
    rows = _audit_rows(container)
    assert rows >= 3
    assert verify_audit_chain(container.uow()).unsealed == rows
    sealed = CliRunner().invoke(main, ["audit", "seal"], obj=container)
    assert sealed.exit_code == 0 and f"Sealed {rows} audit rows." in sealed.output
    report = verify_audit_chain(container.uow())
    assert report.intact and report.checked == rows and report.unsealed == 0
    # New rows after sealing wait for the next run, and are then chained after the others.
    walker.complete("demo-caseworker", "Task_Consent", {"consent_given": False})
    assert verify_audit_chain(container.uow()).unsealed >= 1
    seal_audit_log(container.uow(), container.clock)
    verified = _verify(container)
    assert verified.exit_code == 0 and "Audit chain intact" in verified.output


def test_a_row_edited_in_the_database_is_the_first_broken_link(container, walker):
    _some_case_steps(container, walker)
    seal_audit_log(container.uow(), container.clock)
    with container.uow() as uow:
        second = uow.session.scalars(select(AuditEntry).order_by(AuditEntry.chain_seq).offset(1).limit(1)).one()
        uow.session.execute(update(AuditEntry).where(AuditEntry.id == second.id).values(user_id=None))
        uow.commit()
    report = verify_audit_chain(container.uow())
    assert not report.intact and report.broken_at_seq == 2 and report.broken_row_id == second.id
    verified = _verify(container)
    assert verified.exit_code == 1 and f"link 2 (audit row {second.id}) does not match its content" in verified.output


def test_a_deleted_row_and_rows_cut_from_the_end_are_found(container, walker):
    _some_case_steps(container, walker)
    seal_audit_log(container.uow(), container.clock)
    with container.uow() as uow:
        last = uow.session.scalar(select(func.max(AuditEntry.chain_seq)))
        uow.session.execute(delete(AuditEntry).where(AuditEntry.chain_seq == last))
        uow.commit()
    assert "sealed rows were removed" in verify_audit_chain(container.uow()).problem
    with container.uow() as uow:
        uow.session.execute(delete(AuditEntry).where(AuditEntry.chain_seq == 1))
        uow.commit()
    report = verify_audit_chain(container.uow())
    assert report.broken_at_seq == 1 and "link 1 is missing" in report.problem


def test_sealers_and_writers_in_several_threads_keep_one_intact_chain(container, walker):
    _some_case_steps(container, walker)
    errors: list[BaseException] = []

    def seal() -> None:
        try:
            for _ in range(5):
                seal_audit_log(container.uow(), container.clock, batch=2)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    def write(number: int) -> None:
        try:
            for index in range(10):
                with container.uow() as uow:
                    uow.session.add(AuditEntry(at=container.clock.now(), user_id=None, action="probe.read",
                                               object_type="probe", object_id=f"{number}-{index}", details={"n": index}))
                    uow.commit()
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=seal) for _ in range(3)] + [threading.Thread(target=write, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    while seal_audit_log(container.uow(), container.clock):
        pass
    report = verify_audit_chain(container.uow())
    assert report.intact and report.unsealed == 0 and report.checked == _audit_rows(container)
    with container.uow() as uow:
        assert uow.session.get(AuditChainHead, 1).seq == report.checked
