"""Signals a case receives from outside its diagram: `consent_withdrawn`, for example.

    failures = send_signal(workflow, "consent_withdrawn", data={"withdrawn_by": "person"})
    names = waiting_signals(workflow)      # signals some element of the case is waiting for now

A signal is caught by every element of the case waiting for that name (boundary events,
intermediate catch events); an interrupting boundary event cancels the activity it sits on, with
everything running inside it. Sending a signal nothing waits for is a `Conflict`: the caller
learns that the case is not at a point where, say, consent can be withdrawn.
"""

from __future__ import annotations

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.util.event import BpmnEvent

from engine.errors import Conflict
from engine.runtime.case_runtime import TaskFailure, advance
from engine.runtime.task_data import plain_data


def waiting_signals(workflow: BpmnWorkflow) -> list[str]:
    """The names of the signals some element of the case is waiting for, sorted."""
    names = set()
    for task in list(workflow.event_manager.tasks.values()):
        definition = getattr(task.task_spec, "event_definition", None)
        if isinstance(definition, SignalEventDefinition) and definition.name:
            names.add(definition.name)
    return sorted(names)


def send_signal(workflow: BpmnWorkflow, name: str, data: dict | None = None) -> list[TaskFailure]:
    """Deliver signal `name` (with optional plain-JSON data) and advance; Conflict if nothing waits for it."""
    if name not in waiting_signals(workflow):
        raise Conflict(f'nothing in this case is waiting for the signal "{name}" now')
    # Refresh first so that timers already due fire before the signal, as they would have.
    advance(workflow)
    event = BpmnEvent(SignalEventDefinition(name), plain_data(data or {}))
    workflow.send_event(event)
    return advance(workflow)
