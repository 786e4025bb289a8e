"""Engine overhead: cases through the persisted services versus the raw SpiffWorkflow round trip, in one run.

    .venv/bin/python bench/case_throughput.py [--cases 1000] [--rounds 5] [--postgres postgresql://...] [--profile]

The pathway is `bench/fixtures/linear-six`: six user tasks in a row, each with a three-field form.

- services: `open_case`, then `complete_task` six times, on a SQLite file with durable commits
  (WAL, synchronous=FULL), as a caseworker; every step loads the case, checks access and the form,
  runs the workflow, syncs task/candidate/deadline rows, writes history, audit and outbox rows, and
  commits once. With `--postgres URL`, the same on a fresh PostgreSQL database on that server.
- raw: SpiffWorkflow alone, as its documentation shows it: `CamundaParser`, the default serializer
  with the spec embedded; per step deserialize, complete the ready task, advance, serialize.
  No database, no durability.
- raw + fsync: the raw loop that also writes each serialized case to a file and fsyncs it: the
  least any durable engine pays per step on this disk.

The cases are split into rounds; each round runs raw, raw + fsync and the services back to back
on the same installations, so that a change in the machine's load falls on every run alike.

Printed: cases/s for each, the ratios (overall, and the median of the rounds' ratios), per-step
p50/p95, SQL statements and commits per task, and stored bytes per completed case.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import secrets
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, event, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

FIXTURE = ROOT / "bench" / "fixtures" / "linear-six"
STEPS = [
    {f"{stage}_note": "ok", f"{stage}_level": "low", f"{stage}_done": True}
    for stage in ("identification", "assessment", "consent", "referral", "follow_up", "closure")
]


@dataclass
class Run:
    """What one run measured."""

    name: str
    cases: int
    seconds: float
    cpu_seconds: float = 0.0  # this process's CPU time: what the run costs apart from waiting (disk, other load)
    step_ms: list[float] = field(default_factory=list)
    statements_per_task: float | None = None
    commits_per_task: float | None = None
    statements_per_open: float | None = None
    round_trips_per_task: float | None = None  # PostgreSQL: what the client waits for per task
    blob_bytes: int | None = None
    stored_bytes: int | None = None
    note: str | None = None  # how the stored size was measured, where it needs saying

    round_rates: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.cases / self.seconds

    def add(self, other: Run) -> None:
        """Fold one round's measurements into this run's totals."""
        self.cases += other.cases
        self.seconds += other.seconds
        self.cpu_seconds += other.cpu_seconds
        self.step_ms += other.step_ms
        self.round_rates.append(other.rate)

    @property
    def cpu_rate(self) -> float:
        return self.cases / self.cpu_seconds


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) of values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


# ---- raw SpiffWorkflow ----------------------------------------------------------------------


def run_raw(cases: int, fsync_dir: Path | None = None) -> Run:
    """The plain SpiffWorkflow round trip (spec embedded), optionally with an fsync per step."""
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
    from SpiffWorkflow.camunda.parser import CamundaParser
    from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
    from SpiffWorkflow.util.task import TaskState

    parser = CamundaParser()
    parser.add_bpmn_file(str(FIXTURE / "pathway.bpmn"))
    spec = parser.get_spec("Process_LinearSix")
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(CAMUNDA_CONFIG))
    handle = os.open(fsync_dir / "case.json", os.O_WRONLY | os.O_CREAT | os.O_TRUNC) if fsync_dir else None

    def save(state: str) -> None:
        if handle is not None:
            os.pwrite(handle, state.encode(), 0)
            os.fsync(handle)

    run = Run("raw + fsync" if fsync_dir else "raw SpiffWorkflow", cases, 0.0)
    gc.collect()
    started, cpu_started = time.perf_counter(), time.process_time()
    for _ in range(cases):
        workflow = BpmnWorkflow(spec)
        workflow.do_engine_steps()
        state = serializer.serialize_json(workflow)
        save(state)
        for data in STEPS:
            begun = time.perf_counter()
            workflow = serializer.deserialize_json(state)
            task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
            task.data.update(data)
            task.run()
            workflow.do_engine_steps()
            state = serializer.serialize_json(workflow)
            save(state)
            run.step_ms.append((time.perf_counter() - begun) * 1000)
        assert workflow.is_completed()
    run.seconds = time.perf_counter() - started
    run.cpu_seconds = time.process_time() - cpu_started
    run.blob_bytes = len(state.encode())
    if handle is not None:
        os.close(handle)
    return run


def run_commits_alone(database: Path, cases: int, blob_bytes: int) -> Run:
    """The durable commits a case's steps make, with nothing else: per step, the case row rewritten
    with a workflow of the raw run's size and one history row, committed (same file and pragmas)."""
    import sqlite3

    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = FULL")
    connection.execute("CREATE TABLE IF NOT EXISTS bench_commit_case (id INTEGER PRIMARY KEY, workflow TEXT, version INTEGER)")
    connection.execute("CREATE TABLE IF NOT EXISTS bench_commit_event (id INTEGER PRIMARY KEY, case_id INTEGER, at TEXT, details TEXT)")
    blob = "x" * blob_bytes
    run = Run("SQLite FULL commit alone", cases, 0.0)
    started, cpu_started = time.perf_counter(), time.process_time()
    for case in range(cases):
        for step in range(len(STEPS) + 1):
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("INSERT OR REPLACE INTO bench_commit_case VALUES (?, ?, ?)", (case % 100, blob, step))
            connection.execute("INSERT INTO bench_commit_event (case_id, at, details) VALUES (?, datetime('now'), '{}')", (case,))
            connection.execute("COMMIT")
    run.seconds = time.perf_counter() - started
    run.cpu_seconds = time.process_time() - cpu_started
    connection.close()
    return run


