"""Server time of each main page over HTTP, with 100,000 cases in the database.

    .venv/bin/python bench/pages.py [--cases 100000] [--runs 100]

The database is filled as in `bench/scale_inbox.py` (90% closed cases, open ones with their tasks,
candidates and referrals), except that every case holds the saved workflow of one real case opened
through the services, so that pages which read the case's data (the case page's summary header) do
the real work. The application is served by waitress on a local port; each page is fetched `--runs`
times by a signed-in client (the caseworker, the provider's focal point or the coordinator), and the
time from request to the last byte of the answer is printed (p50/p95/max) against the 100 ms p95 target.
"""

from __future__ import annotations

import argparse
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

from bench.case_throughput import percentile  # noqa: E402
from bench.scale_inbox import build_world, fill  # noqa: E402

TARGET_MS = 100.0
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args(argv)
    import waitress

    from engine.store.models import CaseRow, User
    from engine.store.passwords import hash_password
    from webui import create_app

    with tempfile.TemporaryDirectory(prefix="aiguillage-pages-") as folder:
        container, ids, version_id = build_world(f"sqlite:///{Path(folder) / 'pages.sqlite'}")
        blob = real_workflow_blob(container)
        began = time.perf_counter()
        counts = fill(container, ids, version_id, args.cases, blob=blob)
        print(f"filled in {time.perf_counter() - began:.0f} s: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
        with container.uow() as uow:
            hashed = hash_password(PASSWORD)
            for user in uow.session.scalars(select(User)):
                user.password_hash = hashed
            uow.commit()
            reference = uow.session.scalar(select(CaseRow.reference).where(
                CaseRow.status == "open", CaseRow.organisation_id == ids["bench-iom"]).order_by(CaseRow.id.desc()))
        app = create_app({"SECRET_KEY": "bench-" * 8, "SESSION_COOKIE_SECURE": False, "PREFERRED_URL_SCHEME": "http"},
                         container=container)
        server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
        base = f"http://127.0.0.1:{server.effective_port}"
        threading.Thread(target=server.run, daemon=True).start()
        pages = [
            ("bench-caseworker", "home", "/"),
            ("bench-caseworker", "task inbox", "/tasks/"),
            ("bench-caseworker", "case list", "/cases/"),
            ("bench-caseworker", "case list, open urgent at referral", "/cases/?status=open&stage=referral&priority=urgent"),
            ("bench-caseworker", "case list, overdue", "/cases/?overdue=1"),
            ("bench-caseworker", "case list, by reference", f"/cases/?reference={reference[:-2]}"),
            ("bench-caseworker", "case page", f"/cases/{reference}"),
            ("bench-caseworker", "case summary (printable)", f"/cases/{reference}/summary"),
            ("bench-focal-point", "provider's referrals", "/referrals/"),
            ("bench-coordinator", "coordinator's case list", "/cases/"),
            ("bench-coordinator", "escalations", "/coordination/escalations"),
        ]
        clients = {who: Client(base, who) for who in {who for who, _, _ in pages}}
        print(f"{'page':<46}{'runs':>6}{'p50':>10}{'p95':>10}{'max':>10}{'bytes':>9}  target p95 < {TARGET_MS:.0f} ms")
        for who, label, path in pages:
            client = clients[who]
            for _ in range(3):
                client.get(path)
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                status, body, _url = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
            if status != 200:
                raise SystemExit(f"{path} answered {status}")
            verdict = "ok" if percentile(times, 95) < TARGET_MS else "OVER"
            print(f"{label:<46}{len(times):>6}{percentile(times, 50):>8.1f}ms{percentile(times, 95):>8.1f}ms"
                  f"{max(times):>8.1f}ms{len(body.encode()):>9}  {verdict}")
        server.close()
        container.dispose()


if __name__ == "__main__":
    main()
