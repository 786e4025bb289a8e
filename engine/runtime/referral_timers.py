"""Boundary timers that end a referral: ``aiguillage.referral = expire``.

A provider that never answers must not hold a referral open forever (every referral ends accepted
and closed, declined, redirected, revoked or expired). An interrupting boundary timer on the step,
or the sub-process, that waits for the provider's answer, marked ``aiguillage.referral = expire``,
says when the wait is over: when it fires, the referral of its need's branch expires
(`engine.services.referrals.expiry`), and its flow leads wherever the pathway goes next (the
Cameroon pathway: the caseworker's choice of another provider).
"""

from __future__ import annotations

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from engine.runtime.escalation_chains import all_tasks
from engine.runtime.human_tasks import extensions_of

REFERRAL_PROPERTY = "aiguillage.referral"
EXPIRE = "expire"
# Marks a fired expiry timer whose referral was handled, in the workflow itself: saved with the
# step, so that a later step never expires the referral again (nor the next one of the branch).
EXPIRY_HANDLED_MARK = "aiguillage.referral_expired"


def is_expiry_timer(task: SpiffTask) -> bool:
    """Whether the task is a timer drawn with ``aiguillage.referral = expire``."""
    if getattr(task.task_spec, "event_definition", None) is None:
        return False
    move = (extensions_of(task).get("properties") or {}).get(REFERRAL_PROPERTY)
    return isinstance(move, str) and move.strip() == EXPIRE


def fired_expiry_timers(workflow: BpmnWorkflow) -> list[SpiffTask]:
    """The expiry timers that fired and whose referral has not been expired yet."""
    return [task for task in all_tasks(workflow)
            if task.state == TaskState.COMPLETED and EXPIRY_HANDLED_MARK not in task.internal_data
            and is_expiry_timer(task)]


def mark_handled(timer: SpiffTask) -> None:
    """Note in the workflow that this timer's referral was dealt with."""
    timer.internal_data[EXPIRY_HANDLED_MARK] = True
