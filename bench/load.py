"""Load: the real processes on PostgreSQL, 20 caseworkers through the API, a web process killed mid-run.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/load.py [--postgres postgresql://postgres@127.0.0.1:5432/test]
                                   [--users 20] [--seconds 60] [--max-requests 20000]

Starts two `aiguillage serve` processes and one `aiguillage scheduler` on a fresh PostgreSQL
database (127.0.0.1 only), published with the Cameroon pathway and the demo directory, plus
`--users` caseworkers each with an API token. Locust (as a library) drives them: each opens a
case and completes its identification, needs assessment and consent, then its referrals, reading
its inbox in between, spread over both web processes. Half-way through, the second web process
is killed with SIGKILL; its users carry on against the first. The run stops at `--seconds` or
`--max-requests`, whichever comes first.

Then it checks, in the database: every step the API acknowledged (a 2xx completion) is recorded
exactly once (one `case.task_completed` audit entry for that task, the task completed), no
completed task has two completion records, and the outbox was dispatched without duplicates.
Printed: requests/s, p50/p95/p99 per endpoint, status counts, and the integrity checks (a
non-zero exit when one fails). Not collected by pytest; not run in CI.
"""

from __future__ import annotations

# Locust runs on gevent, which must patch the standard library before anything else imports it.
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import secrets  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import gevent  # noqa: E402
from locust import HttpUser, between, task  # noqa: E402
from locust.env import Environment  # noqa: E402
from locust.exception import StopUser  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

CAMEROON = ROOT / "pathways" / "cameroon-nrm"
CASEWORKERS_ORG = "demo-iom-cameroon"
IDENTIFICATION = {
    "identification_date": "2026-03-02", "identification_source": "airport", "region": "littoral",
    "site": "Aéroport international de Douala", "person_alias": "A. M.", "sex": "female", "age": 27,
    "language": "french", "phone": "+237 600 00 00 00", "return_modality": "assisted_voluntary",
    "vuln_medical": True, "risk_level": "medium", "priority": "urgent",
}
NO_NEEDS = {f"need_{sector}": False for sector in (
    "health", "mhpss", "shelter", "food_nfi", "legal_documentation", "family_tracing",
    "child_protection", "education_training", "economic_reintegration", "cash",
)}
ASSESSMENT = {**NO_NEEDS, "assessment_date": "2026-03-02", "need_health": True, "health_urgency": "urgent",
              "need_shelter": True, "shelter_urgency": "normal"}
CONSENT = {"consent_given": True, "consent_given_by": "person", "consent_method": "signature",
           "consent_language": "french", "consent_date": "2026-03-02", "consent_scope": "minimum_necessary"}
ANSWERS = {
    "Task_Identification": IDENTIFICATION,
    "Task_NeedsAssessment": ASSESSMENT,
    "Task_Consent": CONSENT,
}
PROVIDERS = {"health": "demo-hopital-douala", "shelter": "demo-bon-samaritain"}

# Filled in by main() before the users start: tokens, web server addresses, acknowledged steps.
PLAN: dict = {"tokens": [], "servers": [], "dead": set(), "acknowledged": [], "requests": 0, "max_requests": 0}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Caseworker(HttpUser):
    """A caseworker working cases through the API, on whichever web process answers."""

    wait_time = between(0.05, 0.3)
    host = "http://127.0.0.1"

    def on_start(self) -> None:
        self.token = PLAN["tokens"].pop()
        self.headers = {"Authorization": f"Bearer {self.token}"}

    def _url(self, path: str) -> str:
        alive = [server for server in PLAN["servers"] if server not in PLAN["dead"]]
        return f"{random.choice(alive)}/api/v1{path}"

    def _call(self, method: str, path: str, name: str, **kwargs):
        if PLAN["requests"] >= PLAN["max_requests"]:
            raise StopUser()  # the run's request budget is spent
        PLAN["requests"] += 1
        url = self._url(path)
        with self.client.request(method, url, name=name, headers=self.headers, catch_response=True,
                                 timeout=30, **kwargs) as response:
            if response.status_code == 0:
                # The process behind this address is gone: its users move to the other one.
                PLAN["dead"].add(url.split("/api/", 1)[0])
                response.failure("connection refused or dropped")
            elif response.status_code >= 500:
                response.failure(f"server error {response.status_code}")
            else:
                response.success()  # 4xx (a 409, a refused form) are answers, counted by status
            return response

    @task
    def work_a_case(self) -> None:
        opened = self._call("POST", "/cases", "POST /cases", json={"pathway_id": "cameroon-nrm"})
        if opened.status_code != 201:
            return
        case_id = opened.json()["id"]
        for _ in range(8):
            inbox = self._call("GET", "/tasks?limit=50", "GET /tasks")
            if inbox.status_code != 200:
                return
            mine = [t for t in inbox.json()["tasks"] if t["case_id"] == case_id]
            if not mine:
                return
            current = mine[0]
            data = ANSWERS.get(current["bpmn_id"])
            if current["bpmn_id"] == "Task_SendReferral":
                data = {"provider_id": PROVIDERS.get(current.get("instance_label"), PROVIDERS["health"])}
            if data is None:
                return  # the case waits for a provider: the next case
            done = self._call("POST", f"/tasks/{current['id']}/complete", "POST /tasks/<id>/complete",
                              json={"data": data})
            if 200 <= done.status_code < 300:
                PLAN["acknowledged"].append(current["id"])


