"""Helpers for the runtime tests: fixture diagrams, and a case saved and restored after each step."""

from __future__ import annotations

from pathlib import Path

from engine.runtime import case_runtime, serializer
from engine.runtime.script_engine import SafeScriptEngine
from engine.runtime.specs import PathwaySpecs

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "runtime"


def fixture_files(*names: str) -> dict[str, bytes]:
    """The named fixture files as a pathway's file mapping."""
    return {name: (FIXTURES / name).read_bytes() for name in names}


class Case:
    """A workflow that is saved and restored after every step, as the product does."""

    def __init__(self, specs: PathwaySpecs, engine: SafeScriptEngine, data: dict | None = None):
        self.specs = specs
        self.engine = engine
        self.workflow = case_runtime.start(specs, engine, data)
        self.failures = case_runtime.failures(self.workflow)
        self.reload()

    def reload(self) -> None:
        self.blob = serializer.dumps(self.workflow)
        self.workflow = serializer.loads(self.blob, self.specs, self.engine)

    def advance(self):
        self.failures = case_runtime.advance(self.workflow)
        self.reload()
        return self.failures

    def complete(self, bpmn_id: str, data: dict | None = None, index: int = 0):
        task = [t for t in self.ready() if t.bpmn_id == bpmn_id][index]
        self.failures = case_runtime.complete_task(self.workflow, task.id, data or {})
        self.reload()
        return self.failures

    def ready(self):
        return case_runtime.ready_human_tasks(self.workflow)

    def ready_ids(self) -> list[str]:
        return sorted(task.bpmn_id for task in self.ready())

    def timers(self):
        return case_runtime.pending_timers(self.workflow)

    @property
    def completed(self) -> bool:
        return case_runtime.is_completed(self.workflow)
