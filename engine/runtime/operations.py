"""Service tasks call only operations registered in code, never anything a pathway file names freely.

    registry = OperationRegistry()
    registry.register("notify_provider", notify_provider)   # fn(**params) -> JSON-able result
    engine = SafeScriptEngine(clock, operations=registry)

A BPMN service task names its operation with ``camunda:topic`` (or the property
``aiguillage.operation``); each ``camunda:inputParameter`` is an expression evaluated by the safe
evaluator over the task data; the operation's return value is stored in ``camunda:resultVariable``
(default ``<task id>_result``). An unknown operation or a failing one puts the task in ERROR with
a message that names the operation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from SpiffWorkflow.bpmn.specs.defaults import ServiceTask

from engine.errors import AiguillageError


class OperationError(AiguillageError):
    """An operation is unknown, or failed when a service task called it."""


class OperationRegistry:
    """The operations service tasks may call, by name."""

    def __init__(self, operations: Mapping[str, Callable[..., Any]] | None = None):
        self._operations: dict[str, Callable[..., Any]] = {}
        for name, fn in (operations or {}).items():
            self.register(name, fn)

    def register(self, name: str, fn: Callable[..., Any]) -> None:
        """Allow service tasks to call `fn(**params)` under `name`."""
        if not name or not isinstance(name, str):
            raise ValueError("an operation needs a non-empty name")
        if not callable(fn):
            raise ValueError(f"operation {name!r} is not callable")
        self._operations[name] = fn

    def names(self) -> list[str]:
        """The registered operation names, sorted (for validators and error messages)."""
        return sorted(self._operations)

    def __contains__(self, name: object) -> bool:
        return name in self._operations

    def call(self, name: str, params: Mapping[str, Any]) -> Any:
        """Call the operation `name` with `params`; OperationError if unknown or if it fails."""
        fn = self._operations.get(name)
        if fn is None:
            known = ", ".join(self.names()) or "none are registered"
            raise OperationError(f'service task calls unknown operation "{name}" (known operations: {known})')
        try:
            return fn(**params)
        except AiguillageError:
            raise
        except Exception as error:  # an operation's own bug must surface as this task's failure
            raise OperationError(f'operation "{name}" failed: {type(error).__name__}: {error}') from error


class OperationTask(ServiceTask):
    """A service task that calls a registered operation through the script engine."""

    def __init__(self, wf_spec, bpmn_id, operation_name, operation_params=None, result_variable=None, **kwargs):
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.operation_name = operation_name
        self.operation_params = dict(operation_params or {})
        self.result_variable = result_variable or f"{bpmn_id}_result"

    def _execute(self, task):
        engine = task.workflow.script_engine
        params = {name: engine.evaluate(task, text) for name, text in self.operation_params.items()}
        task.data[self.result_variable] = engine.call_service(
            task, operation_name=self.operation_name, operation_params=params
        )
        return True
