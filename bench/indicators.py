"""Scale: the indicators page and the live diagram's counts over 1,000,000 case-history events, with their plans.

    .venv/bin/python bench/indicators.py [--events 1000000] [--runs 20] [--postgres postgresql://...]

The database is filled with plain bulk inserts (not through the workflow): cases over five years,
each with about twenty history lines, eight tasks (the last one or two still open for open cases,
some past due), two referrals with their times, indicator facts (source, sex, age group, none to
two vulnerabilities, and a satisfaction for closed cases), consents, and escalations for one
referral in ten. Then, through the
real services and as a coordinator (every case) and a supervisor (one organisation's):

- `compute_indicators` over one year, and over one year filtered by region and sector;
- `step_counts` (the live diagram) over three months.

It prints p50/p95 against the 1 s target, each p50 as a ratio of a baseline measured in the same run
(one indexed count of the year's cases: what the machine's load does to any query), the machine's
load (`os.getloadavg`) before and after, and the plan (EXPLAIN QUERY PLAN on SQLite, EXPLAIN on
PostgreSQL) of every statement one indicators run and one live-diagram run send.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, insert, select, text  # noqa: E402

from bench.case_throughput import fresh_postgres, percentile  # noqa: E402
from bench.scale_inbox import AGENCIES, PROVIDERS, SECTORS, build_world, timed  # noqa: E402

TARGET_MS = 1000.0
EVENTS_PER_CASE = 20
REGIONS = ["littoral", "centre", "ouest", "nord", "extreme_nord", "adamaoua", "est", "sud", "nord_ouest", "sud_ouest"]
SOURCES = ["airport", "border_post", "transit_centre", "hotline", "community", "iom_return"]
VULNERABILITIES = ["vuln_trafficking", "vuln_violence", "vuln_medical", "vuln_pregnancy", "vuln_disability",
                   "vuln_psychosocial", "vuln_documentation", "vuln_debt", "vuln_security"]
AGE_GROUPS = ["0-4", "5-11", "12-17", "18-24", "25-59", "60+"]
PRIORITIES = ["emergency", "urgent", "normal", "normal", "normal"]
STEPS = ["Task_Identification", "Task_NeedsAssessment", "Task_Consent", "Task_SendReferral",
         "Task_AcknowledgeReferral", "Task_ReferralDecision", "Task_FollowUp", "Task_ProposeClosure"]
STAGES = ["identification", "assessment", "consent", "referral", "referral", "referral", "follow_up", "closure"]
END = datetime(2026, 3, 1, tzinfo=timezone.utc)
SPAN = timedelta(days=5 * 365)
BATCH = 2000


def fill(container, ids: dict, version_id: int, events: int, seed: int = 11) -> dict:
    """Insert cases until `events` history lines exist, with their tasks, referrals, facts, consents, escalations."""
    from engine.store.models import CaseEvent, CaseFactRow, CaseRow, ConsentRow, EscalationRow, ReferralRow, TaskRow

    rng = random.Random(seed)
    screening = random.Random(seed + 1)  # apart, so the rest of the history is the same as without it
    cases = max(1, events // EVENTS_PER_CASE)
    order = (CaseRow, ReferralRow, TaskRow, CaseEvent, CaseFactRow, ConsentRow, EscalationRow)  # parents first
    buffers: dict[type, list[dict]] = {model: [] for model in order}
    counts = {model.__tablename__: 0 for model in order}

    def flush() -> None:
        with container.engine.begin() as connection:
            for model in order:
                if buffers[model]:
                    connection.execute(insert(model), buffers[model])
                    counts[model.__tablename__] += len(buffers[model])
                    buffers[model].clear()

    referral_id = 0
    for number in range(1, cases + 1):
        created = END - SPAN + SPAN * (number / cases)
        is_open = created > END - timedelta(days=120) or rng.random() < 0.05
        organisation = ids[rng.choices([a for a, _ in AGENCIES], [w for _, w in AGENCIES])[0]]
        priority = rng.choice(PRIORITIES)
        region = rng.choice(REGIONS)
        buffers[CaseRow].append({
            "id": number, "reference": f"MNR-{created.year}-{number:07d}", "pathway_version_id": version_id,
            "status": "open" if is_open else "closed", "stage": "referral" if is_open else "closed",
            "priority": priority, "region": region, "organisation_id": organisation, "created_at": created,
            "updated_at": created, "closed_at": None if is_open else created + timedelta(days=rng.randint(20, 200)),
            "close_reason": None if is_open else rng.choice(["needs_met", "needs_met", "unreachable", "transferred"]),
            "workflow_json": "{}", "serializer_version": "bench", "lock_version": 3, "needs_attention": False,
        })
        for name, value in (("source", rng.choice(SOURCES)), ("sex", rng.choice(["female", "male"])),
                            ("age_group", rng.choice(AGE_GROUPS))):
            buffers[CaseFactRow].append({"case_id": number, "name": name, "value": value, "field_id": name, "recorded_at": created})
        for vulnerability in screening.sample(VULNERABILITIES, screening.choice([0, 0, 1, 1, 2])):
            buffers[CaseFactRow].append({"case_id": number, "name": "vulnerability", "value": vulnerability,
                                         "field_id": vulnerability, "recorded_at": created})
        if not is_open:
            buffers[CaseFactRow].append({"case_id": number, "name": "satisfaction", "value": rng.choice(["satisfied", "neutral"]),
                                         "field_id": "satisfaction", "recorded_at": created + timedelta(days=30)})
        buffers[ConsentRow].append({"case_id": number, "given": True, "given_by": "person", "method": "signature",
                                    "language": "fr", "recorded_at": created + timedelta(hours=3), "is_override": False,
                                    "scope_services": [], "scope_recipients": [], "withheld_fields": []})
        done = len(STEPS) if not is_open else rng.randint(2, len(STEPS) - 1)
        for index, (bpmn_id, stage) in enumerate(zip(STEPS, STAGES)):
            if index > done:
                break
            at = created + timedelta(hours=index * 20)
            open_now = is_open and index == done
            buffers[TaskRow].append({
                "id": str(uuid.UUID(int=rng.getrandbits(128))), "case_id": number, "bpmn_id": bpmn_id, "name": bpmn_id,
                "stage": stage, "organisation_id": organisation, "candidate_groups": "caseworker", "priority": priority,
                "state": "open" if open_now else "completed", "created_at": at, "due_at": at + timedelta(days=3),
                "completed_at": None if open_now else at + timedelta(hours=rng.randint(1, 60)),
            })
        for index in range(EVENTS_PER_CASE):
            buffers[CaseEvent].append({"case_id": number, "at": created + timedelta(hours=index * 7), "actor_id": None,
                                       "action": "task_completed", "task_bpmn_id": STEPS[index % len(STEPS)],
                                       "details": {"fields": ["x"]}})
        for _ in range(2):
            referral_id += 1
            sent = created + timedelta(days=1)
            state = rng.choice(["sent", "acknowledged", "accepted"]) if is_open else rng.choice(["delivered", "delivered", "declined"])
            acknowledged = None if state == "sent" else sent + timedelta(hours=rng.randint(1, 90))
            buffers[ReferralRow].append({
                "id": referral_id, "case_id": number, "need_key": "n", "sector": rng.choice(SECTORS), "priority": priority,
                "provider_organisation_id": ids[rng.choice(PROVIDERS)], "state": state, "created_at": sent,
                "updated_at": sent, "sent_at": sent, "acknowledged_at": acknowledged,
                "outcome_at": sent + timedelta(days=rng.randint(1, 20)) if state == "delivered" else None,
                "decline_reason": "no_capacity" if state == "declined" else None, "instance_key": "0",
                "escalation_level": 0, "shared_fields": [],
            })
            if rng.random() < 0.1:
                buffers[EscalationRow].append({
                    "case_id": number, "referral_id": referral_id, "deadline_kind": "referral_ack",
                    "deadline_ref": str(referral_id), "level": rng.randint(1, 3), "at": sent + timedelta(hours=30),
                    "reason": "acknowledgement_overdue", "alerted": {}, "status": "resolved" if not is_open else "open",
                    "resolved_at": sent + timedelta(hours=50) if not is_open else None,
                })
        if len(buffers[CaseRow]) >= BATCH:
            flush()
    flush()
    with container.engine.begin() as connection:
        if container.engine.dialect.name == "postgresql":
            for table in ("cases", "referrals"):
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
            connection.execute(text("ANALYZE"))
        else:
            connection.exec_driver_sql("ANALYZE")
    return counts


class StatementLog:
    """Records the statements (with their parameters) sent while it is on, to explain them afterwards."""

    def __init__(self, engine):
        self.engine, self.seen, self.on = engine, [], False
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        if self.on and statement.lstrip().upper().startswith("SELECT"):
            self.seen.append((statement, parameters))

    def explain(self) -> None:
        sqlite = self.engine.dialect.name == "sqlite"
        prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
        self.on = False
        with self.engine.connect() as connection:
            for statement, parameters in self.seen:
                first_line = " ".join(statement.split())[:150]
                print(f"  {first_line}...")
                for row in connection.exec_driver_sql(prefix + statement, parameters).all():
                    print("     ", row[-1] if sqlite else row[0])
        self.seen = []


def measure(name: str, url: str, events: int, runs: int) -> None:
    from engine.services.accounts.actors import load_actor
    from engine.services.coordination.indicators import compute_indicators
    from engine.services.coordination.live_diagram import DiagramFilters, step_counts
    from engine.services.coordination.scope import IndicatorFilters

    container, ids, version_id = build_world(url)
    began = time.perf_counter()
    counts = fill(container, ids, version_id, events)
    print(f"\n== {name}: filled in {time.perf_counter() - began:.0f} s: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    uow, clock = container.uow, container.clock
    coordinator, supervisor = load_actor(uow(), "bench-coordinator"), load_actor(uow(), "bench-supervisor")
    year = IndicatorFilters(END - timedelta(days=365), END)
    narrow = IndicatorFilters(END - timedelta(days=365), END, region="littoral", sector="health")
    quarter = DiagramFilters(END - timedelta(days=90), END)
    from sqlalchemy import func

    from engine.store.models import CaseRow

    def baseline() -> None:
        with container.engine.connect() as connection:
            connection.execute(select(func.count()).select_from(CaseRow).where(
                CaseRow.created_at >= year.start, CaseRow.created_at < year.end)).one()

    measures = [
        ("indicators, one year, coordinator", lambda: compute_indicators(uow(), coordinator, year)),
        ("indicators, one year, supervisor (one organisation)", lambda: compute_indicators(uow(), supervisor, year)),
        ("indicators, one year, one region and sector", lambda: compute_indicators(uow(), coordinator, narrow)),
        ("live diagram counts, coordinator", lambda: step_counts(uow(), clock, coordinator, version_id, quarter)),
        ("live diagram counts, supervisor", lambda: step_counts(uow(), clock, supervisor, version_id, quarter)),
    ]
    print("load average (1, 5, 15 min) before: " + ", ".join(f"{v:.2f}" for v in os.getloadavg()))
    base = percentile(timed(baseline, runs), 50)
    print(f"baseline (one indexed count of the year's cases): p50 {base:.1f} ms")
    print(f"{'measure':<56}{'runs':>6}{'p50':>10}{'p95':>10}{'p50/base':>10}  target p95 < {TARGET_MS:.0f} ms")
    for label, action in measures:
        times = timed(action, runs)
        verdict = "ok" if percentile(times, 95) < TARGET_MS else "OVER"
        print(f"{label:<56}{len(times):>6}{percentile(times, 50):>8.0f}ms{percentile(times, 95):>8.0f}ms"
              f"{percentile(times, 50) / base:>9.0f}x  {verdict}")
    print("load average (1, 5, 15 min) after: " + ", ".join(f"{v:.2f}" for v in os.getloadavg()))
    log = StatementLog(container.engine)
    print("\nPlans of the statements of one indicators run (coordinator, one year):")
    log.on = True
    compute_indicators(uow(), coordinator, year)
    log.explain()
    print("\nPlans of the statements of one live-diagram run (coordinator):")
    log.on = True
    step_counts(uow(), clock, coordinator, version_id, quarter)
    log.explain()
    container.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--postgres", help="also measure on a fresh database of this PostgreSQL server")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="aiguillage-indicators-") as folder:
        measure("SQLite", f"sqlite:///{Path(folder) / 'indicators.sqlite'}", args.events, args.runs)
    if args.postgres:
        url, drop = fresh_postgres(args.postgres)
        try:
            measure("PostgreSQL", url, args.events, args.runs)
        finally:
            drop()


if __name__ == "__main__":
    main()
