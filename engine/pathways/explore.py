"""A smoke run of a pathway before it is published: drive cases from start to end and say what never happens.

Each run opens an in-memory case (the scenario runner's driver, saved and restored at each step)
and completes every ready task with values its form accepts: run k takes the k-th choice of each
field (enum values, true/false, the bounds of numbers), so that over the runs every option of
every field is given and each gateway branch that depends on them is taken. Every other pair of
runs waits for each pending timer before completing a task, so that reminders and escalations are reached too.

The report lists the steps no run reached, the runs that never ended (stuck, failed, or still
going after `MAX_STEPS`), and the tasks no one could hold (a candidate group that is no role).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from SpiffWorkflow.util.task import TaskState

from engine.clock import ManualClock
from engine.errors import AiguillageError, InvalidData
from engine.pathways.dialect import BPMN_NS
from engine.pathways.documents import FLOW_NODES, GATEWAYS, local, name_of
from engine.pathways.folder import PathwaySource
from engine.pathways.form_check import clean_form_data
from engine.pathways.scenario_driver import InMemoryCase
from engine.pathways.xml import parse_untrusted
from engine.runtime import case_runtime

MAX_RUNS = 12
MAX_STEPS = 120
MAX_TIMER_WAITS = 12
START = datetime(2026, 3, 2, 7, 0, tzinfo=timezone.utc)  # a Monday morning in Douala


@dataclass
class Run:
    """One drive through the pathway: how it ended, and the steps it went through."""

    number: int
    outcome: str = "running"  # "ended", "stuck", "failed", "too long"
    detail: str = ""
    reached: set[str] = field(default_factory=set)
    tasks_done: int = 0


@dataclass
class Exploration:
    """What the runs found."""

    runs: list[Run]
    unreached: list[tuple[str, str | None]]  # (id, name) of steps no run reached
    unheld: list[tuple[str, str]]  # (task id, why no one could hold it)

    def lines(self) -> list[str]:
        """The report as lines of text."""
        ended = sum(1 for run in self.runs if run.outcome == "ended")
        lines = [f"{len(self.runs)} runs: {ended} reached an end"]
        for run in self.runs:
            if run.outcome != "ended":
                lines.append(f"  run {run.number} never ended ({run.outcome}): {run.detail}")
        if self.unreached:
            lines.append(f"{len(self.unreached)} step{'s' if len(self.unreached) != 1 else ''} no run reached:")
            lines += [f"  {element_id}" + (f" '{name}'" if name else "") for element_id, name in self.unreached]
        else:
            lines.append("every step was reached")
        for task_id, why in self.unheld:
            lines.append(f"  no one could hold {task_id}: {why}")
        return lines

    @property
    def clean(self) -> bool:
        """True when every run ended, every step was reached and every task can be held."""
        return all(run.outcome == "ended" for run in self.runs) and not self.unreached and not self.unheld


def explore(source: PathwaySource, runs: int = MAX_RUNS) -> Exploration:
    """Drive cases of the pathway (which must be valid) and report what never happens."""
    steps = _steps(source)
    done = [_run(source, number) for number in range(runs)]
    reached = set().union(*(run.reached for run in done)) if done else set()
    unreached = [(element_id, name) for element_id, name in steps.items() if element_id not in reached]
    return Exploration(done, unreached, _unheld(source))


def _steps(source: PathwaySource) -> dict[str, str | None]:
    """The activities and events the author drew in the main process (gateways left out)."""
    root = parse_untrusted(source.files[source.main])
    found: dict[str, str | None] = {}
    if not hasattr(root, "iter"):
        return found
    processes = [p for p in root.findall(f"{{{BPMN_NS}}}process") if (p.get("isExecutable") or "").lower() == "true"]
    chosen = next((p for p in processes if p.get("id") == source.process_id), processes[0] if processes else None)
    if chosen is None:
        return found
    for element in chosen.iter():
        kind = local(element)
        if kind in FLOW_NODES and kind not in GATEWAYS and element.get("id"):
            found[element.get("id")] = name_of(element)
    return found


def _unheld(source: PathwaySource) -> list[tuple[str, str]]:
    from engine.pathways.validation import review  # validation loads the runtime; import it when exploring

    return [(p.element_id or "?", p.message) for p in review(source) if p.rule == "task.group_no_role"]


def _run(source: PathwaySource, number: int) -> Run:
    run = Run(number + 1)
    case = InMemoryCase.for_source(source, ManualClock(START))
    problems = case.start({})
    patient = (number // 2) % 2 == 1  # not tied to the choices, which alternate with each run
    waits = 0
    for _ in range(MAX_STEPS):
        _note_reached(case, run)
        if problems:
            run.outcome, run.detail = "failed", problems[0]
            return run
        if case.is_completed():
            run.outcome = "ended"
            return run
        ready = case.ready_tasks()
        timers = case.pending_deadlines()
        if timers and (not ready or patient) and waits < MAX_TIMER_WAITS:
            waits += 1
            problems = case.move_clock_to(max(case.now(), min(due for _, due in timers)) + timedelta(seconds=1))
            continue
        if not ready:
            run.outcome, run.detail = "stuck", "no task is ready and no timer is pending: " + _where(case)
            return run
        task = ready[0]
        problems = case.complete(task, _answers(case, task.id, number))
        run.tasks_done += 1
    _note_reached(case, run)
    run.outcome, run.detail = "too long", f"still going after {MAX_STEPS} steps ({run.tasks_done} tasks done): a loop that never exits?"
    return run


def _note_reached(case: InMemoryCase, run: Run) -> None:
    workflow = case.workflow
    if workflow is None:
        return
    for process in (workflow, *workflow.subprocesses.values()):
        for task in process.tasks.values():
            if task.state & (TaskState.COMPLETED | TaskState.READY | TaskState.STARTED | TaskState.WAITING | TaskState.ERROR):
                if task.task_spec.bpmn_id:
                    run.reached.add(task.task_spec.bpmn_id)


def _where(case: InMemoryCase) -> str:
    failures = case_runtime.failures(case.workflow)
    if failures:
        return f"{failures[0].bpmn_id} failed: {failures[0].message}"
    workflow = case.workflow
    waiting = [task.task_spec for process in (workflow, *workflow.subprocesses.values()) for task in process.tasks.values()
               if task.state == TaskState.WAITING and task.task_spec.bpmn_id]
    if waiting:
        spec = waiting[0]
        shown = spec.bpmn_id + (f" '{spec.bpmn_name}'" if spec.bpmn_name else "")
        return f"the case waits at {shown} for a message or signal no run sends"
    return "the case waits for something no one can do"


def _answers(case: InMemoryCase, task_id: str, number: int) -> dict[str, Any]:
    human = next((t for t in case_runtime.ready_human_tasks(case.workflow) if t.id == task_id), None)
    form = getattr(human, "form", None)
    answers: dict[str, Any] = {}
    for form_field in getattr(form, "fields", None) or []:
        if any(v.name == "readonly" for v in getattr(form_field, "validation", []) or []):
            continue
        choices = _choices(form_field)
        if choices:
            answers[form_field.id] = choices[number % len(choices)]
    if form is None:
        return answers
    try:
        return clean_form_data(form, answers)
    except InvalidData as refused:
        # A value guessed wrong (a pattern, say) for a field that may stay empty: leave it empty.
        answers = {name: value for name, value in answers.items() if name not in refused.errors}
    except AiguillageError:
        return answers
    try:
        return clean_form_data(form, answers)
    except (InvalidData, AiguillageError):
        return answers  # the run then reports what the form refused


def _choices(form_field) -> list[Any]:
    kind = (form_field.type or "string").lower()
    limits = {v.name: v.config for v in getattr(form_field, "validation", []) or []}
    if getattr(form_field, "options", None):
        return [option.id for option in form_field.options]
    if kind == "boolean":
        return [True, False]
    if kind == "long":
        low, high = _whole(limits.get("min"), 0), _whole(limits.get("max"), None)
        return [low] + ([high] if high is not None and high != low else [low + 1])
    if kind == "date":
        return [(START.date() + timedelta(days=1)).isoformat(), date(2026, 1, 1).isoformat()]
    if kind == "time":
        return ["09:00", "16:30"]
    if kind == "datetime":
        return [f"{(START.date() + timedelta(days=1)).isoformat()}T09:00"]
    length = max(1, _whole(limits.get("minlength"), 1))
    return ["x" * length]


def _whole(text: Any, default: int | None) -> int | None:
    try:
        return int(str(text).strip())
    except (TypeError, ValueError):
        return default
