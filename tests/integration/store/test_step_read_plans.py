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
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import BindParameter

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


def _prepared_statements():
    """Every statement compiled once for the step's path, by module and name."""
    import importlib

    for module_name in ("engine.store.case_records", "engine.store.repositories", "engine.services.cases.summary",
                        "engine.services.escalations.deadlines", "engine.services.escalations.chain",
                        "notifications.sending"):
        module = importlib.import_module(module_name)
        for name, value in vars(module).items():
            if isinstance(value, Prepared):
                yield f"{module_name}.{name}", value
            elif isinstance(value, dict):
                yield from ((f"{module_name}.{name}[{key}]", item) for key, item in value.items() if isinstance(item, Prepared))


def _partial_index_constants() -> set[tuple[str, str]]:
    """(table, column) pairs that a partial index's condition compares with a constant (`state = 'open'`)."""
    from engine.store.models import Base

    found = set()
    for table in Base.metadata.tables.values():
        for index in table.indexes:
            condition = index.dialect_options["sqlite"]["where"]
            for column in re.findall(r"\b(\w+) = '", str(condition) if condition is not None else ""):
                found.add((table.name, column))
    return found


def test_a_steps_statements_on_sqlite_bind_no_value_a_partial_index_compares_with_a_constant():
    # SQLite plans such a statement again at every execution (the bound value could decide whether
    # the index applies): the step's read of its task and open siblings took 30 µs instead of 5.
    from sqlalchemy.dialects import sqlite

    watched = _partial_index_constants()
    assert ("tasks", "state") in watched  # what the check is about is still there
    dialect = sqlite.dialect(paramstyle="qmark")
    checked = 0
    for name, statement in _prepared_statements():
        dml = statement.statement
        if dml.is_insert:  # no WHERE to look at
            continue
        values = {element.key for element in visitors.iterate(dml)
                  if isinstance(element, BindParameter) and element.value is None and element.callable is None}
        if dml.is_update:  # its SET clause from the values given: any will do
            values |= {column.key for column in dml.table.c}
        sql = statement._for(dialect, values).sql
        checked += 1
        for table, column in watched:
            assert not re.search(rf"\b{table}\.{column} (=|!=|IN) \(?\?", sql), (name, sql)
    assert checked > 10


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_constant_written_into_the_sqlite_text_still_selects_as_the_bound_value_did(uow, make_case):
    from engine.domain import TaskState

    case_id = make_case()
    open_by_case = Prepared(select(TaskRow.id).where(TaskRow.case_id == bindparam("case_id"), TaskRow.state == TaskState.OPEN))
    with uow() as u:
        connection = u.session.connection()
        connection.exec_driver_sql(
            "INSERT INTO tasks (id, case_id, bpmn_id, name, organisation_id, candidate_groups, priority, state, created_at) "
            "SELECT 'task-' || state, id, 'Task_1', 'Step', organisation_id, '', priority, state, created_at "
            "FROM cases, (SELECT 'open' AS state UNION ALL SELECT 'completed') WHERE id = ?", (case_id,))
        compiled = open_by_case._for(connection.dialect, {"case_id"})
        assert "'open'" in compiled.sql and [name for name, _, _ in compiled.binds] == ["case_id"]
        assert open_by_case.rows(connection, {"case_id": case_id}) == [("task-open",)]
        # A text constant holding a quote is written escaped, and compared as the text it is.
        quoted = Prepared(select(TaskRow.id).where(TaskRow.case_id == bindparam("case_id"), TaskRow.name == "l'accueil"))
        assert quoted.rows(connection, {"case_id": case_id}) == []
