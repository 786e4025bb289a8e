"""The person's own record, for a subject access request: everything the mechanism holds about them in
one case, in their language, with whom it was shared and who read it.

A supervisor of the case's organisation exports it (as JSON or, through the web layer, as a PDF);
every export is audited with its language and format.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from engine.access import Actor, can_export_person_record
from engine.clock import Clock
from engine.errors import AccessDenied
from engine.runtime.case_data import case_data
from engine.services.accounts.known_people import Who, organisations_named_by_case, people_known_to
from engine.services.cases.step import begin_step
from engine.services.cases.view import show_case
from engine.services.pathways.labels import pathway_texts
from engine.services.cases.retention import version_retention
from engine.store.models import AuditEntry, CaseRow, ReferralRow
from engine.store.unit_of_work import UnitOfWork
from engine.store.write_lock import lock_for_writing

ACCESS_LINES = 1000  # the most recent reads and writes listed


@dataclass(frozen=True)
class RecordField:
    """One answer the case holds about the person, labelled in the record's language."""

    id: str
    label: str
    value: Any
    value_label: str | None  # an option's label, for answers chosen from a list


@dataclass(frozen=True)
class PersonRecord:
    """What a subject access request is answered with (plain values: it is dumped as JSON as is)."""

    reference: str
    language: str
    exported_at: datetime
    exported_by: str
    pathway: str
    status: str
    created_at: datetime
    closed_at: datetime | None
    close_reason: str | None
    anonymised_at: datetime | None
    fields: list[RecordField]
    consents: list[dict[str, Any]]
    referrals: list[dict[str, Any]]
    history: list[dict[str, Any]]
    accesses: list[dict[str, Any]]


def export_person_record(uow: UnitOfWork, clock: Clock, case: int | str, actor: Actor, language: str,
                         file_format: str = "json") -> PersonRecord:
    """The person's record of one case (NotFound unless visible, AccessDenied unless the case's supervisor); audited."""
    view = show_case(uow, clock, case, actor)
    if not can_export_person_record(actor, view):
        raise AccessDenied(f"{actor.username} may not export case {view.reference} (a supervisor of its organisation does)")
    labels = pathway_texts(uow, view.pathway_version_id, language).labels
    now = clock.now()
    with uow:
        lock_for_writing(uow)
        session = uow.session
        data = case_data(begin_step(uow, clock, view.id, actor, "read").workflow)
        anonymised_at = session.scalar(select(CaseRow.anonymised_at).where(CaseRow.id == view.id))
        form_fields = version_retention(session, view.pathway_version_id).form_fields
        shared = dict(session.execute(select(ReferralRow.id, ReferralRow.shared_fields).where(ReferralRow.case_id == view.id)).all())
        accesses = session.execute(
            select(AuditEntry.at, AuditEntry.action, AuditEntry.user_id)
            .where(AuditEntry.case_id == view.id).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(ACCESS_LINES)
        ).all()
        # Who read or changed it, as the case page names people to this supervisor: a provider's focal point as
        # "someone at" the provider (the recipients a subject access request asks for), never by name.
        readers = people_known_to(session, actor, (user_id for _, _, user_id in accesses),
                                  organisations_named_by_case(session, view))
        session.add(AuditEntry(at=now, user_id=actor.id, action="case.record_exported", object_type="case",
                               object_id=view.reference, case_id=view.id,
                               details={"language": language, "format": file_format}))
        uow.commit()
    fields = [
        RecordField(name, labels.field(name), value, _value_label(labels, name, value))
        for name, value in data.items() if name in form_fields and value not in (None, "", [])
    ]
    return PersonRecord(
        reference=view.reference,
        language=language,
        exported_at=now,
        exported_by=actor.username,
        pathway=labels.title,
        status=view.status,
        created_at=view.created_at,
        closed_at=view.closed_at,
        close_reason=view.close_reason,
        anonymised_at=anonymised_at,
        fields=fields,
        consents=[vars(consent) for consent in view.consents],
        referrals=[{**vars(referral), "shared_fields": [labels.field(name) or name for name in shared.get(referral.id) or []]}
                   for referral in view.referrals],
        # Who acted, as the case page names them to this supervisor: a provider's people by their organisation.
        history=[{"at": event.at, "actor": event.actor, "actor_organisation": event.actor_organisation,
                  "actor_withheld": event.actor_withheld, "action": event.action,
                  "task": labels.element(event.task_bpmn_id, default=event.task_bpmn_id) if event.task_bpmn_id else None}
                 for event in view.history],
        accesses=[_access(at, action, readers.get(user_id) if user_id is not None else None)
                  for at, action, user_id in accesses],
    )



def _access(at: datetime, action: str, who: Who | None) -> dict[str, Any]:
    """One line of who read or changed the record: `user` None for the system, or with `withheld` for someone
    the reader may not know by name (then `organisation` where the reader may know it)."""
    if who is None:
        return {"at": at, "action": action, "user": None, "organisation": None, "withheld": False}
    return {"at": at, "action": action, "user": who.username, "organisation": who.organisation,
            "withheld": who.username is None}


def record_as_json(record: PersonRecord) -> dict[str, Any]:
    """The record as plain JSON values (times as ISO 8601 text)."""
    return _plain(asdict(record))


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(inner) for key, inner in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(inner) for inner in value]
    return value


def _value_label(labels, name: str, value: Any) -> str | None:
    """An answer chosen from a list by its label (several options each by theirs); None for other answers."""
    if isinstance(value, str):
        return labels.value(name, value)
    if isinstance(value, list):
        return ", ".join(labels.value(name, str(item)) for item in value)
    return None