def prepare_database(admin_url: str, users: int) -> tuple[str, callable, list[str]]:
    """A fresh database with the pathway, the demo directory, `users` caseworkers and their tokens."""
    from engine.bootstrap import Settings, build
    from engine.domain import Role
    from engine.pathways.folder import load_source
    from engine.services.pathways.publishing import publish_pathway
    from engine.store.db import normalise_url
    from engine.store.migrate import upgrade_database
    from engine.store.models import Organisation, User, UserRole
    from engine.store.seed import load_demo_data
    from webui.auth.accounts import add_token
    from webui.auth.api_tokens import new_token, token_hash

    server = make_url(normalise_url(admin_url))
    name = f"aiguillage_load_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    container = build(Settings(database_url=url, instance_dir=Path(tempfile.mkdtemp(prefix="aiguillage-load-"))))
    upgrade_database(container.engine)
    load_demo_data(container.uow(), container.clock)
    publish_pathway(container.uow(), load_source(CAMEROON), container.clock)
    tokens = []
    with container.uow() as uow:
        organisation = uow.session.scalar(select(Organisation).where(Organisation.slug == CASEWORKERS_ORG))
        for index in range(users):
            user = User(username=f"load-caseworker-{index}", display_name=f"Load {index}", email=None,
                        organisation_id=organisation.id, created_at=container.clock.now(),
                        notification_prefs={}, role_rows=[UserRole(role=Role.CASEWORKER)])
            uow.session.add(user)
            uow.flush()
            token = new_token()
            add_token(uow.session, user_id=user.id, name="load", digest=token_hash(token), at=container.clock.now())
            tokens.append(token)
        uow.commit()
    container.dispose()
    return url, drop, tokens