# ---- the services ---------------------------------------------------------------------------


def prepare(url: str):
    """A migrated database with one organisation, one caseworker and the pathway published."""
    from engine.bootstrap import Settings, build
    from engine.clock import SystemClock
    from engine.domain import OrganisationKind, Role
    from engine.pathways.folder import load_source
    from engine.services.accounts.creation import create_organisation, create_user
    from engine.services.accounts.actors import load_actor
    from engine.services.pathways.publishing import publish_pathway
    from engine.store.migrate import upgrade_database

    container = build(Settings(database_url=url, instance_dir=Path(tempfile.gettempdir())), clock=SystemClock())
    upgrade_database(container.engine)
    create_organisation(container.uow(), container.clock, "bench-agency", "Bench agency", OrganisationKind.NGO)
    create_user(container.uow(), container.clock, "bench-caseworker", "bench-agency", [Role.CASEWORKER])
    publish_pathway(container.uow(), load_source(FIXTURE), container.clock)
    return container, load_actor(container.uow(), "bench-caseworker")


class Installation:
    """A prepared database the services run on, round after round (it grows as a real one does)."""

    def __init__(self, name: str, url: str, profile: bool = False):
        self.name = name
        self.container, self.actor = prepare(url)
        self.profiler = cProfile.Profile() if profile else None

    def _walk_one(self, step_ms: list[float] | None = None) -> None:
        from engine.services.cases.lifecycle import open_case
        from engine.services.tasks.completion import complete_task

        uow, clock, actor = self.container.uow, self.container.clock, self.actor
        ref = open_case(uow(), clock, "linear-six", actor)
        task_id = ref.open_task_ids[0]
        for data in STEPS:
            begun = time.perf_counter()
            result = complete_task(uow(), clock, task_id, actor, data)
            if step_ms is not None:
                step_ms.append((time.perf_counter() - begun) * 1000)
            task_id = result.new_task_ids[0] if result.new_task_ids else None
        assert result.completed

    def walk(self, cases: int) -> Run:
        """Open and walk `cases` cases through the services (timed; nothing counts statements meanwhile)."""
        run = Run(self.name, cases, 0.0)
        gc.collect()
        if self.profiler:
            self.profiler.enable()
        started, cpu_started = time.perf_counter(), time.process_time()
        for _ in range(cases):
            self._walk_one(run.step_ms)
        run.seconds = time.perf_counter() - started
        run.cpu_seconds = time.process_time() - cpu_started
        if self.profiler:
            self.profiler.disable()
        return run

    def count(self, run: Run, cases: int = 20) -> None:
        """Count the statements and commits of opening and walking a few more cases (not timed)."""
        from engine.services.cases.lifecycle import open_case

        from engine.store import case_records
        from engine.store.prepared import StatementBatch

        counts = {"statements": 0, "commits": 0, "batches": 0, "batched": 0, "read_groups": 0, "grouped_reads": 0,
                  "commits_in_batch": 0}

        def counter(key: str):
            return lambda *_args: counts.__setitem__(key, counts[key] + 1)

        engine = self.container.engine
        listeners = [("before_cursor_execute", counter("statements")), ("commit", counter("commits"))]
        for name, listener in listeners:
            event.listen(engine, name, listener)
        send = StatementBatch.send

        def counted_send(batch, commit=False):
            # On PostgreSQL a batch is one round trip (pipeline mode), however many statements it
            # holds, and the COMMIT goes in it when asked (counted here, where it goes separately).
            counts["batches"] += 1
            counts["batched"] += len(batch._items)
            counts["commits_in_batch"] += bool(commit)
            return send(batch, commit)

        StatementBatch.send = counted_send
        read_together = case_records.read_together

        def counted_reads(connection, reads):
            # Reads sent together are one round trip on PostgreSQL (pipeline mode), BEGIN included.
            counts["read_groups"] += 1
            counts["grouped_reads"] += len(reads)
            return read_together(connection, reads)

        case_records.read_together = counted_reads
        try:
            open_case(self.container.uow(), self.container.clock, "linear-six", self.actor)
            run.statements_per_open = counts["statements"]
            # Opening reads its version, reference and id together: its grouped reads are its own, too.
            opening = (counts["batches"], counts["batched"], counts["commits_in_batch"],
                       counts["grouped_reads"] - counts["read_groups"])
            for _ in range(cases):
                self._walk_one()
        finally:
            StatementBatch.send = send
            case_records.read_together = read_together
            for name, listener in listeners:
                event.remove(engine, name, listener)
        # Each walk opens a case (one statement list, one commit) and completes its tasks.
        tasks = cases * len(STEPS)
        run.statements_per_task = (counts["statements"] - (cases + 1) * run.statements_per_open) / tasks
        run.commits_per_task = (counts["commits"] - (cases + 1)) / tasks
        if engine.dialect.name == "postgresql":
            batches = (counts["batches"] - (cases + 1) * opening[0]) / tasks
            batched = (counts["batched"] - (cases + 1) * opening[1]) / tasks
            grouped = (counts["grouped_reads"] - counts["read_groups"] - (cases + 1) * opening[3]) / tasks
            in_batch = (counts["commits_in_batch"] - (cases + 1) * opening[2]) / tasks
            # Statements outside a batch, one per batch, reads sent together as one, and the commits not sent with a batch.
            run.round_trips_per_task = (run.statements_per_task - batched + batches - grouped
                                        + run.commits_per_task - in_batch)

    def blob_size(self) -> int:
        """The average size of a saved case's workflow so far."""
        from engine.store.models import CaseRow

        with self.container.uow() as u:
            return int(u.session.scalar(select(func.avg(func.length(CaseRow.workflow_json)))))

    def finish(self, run: Run) -> None:
        """Count statements, measure the stored bytes, print the profile, and close the database."""
        from engine.store.models import CaseRow

        if self.profiler:
            pstats.Stats(self.profiler).sort_stats("cumulative").print_stats(35)
        self.count(run)
        with self.container.uow() as u:
            run.blob_bytes = u.session.scalar(select(func.avg(func.length(CaseRow.workflow_json))))
            cases = u.session.scalar(select(func.count()).select_from(CaseRow))
        if self.container.engine.dialect.name == "postgresql":
            whole, live = _postgres_bytes(self.container.engine)
            run.stored_bytes = live // cases
            run.note = (f"{run.name}: {whole // cases:,} B/case by pg_database_size (an empty database's own catalogs "
                        f"and the dead row versions each step's UPDATE leaves until vacuum); {live // cases:,} B/case "
                        "in our tables and indexes after VACUUM FULL, comparable to SQLite's live pages")
        else:
            run.stored_bytes = _database_bytes(self.container.engine) // cases
        self.container.dispose()


