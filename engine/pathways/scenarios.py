"""Scenarios: scripted walks through a pathway, with the data entered at each task and what must follow.

    scenarios = load_scenarios(source)                 # every scenarios/*.yaml of a PathwaySource
    result = run_scenario(source, scenario)            # in memory, on a ManualClock
    result.passed, result.failures                     # StepFailure(step, action, message)

A scenario file is one YAML mapping (the format is in pathways/README.md, "Scenarios"): `name`,
`start_at`, optional `description` and initial `data`, and `steps`, each one action among
`complete`, `advance`, `advance_to`, `signal` and `expect`. Steps drive a `CaseDriver`: the
in-memory one here (`engine.pathways.scenario_driver`) and, later, one backed by the database
services, so that the same files check both. A run stops at the first failing step: what follows
a wrong turn means nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from engine.clock import ManualClock
from engine.errors import PathwayError
from engine.pathways.folder import PathwaySource
from engine.pathways.untrusted_yaml import YamlProblem, load_untrusted_yaml
from engine.runtime.timers import TimerTextError, add_duration, parse_moment

SCENARIO_FOLDER = "scenarios/"
ACTIONS = ("complete", "advance", "advance_to", "signal", "expect")
# What may accompany each action in the same step.
MODIFIERS = {"complete": {"where", "as", "data"}, "signal": {"data"}}
EXPECTATIONS = {"ready", "ready_includes", "not_ready", "data", "completed", "deadlines"}
TOP_LEVEL = {"name", "description", "start_at", "data", "steps"}


class ScenarioError(PathwayError):
    """A scenario file is malformed; the message names the file and the step."""


@dataclass(frozen=True)
class Step:
    """One line of a scenario: an action and what goes with it."""

    number: int  # 1-based, as an author counts them
    action: str
    target: Any  # task id, duration, moment, signal name, or the expectations mapping
    where: dict | None = None
    group: str | None = None
    data: dict = field(default_factory=dict)

    def describe(self) -> str:
        """A short label such as `complete Task_Consent`."""
        if self.action == "expect":
            return "expect " + ", ".join(sorted(self.target))
        return f"{self.action} {self.target}"


@dataclass(frozen=True)
class Scenario:
    """A scripted walk through one pathway."""

    file: str
    name: str
    start_at: datetime
    steps: tuple[Step, ...]
    data: dict = field(default_factory=dict)
    description: str = ""


@dataclass(frozen=True)
class StepFailure:
    """Why a step did not go as written."""

    step: int
    action: str
    message: str

    def __str__(self) -> str:
        return f"step {self.step} ({self.action}): {self.message}"


@dataclass(frozen=True)
class ScenarioResult:
    """The outcome of one scenario run."""

    scenario: Scenario
    failures: tuple[StepFailure, ...]
    steps_run: int

    @property
    def passed(self) -> bool:
        """True when every step went as written."""
        return not self.failures


@dataclass(frozen=True)
class ReadyTask:
    """A ready human task as a driver reports it."""

    id: str
    bpmn_id: str
    candidate_groups: tuple[str, ...]
    data: dict
    properties: dict = field(default_factory=dict)  # the step's `aiguillage.*` marks, as `HumanTask.properties`

    @classmethod
    def of(cls, task) -> ReadyTask:
        """The driver's view of a runtime `HumanTask`."""
        return cls(
            id=task.id,
            bpmn_id=task.bpmn_id,
            candidate_groups=tuple(task.candidate_groups),
            data=task.data,
            properties=dict(task.properties),
        )


class CaseDriver(Protocol):
    """What a scenario needs from a running case; failures come back as one-line messages."""

    def now(self) -> datetime:
        """The case's current time."""

    def start(self, data: dict) -> list[str]:
        """Open the case with its initial data."""

    def ready_tasks(self) -> list[ReadyTask]:
        """The human tasks ready now."""

    def complete(self, task: ReadyTask, data: dict) -> list[str]:
        """Submit a ready task with data (checked against its form first)."""

    def move_clock_to(self, moment: datetime) -> list[str]:
        """Move time forward and let everything now due happen."""

    def signal(self, name: str, data: dict) -> list[str]:
        """Deliver a BPMN signal to the case."""

    def case_data(self) -> dict:
        """The main process's data."""

    def is_completed(self) -> bool:
        """True when the case reached its end."""

    def pending_deadlines(self) -> list[tuple[str, datetime]]:
        """(timer bpmn id, due time in UTC) for every timer waiting."""


