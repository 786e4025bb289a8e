"""The API while other people's work is committed (SQLite's one writer at a time).

Each request reads its token before anything else, notes when the token was last used, and the
case's history read is audited: on SQLite all of these read before they write. They run beside
another connection's steady writes and must all succeed.
"""

from __future__ import annotations

import time
from datetime import timedelta

from engine.services.accounts.actors import load_actor
from tests.integration.services.conftest import IDENTIFICATION
from tests.integration.store.steady_writes import steady_writes

CASEWORKER = "demo-caseworker"
ROUNDS = 15


def test_reads_a_case_opened_and_a_step_through_the_api_beside_steady_writes_all_succeed(api, container, database_url, tmp_path):
    supervisor = load_actor(container.uow(), "demo-supervisor")
    statuses = []
    with steady_writes(database_url, tmp_path / "other", container.clock, supervisor.id) as writes:
        opened = api.post(CASEWORKER, "/cases", json={"pathway_id": "cameroon-nrm"})
        assert opened.status_code == 201, opened.json
        for _ in range(ROUNDS):
            container.clock.advance(timedelta(minutes=2))  # each request also notes its token as used
            for path in ("/tasks", f"/cases/{opened.json['id']}/history", f"/tasks/{opened.json['open_task_ids'][0]}"):
                statuses.append((path, api.get(CASEWORKER, path).status_code))
                time.sleep(0.01)  # room for the other connection's writes between the requests
        done = api.post(CASEWORKER, f"/tasks/{opened.json['open_task_ids'][0]}/complete", json={"data": IDENTIFICATION})

    assert writes.failures == [] and writes.count >= ROUNDS
    assert [entry for entry in statuses if entry[1] != 200] == []
    assert done.status_code == 200, done.json
