"""The script engine every workflow runs with: the safe evaluator, our clock, our calendar, our operations.

    engine = SafeScriptEngine(clock, calendar=None, operations=None)

SpiffWorkflow sends every expression site through its script engine: gateway conditions, script
tasks, timer texts, DMN cells, loop and multi-instance expressions, service-task parameters. This
engine routes them all to `engine.expressions` (no `eval`/`exec` anywhere) and turns every failure
into a `WorkflowTaskException`, so the task goes to ERROR with a message that names the expression.

It also carries what the clock-aware timers need: ``clock`` (``now()``), ``calendar`` (a
`engine.calendar.WorkingCalendar`; Cameroon's by default, built on first use) and
``evaluate_timer(task, text)``. The engine is not serialized: attach it after every load
(`engine.runtime.serializer.loads` does).
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Mapping
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import BasePythonScriptEngineEnvironment
from SpiffWorkflow.bpmn.script_engine.python_engine import PythonScriptEngine
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine import expressions
from engine.errors import AiguillageError
from engine.expressions.evaluation import finite
from engine.runtime.operations import OperationRegistry


def _message(error: Exception) -> str:
    return str(getattr(error, "message", None) or error) or type(error).__name__


class SafeEnvironment(BasePythonScriptEngineEnvironment):
    """The environment Spiff calls directly in a few places (process completion conditions,
    message correlations): the same safe evaluator, never `eval`."""

    def evaluate(self, expression, context, external_context=None):
        return expressions.evaluate(expression, _merged(context, external_context))

    def execute(self, script, context, external_context=None):
        _run_script(script, context, external_context)
        return True

    def call_service(self, context, **kwargs):
        raise AiguillageError("service tasks are called through the script engine, not its environment")


def _merged(data: Mapping[str, Any], external_context: Mapping[str, Any] | None) -> dict:
    merged = dict(external_context) if external_context else {}
    merged.update(data)
    # A field id with dashes (jaar-omzet, as Camunda allows) is reached by its safe name (jaar_omzet).
    for key in [k for k in merged if isinstance(k, str) and "-" in k]:
        merged.setdefault(key.replace("-", "_"), merged[key])
    return merged


def _run_script(script: str, data: dict, external_context: Mapping[str, Any] | None) -> None:
    if not external_context:
        expressions.run_script(script, data)
        return
    # Scripts see external names (data objects) but only write back what they assigned.
    merged = _merged(data, external_context)
    before = dict(merged)
    expressions.run_script(script, merged)
    for name, value in merged.items():
        if name not in before or before[name] is not value:
            data[name] = value


@functools.cache
def _default_calendar():
    # Building the holiday tables takes tens of milliseconds; engines are built per step, so share one.
    from engine.calendar import cameroon_calendar

    return cameroon_calendar()


class SafeScriptEngine(PythonScriptEngine):
    """A PythonScriptEngine that never runs Python: the safe evaluator, our clock and operations."""

    def __init__(self, clock, calendar=None, operations: OperationRegistry | None = None):
        super().__init__(environment=SafeEnvironment())
        self.clock = clock
        self.calendar = calendar
        self.operations = operations if operations is not None else OperationRegistry()

    def working_calendar(self):
        """The working calendar for working-day timers and due dates (Cameroon's unless given)."""
        if self.calendar is None:
            self.calendar = _default_calendar()
        return self.calendar

    def validate(self, expression):
        """Syntax check only (DMN uses it to decide whether a cell needs `==`); raises SyntaxError."""
        ast.parse(str(expression).strip(), mode="eval")

    def evaluate(self, task, expression, external_context=None):
        """Evaluate `expression` over the task data (plus external names) with the safe evaluator."""
        try:
            return expressions.evaluate(expression, _merged(task.data, external_context))
        except SpiffWorkflowException:
            raise
        except Exception as error:
            raise WorkflowTaskException(
                f'expression "{expression}" failed: {_message(error)}', task=task, exception=error
            ) from error

    def execute(self, task, script, external_context=None):
        """Run a script task's assignments over the task data with the safe evaluator."""
        try:
            _run_script(script, task.data, external_context)
        except SpiffWorkflowException:
            raise
        except Exception as error:
            line = getattr(error, "line", None)
            where = f" (line {line})" if line else ""
            raise WorkflowTaskException(
                f"script failed{where}: {_message(error)}", task=task, exception=error, line_number=line or 0
            ) from error
        return True

    def evaluate_timer(self, task, expression) -> str:
        """A timer's text as ISO 8601 (bare, quoted, a variable or ${var})."""
        try:
            return expressions.evaluate_timer(expression, task.data)
        except Exception as error:
            raise WorkflowTaskException(
                f'timer "{expression}" failed: {_message(error)}', task=task, exception=error
            ) from error

    def call_service(self, task, operation_name=None, operation_params=None, **kwargs):
        """Call a registered operation (the library's own version masks errors behind a NameError)."""
        try:
            return finite(self.operations.call(operation_name, operation_params or {}))
        except Exception as error:
            raise WorkflowTaskException(
                f"service task: {_message(error)}", task=task, exception=error
            ) from error
