"""Pages and a step taken while other people's work is committed (SQLite's one writer at a time).

Every request reads before it writes: signing its user in reads the session, and a page of a case
or a task form reads before its audit entry or its step. On SQLite such a transaction fails to
write once another connection has committed after its first read; these requests run beside
another connection's steady writes and must all succeed.
"""

from __future__ import annotations

import time
from datetime import timedelta

from engine.services.accounts.actors import load_actor
from tests.integration.services.conftest import IDENTIFICATION
from tests.integration.store.steady_writes import steady_writes
from tests.integration.webui.test_tasks_and_cases import _as_form, _signed_in, demo  # noqa: F401 (fixture)
from web_forms import csrf_of

ROUNDS = 15


def test_pages_and_a_step_beside_steady_writes_all_succeed(demo, container, database_url, tmp_path):  # noqa: F811
    app, case, password = demo
    client = _signed_in(app, "demo-caseworker", password)
    task_id = case.open_task_ids[0]
    supervisor = load_actor(container.uow(), "demo-supervisor")
    statuses = []
    with steady_writes(database_url, tmp_path / "other", container.clock, supervisor.id) as writes:
        for _ in range(ROUNDS):
            container.clock.advance(timedelta(minutes=2))  # each request also notes its session as seen
            for path in ("/", f"/cases/{case.reference}", f"/tasks/{task_id}"):
                statuses.append((path, client.get(path).status_code))
                time.sleep(0.01)  # room for the other connection's writes between the requests
        done = client.post(f"/tasks/{task_id}", data={**_as_form(IDENTIFICATION), "csrf_token": csrf_of(client, "/")})

    assert writes.failures == [] and writes.count >= ROUNDS
    assert [entry for entry in statuses if entry[1] != 200] == []
    assert done.status_code == 302, done.get_data(as_text=True)[:500]
