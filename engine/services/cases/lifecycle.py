"""Cases: open one on the latest published pathway version, move its timers, signal it, find the stuck ones.

    ref = open_case(uow, clock, "cameroon-nrm", actor, data=None)   # CaseRef
    advance_case(uow, clock, case_id)                               # fire due timers (sweeps call this)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from engine.access import Actor, can_list_cases_needing_attention, can_open_case, can_view_case
from engine.clock import Clock
from engine.domain import CaseStatus, Priority
from engine.errors import AccessDenied, NotFound
from engine.runtime import case_runtime, serializer
from engine.runtime.signals import send_signal
from engine.services.cases.step import (
    StepHook,
    StepResult,
    begin_step,
    finish_step,
    script_engine_for,
    specs_for_version,
    start_step,
)
from engine.services.cases.sync import local_year
from engine.services.pathways.metadata import case_fields
from engine.store import case_records
from engine.store.case_records import CaseRecord
from engine.store.models import CaseRow
from engine.store.unit_of_work import UnitOfWork
from engine.store.write_lock import lock_for_writing


@dataclass(frozen=True)
class CaseRef:
    """A newly opened case."""

    id: int
    reference: str
    pathway_id: str
    pathway_version: int
    stage: str | None
    open_task_ids: tuple[str, ...]
    failures: tuple[str, ...]


@dataclass(frozen=True)
class CaseAttention:
    """A case whose workflow failed at run time, for coordinators to repair."""

    id: int
    reference: str
    organisation_id: int
    stage: str | None
    message: str
    since: datetime


def open_case(
    uow: UnitOfWork, clock: Clock, pathway_id: str, actor: Actor, data: dict | None = None, hook: StepHook | None = None
) -> CaseRef:
    """Start a case on the latest published version of a pathway (the case stays pinned to it)."""
    if not can_open_case(actor):
        raise AccessDenied(f"{actor.username} may not open cases (caseworkers do)")
    with uow:
        now = clock.now()
        version, case_id, reference = case_records.reserve_new_case(lock_for_writing(uow), pathway_id, local_year(now))
        if version is None:
            raise NotFound(f"pathway {pathway_id!r} has not been published")
        specs = specs_for_version(uow, version.id, version.content_hash, version.main_file)
        workflow = case_runtime.start(specs, script_engine_for(clock), data)
        facts = case_fields(uow.session, version.id, version.content_hash).facts_of(data or {})
        case = CaseRecord(
            id=case_id,
            reference=reference,
            pathway_version_id=version.id,
            status=CaseStatus.OPEN,
            stage=None,
            # The opening data's case facts, under the names the pathway gives them (`case_fields:`).
            priority=facts.get("priority", Priority.NORMAL),
            risk_level=facts.get("risk_level"),
            region=facts.get("region"),
            organisation_id=actor.organisation_id,
            created_at=now,
            created_by_id=actor.id,
            updated_at=now,
            closed_at=None,
            close_reason=None,
            # Written with the rest of the step by `finish_step`, in this same transaction.
            workflow_json="",
            serializer_version=serializer.SERIALIZER_VERSION,
            lock_version=1,
            needs_attention=False,
            attention_message=None,
            attention_at=None,
        )
        step = start_step(uow, clock, case, specs, workflow, actor, version.content_hash)
        step.details["pathway"] = {"id": version.pathway_id, "version": version.version}
        result = finish_step(step, case_runtime.failures(workflow), hook=hook)
        return CaseRef(
            id=result.case_id,
            reference=result.reference,
            pathway_id=version.pathway_id,
            pathway_version=version.version,
            stage=result.stage,
            open_task_ids=result.new_task_ids,
            failures=result.failures,
        )


def advance_case(uow: UnitOfWork, clock: Clock, case_id: int, hook: StepHook | None = None,
                 actor: Actor | None = None) -> StepResult:
    """Fire the case's due timers and run what follows (the deadline sweep's step; by default the actor is the system)."""
    with uow:
        lock_for_writing(uow)
        step = begin_step(uow, clock, case_id, actor, "timers_fired")
        if actor is not None and not can_view_case(actor, step.case):
            raise NotFound(f"case {case_id} does not exist or is not yours to see")
        failures = case_runtime.advance(step.workflow)
        return finish_step(step, failures, hook=hook)


def signal_case(uow: UnitOfWork, clock: Clock, case_id: int, name: str, actor: Actor | None,
                data: dict | None = None) -> StepResult:
    """Deliver a BPMN signal to a case; Conflict if nothing in it waits for that signal."""
    with uow:
        lock_for_writing(uow)
        step = begin_step(uow, clock, case_id, actor, "signal_received")
        if actor is not None and not can_view_case(actor, step.case):
            raise NotFound(f"case {case_id} does not exist or is not yours to see")
        step.details["signal"] = name
        failures = send_signal(step.workflow, name, data)
        return finish_step(step, failures)


def case_id_of(uow: UnitOfWork, reference: str) -> int:
    """The id of a case by its reference (MNR-2026-000123), or NotFound."""
    with uow:
        return uow.cases.get_by_reference(reference).id


def list_cases_needing_attention(uow: UnitOfWork, actor: Actor, limit: int = 100) -> list[CaseAttention]:
    """Open cases whose workflow failed: every case for coordinators, their organisation's for supervisors."""
    if not can_list_cases_needing_attention(actor):
        raise AccessDenied(f"{actor.username} may not list cases needing attention")
    statement = (
        select(CaseRow)
        .where(CaseRow.needs_attention.is_(True))
        .order_by(CaseRow.attention_at)
        .limit(limit)
    )
    with uow:
        return [
            CaseAttention(case.id, case.reference, case.organisation_id, case.stage, case.attention_message or "", case.attention_at)
            for case in uow.session.scalars(statement)
            if can_view_case(actor, case)
        ]
