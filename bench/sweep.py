"""The deadline sweep: its cost with nothing due must not grow with open cases; the cost of each escalation.

    python bench/sweep.py [--database-url URL --large-database-url URL2] [--small 2000] [--large 200000]
                          [--due 1000] [--repeat 30]

1. One sweep with nothing due among N open cases, for N = --small and N = --large, in two
   installations side by side (each case has two pending deadlines in the coming weeks,
   bulk-inserted). Printed: median and p95 of --repeat sweeps at each size, timed alternately so
   the machine's other work weighs on both alike, and the ratio large/small (target: at most 2),
   with the query plan of the claim, which must read the `due_at` index only.
2. Sweeps escalating --due overdue referrals (copies of a case walked through the services to
   "referral sent"), in alternating rounds: one commit per case (as the sweep did before) and
   cases' steps committed in groups (the sweep's default). Printed: time and CPU time per
   escalation for each, and the ratio. Each escalation is a full case step (load, fire the timer,
   record the escalation, sync, history, outbox).

The idle cases carry a placeholder workflow: a sweep with nothing due never loads a case, and the
escalated ones carry the real workflow. Without database URLs, temporary SQLite files are used;
PostgreSQL URLs must name two empty databases.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, or_, select, text  # noqa: E402

from engine.bootstrap import Settings, build  # noqa: E402
from engine.clock import ManualClock  # noqa: E402
from engine.pathways.folder import load_source  # noqa: E402
from engine.services.escalations import deadlines  # noqa: E402
from engine.services.escalations.deadlines import sweep_deadlines  # noqa: E402
from engine.services.pathways.publishing import publish_pathway  # noqa: E402
from engine.store.migrate import upgrade_database  # noqa: E402
from engine.store.models import CaseRow, DeadlineRow, EscalationRow  # noqa: E402
from engine.store.seed import load_demo_data  # noqa: E402

# The test suite's builders of many cases: the same copies the multi-process tests sweep.
from tests.integration.deadlines.many_cases import add_idle_cases, copy_case, walk_one_referral  # noqa: E402
from tests.integration.services.walk import CaseWalker  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
START = datetime(2026, 3, 2, 7, 0, tzinfo=timezone.utc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="empty database for the small installation")
    parser.add_argument("--large-database-url", default=None, help="empty database for the large one")
    parser.add_argument("--small", type=int, default=2_000)
    parser.add_argument("--large", type=int, default=200_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds of the escalation runs")
    args = parser.parse_args()
    if bool(args.database_url) != bool(args.large_database_url):
        sys.exit("give both --database-url and --large-database-url, or neither (temporary SQLite files)")

    workdir = Path(tempfile.mkdtemp(prefix="aiguillage-bench-sweep-"))
    small_db, small_source = _installation(args.database_url or f"sqlite:///{workdir / 'small.sqlite'}", workdir / "small")
    large_db, large_source = _installation(args.large_database_url or f"sqlite:///{workdir / 'large.sqlite'}", workdir / "large")
    print(f"database: {small_db.engine.dialect.name}")
    # Idle cases' deadlines fall from two days ahead onwards: nothing of theirs is due in this run.
    idle_from = START + timedelta(days=2)
    add_idle_cases(small_db, small_source, args.small - 1, idle_from)
    started = time.perf_counter()
    add_idle_cases(large_db, large_source, args.large - 1, idle_from)
    print(f"(inserted {args.large - 1:,} idle open cases in {time.perf_counter() - started:.0f} s)")
    for container in (small_db, large_db):
        _settle(container)
        sweep_deadlines(container.uow, container.clock, "bench")  # warm the connection pool and caches

    # Interleaved, so that whatever else the machine does weighs on both sizes alike.
    small, large = [], []
    for _ in range(args.repeat):
        small.append(_nothing_due(small_db))
        large.append(_nothing_due(large_db))
    _print_sweep("nothing due", args.small, small)
    _print_sweep("nothing due", args.large, large)
    ratio = statistics.median(large) / statistics.median(small)
    print(f"ratio large/small (medians): {ratio:.2f}  (target <= 2): {'met' if ratio <= 2 else 'NOT met'}")
    _print_plan(large_db)
    small_db.dispose()

    container, clock = large_db, large_db.clock
    _escalations(container, large_source, clock, args)
    container.dispose()


def _escalations(container, source: int, clock, args) -> None:
    """Escalate --due referrals in alternating rounds: one commit per case (as before) and grouped commits."""
    copy_case(container, source, args.due - 1)
    clock.advance(timedelta(hours=24))
    with container.uow() as uow:
        due_rows = uow.session.scalar(
            select(func.count()).select_from(DeadlineRow).where(DeadlineRow.case_id == source, DeadlineRow.due_at <= clock.now()))
    # The claim takes due rows by (due time, case): every copy is due at the same moment, so a
    # batch of due_rows * k rows is exactly k cases, and the rounds alternate on equal shares.
    per_round = max(1, args.due // (2 * args.rounds))
    runs = {"one commit per case (before)": [0.0, 0.0, 0, 0], f"grouped (up to {deadlines.GROUP_CASES} cases per commit)": [0.0, 0.0, 0, 0]}
    grouped = deadlines.GROUP_CASES
    left = args.due
    while left > 0:
        for name, totals in runs.items():
            take = min(per_round, left)
            if take <= 0:
                break
            deadlines.GROUP_CASES = 1 if name.startswith("one") else grouped
            started, cpu = time.perf_counter(), time.process_time()
            report = sweep_deadlines(container.uow, clock, "bench", batch_size=due_rows * take, max_batches=1)
            totals[0] += time.perf_counter() - started
            totals[1] += time.process_time() - cpu
            totals[2] += report.escalations
            totals[3] += report.cases
            left -= take
    deadlines.GROUP_CASES = grouped
    with container.uow() as uow:
        recorded = uow.session.scalar(select(func.count()).select_from(EscalationRow))
    print(f"escalate {args.due:,} due referrals among {args.large + args.due - 1:,} open cases, in alternating rounds "
          f"of {per_round} cases ({recorded} escalations recorded):")
    base = None
    for name, (wall, cpu, raised, cases) in runs.items():
        per, per_cpu = wall / max(raised, 1) * 1000, cpu / max(raised, 1) * 1000
        base = base or per
        print(f"  {name:<40} {per:6.1f} ms per escalation (CPU {per_cpu:5.1f} ms), {raised} raised in {cases} case steps, "
              f"{base / per:.2f}x the first; target <= 5 ms: {'met' if per <= 5 else 'NOT met'}")


def _installation(url: str, instance_dir: Path):
    """An empty, migrated database with the demo directory, the Cameroon pathway and one sent referral."""
    clock = ManualClock(START)
    container = build(Settings(database_url=url, instance_dir=instance_dir), clock=clock)
    upgrade_database(container.engine)
    with container.uow() as uow:
        if uow.session.scalar(select(func.count()).select_from(CaseRow)):
            sys.exit(f"the database {container.engine.url.render_as_string(hide_password=True)} is not empty")
    load_demo_data(container.uow(), clock)
    publish_pathway(container.uow(), load_source(ROOT / "pathways" / "cameroon-nrm"), clock)
    source = walk_one_referral(container, CaseWalker(container), "urgent")  # its reminder is due in 24 hours
    return container, source


def _nothing_due(container) -> float:
    started = time.perf_counter()
    report = sweep_deadlines(container.uow, container.clock, "bench")
    elapsed = time.perf_counter() - started
    assert report.claimed == 0
    return elapsed


def _print_sweep(what: str, cases: int, times: list[float]) -> None:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    print(f"sweep, {what}, {cases:>7,} open cases: median {statistics.median(times) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms")


def _settle(container) -> None:
    """Fresh statistics, and the bulk insert's writes flushed, before timing: the same at both sizes."""
    if container.engine.dialect.name == "postgresql":
        with container.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE deadlines"))
            connection.execute(text("CHECKPOINT"))
    else:
        with container.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
        with container.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def _print_plan(container) -> None:
    now = container.clock.now()
    query = (
        select(DeadlineRow.id)
        .where(DeadlineRow.due_at <= now, or_(DeadlineRow.claimed_until.is_(None), DeadlineRow.claimed_until <= now))
        .order_by(DeadlineRow.due_at, DeadlineRow.case_id)
        .limit(100)
    )
    with container.engine.connect() as connection:
        compiled = query.compile(connection, compile_kwargs={"literal_binds": False})
        explain = "EXPLAIN QUERY PLAN " if connection.dialect.name == "sqlite" else "EXPLAIN "
        rows = connection.exec_driver_sql(explain + str(compiled), _driver_params(connection, compiled)).all()
    print("claim query plan:")
    for row in rows:
        print("   ", row[-1])


def _driver_params(connection, compiled):
    params = compiled.construct_params()
    processors = compiled._bind_processors
    values = {key: processors[key](value) if key in processors else value for key, value in params.items()}
    if connection.dialect.paramstyle == "qmark":
        return tuple(values[name] for name in compiled.positiontup)
    return values


if __name__ == "__main__":
    main()
