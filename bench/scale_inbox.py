"""Scale: a user's inbox and a case page with 100,000 cases in the database, and the plans that serve them.

    .venv/bin/python bench/scale_inbox.py [--cases 100000] [--runs 300] [--postgres postgresql://...]

The database is filled with plain bulk inserts (not through the workflow), in the proportions of a
mechanism that has run for some years: 90% of cases closed (each with its completed tasks, history
and referrals), 10% open, each open case with one or two open tasks and their candidate rows, and
open referrals addressed to eight providers, whose acknowledge tasks are offered to them. Cases
belong to three referring organisations (60/30/10). Then, through the real services:

- `list_inbox` for a caseworker of the largest organisation, a provider's focal point and a
  coordinator, each at least `--runs` times (p50/p95);
- `show_case` (the case page, with its audited read and commit) for random open cases.

It prints the figures against the 20 ms p95 target, and the query plans (EXPLAIN QUERY PLAN on
SQLite, EXPLAIN on PostgreSQL) of the inbox query and of the case page's queries.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select, text  # noqa: E402

from bench.case_throughput import FIXTURE, fresh_postgres, percentile  # noqa: E402

TARGET_MS = 20.0
AGENCIES = [("bench-iom", 0.6), ("bench-minas", 0.3), ("bench-ngo", 0.1)]
PROVIDERS = [f"bench-provider-{n}" for n in range(1, 9)]
SECTORS = ["health", "mhpss", "shelter", "food_nfi", "legal_documentation", "economic_reintegration"]
PRIORITIES = ["emergency", "urgent", "normal", "normal", "normal"]
RANK = {"emergency": 0, "urgent": 1, "normal": 2}
STAGES = ["identification", "assessment", "consent", "referral", "follow_up", "closure"]
START = datetime(2021, 1, 4, 8, 0, tzinfo=timezone.utc)
BATCH = 5000


def build_world(url: str):
    """A migrated database with the organisations, users and the pathway version the rows point at."""
    from engine.bootstrap import Settings, build
    from engine.clock import SystemClock
    from engine.domain import OrganisationKind, Role
    from engine.pathways.folder import load_source
    from engine.services.accounts.creation import create_organisation, create_user
    from engine.services.pathways.publishing import publish_pathway
    from engine.store.migrate import upgrade_database

    container = build(Settings(database_url=url, instance_dir=Path(tempfile.gettempdir())), clock=SystemClock())
    upgrade_database(container.engine)
    uow, clock = container.uow, container.clock
    ids = {}
    ids["bench-secretariat"] = create_organisation(uow(), clock, "bench-secretariat", "Secretariat", OrganisationKind.MINISTRY)
    for slug, _share in AGENCIES:
        ids[slug] = create_organisation(uow(), clock, slug, slug, OrganisationKind.NGO, mou_signed=True, data_sharing_signed=True)
    for slug in PROVIDERS:
        ids[slug] = create_organisation(uow(), clock, slug, slug, OrganisationKind.NGO, is_provider=True,
                                        mou_signed=True, data_sharing_signed=True)
    create_user(uow(), clock, "bench-coordinator", "bench-secretariat", [Role.COORDINATOR])
    create_user(uow(), clock, "bench-caseworker", "bench-iom", [Role.CASEWORKER])
    create_user(uow(), clock, "bench-supervisor", "bench-iom", [Role.SUPERVISOR])
    create_user(uow(), clock, "bench-focal-point", PROVIDERS[0], [Role.PROVIDER_FOCAL_POINT])
    publish_pathway(uow(), load_source(FIXTURE), clock)
    with uow() as u:
        from engine.store.models import PathwayVersionRow

        version_id = u.session.scalar(select(PathwayVersionRow.id))
    return container, ids, version_id


def fill(container, ids: dict, version_id: int, cases: int, seed: int = 7, blob: str | None = None) -> dict:
    """Insert `cases` cases with their tasks, candidates, referrals and history; returns row counts.

    `blob`: the saved workflow every case holds (by default 5 KB of filler, for pages that never read it).
    """
    from engine.store.models import CaseEvent, CaseRow, ReferralRow, TaskCandidate, TaskRow

    rng = random.Random(seed)
    blob = blob or '{"data":' + '"' + "x" * 5000 + '"}'  # a spec-free workflow is about 5 KB
    counts = {"cases": 0, "tasks": 0, "open_tasks": 0, "candidates": 0, "referrals": 0, "events": 0}
    buffers: dict[type, list[dict]] = {CaseRow: [], TaskRow: [], TaskCandidate: [], ReferralRow: [], CaseEvent: []}
    coordination = ids["bench-secretariat"]

    def flush() -> None:
        with container.engine.begin() as connection:
            for model in (CaseRow, ReferralRow, TaskRow, TaskCandidate, CaseEvent):  # parents first
                if buffers[model]:
                    connection.execute(insert(model), buffers[model])
                    buffers[model].clear()

    referral_id = 0
    for number in range(1, cases + 1):
        agency = rng.choices([a for a, _ in AGENCIES], [w for _, w in AGENCIES])[0]
        organisation = ids[agency]
        created = START + timedelta(minutes=number * 26)  # about five years for 100,000 cases
        is_open = rng.random() < 0.10
        priority = rng.choice(PRIORITIES)
        buffers[CaseRow].append({
            "id": number, "reference": f"MNR-{created.year}-{number:06d}", "pathway_version_id": version_id,
            "status": "open" if is_open else "closed", "stage": rng.choice(STAGES[:5]) if is_open else "closed",
            "priority": priority, "region": "littoral", "organisation_id": organisation, "created_at": created,
            "updated_at": created, "closed_at": None if is_open else created + timedelta(days=120),
            "close_reason": None if is_open else "needs_met", "workflow_json": blob,
            "serializer_version": "aiguillage-1/spiff-1.5", "lock_version": 7, "needs_attention": False,
        })
        counts["cases"] += 1
        for step in range(6 if not is_open else rng.randint(1, 4)):
            task_id = str(uuid.UUID(int=rng.getrandbits(128)))
            buffers[TaskRow].append(_task(task_id, number, organisation, priority, created + timedelta(days=step),
                                          "completed", STAGES[step]))
            buffers[CaseEvent].append({"case_id": number, "at": created + timedelta(days=step), "actor_id": None,
                                       "action": "task_completed", "task_bpmn_id": f"Task_{step}", "details": {}})
            counts["tasks"] += 1
            counts["events"] += 1
        for _ in range(rng.choice([1, 1, 2])):
            referral_id += 1
            provider = ids[rng.choice(PROVIDERS)]
            state = rng.choice(["sent", "acknowledged", "accepted"]) if is_open else rng.choice(["delivered", "declined"])
            buffers[ReferralRow].append({
                "id": referral_id, "case_id": number, "need_key": "health", "sector": rng.choice(SECTORS),
                "priority": priority, "provider_organisation_id": provider, "state": state, "created_at": created,
                "updated_at": created, "sent_at": created, "instance_key": "0", "escalation_level": 0,
                "shared_fields": [],
            })
            counts["referrals"] += 1
            if is_open:
                task_id = str(uuid.UUID(int=rng.getrandbits(128)))
                buffers[TaskRow].append(_task(task_id, number, provider, priority, created, "open", "referral", referral_id))
                buffers[TaskCandidate].append({"task_id": task_id, "group_name": "provider_focal_point", "organisation_id": provider,
                                               "priority_rank": RANK[priority], "due_at": created + timedelta(days=3)})
                counts["open_tasks"] += 1
                counts["candidates"] += 1
        if is_open:
            task_id = str(uuid.UUID(int=rng.getrandbits(128)))
            group = rng.choice(["caseworker", "caseworker", "caseworker", "supervisor", "coordinator"])
            buffers[TaskRow].append(_task(task_id, number, organisation, priority, created, "open", "follow_up", group=group))
            buffers[TaskCandidate].append({"task_id": task_id, "group_name": group,
                                           "organisation_id": coordination if group == "coordinator" else organisation,
                                           "priority_rank": RANK[priority], "due_at": created + timedelta(days=3)})
            counts["open_tasks"] += 1
            counts["candidates"] += 1
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


def _task(task_id, case_id, organisation, priority, at, state, stage, referral_id=None, group="caseworker") -> dict:
    return {
        "id": task_id, "case_id": case_id, "bpmn_id": f"Task_{stage}", "name": stage.replace("_", " ").title(),
        "stage": stage, "organisation_id": organisation,
        "candidate_groups": "provider_focal_point" if referral_id else group, "assignee_id": None,
        "due_at": at + timedelta(days=3), "priority": priority, "state": state, "referral_id": referral_id,
        "created_at": at, "completed_at": None if state == "open" else at + timedelta(hours=2),
    }


def timed(action, runs: int) -> list[float]:
    """Milliseconds of each of `runs` calls (after a few warm-up calls)."""
    for _ in range(5):
        action()
    result = []
    for _ in range(runs):
        begun = time.perf_counter()
        action()
        result.append((time.perf_counter() - begun) * 1000)
    return result


def plans(container, statement) -> list[str]:
    """The database's plan for a statement (literal parameters inlined)."""
    dialect = container.engine.dialect
    sql = str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    prefix = "EXPLAIN QUERY PLAN " if dialect.name == "sqlite" else "EXPLAIN "
    with container.engine.connect() as connection:
        rows = connection.exec_driver_sql(prefix + sql).all()
    if dialect.name == "sqlite":
        return [f"{'  ' * 0}{row[-1]}" for row in rows]
    return [row[0] for row in rows]


