"""Sweeps in separate processes: three at once raise each escalation exactly once; a killed one loses nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.store.models import DeadlineRow, EscalationRow, OutboxRow
from tests.integration.deadlines.many_cases import copy_case, walk_one_referral

ROOT = Path(__file__).resolve().parents[3]


def _sweeper(database_url: str, now, worker: str, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.integration.deadlines.sweeper", database_url, now.isoformat(), worker, *extra],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def _report(process: subprocess.Popen) -> dict:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err[-2000:]
    return json.loads(out.strip().splitlines()[-1])


def _counts(container, now) -> dict:
    with container.uow() as uow:
        session = uow.session
        return {
            "escalations": session.scalar(select(func.count()).select_from(EscalationRow)),
            "distinct": session.scalar(select(func.count(func.distinct(EscalationRow.case_id))).where(EscalationRow.level == 1)),
            "alerts": session.scalar(select(func.count()).select_from(OutboxRow).where(OutboxRow.event_type == "escalation_level_1")),
            "still_due": session.scalar(select(func.count()).select_from(DeadlineRow).where(DeadlineRow.due_at <= now)),
        }


def _overdue_referrals(container, walker, count: int):
    """`count` urgent referrals sent at the same moment, their acknowledgement reminder due now."""
    source = walk_one_referral(container, walker, "urgent")
    copy_case(container, source, count - 1)
    return container.clock.now() + timedelta(hours=24)


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_three_sweepers_escalate_a_thousand_overdue_referrals_each_exactly_once(container, walker, database_url):
    now = _overdue_referrals(container, walker, 1000)
    started = time.monotonic()
    processes = [_sweeper(database_url, now, f"sweeper-{n}") for n in range(3)]
    reports = [_report(process) for process in processes]
    elapsed = time.monotonic() - started
    print(f"three sweepers: 1,000 escalations in {elapsed:.1f} s", reports)
    assert sum(report["escalations"] for report in reports) == 1000
    assert all(report["escalations"] > 0 for report in reports), reports  # the work was shared
    assert _counts(container, now) == {"escalations": 1000, "distinct": 1000, "alerts": 1000, "still_due": 0}


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_on_sqlite_one_of_three_sweepers_runs_and_escalates_each_referral_once(container, walker, database_url):
    now = _overdue_referrals(container, walker, 100)
    reports = [_report(process) for process in [_sweeper(database_url, now, f"sweeper-{n}") for n in range(3)]]
    assert sum(report["escalations"] for report in reports) == 100, [(r["conflicts"], r["failures"][:2]) for r in reports]
    assert all(not report["failures"] for report in reports), reports
    assert _counts(container, now) == {"escalations": 100, "distinct": 100, "alerts": 100, "still_due": 0}


@pytest.mark.slow
def test_a_sweeper_killed_mid_sweep_loses_nothing_and_repeats_nothing(container, walker, database_url):
    now = _overdue_referrals(container, walker, 60)
    victim = _sweeper(database_url, now, "victim", "--batch-size", "60", "--pause", "0.2")
    deadline = time.monotonic() + 60
    while _counts(container, now)["escalations"] < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=10)
    done_before_kill = _counts(container, now)["escalations"]
    assert 5 <= done_before_kill < 60
    with container.uow() as uow:
        held = uow.session.scalar(select(func.count(func.distinct(DeadlineRow.case_id))).where(
            DeadlineRow.claimed_by == "victim", DeadlineRow.due_at <= now))
    assert held > 0  # killed with claimed, unfinished work
    # Until the victim's leases run out, its rows wait; everything else is taken at once.
    early = _report(_sweeper(database_url, now, "early"))
    assert early["escalations"] == 60 - done_before_kill - held
    late = _report(_sweeper(database_url, now + timedelta(minutes=6), "successor"))
    assert late["escalations"] == held
    assert _counts(container, now) == {"escalations": 60, "distinct": 60, "alerts": 60, "still_due": 0}
