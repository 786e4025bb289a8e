"""Boundary events that end a referral: ``aiguillage.referral = expire`` or ``withdraw``.

A provider that never answers must not hold a referral open forever (every referral ends accepted
and closed, declined, redirected, revoked or expired). An interrupting boundary event on the step,
or the sub-process, that waits for the provider's answer says when the wait is over:

- ``expire`` on a timer: the provider did not answer in time, the referral expires;
- ``withdraw`` on an event the pathway throws itself (an escalation or error end event, for
  instance when a coordinator answers an escalation task "reassigned"): the referral is withdrawn
  from its provider (revoked).

When it fires, the referral of its need's branch ends (`engine.services.referrals.ending`), and
the event's flow leads wherever the pathway goes next (the Cameroon pathway: the caseworker's
choice of another provider).
"""

from __future__ import annotations

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from engine.runtime.escalation_chains import all_tasks
from engine.runtime.human_tasks import extensions_of

REFERRAL_PROPERTY = "aiguillage.referral"
EXPIRE = "expire"
WITHDRAW = "withdraw"
ENDING_MOVES = (EXPIRE, WITHDRAW)
# Marks a fired event whose referral was handled, in the workflow itself: saved with the step, so
# that a later step never ends the referral again (nor the next one of the branch). The key keeps
# the name it had when only timers ended referrals, so that cases saved then read the same.
HANDLED_MARK = "aiguillage.referral_expired"


def ending_move(task: SpiffTask) -> str | None:
    """``expire`` or ``withdraw`` for an event drawn with that ``aiguillage.referral``, else None."""
    if getattr(task.task_spec, "event_definition", None) is None:
        return None
    move = (extensions_of(task).get("properties") or {}).get(REFERRAL_PROPERTY)
    move = move.strip() if isinstance(move, str) else None
    return move if move in ENDING_MOVES else None


def fired_endings(workflow: BpmnWorkflow) -> list[tuple[SpiffTask, str]]:
    """The referral-ending events that fired and whose referral has not been ended yet, with their move."""
    found = []
    for task in all_tasks(workflow):
        if task.state != TaskState.COMPLETED or HANDLED_MARK in task.internal_data:
            continue
        move = ending_move(task)
        if move is not None:
            found.append((task, move))
    return found


def mark_handled(event: SpiffTask) -> None:
    """Note in the workflow that this event's referral was dealt with."""
    event.internal_data[HANDLED_MARK] = True