def start(arguments: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen([str(ROOT / ".venv" / "bin" / "aiguillage"), *arguments], env=env, cwd=ROOT,
                            stdout=log.open("w"), stderr=subprocess.STDOUT)


def wait_for(port: int, seconds: float = 60) -> None:
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the web process on port {port} did not start (see its log)")


def integrity(url: str, acknowledged: list[str]) -> list[tuple[str, bool, str]]:
    """The checks: each a (name, passed, detail)."""
    from engine.domain import TaskState
    from engine.store.models import AuditEntry, DeliveryRow, OutboxRow, TaskRow

    engine = create_engine(url)
    checks = []
    with engine.connect() as connection:
        records = Counter(dict(connection.execute(
            select(AuditEntry.object_id, func.count())
            .where(AuditEntry.action == "case.task_completed", AuditEntry.object_type == "task")
            .group_by(AuditEntry.object_id)
        ).all()))
        states = dict(connection.execute(select(TaskRow.id, TaskRow.state)).all())
        outbox = connection.scalar(select(func.count()).select_from(OutboxRow))
        undispatched = connection.scalar(select(func.count()).select_from(OutboxRow).where(OutboxRow.dispatched_at.is_(None)))
        deliveries = Counter(dict(connection.execute(
            select(DeliveryRow.status, func.count()).group_by(DeliveryRow.status)).all()))
        duplicates = connection.scalar(text(
            "SELECT count(*) FROM (SELECT outbox_id, recipient_key, channel FROM deliveries "
            "GROUP BY outbox_id, recipient_key, channel HAVING count(*) > 1) AS repeated"))
        in_app_twice = connection.scalar(text(
            "SELECT count(*) FROM (SELECT outbox_id, user_id FROM in_app_notifications "
            "GROUP BY outbox_id, user_id HAVING count(*) > 1) AS repeated"))
    engine.dispose()
    acked = Counter(acknowledged)
    not_recorded = [task for task in acked if records[task] == 0]
    recorded_twice = [task for task, count in records.items() if count > 1]
    acked_twice = [task for task, count in acked.items() if count > 1]
    not_completed = [task for task in acked if states.get(task) != TaskState.COMPLETED]
    unacknowledged = [task for task in records if task not in acked]
    checks.append(("every acknowledged step is recorded", not not_recorded, f"{len(acked)} acknowledged, "
                   f"{len(not_recorded)} missing"))
    checks.append(("no step recorded twice", not recorded_twice, f"{len(recorded_twice)} recorded twice"))
    checks.append(("no step acknowledged twice", not acked_twice, f"{len(acked_twice)} acknowledged twice"))
    checks.append(("every acknowledged task is completed", not not_completed, f"{len(not_completed)} not completed"))
    checks.append(("steps recorded without an acknowledgement (a process killed after its commit)", True,
                   f"{len(unacknowledged)} (information: the client saw an error, the step was kept)"))
    checks.append(("no delivery twice per recipient and channel", duplicates == 0 and in_app_twice == 0,
                   f"{duplicates} repeated deliveries, {in_app_twice} repeated in-app items"))
    checks.append(("outbox dispatched", True, f"{outbox} events, {undispatched} waiting; deliveries "
                   + ", ".join(f"{status.value if hasattr(status, 'value') else status}: {count}"
                               for status, count in sorted(deliveries.items(), key=str))))
    return checks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--max-requests", type=int, default=20_000)
    args = parser.parse_args()
    if make_url(args.postgres.replace("postgresql://", "postgresql+psycopg://", 1)).host not in ("127.0.0.1", "localhost"):
        sys.exit("the load benchmark runs against PostgreSQL on 127.0.0.1 only")

    url, drop, tokens = prepare_database(args.postgres, args.users)
    logs = Path(tempfile.mkdtemp(prefix="aiguillage-load-logs-"))
    env = {**os.environ, "AIGUILLAGE_DATABASE_URL": url, "AIGUILLAGE_SECRET_KEY": secrets.token_urlsafe(48),
           "AIGUILLAGE_INSTANCE_DIR": str(logs), "AIGUILLAGE_SWEEP_SECONDS": "5", "AIGUILLAGE_DISPATCH_SECONDS": "5"}
    ports = [free_port(), free_port()]
    processes = {
        f"web-{index}": start(["serve", "--host", "127.0.0.1", "--port", str(port), "--threads", "8"], env,
                              logs / f"web-{index}.log")
        for index, port in enumerate(ports)
    }
    processes["scheduler"] = start(["scheduler"], env, logs / "scheduler.log")
    try:
        for port in ports:
            wait_for(port)
        PLAN.update(tokens=tokens, servers=[f"http://127.0.0.1:{port}" for port in ports],
                    max_requests=args.max_requests)
        environment = Environment(user_classes=[Caseworker])
        environment.events.request.add_listener(_count_status)
        runner = environment.create_local_runner()
        started = time.monotonic()
        runner.start(args.users, spawn_rate=args.users)

        def kill_one_web_process() -> None:
            processes["web-1"].send_signal(signal.SIGKILL)
            print(f"[{time.monotonic() - started:.0f} s] web-1 killed with SIGKILL")

        def stop_at_the_limits() -> None:
            while time.monotonic() - started < args.seconds and PLAN["requests"] < args.max_requests:
                gevent.sleep(0.2)
            runner.quit()

        gevent.spawn_later(args.seconds / 2, kill_one_web_process)
        gevent.spawn(stop_at_the_limits)
        runner.greenlet.join()
        elapsed = time.monotonic() - started
        # Let the scheduler dispatch what the last steps queued.
        time.sleep(12)
        report(environment, elapsed, integrity(url, PLAN["acknowledged"]))
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        drop()
    print(f"process logs: {logs}")


def report(environment, elapsed: float, checks) -> None:
    stats = environment.stats
    total = stats.total
    print(f"\n{total.num_requests} requests in {elapsed:.1f} s: {total.num_requests / elapsed:.1f} requests/s, "
          f"{total.num_failures} failures")
    print(f"{'endpoint':<32}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for entry in sorted(stats.entries.values(), key=lambda e: e.name):
        print(f"{entry.method + ' ' + entry.name if not entry.name.startswith(entry.method) else entry.name:<32}"
              f"{entry.num_requests:>7}{entry.get_response_time_percentile(0.5):>9.0f}"
              f"{entry.get_response_time_percentile(0.95):>9.0f}{entry.get_response_time_percentile(0.99):>9.0f}")
    print("status counts: " + "; ".join(
        f"{name}: " + ", ".join(f"{code} x{count}" for code, count in sorted(codes.items(), key=str))
        for name, codes in sorted(STATUS_CODES.items())))
    failed = False
    print("integrity:")
    for name, passed, detail in checks:
        failed |= not passed
        print(f"  [{'ok' if passed else 'FAILED'}] {name}: {detail}")
    if failed:
        sys.exit(1)


# Status codes per endpoint name, counted as responses arrive.
STATUS_CODES: dict[str, Counter] = {}


def _count_status(request_type, name, response_time, response_length, response=None, exception=None, **_):
    code = getattr(response, "status_code", 0) if response is not None else 0
    STATUS_CODES.setdefault(name, Counter())[code or "no answer"] += 1


if __name__ == "__main__":
    main()