def _database_bytes(engine) -> int:
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar()
        free = connection.exec_driver_sql("PRAGMA freelist_count").scalar()
        return (pages - free) * connection.exec_driver_sql("PRAGMA page_size").scalar()


# What made a PostgreSQL case look 58 KB against 15.7 KB on SQLite: pg_database_size counts the
# ~7.5 MB of system catalogs every database has, and the dead versions of the case row (its 5 KB
# blob, TOASTed) that each of a case's seven UPDATEs leaves behind until autovacuum runs. SQLite's
# figure counts live pages only. Our tables and indexes, vacuumed, are the comparable figure.
def _postgres_bytes(engine) -> tuple[int, int]:
    """(pg_database_size as the run left it, our tables and indexes after VACUUM FULL)."""
    with engine.connect() as connection:
        whole = connection.execute(text("SELECT pg_database_size(current_database())")).scalar()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM FULL")
        live = connection.execute(text(
            "SELECT coalesce(sum(pg_total_relation_size(relid)), 0) FROM pg_stat_user_tables")).scalar()
    return whole, live


def fresh_postgres(url: str) -> tuple[str, callable]:
    """A new database on the server of `url`, and a function that drops it."""
    from engine.store.db import normalise_url

    server = make_url(normalise_url(url))
    name = f"aiguillage_bench_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return server.set(database=name).render_as_string(hide_password=False), drop


