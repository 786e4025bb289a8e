"""Server time of each main page over HTTP, with 100,000 cases in the database.

    .venv/bin/python bench/pages.py [--cases 100000] [--runs 100] [--postgres postgresql://...] [--plans]

The database is filled as in `bench/scale_inbox.py` (90% closed cases, open ones with their tasks,
candidates and referrals), except that every case holds the saved workflow of one real case opened
through the services and a summary row as its steps would write it (the person, needs, and values
referrals share), so that pages which read the case's data do the real work. The application is served by waitress on a local port; each page is fetched `--runs`
times by a signed-in client (the caseworker, the provider's focal point or the coordinator), and the
time from request to the last byte of the answer is printed (p50/p95/max) against the 100 ms p95 target,
with the ratio of its p95 to that of the notification settings page measured in the same run (the server's floor).
"""

from __future__ import annotations

import argparse
from datetime import datetime, timezone
import os
import http.cookiejar
import re
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bench.case_throughput import fresh_postgres, percentile  # noqa: E402
from bench.scale_inbox import build_world, fill  # noqa: E402

TARGET_MS = 100.0
BASELINE = "notification settings (baseline)"  # a signed-in page that reads no case: the server's floor
PASSWORD = "bench pages password 2026"


def real_workflow_blob(container) -> str:
    """The saved workflow of one case opened through the services (then removed), to stand for every case."""
    from engine.services.accounts.actors import load_actor
    from engine.services.cases.lifecycle import open_case
    from engine.store.models import CaseRow

    opened = open_case(container.uow(), container.clock, "linear-six", load_actor(container.uow(), "bench-caseworker"))
    with container.uow() as uow:
        case = uow.session.get(CaseRow, opened.id)
        blob = case.workflow_json
        uow.session.delete(case)
        uow.commit()
    return blob


PERSON = {"person_alias": "A. M.", "sex": "female", "age": 27, "language": "french", "site": "Aéroport de Douala"}
NEEDS = {"health": "urgent", "shelter": "normal"}
SHARED = {**PERSON, "phone": "+237 600 00 00 00", "identification_note": "ok", "identification_level": "low"}


def add_summaries(container) -> None:
    """Every case's summary row (as its steps write it for a pathway declaring case_summary: and sharing:)."""
    from sqlalchemy import JSON, insert, literal

    from engine.store.models import CaseRow, CaseSummaryRow

    columns = ["case_id", "person", "needs", "shared", "updated_at"]
    with container.engine.begin() as connection:
        connection.execute(insert(CaseSummaryRow).from_select(columns, select(
            CaseRow.id, literal(PERSON, JSON), literal(NEEDS, JSON), literal(SHARED, JSON), CaseRow.updated_at)))


class Client:
    """A signed-in browser, as far as the server can tell: session cookie and CSRF token."""

    def __init__(self, base: str, username: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        login = self.get("/login")[1]
        token = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)
        form = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrf_token": token}).encode()
        self.opener.open(self.base + "/login", data=form).read()
        if "/login" in self.get("/")[2]:
            raise SystemExit(f"{username} could not sign in")

    def get(self, path: str) -> tuple[int, str, str]:
        with self.opener.open(self.base + path) as answer:
            return answer.status, answer.read().decode(), answer.geturl()


def plans_of(container, reference: str, focal_point_org: int, caseworker_org: int) -> None:
    """The plans of the queries behind the provider's referrals page and the case page, as the database runs them."""
    from engine.domain import Role
    from engine.services.cases.view import case_page_statement
    from engine.services.coordination.attention import DECLINED_LOOKBACK, declined_emergencies_statement
    from engine.services.referrals.view import referral_list_statement

    from bench.scale_inbox import plans

    class Reader:  # just what the statement builder reads of an actor
        def __init__(self, organisation_id, roles):
            self.organisation_id, self.roles = organisation_id, frozenset(roles)

        def has(self, role):
            return role in self.roles

    statements = [("provider's referrals", referral_list_statement(Reader(focal_point_org, [Role.PROVIDER_FOCAL_POINT]), 50, 0)),
                  ("caseworker's referrals", referral_list_statement(Reader(caseworker_org, [Role.CASEWORKER]), 50, 0))]
    statements += [(f"case page: {label}", statement) for label, statement in case_page_statement(reference)]
    statements.append(("attention: declined emergencies", declined_emergencies_statement(None, datetime.now(timezone.utc) - DECLINED_LOOKBACK)))
    for label, statement in statements:
        print(f"  plan, {label}: " + " | ".join(line.strip() for line in plans(container, statement)))


