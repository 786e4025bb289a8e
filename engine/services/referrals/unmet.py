"""Unmet needs: a need no provider will serve, recorded with its reason so that it never just ends.

A task marked `aiguillage.referral = unmet` runs inside the referral branch of one need, after a
decline (or a redirect too many). Its form's reason field (`unmet_reason` unless the step names
another, `engine.pathways.step_fields`; one of `UnmetReason`) records the need as unmet, with
the optional sensitive note field (`unmet_note`); left empty, the caseworker sends the need to
another provider and nothing is recorded here. The case goes on either way; coordinators and the
case's supervisors list the unmet needs (`list_unmet_needs`), and the case history keeps the step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from engine import field_problems as problem
from engine.access import Actor, can_list_cases_needing_attention, can_view_case
from engine.domain import Role, Sector, UnmetReason
from engine.errors import AccessDenied, InvalidData
from engine.pathways.step_fields import UnmetFields
from engine.runtime.human_tasks import HumanTask
from engine.services.cases.step import Step
from engine.services.cases.sync import need_fields_of, referral_for_instance
from engine.store.models import CaseRow, UnmetNeedRow
from engine.store.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class UnmetNeed:
    """An unmet need as the coordinators' list shows it (the note stays on the case)."""

    id: int
    case_id: int
    case_reference: str
    sector: str
    region: str | None
    reason: str
    referral_id: int | None
    recorded_at: datetime


def record_unmet_need(step: Step, task: HumanTask, data: dict) -> UnmetNeedRow | None:
    """Record the branch's need as unmet when the form gives a reason; None when it is sent on instead."""
    fields = UnmetFields.declared(task.properties)
    reason = data.get(fields.reason)
    if reason is None or reason == "":
        step.details["rereferral"] = "another_provider"
        return None
    if reason not in UnmetReason.__members__.values():
        raise InvalidData(f"{reason!r} is not a reason a need is left unmet",
                          {fields.reason: [problem.not_a_choice(UnmetReason.__members__.values())]})
    needs = need_fields_of(step)
    need = needs.need_of(task.instance, task.data)
    if need is None or need["sector"] not in Sector.__members__.values():
        raise InvalidData(needs.no_need_message(task.bpmn_id, need["sector"] if need is not None else None))
    referral = referral_for_instance(step, task.instance, task.data)
    note = data.get(fields.note)
    row = UnmetNeedRow(
        case_id=step.case.id,
        referral_id=referral.id if referral is not None else None,
        sector=Sector(need["sector"]),
        region=step.case.region,
        reason=UnmetReason(reason),
        note=note if isinstance(note, str) and note else None,
        recorded_at=step.now,
        recorded_by_id=step.actor.id if step.actor is not None else None,
    )
    step.session.add(row)
    step.session.flush()
    step.details["unmet_need"] = {"id": row.id, "sector": row.sector.value, "reason": row.reason.value}
    return row


def list_unmet_needs(uow: UnitOfWork, actor: Actor, limit: int = 100) -> list[UnmetNeed]:
    """Unmet needs, newest first: every case's for coordinators, their organisation's for supervisors."""
    if not can_list_cases_needing_attention(actor):
        raise AccessDenied(f"{actor.username} may not list unmet needs")
    query = (
        select(UnmetNeedRow, CaseRow).join(CaseRow, CaseRow.id == UnmetNeedRow.case_id)
        .order_by(UnmetNeedRow.recorded_at.desc(), UnmetNeedRow.id.desc()).limit(limit)
    )
    if not actor.has(Role.COORDINATOR):
        query = query.where(CaseRow.organisation_id == actor.organisation_id)
    with uow:
        return [
            UnmetNeed(need.id, case.id, case.reference, need.sector.value, need.region, need.reason.value,
                      need.referral_id, need.recorded_at)
            for need, case in uow.session.execute(query)
            if can_view_case(actor, case)
        ]


def unmet_needs_of_case(uow: UnitOfWork, case_id: int) -> list[UnmetNeedRow]:
    """A case's unmet needs, oldest first (the caller has checked that the case may be seen)."""
    with uow:
        return list(uow.session.scalars(
            select(UnmetNeedRow).where(UnmetNeedRow.case_id == case_id).order_by(UnmetNeedRow.recorded_at, UnmetNeedRow.id)
        ))
