"""Retention: a closed case keeps the person's data only as long as its pathway says, then is anonymised.

The pathway declares the period and what stays for statistics (`engine.pathways.retention`). The
retention job (the scheduler, or `aiguillage retention run`) takes the closed cases whose period has
passed and that no coordinator put under a legal hold, and in each removes every other form field
from the workflow's data, the free texts kept beside it (consent witness, justifications, notes),
and marks the case `anonymised_at`. The case row, its referrals' states and times, its history and
the audit log stay: the indicators count the same before and after. A dry run lists what would go.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from engine.access import Actor, can_hold_case
from engine.clock import Clock
from engine.domain import CaseStatus
from engine.errors import AccessDenied, Conflict, InvalidData, NotFound
from engine.field_problems import required, too_long
from engine.pathways.documents import Document, read_diagram
from engine.pathways.folder import BPMN_SUFFIXES, METADATA_FILE
from engine.pathways.retention import RetentionRule, retention_rule_of
from engine.pathways.rules.sharing import form_field_ids
from engine.pathways.untrusted_yaml import YamlProblem, load_untrusted_yaml
from engine.pathways.xml import XmlProblem, parse_untrusted
from engine.services.cases.summary import forget_personal_summary
from engine.store.models import (
    AuditEntry, CaseEvent, CaseRow, ConsentRow, EscalationRow, PathwayFileRow, PathwayVersionRow, ReferralRow,
)
from engine.store.unit_of_work import UnitOfWork
from engine.store.write_lock import lock_for_writing
from engine.untrusted_values import refuse_control_characters

HOLD_REASON_MAX = 1000
RETENTION_BATCH = 100


@dataclass(frozen=True)
class VersionRetention:
    """A pathway version's retention rule and the form fields it removes."""

    rule: RetentionRule
    form_fields: frozenset[str]  # every field of the version's forms
    personal_fields: frozenset[str]  # those the retention rule does not keep


_cache: dict[str, VersionRetention] = {}
_lock = threading.Lock()


def version_retention(session, version_id: int) -> VersionRetention:
    """The retention of a published version (read once per process: versions never change)."""
    content_hash = session.scalar(select(PathwayVersionRow.content_hash).where(PathwayVersionRow.id == version_id))
    if content_hash in _cache:
        return _cache[content_hash]
    files = dict(session.execute(select(PathwayFileRow.path, PathwayFileRow.content)
                                 .where(PathwayFileRow.version_id == version_id)).all())
    metadata = load_untrusted_yaml(files[METADATA_FILE]) if METADATA_FILE in files else {}
    rule = retention_rule_of(metadata) if isinstance(metadata, dict) and not isinstance(metadata, YamlProblem) else RetentionRule()
    documents = []
    for name in files:
        if name.lower().endswith(BPMN_SUFFIXES):
            # Read as the case runs it: a Camunda Form's fields are the case's fields too, and must be anonymised.
            root = read_diagram(files, name)
            if not isinstance(root, XmlProblem):
                documents.append(Document(name, root, "bpmn"))
    form_fields = frozenset(form_field_ids(documents))
    found = VersionRetention(rule, form_fields, form_fields - rule.keep_for_statistics)
    with _lock:
        _cache[content_hash] = found
    return found


@dataclass(frozen=True)
class DueCase:
    """A closed case whose personal data is due to go."""

    id: int
    reference: str
    closed_at: datetime
    pathway_version_id: int


def cases_due(uow: UnitOfWork, clock: Clock, limit: int = RETENTION_BATCH) -> list[DueCase]:
    """The closed, unheld, not yet anonymised cases whose pathway's retention period has passed (the dry run)."""
    now = clock.now()
    with uow:
        waiting = CaseRow.__table__.c
        open_to = (waiting.status == CaseStatus.CLOSED, waiting.anonymised_at.is_(None), waiting.closed_at.is_not(None))
        versions = uow.session.scalars(select(waiting.pathway_version_id).where(*open_to).distinct()).all()
        due: list[DueCase] = []
        for version_id in sorted(versions):
            period = version_retention(uow.session, version_id).rule.anonymise_after_closure
            if period is None or len(due) >= limit:
                continue
            rows = uow.session.execute(
                select(waiting.id, waiting.reference, waiting.closed_at, waiting.pathway_version_id)
                .where(*open_to, waiting.pathway_version_id == version_id, waiting.closed_at <= now - period,
                       waiting.legal_hold_reason.is_(None))
                .order_by(waiting.closed_at).limit(limit - len(due))
            ).all()
            due += [DueCase(row.id, row.reference, row.closed_at, row.pathway_version_id) for row in rows]
        return due


