"""A provider's answers to a referral (acknowledge, decide, report the outcome) and the consent steps of a
case, as completing the workflow task that does them.

Partner systems speak of the referral or the case, not of workflow tasks: these services find the
open task marked for that move (`aiguillage.referral` or `aiguillage.consent`) and complete it
through `complete_task`, so the move is the same step, with the same checks, as in the pages.
An acknowledgement speaks of `acknowledged_by` and `acknowledged_on`, a decision of `decision`,
`decline_reason` and `appointment_date`, an outcome of `service_delivered` and `outcome_note`, a consent of
`consent_given`...: they reach the fields the pathway's step names for them (`engine.pathways.step_fields`),
and the problems of a refused answer come back under the same names.
"""

from __future__ import annotations

from sqlalchemy import select

from engine.access import Actor, can_answer_referral, can_see_task, can_view_case, can_view_referral
from engine.clock import Clock
from engine.domain import TaskState
from engine.errors import AccessDenied, Conflict, InvalidData, NotFound
from engine.pathways.step_fields import CONSENT_PROPERTY, StepFields, fields_of_step, step_fields
from engine.runtime import case_runtime
from engine.runtime.human_tasks import human_task_of
from engine.services.cases.step import StepResult, begin_step
from engine.services.referrals.steps import REFERRAL_PROPERTY
from engine.services.tasks.completion import complete_task
from engine.store.models import CaseRow, ReferralRow, TaskRow
from engine.store.unit_of_work import UnitOfWork


def answer_referral(uow: UnitOfWork, clock: Clock, referral_id: int, actor: Actor, move: str, data: dict) -> StepResult:
    """Complete the referral's open task marked `aiguillage.referral = move` with `data`.

    NotFound unless the actor may see the referral; AccessDenied unless it is addressed to their
    organisation; Conflict when the referral is not waiting for that move.
    """
    with uow:
        found = uow.session.execute(
            select(ReferralRow, CaseRow).join(CaseRow, CaseRow.id == ReferralRow.case_id).where(ReferralRow.id == referral_id)
        ).first()
        if found is None or not can_view_referral(actor, *found):
            raise NotFound(f"referral {referral_id} does not exist or is not yours to see")
        referral, case = found
        if not can_answer_referral(actor, referral):
            raise AccessDenied(f"{actor.username} may not answer referrals addressed to another organisation")
        rows = uow.session.scalars(
            select(TaskRow).where(TaskRow.referral_id == referral.id, TaskRow.state == TaskState.OPEN)
        ).all()
        marked = _marked_task(uow, clock, case.id, rows, actor, REFERRAL_PROPERTY, move)
        if marked is None:
            raise Conflict(f"referral {referral_id} is {referral.state.value}: it is not waiting to {move}")
        # The lookup wrote nothing: end its read so that the step takes the write lock first.
        uow.rollback()
    task_id, properties = marked
    return _complete_in_api_words(uow, clock, task_id, actor, data, step_fields(move, properties))


def complete_consent_step(uow: UnitOfWork, clock: Clock, case_id: int, actor: Actor, step: str, data: dict) -> StepResult:
    """Complete the case's open task marked `aiguillage.consent = step` (record, refused, override, withdraw)."""
    with uow:
        case = uow.session.get(CaseRow, case_id)
        if case is None or not can_view_case(actor, case):
            raise NotFound(f"case {case_id} does not exist or is not yours to see")
        rows = uow.session.scalars(select(TaskRow).where(TaskRow.case_id == case.id, TaskRow.state == TaskState.OPEN)).all()
        marked = _marked_task(uow, clock, case.id, rows, actor, CONSENT_PROPERTY, step)
        if marked is None:
            raise Conflict(f"case {case.reference} is not waiting for a consent step ({step}) that you may do")
        uow.rollback()
    task_id, properties = marked
    return _complete_in_api_words(uow, clock, task_id, actor, data, fields_of_step(properties))


def _complete_in_api_words(uow: UnitOfWork, clock: Clock, task_id: str, actor: Actor, data: dict,
                           fields: StepFields | None) -> StepResult:
    """Complete the task with `data` written in the API's words, renamed to the fields its step names;
    a refused answer's problems named back in the API's words."""
    if fields is None:
        return complete_task(uow, clock, task_id, actor, data)
    try:
        return complete_task(uow, clock, task_id, actor, fields.in_pathway_words(data))
    except InvalidData as refused:
        refused.errors = fields.in_default_words(refused.errors)
        raise


def _marked_task(uow: UnitOfWork, clock: Clock, case_id: int, rows, actor: Actor, mark: str,
                 value: str) -> tuple[str, dict[str, str]] | None:
    """The id and properties of the open task marked `mark = value`, among those the actor sees."""
    visible = [row for row in rows if can_see_task(actor, row)]
    if not visible:
        return None
    workflow = begin_step(uow, clock, case_id, actor, "read", open_tasks=visible).workflow
    for row in visible:
        task = human_task_of(case_runtime.find_task(workflow, row.id), workflow.script_engine)
        if task.properties.get(mark) == value:
            return row.id, task.properties
    return None