def scenario_files(source: PathwaySource) -> list[str]:
    """The names of the pathway's scenario files (scenarios/*.yaml), sorted."""
    return sorted(n for n in source.files if n.startswith(SCENARIO_FOLDER) and n.endswith((".yaml", ".yml")))


def load_scenarios(source: PathwaySource) -> list[Scenario]:
    """Every scenarios/*.yaml of the pathway, sorted by file name; ScenarioError if one is malformed."""
    return [parse_scenario(name, source.files[name]) for name in scenario_files(source)]


def parse_scenario(file: str, content: bytes) -> Scenario:
    """One scenario file; ScenarioError naming the file (and step) when it is malformed."""
    loaded = load_untrusted_yaml(content)
    if isinstance(loaded, YamlProblem):
        line = f" (line {loaded.line})" if loaded.line else ""
        raise ScenarioError(f"{file}{line}: {loaded.message}")
    if not isinstance(loaded, dict):
        raise ScenarioError(f"{file}: a scenario is a mapping with name, start_at and steps")
    unknown = sorted(str(k) for k in loaded if k not in TOP_LEVEL)
    if unknown:
        raise ScenarioError(f"{file}: unknown key {', '.join(unknown)}; a scenario has {', '.join(sorted(TOP_LEVEL))}")
    name = loaded.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ScenarioError(f"{file}: name is missing; give the scenario a short title")
    start_at = _moment(loaded.get("start_at"), f"{file}: start_at")
    steps = loaded.get("steps")
    if not isinstance(steps, list) or not steps:
        raise ScenarioError(f"{file}: steps is missing or empty; list the actions of the scenario")
    return Scenario(
        file=file,
        name=name.strip(),
        start_at=start_at,
        steps=tuple(_step(file, number, raw) for number, raw in enumerate(steps, start=1)),
        data=_mapping(loaded.get("data"), f"{file}: data"),
        description=str(loaded.get("description") or "").strip(),
    )


def run_scenario(source: PathwaySource, scenario: Scenario, clock: ManualClock | None = None,
                 driver: CaseDriver | None = None) -> ScenarioResult:
    """Run a scenario in memory (or on `driver`); the result lists the first failing step's differences."""
    if driver is None:
        from engine.pathways.scenario_driver import InMemoryCase

        if clock is None:
            clock = ManualClock(scenario.start_at)
        elif clock.now() < scenario.start_at:
            clock.set(scenario.start_at)
        try:
            driver = InMemoryCase.for_source(source, clock)
        except PathwayError as error:
            return ScenarioResult(scenario, (StepFailure(0, "start", str(error)),), 0)
    failures = driver.start(scenario.data)
    if failures:
        return ScenarioResult(scenario, tuple(StepFailure(0, "start", m) for m in failures), 0)
    for step in scenario.steps:
        problems = run_step(driver, step)
        if problems:
            return ScenarioResult(scenario, tuple(StepFailure(step.number, step.describe(), p) for p in problems),
                                  step.number)
    return ScenarioResult(scenario, (), len(scenario.steps))


def run_step(driver: CaseDriver, step: Step) -> list[str]:
    """Carry out one step on a driver; the list of what went wrong (empty when all is as written)."""
    if step.action == "complete":
        return _complete(driver, step)
    if step.action == "advance":
        return driver.move_clock_to(add_duration(driver.now(), step.target))
    if step.action == "advance_to":
        if step.target < driver.now():
            return [f"{step.target.isoformat()} is before the case's current time {driver.now().isoformat()}"]
        return driver.move_clock_to(step.target)
    if step.action == "signal":
        return driver.signal(step.target, step.data)
    return check_expectations(driver, step.target)