def measure(name: str, url: str, cases: int, runs: int) -> None:
    """Fill one database and print inbox and case page figures with their plans."""
    from engine.services.accounts.actors import load_actor
    from engine.services.cases.view import case_page_statement, show_case
    from engine.services.tasks.inbox import inbox_statement, list_inbox
    from engine.store.models import CaseRow

    container, ids, version_id = build_world(url)
    began = time.perf_counter()
    counts = fill(container, ids, version_id, cases)
    print(f"\n== {name}: filled in {time.perf_counter() - began:.0f} s: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    uow, clock = container.uow, container.clock
    actors = {who: load_actor(uow(), who) for who in ("bench-caseworker", "bench-focal-point", "bench-coordinator", "bench-supervisor")}
    results = []
    for who in ("bench-caseworker", "bench-focal-point", "bench-coordinator"):
        actor = actors[who]
        size = len(list_inbox(uow(), actor, limit=50))
        times = timed(lambda actor=actor: list_inbox(uow(), actor, limit=50), runs)
        results.append((f"inbox of {who} (first 50 of its tasks; {size} shown)", times))
    with uow() as u:
        open_ids = u.session.scalars(
            select(CaseRow.id).where(CaseRow.status == "open", CaseRow.organisation_id == ids["bench-iom"])
        ).all()
    rng = random.Random(3)
    supervisor = actors["bench-supervisor"]
    results.append(("case page (show_case, audited, one commit)",
                    timed(lambda: show_case(uow(), clock, rng.choice(open_ids), supervisor), runs)))
    print(f"{'measure':<62}{'runs':>6}{'p50':>9}{'p95':>9}{'max':>9}  target p95 < {TARGET_MS:.0f} ms")
    for label, times in results:
        verdict = "ok" if percentile(times, 95) < TARGET_MS else "OVER"
        print(f"{label:<62}{len(times):>6}{percentile(times, 50):>7.2f}ms{percentile(times, 95):>7.2f}ms"
              f"{max(times):>7.1f}ms  {verdict}")
    print(f"(mean of all inbox runs: {statistics.mean(t for _, ts in results[:3] for t in ts):.2f} ms)")
    print("\nPlan of the inbox query (caseworker):")
    for line in plans(container, inbox_statement(actors["bench-caseworker"], 50, 0)):
        print("   ", line)
    print("Plans of the case page's queries:")
    for label, statement in case_page_statement(rng.choice(open_ids)):
        print(f"  {label}:")
        for line in plans(container, statement):
            print("   ", line)
    container.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--postgres", help="also measure on a fresh database of this PostgreSQL server")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="aiguillage-scale-") as folder:
        measure("SQLite", f"sqlite:///{Path(folder) / 'scale.sqlite'}", args.cases, args.runs)
    if args.postgres:
        url, drop = fresh_postgres(args.postgres)
        try:
            measure("PostgreSQL", url, args.cases, args.runs)
        finally:
            drop()


if __name__ == "__main__":
    main()
