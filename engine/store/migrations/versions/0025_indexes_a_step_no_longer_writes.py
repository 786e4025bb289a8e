"""A step writes fewer index pages: an index no query reads is dropped, and the live diagram's,
the closing date's and the dispatcher's indexes keep only the rows their queries look for

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 04:10:00

- `ix_tasks_organisation_state` was read by no query (inboxes go through the candidate groups and
  the assignee), yet every step wrote it twice: the new task's entry and the completed one's.
- The live diagram counts open tasks per step: `ix_tasks_open_bpmn` holds open tasks only. The
  former (state, BPMN id) index moved a completed task's entry to the other end of the index.
- `ix_cases_closed_at` leaves out the cases still open (every query on it names a date).
- The dispatcher's queue, `ix_outbox_undispatched`, holds the events not dispatched yet: each event
  enters it once and leaves it when dispatched, instead of moving within an index of every event.

On PostgreSQL building the new indexes locks their tables against writes while they are built.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def _where(condition: str) -> dict:
    return {"sqlite_where": sa.text(condition), "postgresql_where": sa.text(condition)}


def upgrade() -> None:
    op.drop_index('ix_tasks_organisation_state', table_name='tasks')
    op.drop_index('ix_tasks_state_bpmn', table_name='tasks')
    op.create_index('ix_tasks_open_bpmn', 'tasks', ['bpmn_id'], **_where("state = 'open'"))
    op.drop_index('ix_cases_closed_at', table_name='cases')
    op.create_index('ix_cases_closed_at', 'cases', ['closed_at'], **_where("closed_at IS NOT NULL"))
    op.drop_index('ix_outbox_dispatched_created', table_name='outbox')
    op.create_index('ix_outbox_undispatched', 'outbox', ['created_at', 'id'], **_where("dispatched_at IS NULL"))


def downgrade() -> None:
    op.drop_index('ix_outbox_undispatched', table_name='outbox')
    op.create_index('ix_outbox_dispatched_created', 'outbox', ['dispatched_at', 'created_at'])
    op.drop_index('ix_cases_closed_at', table_name='cases')
    op.create_index('ix_cases_closed_at', 'cases', ['closed_at'])
    op.drop_index('ix_tasks_open_bpmn', table_name='tasks')
    op.create_index('ix_tasks_state_bpmn', 'tasks', ['state', 'bpmn_id'])
    op.create_index('ix_tasks_organisation_state', 'tasks', ['organisation_id', 'state'])