def check_expectations(driver: CaseDriver, expected: dict) -> list[str]:
    """Every difference between the case and `expected` (keys as in an `expect` step)."""
    problems = []
    ready = [t.bpmn_id for t in driver.ready_tasks()]
    if "ready" in expected:
        problems += _multiset_difference("ready tasks", expected["ready"], ready, exact=True)
    if "ready_includes" in expected:
        problems += _multiset_difference("ready tasks", expected["ready_includes"], ready, exact=False)
    for bpmn_id in expected.get("not_ready", []):
        if bpmn_id in ready:
            problems.append(f"{bpmn_id} is ready but should not be")
    if "data" in expected:
        problems += [f"case data: {d}" for d in subset_differences(expected["data"], driver.case_data())]
    if "completed" in expected and driver.is_completed() != expected["completed"]:
        problems.append("the case is completed" if driver.is_completed() else "the case is not completed")
    if "deadlines" in expected:
        problems += _deadline_differences(expected["deadlines"], driver.pending_deadlines())
    return problems


def subset_differences(expected: Any, actual: Any, path: str = "") -> list[str]:
    """How `actual` fails to contain `expected` (mappings: listed keys only; lists: item by item)."""
    where = path or "value"
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where} is {actual!r}, expected a mapping"]
        result = []
        for key, value in expected.items():
            child = f"{path}.{key}" if path else str(key)
            if key not in actual:
                result.append(f"{child} is missing (expected {value!r})")
            else:
                result += subset_differences(value, actual[key], child)
        return result
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{where} is {actual!r}, expected {len(expected)} items {expected!r}"]
        result = []
        for index, (want, got) in enumerate(zip(expected, actual)):
            result += subset_differences(want, got, f"{where}[{index}]")
        return result
    if expected != actual or type(expected) is bool and type(actual) is not bool:
        return [f"{where} is {actual!r}, expected {expected!r}"]
    return []


def pick_task(driver: CaseDriver, step: Step) -> tuple[ReadyTask | None, str | None]:
    """The one ready task a `complete` step means, or why there is none (or several)."""
    ready = driver.ready_tasks()
    same_id = [t for t in ready if t.bpmn_id == step.target]
    if not same_id:
        listed = ", ".join(sorted(t.bpmn_id for t in ready)) or "none"
        return None, f"{step.target} is not ready (ready: {listed})"
    chosen = [t for t in same_id if not subset_differences(step.where or {}, t.data)]
    if not chosen:
        return None, f"no ready {step.target} matches where: {step.where!r}"
    if len(chosen) > 1:
        return None, f"{len(chosen)} ready {step.target} tasks match; add where: to pick one"
    return chosen[0], None


def _complete(driver: CaseDriver, step: Step) -> list[str]:
    task, problem = pick_task(driver, step)
    if task is None:
        return [problem]
    if step.group and step.group not in task.candidate_groups:
        groups = ", ".join(task.candidate_groups) or "nobody"
        return [f"{step.target} is for {groups}, not {step.group}"]
    # The driver checks the data with the task's form, as any submission is checked.
    return driver.complete(task, step.data)


def _multiset_difference(what: str, expected: list, actual: list, exact: bool) -> list[str]:
    missing = Counter(expected) - Counter(actual)
    extra = Counter(actual) - Counter(expected)
    if not missing and (not extra or not exact):
        return []
    parts = []
    if missing:
        parts.append("missing " + ", ".join(sorted(missing.elements())))
    if extra and exact:
        parts.append("unexpected " + ", ".join(sorted(extra.elements())))
    return [f"{what}: {'; '.join(parts)} (ready: {', '.join(sorted(actual)) or 'none'})"]


def _deadline_differences(expected: list[dict], pending: list[tuple[str, datetime]]) -> list[str]:
    """Pending timers must be exactly the expected ones (as a multiset of timer id and due time)."""
    remaining = list(pending)
    problems = []
    for entry in expected:
        match = next((p for p in remaining if p[0] == entry["timer"] and p[1] == entry["due"]), None)
        if match is not None:
            remaining.remove(match)
            continue
        same = [p[1].isoformat() for p in pending if p[0] == entry["timer"]]
        found = ", ".join(same) if same else "no such timer waiting"
        problems.append(f"deadline {entry['timer']} due {entry['due'].isoformat()} not found ({found})")
    problems += [f"unexpected deadline {bpmn_id} due {due.isoformat()}" for bpmn_id, due in remaining]
    return problems


# ---- reading a step -------------------------------------------------------------------------


