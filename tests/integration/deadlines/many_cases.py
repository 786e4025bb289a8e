"""Many cases fast, for sweep tests and the sweep benchmark: copies of one walked case, and idle cases.

Walking a thousand cases through the services takes minutes; a copy of a case that was walked
once is the same case for the sweep (same workflow, tasks, referral and deadlines), with fresh
task ids (every UUID in the workflow is renamed consistently) and its own reference.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta

from sqlalchemy import insert, select

from engine.domain import CaseStatus, DeadlineKind, Priority, TaskState
from engine.services.cases.lifecycle import open_case
from engine.store.models import CaseRow, DeadlineRow, ReferralRow, TaskCandidate, TaskRow
from tests.integration.services.conftest import CONSENT, IDENTIFICATION, NO_NEEDS

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_CHUNK = 500


def walk_one_referral(container, walker, urgency: str = "urgent") -> int:
    """Open a case and send one health referral of this urgency; the case id."""
    case = open_case(container.uow(), container.clock, "cameroon-nrm", walker.actor("demo-caseworker"))
    walker.complete("demo-caseworker", "Task_Identification", IDENTIFICATION, case_id=case.id)
    walker.complete("demo-caseworker", "Task_NeedsAssessment",
                    {**NO_NEEDS, "assessment_date": "2026-03-02", "need_health": True, "health_urgency": urgency},
                    case_id=case.id)
    walker.complete("demo-caseworker", "Task_Consent", CONSENT, case_id=case.id)
    walker.complete("demo-caseworker", "Task_SendReferral", {"provider_id": "demo-hopital-douala"}, sector="health",
                    case_id=case.id)
    return case.id


def copy_case(container, case_id: int, copies: int, first_number: int = 500_000) -> list[int]:
    """Insert `copies` copies of a case with its referrals, open tasks and deadlines; their ids."""
    with container.uow() as uow:
        session = uow.session
        case = _columns(session.get(CaseRow, case_id))
        referrals = [_columns(r) for r in session.scalars(select(ReferralRow).where(ReferralRow.case_id == case_id))]
        tasks = [_columns(t) for t in session.scalars(select(TaskRow).where(TaskRow.case_id == case_id, TaskRow.state == TaskState.OPEN))]
        candidates = [_columns(c) for c in session.scalars(select(TaskCandidate).where(TaskCandidate.task_id.in_([t["id"] for t in tasks])))]
        deadlines = [_columns(d) for d in session.scalars(select(DeadlineRow).where(DeadlineRow.case_id == case_id))]
    new_ids: list[int] = []
    for start in range(0, copies, _CHUNK):
        count = min(_CHUNK, copies - start)
        renames = [_renaming(case["workflow_json"]) for _ in range(count)]
        with container.uow() as uow:
            session = uow.session
            case_ids = _insert(session, CaseRow, [
                {**case, "reference": f"MNR-2026-{first_number + start + i:06d}", "lock_version": 1,
                 "workflow_json": _UUID.sub(lambda m, r=renames[i]: r.get(m.group(0), m.group(0)), case["workflow_json"])}
                for i in range(count)
            ])
            referral_ids = {}
            for referral in referrals:
                ids = _insert(session, ReferralRow, [{**referral, "case_id": cid} for cid in case_ids])
                referral_ids[referral["id"]] = ids
            task_rows = [
                {**task, "id": renames[i].get(task["id"], task["id"]), "case_id": cid,
                 "referral_id": referral_ids[task["referral_id"]][i] if task["referral_id"] else None}
                for i, cid in enumerate(case_ids) for task in tasks
            ]
            candidate_rows = [
                {**candidate, "task_id": renames[i].get(candidate["task_id"], candidate["task_id"])}
                for i in range(count) for candidate in candidates
            ]
            deadline_rows = [
                {**{k: v for k, v in deadline.items() if k != "id"}, "case_id": cid,
                 "ref": _new_ref(deadline, renames[i], referral_ids, i)}
                for i, cid in enumerate(case_ids) for deadline in deadlines
            ]
            for model, rows in ((TaskRow, task_rows), (TaskCandidate, candidate_rows), (DeadlineRow, deadline_rows)):
                if rows:
                    session.execute(insert(model.__table__), rows)
            uow.commit()
        new_ids.extend(case_ids)
    return new_ids


def add_idle_cases(container, template_case_id: int, count: int, now: datetime, first_number: int = 1_000_000,
                   workflow_json: str = "{}") -> None:
    """Insert open cases whose two deadlines (a timer, an acknowledgement) fall in the 30 days after `now`.

    Their workflow is a placeholder: a sweep with nothing due never loads a case, and 200,000
    full workflows would only measure the disk.
    """
    with container.uow() as uow:
        case = _columns(uow.session.get(CaseRow, template_case_id))
    for start in range(0, count, 5000):
        chunk = min(5000, count - start)
        with container.uow() as uow:
            session = uow.session
            case_ids = _insert(session, CaseRow, [
                {**case, "reference": f"MNR-2026-{first_number + start + i:07d}", "lock_version": 1,
                 "workflow_json": workflow_json, "status": CaseStatus.OPEN, "priority": Priority.NORMAL}
                for i in range(chunk)
            ])
            rows = []
            for i, cid in enumerate(case_ids):
                due = now + timedelta(minutes=10 + ((start + i) * 7919) % (30 * 24 * 60))
                rows.append({"case_id": cid, "kind": DeadlineKind.BPMN_TIMER, "ref": str(uuid.uuid4()), "due_at": due,
                             "level": 0, "attempts": 0, "created_at": now})
                rows.append({"case_id": cid, "kind": DeadlineKind.REFERRAL_ACK, "ref": str(cid), "due_at": due,
                             "level": 0, "attempts": 0, "created_at": now})
            session.execute(insert(DeadlineRow.__table__), rows)
            uow.commit()


def _columns(row) -> dict:
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


def _insert(session, model, rows: list[dict]) -> list[int]:
    table = model.__table__
    rows = [{key: value for key, value in row.items() if key != "id"} for row in rows]
    return list(session.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows))


def _renaming(workflow_json: str) -> dict[str, str]:
    return {old: str(uuid.uuid4()) for old in set(_UUID.findall(workflow_json))}


def _new_ref(deadline: dict, renames: dict[str, str], referral_ids: dict[int, list[int]], index: int) -> str:
    if deadline["kind"] in (DeadlineKind.REFERRAL_ACK, DeadlineKind.REFERRAL_SERVICE):
        return str(referral_ids[int(deadline["ref"])][index])
    return renames.get(deadline["ref"], deadline["ref"])