def measure(name: str, url: str, cases: int, runs: int, show_plans: bool) -> None:
    """Fill one database, serve the application on it, and print each page's server time."""
    import waitress

    from engine.services.accounts.actors import load_actor
    from engine.services.cases.lifecycle import open_case
    from engine.store.models import CaseRow, ReferralRow, User
    from engine.store.passwords import hash_password
    from webui import create_app

    container, ids, version_id = build_world(url)
    blob = real_workflow_blob(container)
    began = time.perf_counter()
    counts = fill(container, ids, version_id, cases, blob=blob)
    print(f"{name}: filled in {time.perf_counter() - began:.0f} s: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    add_summaries(container)
    # One case opened through the services, so that its task page has a real form to show.
    opened = open_case(container.uow(), container.clock, "linear-six", load_actor(container.uow(), "bench-caseworker"))
    with container.uow() as uow:
        hashed = hash_password(PASSWORD)
        for user in uow.session.scalars(select(User)):
            user.password_hash = hashed
        uow.commit()
        reference = uow.session.scalar(select(CaseRow.reference).where(
            CaseRow.status == "open", CaseRow.organisation_id == ids["bench-iom"], CaseRow.id != opened.id)
            .order_by(CaseRow.id.desc()))
        # A delivered referral (its open steps would need a real provider task in the workflow) that
        # shares fields of the case's data, so that the page reads them as a provider's page does.
        referral = uow.session.scalar(select(ReferralRow).where(
            ReferralRow.provider_organisation_id == ids["bench-provider-1"], ReferralRow.state == "delivered")
            .order_by(ReferralRow.id.desc()))
        referral.shared_fields = list(SHARED)
        referral_id = referral.id
        uow.commit()
    task_id = opened.open_task_ids[0]
    app = create_app({"SECRET_KEY": "bench-" * 8, "SESSION_COOKIE_SECURE": False, "PREFERRED_URL_SCHEME": "http"},
                     container=container)
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    base = f"http://127.0.0.1:{server.effective_port}"
    threading.Thread(target=server.run, daemon=True).start()
    pages = [
        ("bench-caseworker", BASELINE, "/notifications/settings"),
        ("bench-caseworker", "home", "/"),
        ("bench-caseworker", "task inbox", "/tasks/"),
        ("bench-caseworker", "task page", f"/tasks/{task_id}"),
        ("bench-caseworker", "case list (caseworker)", "/cases/"),
        ("bench-caseworker", "case list, open urgent at referral", "/cases/?status=open&stage=referral&priority=urgent"),
        ("bench-caseworker", "case list, overdue", "/cases/?overdue=1"),
        ("bench-caseworker", "case list, by reference", f"/cases/?reference={reference[:-2]}"),
        ("bench-caseworker", "case page", f"/cases/{reference}"),
        ("bench-caseworker", "case summary (printable)", f"/cases/{reference}/summary"),
        ("bench-caseworker", "notifications", "/notifications"),
        ("bench-supervisor", "case list (supervisor)", "/cases/"),
        ("bench-focal-point", "provider's referrals", "/referrals/"),
        ("bench-focal-point", "referral page", f"/referrals/{referral_id}"),
        ("bench-coordinator", "case list (coordinator)", "/cases/"),
        ("bench-coordinator", "attention", "/coordination/attention"),
        ("bench-coordinator", "escalations", "/coordination/escalations"),
    ]
    clients = {who: Client(base, who) for who in {who for who, _, _ in pages}}
    print(f"{'page':<40}{'runs':>6}{'p50':>10}{'p95':>10}{'max':>10}{'x base':>8}{'bytes':>9}  target p95 < {TARGET_MS:.0f} ms")
    baseline = None
    for who, label, path in pages:
        client = clients[who]
        for _ in range(3):
            client.get(path)
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            status, body, url = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        if status != 200 or urllib.parse.urlsplit(url).path != urllib.parse.urlsplit(path).path:
            raise SystemExit(f"{path} answered {status} at {url}")
        p95 = percentile(times, 95)
        baseline = baseline or p95
        verdict = "ok" if p95 < TARGET_MS else "OVER"
        print(f"{label:<40}{len(times):>6}{percentile(times, 50):>8.1f}ms{p95:>8.1f}ms"
              f"{max(times):>8.1f}ms{p95 / baseline:>7.1f}x{len(body.encode()):>9}  {verdict}")
    # The server's thread ends with the process (closing it under its running loop only adds noise).
    if show_plans:
        plans_of(container, reference, ids["bench-provider-1"], ids["bench-iom"])
    container.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--postgres", help="also measure on a fresh database of this PostgreSQL server")
    parser.add_argument("--plans", action="store_true", help="print the query plans of the heaviest pages")
    args = parser.parse_args(argv)
    print(f"machine load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} (1, 5, 15 min)")
    with tempfile.TemporaryDirectory(prefix="aiguillage-pages-") as folder:
        measure("SQLite", f"sqlite:///{Path(folder) / 'pages.sqlite'}", args.cases, args.runs, args.plans)
    if args.postgres:
        url, drop = fresh_postgres(args.postgres)
        try:
            measure("PostgreSQL", url, args.cases, args.runs, args.plans)
        finally:
            drop()
    print(f"machine load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} (1, 5, 15 min)")


if __name__ == "__main__":
    main()
