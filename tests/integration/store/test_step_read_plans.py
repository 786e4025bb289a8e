"""The reads every step makes find their rows through the case or the task, however many cases are open.

PostgreSQL runs a prepared statement with a generic plan once it has run a few times (psycopg
prepares the step's statements), and a generic plan cannot see which case a task belongs to.
Written as "this task, or an open task of its case", the step's read of a task and its siblings got
a generic plan that scanned every open task of the installation, and the dead index entries each
completed task leaves until vacuum: a step grew slower with every case in the database.
"""

from __future__ import annotations

import json
import re

import pytest
from psycopg import sql as pg_sql
from sqlalchemy import bindparam, select

from engine.store import case_records
from engine.store.models import TaskRow
from engine.store.models.cases import OPEN_TASK
from engine.store.prepared import Prepared
from notifications.expansion import _NEW_EVENTS


def _scans(plan: dict):
    """Every node of an EXPLAIN (FORMAT JSON) plan."""
    yield plan
    for child in plan.get("Plans", []):
        yield from _scans(child)


def _generic_plan(connection, statement, values: dict) -> list[dict]:
    compiled = statement._for(connection.dialect, values)
    parameters = compiled.parameters(values)
    names = list(dict.fromkeys(re.findall(r"%\((\w+)\)s", compiled.sql)))
    sql = re.sub(r"%\((\w+)\)s", lambda found: f"${names.index(found.group(1)) + 1}", compiled.sql)
    driver = connection.connection.driver_connection
    with driver.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute(f"PREPARE step_read AS {sql}")
        # A utility statement takes no parameters: the values go in as literals.
        arguments = pg_sql.SQL(", ").join(pg_sql.Literal(parameters[name]) for name in names)
        cursor.execute(pg_sql.SQL("EXPLAIN (FORMAT JSON) EXECUTE step_read({})").format(arguments))
        plan = cursor.fetchone()[0]
        cursor.execute("DEALLOCATE step_read")
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return list(_scans(plan[0]["Plan"]))


def _a_young_installation(uow, make_case) -> None:
    """2,000 cases of five tasks each, all completed, not yet analysed: a young installation, when the
    generic plan a pooled connection keeps for its whole life may well be made."""
    template = make_case()
    with uow() as u:
        connection = u.session.connection()
        connection.exec_driver_sql(
            "INSERT INTO cases (reference, pathway_version_id, status, priority, organisation_id, created_at, updated_at, "
            "workflow_json, serializer_version, lock_version, needs_attention) "
            "SELECT 'MNR-2020-' || n, pathway_version_id, status, priority, organisation_id, created_at, updated_at, "
            "workflow_json, serializer_version, 1, false FROM cases, generate_series(1, 2000) AS n WHERE id = %(id)s",
            {"id": template})
        connection.exec_driver_sql(
            "INSERT INTO tasks (id, case_id, bpmn_id, name, organisation_id, candidate_groups, priority, state, created_at) "
            "SELECT cases.id || '-' || step, cases.id, 'Task_' || step, 'Step ' || step, organisation_id, '', priority, "
            "'completed', created_at "
            "FROM cases, generate_series(1, 5) AS step")
        u.commit()


@pytest.mark.parametrize("database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
@pytest.mark.parametrize("statement", ["_TASK_AND_OPEN_SIBLINGS", "_CASE_OF_TASK_FOR_STEP", "_OPEN_TASKS"])
def test_a_steps_reads_look_tasks_up_by_id_or_case_under_a_generic_plan(uow, make_case, statement):
    _a_young_installation(uow, make_case)
    values = {"case_id": 1} if statement == "_OPEN_TASKS" else {"task_id": "a-task"}
    with uow() as u:
        nodes = _generic_plan(u.session.connection(), getattr(case_records, statement), values)
    assert not [node for node in nodes if node["Node Type"] == "Seq Scan" and node.get("Relation Name") == "tasks"], nodes
    task_index_scans = [node for node in nodes if node.get("Index Name", "").startswith(("pk_tasks", "ix_tasks"))]
    assert task_index_scans, nodes
    for node in task_index_scans:
        # By the task's id (its primary key) or by its case: never every open task there is.
        assert "(id)::text =" in node["Index Cond"] or "case_id =" in node["Index Cond"], node


@pytest.mark.parametrize("database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_the_live_diagram_finds_a_steps_open_tasks_by_the_partial_index_under_a_generic_plan(uow, make_case):
    # The index holds open tasks only; a generic plan can use it only if the query names the state
    # as the index does, in its text: `tasks.state = $1` proves nothing about the value to come.
    _a_young_installation(uow, make_case)
    at_step = Prepared(select(TaskRow.id).where(OPEN_TASK, TaskRow.bpmn_id == bindparam("bpmn_id")))
    with uow() as u:
        nodes = _generic_plan(u.session.connection(), at_step, {"bpmn_id": "Task_1"})
    assert [node for node in nodes if node.get("Index Name") == "ix_tasks_open_bpmn"], nodes
    assert not [node for node in nodes if node["Node Type"] == "Seq Scan"], nodes


@pytest.mark.parametrize("database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_the_dispatcher_reads_its_queue_from_the_undispatched_events_index(uow, make_case):
    _a_young_installation(uow, make_case)
    with uow() as u:
        connection = u.session.connection()
        connection.exec_driver_sql(
            "INSERT INTO outbox (event_type, case_id, payload, created_at, dispatched_at) "
            "SELECT 'task_assigned', id, '{}', created_at, created_at FROM cases")
        nodes = _generic_plan(connection, Prepared(_NEW_EVENTS.limit(bindparam("limit"))), {"limit": 100})
    assert [node for node in nodes if node.get("Index Name") == "ix_outbox_undispatched"], nodes