# ---- report ---------------------------------------------------------------------------------


def report(runs: list[Run], raw: Run) -> None:
    """Print every run's figures and its ratio to the raw round trip."""
    print(f"\n{'run':<28}{'cases/s':>9}{'ratio':>8}{'median':>8}{'CPU c/s':>9}{'CPU ratio':>10}{'step p50':>10}{'step p95':>10}"
          f"{'SQL/task':>10}{'commits/task':>14}{'blob B':>9}{'stored B/case':>15}")
    for run in runs:
        ratio = run.rate / raw.rate
        sql = f"{run.statements_per_task:.1f}" if run.statements_per_task is not None else "-"
        commits = f"{run.commits_per_task:.2f}" if run.commits_per_task is not None else "-"
        stored = f"{run.stored_bytes:,}" if run.stored_bytes else "-"
        median = statistics.median(mine / base for mine, base in zip(run.round_rates, raw.round_rates))
        print(f"{run.name:<28}{run.rate:>9.1f}{ratio:>8.2f}{median:>8.2f}{run.cpu_rate:>9.1f}{run.cpu_rate / raw.cpu_rate:>10.2f}"
              f"{percentile(run.step_ms, 50):>9.2f}ms"
              f"{percentile(run.step_ms, 95):>8.2f}ms{sql:>10}{commits:>14}{run.blob_bytes or 0:>9,.0f}{stored:>15}")
    for run in runs:
        if run.statements_per_open is not None:
            print(f"{run.name}: opening a case takes {run.statements_per_open:.1f} SQL statements and one commit")
        if run.round_trips_per_task is not None:
            print(f"{run.name}: {run.round_trips_per_task:.1f} round trips to the server per task, commit included "
                  f"(the step's reads go in one, its writes and the COMMIT in another, pipelined)")
    print("ratio = cases/s of the run / cases/s of raw SpiffWorkflow (spec embedded, no database, no durability);")
    print("median = the median over the rounds of that ratio, each round's runs measured back to back;")
    print("CPU c/s = cases per second of this process's CPU time (the database server's own CPU is not counted)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5,
                        help="split the cases into rounds that alternate raw and services runs (default 5)")
    parser.add_argument("--postgres", help="also run on a fresh database of this PostgreSQL server")
    parser.add_argument("--no-durable-variants", action="store_true", help="skip the synchronous=NORMAL SQLite run")
    parser.add_argument("--profile", action="store_true", help="print a profile of the SQLite services run")
    args = parser.parse_args(argv)
    rounds = max(1, min(args.rounds, args.cases))
    sizes = [args.cases // rounds + (1 if r < args.cases % rounds else 0) for r in range(rounds)]

    with tempfile.TemporaryDirectory(prefix="aiguillage-bench-") as folder:
        folder = Path(folder)
        installations = [Installation("services, SQLite FULL", f"sqlite:///{folder / 'full.sqlite'}", args.profile)]
        if not args.no_durable_variants:
            installations.append(_normal_sync_installation(f"sqlite:///{folder / 'normal.sqlite'}"))
        drop = None
        if args.postgres:
            url, drop = fresh_postgres(args.postgres)
            installations.append(Installation("services, PostgreSQL", url))
        try:
            raw, raw_fsync = Run("raw SpiffWorkflow", 0, 0.0), Run("raw + fsync", 0, 0.0)
            commit_alone = Run("SQLite FULL commit alone", 0, 0.0)
            totals = [Run(installation.name, 0, 0.0) for installation in installations]
            # Rounds alternate the runs, so that a change in the machine's load falls on all of them.
            for size in sizes:
                last_raw = run_raw(size)
                raw.add(last_raw)
                raw_fsync.add(run_raw(size, fsync_dir=folder))
                for installation, total in zip(installations, totals):
                    total.add(installation.walk(size))
                commit_alone.add(run_commits_alone(folder / "full.sqlite", size, installations[0].blob_size()))
            raw.blob_bytes = raw_fsync.blob_bytes = last_raw.blob_bytes
            saved_bytes = installations[0].blob_size()
            for installation, total in zip(installations, totals):
                installation.finish(total)
        finally:
            if drop is not None:
                drop()
    print(f"\n{args.cases} cases of the six-step linear pathway (bench/fixtures/linear-six), one process, one thread, "
          f"in {rounds} alternating rounds.")
    report([raw, raw_fsync, *totals], raw)
    print(f"fsync cost on this disk: raw + fsync runs at {raw_fsync.rate / raw.rate:.2f}x raw; "
          "services, SQLite FULL pays one WAL fsync per task.")
    # A durable step waits for at least one fsync; when one fsync costs more than a whole raw
    # round trip, no durable engine can reach ratio 1.0 on this disk: say where the ceiling is.
    fsync_ms = max(1 / raw_fsync.rate - 1 / raw.rate, 0.0) / (len(STEPS) + 1) * 1000
    raw_step_ms = 1 / raw.rate / (len(STEPS) + 1) * 1000
    if fsync_ms > 0:
        print(f"one fsync here costs about {fsync_ms:.2f} ms and a raw round trip {raw_step_ms:.2f} ms: with a durable "
              f"commit per step the ratio cannot exceed {raw_step_ms / fsync_ms:.2f} in this run (CPU ratio is the "
              "comparison free of the disk)")
    # What the disk alone asks of a step on SQLite FULL: the commit of one case row (the saved
    # workflow) and one history row, with nothing else done. Ratio 1.0 needs everything else of
    # the step (SpiffWorkflow's run and save, reads, access and form checks, the rows) to fit in
    # what is left of a raw round trip.
    commit_ms = 1 / commit_alone.rate / (len(STEPS) + 1) * 1000
    print(f"a durable SQLite commit alone (one case row of {saved_bytes:,} B and one history row, WAL, "
          f"synchronous=FULL) costs {commit_ms:.2f} ms a step here: {commit_ms / raw_step_ms:.0%} of a raw round "
          f"trip ({raw_step_ms:.2f} ms), leaving {max(raw_step_ms - commit_ms, 0):.2f} ms for the rest of a step at ratio 1.0")
    for run in totals:
        if run.note:
            print(run.note)
    print("targets: services, SQLite FULL ratio >= 1.0; services, PostgreSQL ratio >= 0.5")


def _normal_sync_installation(url: str) -> Installation:
    """SQLite with synchronous=NORMAL: a commit survives a crash of the process, not a power cut."""
    from engine.store import db

    original = db._sqlite_engine

    def normal_sync_engine(url, **kwargs):
        engine = original(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _normal(dbapi_connection, _record):
            dbapi_connection.execute("PRAGMA synchronous = NORMAL")

        return engine

    db._sqlite_engine = normal_sync_engine
    try:
        return Installation("services, SQLite NORMAL", url)
    finally:
        db._sqlite_engine = original


if __name__ == "__main__":
    main()
