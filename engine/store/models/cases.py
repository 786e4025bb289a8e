"""Cases, their reference sequence, the materialised human tasks and the case history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, literal_column, text
from sqlalchemy.orm import Mapped, mapped_column

from engine.domain import CaseStatus, CloseReason, Priority, RiskLevel, TaskState
from engine.store.models.base import Base
from engine.store.types import CompressedText, enum_column

# Append-only tables grow without bound: 64-bit ids on PostgreSQL; SQLite's rowid is 64-bit already.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class CaseSequence(Base):
    """The last reference number given out in a year (MNR-2026-000123)."""

    __tablename__ = "case_sequences"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)


class CaseRow(Base):
    """One person's case, pinned to the pathway version it started on."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_organisation_status", "organisation_id", "status", "updated_at"),
        # A coordinator's case list: every organisation's cases of one status, latest change first.
        Index("ix_cases_status_updated", "status", "updated_at"),
        Index("ix_cases_needs_attention", "needs_attention", "attention_at"),
        # Indicators count cases opened or closed in a period.
        Index("ix_cases_created_at", "created_at"),
        Index("ix_cases_closed_at", "closed_at", sqlite_where=text("closed_at IS NOT NULL"),
              postgresql_where=text("closed_at IS NOT NULL")),
        # Case staff find a person by the start of their alias (see `engine.services.cases.alias`).
        Index("ix_cases_alias_key", "alias_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    pathway_version_id: Mapped[int] = mapped_column(ForeignKey("pathway_versions.id"), index=True)
    status: Mapped[CaseStatus] = mapped_column(enum_column(CaseStatus, "case_status"), default=CaseStatus.OPEN)
    stage: Mapped[str | None] = mapped_column(String(100))
    priority: Mapped[Priority] = mapped_column(enum_column(Priority, "priority"), default=Priority.NORMAL)
    risk_level: Mapped[RiskLevel | None] = mapped_column(enum_column(RiskLevel, "risk_level"))
    region: Mapped[str | None] = mapped_column(String(64))
    # The person's alias folded for search (lower case, no accents); cleared when the case is anonymised.
    alias_key: Mapped[str | None] = mapped_column(String(200))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    close_reason: Mapped[CloseReason | None] = mapped_column(enum_column(CloseReason, "close_reason"))
    # The serialized workflow WITHOUT its spec (the spec belongs to the pathway version). Deferred: a
    # list or a page that selects cases never reads it (tens of kilobytes a case); steps read it with
    # their own statements (engine.store.case_records). Stored compressed, read as JSON text.
    workflow_json: Mapped[str] = mapped_column(CompressedText, deferred=True)
    serializer_version: Mapped[str] = mapped_column(String(32))
    # Optimistic locking: an update against a stale counter fails (engine.errors.Conflict).
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False)
    # A step failed at run time: shown to coordinators with the message, never silently stuck.
    needs_attention: Mapped[bool] = mapped_column(default=False)
    attention_message: Mapped[str | None] = mapped_column(Text)
    attention_at: Mapped[datetime | None]
    # Retention (engine.services.cases.retention): a coordinator's legal hold keeps a closed case from
    # being anonymised; `anonymised_at` says its personal data is gone (its statistics stay).
    legal_hold_reason: Mapped[str | None] = mapped_column(Text)
    legal_hold_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    legal_hold_at: Mapped[datetime | None]
    anonymised_at: Mapped[datetime | None]

    __mapper_args__ = {"version_id_col": lock_version}


class CaseSummaryRow(Base):
    """What the case page's header says of the person and the needs, as the pathway declares it (`case_summary:`),
    and the values a referral may share (`sharing:`).

    Written by each step that changes the case's data, in its transaction, so that reading a case page
    never loads the saved workflow. Personal data: shown only to readers with the need to know, and
    emptied with the workflow's data when the case is anonymised.
    """

    __tablename__ = "case_summaries"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    person: Mapped[dict[str, Any]] = mapped_column(default=dict)  # field id -> value, declaration order
    needs: Mapped[dict[str, Any]] = mapped_column(default=dict)  # sector -> urgency
    # The values of the fields the pathway's `sharing:` names (what any provider may receive): a
    # referral page picks from them the fields its referral shares, without loading the workflow.
    shared: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime]