def _step(file: str, number: int, raw: Any) -> Step:
    where = f"{file}: step {number}"
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where}: a step is a mapping such as {{complete: Task_Id}}")
    actions = [key for key in raw if key in ACTIONS]
    if len(actions) != 1:
        found = ", ".join(map(str, actions)) or "none"
        raise ScenarioError(f"{where}: a step has exactly one action among {', '.join(ACTIONS)} (found: {found})")
    action = actions[0]
    extra = sorted(str(k) for k in raw if k != action and k not in MODIFIERS.get(action, set()))
    if extra:
        allowed = ", ".join(sorted(MODIFIERS.get(action, set()))) or "nothing"
        raise ScenarioError(f"{where}: {', '.join(extra)} cannot go with {action} (allowed: {allowed})")
    value = raw[action]
    if action in ("complete", "signal"):
        if not isinstance(value, str) or not value.strip():
            raise ScenarioError(f"{where}: {action} needs a {'task id' if action == 'complete' else 'signal name'}")
        value = value.strip()
    elif action == "advance":
        value = _duration(value, f"{where}: advance")
    elif action == "advance_to":
        value = _moment(value, f"{where}: advance_to")
    else:
        value = _expectations(value, where)
    group = raw.get("as")
    if group is not None and not isinstance(group, str):
        raise ScenarioError(f"{where}: as: names one group, such as caseworker")
    return Step(number, action, value, where=_mapping(raw.get("where"), f"{where}: where") or None,
                group=group, data=_mapping(raw.get("data"), f"{where}: data"))


def _expectations(value: Any, where: str) -> dict:
    if not isinstance(value, dict) or not value:
        raise ScenarioError(f"{where}: expect needs a mapping of {', '.join(sorted(EXPECTATIONS))}")
    unknown = sorted(str(k) for k in value if k not in EXPECTATIONS)
    if unknown:
        raise ScenarioError(f"{where}: expect cannot check {', '.join(unknown)} (it checks {', '.join(sorted(EXPECTATIONS))})")
    result = dict(value)
    for key in ("ready", "ready_includes", "not_ready"):
        if key in result and not (isinstance(result[key], list) and all(isinstance(i, str) for i in result[key])):
            raise ScenarioError(f"{where}: expect {key} is a list of task ids")
    if "completed" in result and not isinstance(result["completed"], bool):
        raise ScenarioError(f"{where}: expect completed is true or false")
    if "data" in result:
        result["data"] = _mapping(result["data"], f"{where}: expect data")
    if "deadlines" in result:
        result["deadlines"] = [_deadline(entry, f"{where}: expect deadlines") for entry in _list(result["deadlines"], where)]
    return result


def _deadline(entry: Any, where: str) -> dict:
    if not isinstance(entry, dict) or set(entry) != {"timer", "due"} or not isinstance(entry["timer"], str):
        raise ScenarioError(f"{where}: each deadline is {{timer: Timer_Id, due: <ISO date-time>}}")
    return {"timer": entry["timer"], "due": _moment(entry["due"], where)}


def _list(value: Any, where: str) -> list:
    if not isinstance(value, list):
        raise ScenarioError(f"{where}: expected a list")
    return value


def _mapping(value: Any, where: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ScenarioError(f"{where} must be a mapping (key: value)")
    return _plain(value)


def _plain(value: Any) -> Any:
    # YAML turns unquoted dates into date objects; forms and task data hold ISO text.
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _duration(value: Any, where: str) -> str:
    text = str(value).strip() if isinstance(value, str) else ""
    try:
        add_duration(datetime(2000, 1, 1), text)
    except TimerTextError:
        raise ScenarioError(f"{where}: {value!r} is not an ISO 8601 duration such as PT3H or P2D") from None
    return text


def _moment(value: Any, where: str) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ScenarioError(f"{where}: {value.isoformat()} needs a UTC offset, such as +01:00")
        return value
    if not isinstance(value, str) or "T" not in value:
        raise ScenarioError(f"{where}: expected a date-time with offset, such as 2026-03-02T08:00:00+01:00")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ScenarioError(f"{where}: {value!r} is not an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        raise ScenarioError(f"{where}: {value!r} needs a UTC offset, such as +01:00")
    return parse_moment(value.strip())
