"""A known history written straight into the records the indicators read: cases, facts, referrals, consents, tasks, escalations."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from engine.domain import CaseStatus, CloseReason, DeadlineKind, EscalationStatus, Priority, ReferralState, Sector, TaskState
from engine.domain import ConsentGiver, ConsentMethod
from engine.store.models import (
    CaseFactRow,
    CaseRow,
    ConsentRow,
    EscalationRow,
    Organisation,
    PathwayVersionRow,
    ReferralRow,
    TaskRow,
    UnmetNeedRow,
)

# The known history starts here; the tests read January 2026.
START = datetime(2026, 1, 1, tzinfo=timezone.utc)


class History:
    """Writes cases and what happened to them, with times relative to `start`."""

    def __init__(self, uow, start: datetime):
        self.uow = uow
        self.start = start
        self.count = 0
        with uow() as u:
            self.orgs = {o.slug: o.id for o in u.session.scalars(select(Organisation))}
            self.version_id = u.session.scalars(select(PathwayVersionRow.id)).first()

    def case(self, org: str = "demo-iom-cameroon", region: str = "littoral", day: float = 1, facts: dict | None = None,
             closed_after_days: float | None = None, close_reason: CloseReason | None = None,
             priority: Priority = Priority.NORMAL) -> int:
        """Opens a case `day` days after the start, with its indicator facts; returns its id."""
        self.count += 1
        at = self.start + timedelta(days=day)
        with self.uow() as u:
            case = CaseRow(
                reference=f"MNR-TEST-{self.count:06d}", pathway_version_id=self.version_id, status=CaseStatus.OPEN,
                stage="identification", priority=priority, region=region, organisation_id=self.orgs[org],
                created_at=at, updated_at=at, workflow_json="{}", serializer_version="test",
            )
            if closed_after_days is not None:
                case.status = CaseStatus.CLOSED
                case.closed_at = at + timedelta(days=closed_after_days)
                case.close_reason = close_reason or CloseReason.NEEDS_MET
            u.session.add(case)
            u.session.flush()
            for name, value in (facts or {}).items():
                for one in value if isinstance(value, list) else [value]:  # a list: a dimension of several values
                    u.session.add(CaseFactRow(case_id=case.id, name=name, value=one, field_id=name, recorded_at=at))
            u.commit()
            return case.id

    def referral(self, case_id: int, provider: str, sector: Sector = Sector.HEALTH, day: float = 2,
                 state: ReferralState = ReferralState.SENT, ack_hours: float | None = None,
                 service_hours: float | None = None, decline_reason: str | None = None,
                 priority: Priority = Priority.NORMAL, ack_escalated: bool = False) -> int:
        sent = self.start + timedelta(days=day)
        with self.uow() as u:
            row = ReferralRow(
                case_id=case_id, need_key=sector.value, sector=sector, priority=priority,
                provider_organisation_id=self.orgs[provider], state=state, created_at=sent, updated_at=sent,
                sent_at=sent, decline_reason=decline_reason,
                acknowledged_at=sent + timedelta(hours=ack_hours) if ack_hours is not None else None,
                outcome_at=sent + timedelta(hours=service_hours) if service_hours is not None else None,
            )
            u.session.add(row)
            u.session.flush()
            if ack_escalated:
                u.session.add(EscalationRow(
                    case_id=case_id, referral_id=row.id, deadline_kind=DeadlineKind.REFERRAL_ACK,
                    deadline_ref=str(row.id), level=1, at=sent + timedelta(hours=1), reason="acknowledgement_overdue",
                ))
            u.commit()
            return row.id

    def consent(self, case_id: int, day: float, given: bool = True, override: bool = False, approved: bool = False,
                withdrawn_day: float | None = None) -> None:
        at = self.start + timedelta(days=day)
        with self.uow() as u:
            u.session.add(ConsentRow(
                case_id=case_id, given=given, given_by=ConsentGiver.PERSON, method=ConsentMethod.SIGNATURE,
                language="fr", recorded_at=at, is_override=override,
                override_approved_at=at if approved else None,
                withdrawn_at=self.start + timedelta(days=withdrawn_day) if withdrawn_day is not None else None,
            ))
            u.commit()

    def escalation(self, case_id: int, level: int, day: float, resolved_hours: float | None = None,
                   kind: DeadlineKind = DeadlineKind.TASK_DUE) -> None:
        at = self.start + timedelta(days=day)
        with self.uow() as u:
            u.session.add(EscalationRow(
                case_id=case_id, deadline_kind=kind, deadline_ref=f"task-{case_id}-{level}-{day}", level=level, at=at,
                reason="task_overdue",
                status=EscalationStatus.RESOLVED if resolved_hours is not None else EscalationStatus.OPEN,
                resolved_at=at + timedelta(hours=resolved_hours) if resolved_hours is not None else None,
            ))
            u.commit()

    def task(self, case_id: int, bpmn_id: str, stage: str, day: float, done_after_hours: float | None = None,
             due_after_hours: float | None = None, org: str = "demo-iom-cameroon", group: str = "caseworker") -> str:
        at = self.start + timedelta(days=day)
        self.count += 1
        task_id = f"task-{self.count:08d}"
        with self.uow() as u:
            u.session.add(TaskRow(
                id=task_id, case_id=case_id, bpmn_id=bpmn_id, name=bpmn_id, stage=stage,
                organisation_id=self.orgs[org], candidate_groups=group, created_at=at,
                state=TaskState.COMPLETED if done_after_hours is not None else TaskState.OPEN,
                completed_at=at + timedelta(hours=done_after_hours) if done_after_hours is not None else None,
                due_at=at + timedelta(hours=due_after_hours) if due_after_hours is not None else None,
            ))
            u.commit()
        return task_id

    def unmet_need(self, case_id: int, sector: Sector, region: str | None, reason: str, day: float) -> None:
        with self.uow() as u:
            u.session.add(UnmetNeedRow(case_id=case_id, sector=sector, region=region, reason=reason,
                                       recorded_at=self.start + timedelta(days=day)))
            u.commit()
