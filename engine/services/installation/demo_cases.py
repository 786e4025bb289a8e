"""The demo's cases: a few fictional cases opened on the demo pathway and walked by the demo's users.

    opened = open_demo_cases(uow_factory, clock, demo_cases())   # DemoCases: opened, failures

Each case is written in `engine/store/demo/cases.yaml` as the steps people take: which task, done
by which demo account, for which need, with what data. They go through the services a person uses
at their inbox (`open_case`, `list_inbox`, `complete_task`), so that each role signing in to the
demo finds work waiting on its pages: a consent to record, referrals to acknowledge or decide, a
service to report. A database that already holds cases gets none, so running the demo again adds
nothing. A case whose step fails stops there and is reported; the others are still opened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select

from engine.services.cases.sync import DOUALA
from engine.clock import Clock
from engine.errors import AiguillageError
from engine.services.accounts.actors import load_actor
from engine.services.cases.lifecycle import open_case
from engine.services.tasks.completion import complete_task
from engine.services.tasks.inbox import list_inbox
from engine.store.models import CaseRow
from engine.store.unit_of_work import UnitOfWork

# A value written `today` in the file is the demo clock's date, so that the dates people entered
# are those of the day the demo was started, not of the day the file was written.
TODAY = "today"
INBOX_LIMIT = 500


@dataclass
class DemoCases:
    """What opening the demo's cases did."""

    opened: list[str] = field(default_factory=list)  # case references
    failures: list[str] = field(default_factory=list)  # one line per case that stopped early


def open_demo_cases(uow_factory: Callable[[], UnitOfWork], clock: Clock, cases: dict) -> DemoCases:
    """Open and walk the demo's cases, unless the database already holds cases."""
    result = DemoCases()
    with uow_factory() as uow:
        if uow.session.scalar(select(func.count()).select_from(CaseRow)):
            return result
    pathway = cases["pathway"]
    for number, case in enumerate(cases["cases"], start=1):
        try:
            opened = open_case(uow_factory(), clock, pathway, load_actor(uow_factory(), case["opened_by"]))
        except AiguillageError as error:
            result.failures.append(f"demo case {number}: not opened: {error}")
            continue
        result.opened.append(opened.reference)
        for step_number, step in enumerate(case.get("steps", []), start=1):
            try:
                _take(uow_factory, clock, opened.id, step)
            except (AiguillageError, LookupError) as error:
                result.failures.append(f"demo case {opened.reference}, step {step_number} ({step['complete']}): {error}")
                break
    return result


def _take(uow_factory, clock: Clock, case_id: int, step: dict) -> None:
    actor = load_actor(uow_factory(), step["by"])
    sector = step.get("sector")
    found = [task for task in list_inbox(uow_factory(), actor, limit=INBOX_LIMIT)
             if task.case_id == case_id and task.bpmn_id == step["complete"]
             and (sector is None or task.instance_label == sector)]
    if len(found) != 1:
        raise LookupError(f"{step['by']} has {len(found)} such tasks open in this case, not one")
    today = clock.now().astimezone(DOUALA).date()
    complete_task(uow_factory(), clock, found[0].id, actor, _dated(step.get("data") or {}, today))


def _dated(data: dict[str, Any], today: date) -> dict[str, Any]:
    return {key: today.isoformat() if value == TODAY else value for key, value in data.items()}
