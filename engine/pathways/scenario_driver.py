"""The in-memory case a scenario drives: the runtime facade, a ManualClock, and a save/load after each step.

Saving and reloading the workflow after every step (as the database-backed services will) makes
each scenario a serialization round-trip test as well.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from engine.clock import ManualClock
from engine.errors import AiguillageError, InvalidData
from engine.pathways.folder import PathwaySource
from engine.pathways.form_check import clean_form_data
from engine.pathways.scenarios import ReadyTask
from engine.runtime import case_runtime, serializer
from engine.runtime.case_data import case_data
from engine.runtime.script_engine import SafeScriptEngine
from engine.runtime.signals import send_signal
from engine.runtime.specs import PathwaySpecs, load_specs

DOUALA = ZoneInfo("Africa/Douala")  # where a form's "today" is the date


class InMemoryCase:
    """A `CaseDriver` over one workflow held in memory."""

    def __init__(self, specs: PathwaySpecs, clock: ManualClock):
        self.specs = specs
        self.clock = clock
        self.engine = SafeScriptEngine(clock)
        self.workflow = None

    @classmethod
    def for_source(cls, source: PathwaySource, clock: ManualClock) -> InMemoryCase:
        """A driver on the pathway's specs; PathwayError if the pathway cannot be loaded."""
        return cls(load_specs(source.files, source.main, source.process_id), clock)

    def now(self) -> datetime:
        """The clock's current time."""
        return self.clock.now()

    def start(self, data: dict) -> list[str]:
        """Open the case."""
        try:
            self.workflow = case_runtime.start(self.specs, self.engine, data)
        except AiguillageError as error:
            return [str(error)]
        return self._saved(case_runtime.failures(self.workflow))

    def ready_tasks(self) -> list[ReadyTask]:
        """The ready human tasks."""
        return [ReadyTask.of(task) for task in case_runtime.ready_human_tasks(self.workflow)]

    def complete(self, task: ReadyTask, data: dict) -> list[str]:
        """Check the data against the task's form (as a person's submission would be), then submit it."""
        human = next((t for t in case_runtime.ready_human_tasks(self.workflow) if t.id == task.id), None)
        try:
            if human is not None:
                data = clean_form_data(human.form, data, human.data, today=self.now().astimezone(DOUALA).date())
            failures = case_runtime.complete_task(self.workflow, task.id, data)
        except InvalidData as error:
            return error.problem_lines()
        except AiguillageError as error:
            return [str(error)]
        return self._saved(failures)

    def move_clock_to(self, moment: datetime) -> list[str]:
        """Move the clock and fire what is due."""
        self.clock.set(moment)
        return self._saved(case_runtime.advance(self.workflow))

    def signal(self, name: str, data: dict) -> list[str]:
        """Deliver a signal."""
        try:
            failures = send_signal(self.workflow, name, data)
        except AiguillageError as error:
            return [str(error)]
        return self._saved(failures)

    def case_data(self) -> dict:
        """The main process's data."""
        return case_data(self.workflow)

    def is_completed(self) -> bool:
        """True when the case reached its end."""
        return case_runtime.is_completed(self.workflow)

    def pending_deadlines(self) -> list[tuple[str, datetime]]:
        """The waiting timers and their due times."""
        return [(timer.bpmn_id, timer.due_at) for timer in case_runtime.pending_timers(self.workflow)]

    def _saved(self, failures) -> list[str]:
        text = serializer.dumps(self.workflow)
        self.workflow = serializer.loads(text, self.specs, self.engine)
        return [f"{f.bpmn_id} ({f.name}) failed: {f.message}" for f in failures]