# The open tasks, with their state written into the SQL rather than sent as a parameter: a partial
# index on open tasks is then usable by PostgreSQL's generic plans too (see `OPEN_TASK`).
_OPEN_STATE = f"state = '{TaskState.OPEN.value}'"


class TaskRow(Base):
    """A human task of a case: materialised so that an inbox is one indexed query."""

    __tablename__ = "tasks"
    __table_args__ = (
        # Indexes on a column most tasks leave empty (no assignee, no referral, not completed yet) leave
        # those tasks out: every query on them names a value, and each step then writes fewer index pages.
        Index("ix_tasks_assignee_state", "assignee_id", "state", sqlite_where=text("assignee_id IS NOT NULL"),
              postgresql_where=text("assignee_id IS NOT NULL")),
        Index("ix_tasks_case_state", "case_id", "state"),
        # A referral's page: its open step (without it, every task is read).
        Index("ix_tasks_referral_state", "referral_id", "state", sqlite_where=text("referral_id IS NOT NULL"),
              postgresql_where=text("referral_id IS NOT NULL")),
        # The live diagram: cases waiting at each step now (`OPEN_TASK` names the state as the index
        # does, so that a prepared statement's generic plan can use it). Time spent at steps ended in
        # a period is found by completion time.
        Index("ix_tasks_open_bpmn", "bpmn_id", sqlite_where=text(_OPEN_STATE), postgresql_where=text(_OPEN_STATE)),
        Index("ix_tasks_completed_at", "completed_at", sqlite_where=text("completed_at IS NOT NULL"),
              postgresql_where=text("completed_at IS NOT NULL")),
    )

    # The SpiffWorkflow task id (a UUID), so a form submission names the exact task instance.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    bpmn_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    lane: Mapped[str | None] = mapped_column(String(255))
    stage: Mapped[str | None] = mapped_column(String(100))
    # The organisation whose staff may pick the task up: the case's owner, or the provider of a referral.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    candidate_groups: Mapped[str] = mapped_column(Text, default="")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_at: Mapped[datetime | None]
    follow_up_at: Mapped[datetime | None]
    priority: Mapped[Priority] = mapped_column(enum_column(Priority, "priority"), default=Priority.NORMAL)
    state: Mapped[TaskState] = mapped_column(enum_column(TaskState, "task_state"), default=TaskState.OPEN)
    # For multi-instance tasks (one per referral): which instance this is.
    instance_key: Mapped[str | None] = mapped_column(String(100))
    instance_label: Mapped[str | None] = mapped_column(String(255))
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id"))
    created_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


OPEN_TASK = TaskRow.state == literal_column(f"'{TaskState.OPEN.value}'")


class TaskCandidate(Base):
    """A candidate group of an OPEN, UNASSIGNED task; rows are deleted when the task ends or is assigned.

    The organisation, priority rank and due time are copied from the task so that a group inbox is
    one index range, already in inbox order, that never reads the (large) tasks table for sorting:
    (organisation_id, group_name, priority_rank, due_at) -> task ids.
    """

    __tablename__ = "task_candidates"
    __table_args__ = (
        Index("ix_task_candidates_inbox", "organisation_id", "group_name", "priority_rank", "due_at", "task_id"),
        # On SQLite the rows live in their primary key's b-tree: one b-tree fewer written by every step.
        {"sqlite_with_rowid": False},
    )

    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True)
    group_name: Mapped[str] = mapped_column(String(100), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    priority_rank: Mapped[int] = mapped_column(Integer, default=2, server_default="2")  # Priority.rank: 0 is emergency
    due_at: Mapped[datetime | None]


class CaseEvent(Base):
    """One line of a case's history (append-only): who did what, when."""

    __tablename__ = "case_events"
    __table_args__ = (Index("ix_case_events_case_at", "case_id", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the system (timers, sweeps)
    action: Mapped[str] = mapped_column(String(64))
    task_bpmn_id: Mapped[str | None] = mapped_column(String(255))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