def anonymise_due_cases(uow: UnitOfWork, clock: Clock, limit: int = RETENTION_BATCH) -> list[str]:
    """Anonymise the cases `cases_due` lists; the references anonymised."""
    done = []
    for case in cases_due(uow, clock, limit):
        with uow:
            lock_for_writing(uow)
            row = uow.session.get(CaseRow, case.id, with_for_update=True)
            # Checked again under the lock: a hold or a reopening may have come meanwhile.
            if row is None or row.anonymised_at is not None or row.legal_hold_reason or row.status != CaseStatus.CLOSED:
                continue
            _anonymise(uow, row, version_retention(uow.session, row.pathway_version_id), clock.now())
            uow.commit()
            done.append(case.reference)
    return done


def _anonymise(uow: UnitOfWork, case: CaseRow, retention: VersionRetention, now: datetime) -> None:
    workflow = json.loads(case.workflow_json)
    removed = _strip(workflow, retention.personal_fields)
    case.workflow_json = json.dumps(workflow)
    case.alias_key = None  # the alias goes with the rest of the person's data
    case.anonymised_at = now
    session = uow.session
    forget_personal_summary(session, case.id, case.pathway_version_id, retention.personal_fields)
    session.execute(update(ConsentRow).where(ConsentRow.case_id == case.id)
                    .values(witness_name=None, withdrawal_reason=None, override_justification=None))
    for referral in session.scalars(select(ReferralRow).where(ReferralRow.case_id == case.id)):
        referral.outcome_note = None
        # What the send and decision forms said travels with the referral: their personal fields go too.
        referral.request = _without(referral.request, retention.personal_fields)
        referral.answer = _without(referral.answer, retention.personal_fields)
    session.execute(update(EscalationRow).where(EscalationRow.case_id == case.id).values(resolution_note=None))
    details = {"values_removed": removed, "fields": sorted(retention.personal_fields)}
    session.add(CaseEvent(case_id=case.id, at=now, actor_id=None, action="case_anonymised", details=details))
    session.add(AuditEntry(at=now, user_id=None, action="case.anonymised", object_type="case", object_id=case.reference,
                           case_id=case.id, details={"values_removed": removed}))


def _without(values: dict | None, fields) -> dict | None:
    return None if values is None else {name: value for name, value in values.items() if name not in fields}


# Where a serialized workflow keeps task data: the workflow's and each task's `data`, and each task's
# `delta.updates` (SpiffWorkflow 3 stores a task's data as its changes from its parent's).
DATA_KEYS = ("data", "updates")


def _strip(node, personal: frozenset[str]) -> int:
    """Remove the personal keys from every data mapping of a serialized workflow; how many values went."""
    removed = 0
    if isinstance(node, dict):
        for key, value in node.items():
            if key in DATA_KEYS and isinstance(value, dict):
                for name in personal & value.keys():
                    del value[name]
                    removed += 1
            removed += _strip(value, personal)
    elif isinstance(node, list):
        for item in node:
            removed += _strip(item, personal)
    return removed


def place_legal_hold(uow: UnitOfWork, clock: Clock, case_id: int, actor: Actor, reason: str) -> None:
    """Keep a case from anonymisation, for a stated reason (a coordinator only); audited."""
    reason = (reason or "").strip()
    if not can_hold_case(actor):
        raise AccessDenied(f"{actor.username} may not place a legal hold (coordinators do)")
    if not reason:
        raise InvalidData("say why the case is held", {"reason": [required()]})
    if len(reason) > HOLD_REASON_MAX:
        raise InvalidData(f"the reason is longer than {HOLD_REASON_MAX} characters", {"reason": [too_long(HOLD_REASON_MAX)]})
    refuse_control_characters(reason=reason)
    _set_hold(uow, clock, case_id, actor, reason)


def lift_legal_hold(uow: UnitOfWork, clock: Clock, case_id: int, actor: Actor) -> None:
    """End a case's legal hold (a coordinator only); the retention rule applies again; audited."""
    if not can_hold_case(actor):
        raise AccessDenied(f"{actor.username} may not lift a legal hold (coordinators do)")
    _set_hold(uow, clock, case_id, actor, None)


def _set_hold(uow: UnitOfWork, clock: Clock, case_id: int, actor: Actor, reason: str | None) -> None:
    now = clock.now()
    with uow:
        lock_for_writing(uow)
        case = uow.session.get(CaseRow, case_id, with_for_update=True)
        if case is None:
            raise NotFound(f"case {case_id} does not exist")
        if case.anonymised_at is not None and reason is not None:
            raise Conflict(f"case {case.reference} was anonymised on {case.anonymised_at:%Y-%m-%d}: nothing is left to hold")
        case.legal_hold_reason, case.legal_hold_by_id = reason, actor.id if reason else None
        case.legal_hold_at = now if reason else None
        action = "legal_hold_placed" if reason else "legal_hold_lifted"
        # The reason may name proceedings: kept on the case only, never in history or the audit details.
        uow.session.add(CaseEvent(case_id=case.id, at=now, actor_id=actor.id, action=action, details={}))
        uow.session.add(AuditEntry(at=now, user_id=actor.id, action=f"case.{action}", object_type="case",
                                   object_id=case.reference, case_id=case.id, details={}))
        uow.commit()
