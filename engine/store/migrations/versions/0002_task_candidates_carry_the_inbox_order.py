"""Task candidates carry the inbox order, and exist only for unassigned tasks

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 07:19:35.694146
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('task_candidates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('priority_rank', sa.Integer(), server_default='2', nullable=False))
        batch_op.add_column(sa.Column('due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_index(batch_op.f('ix_task_candidates_organisation_group'))
        batch_op.create_index('ix_task_candidates_inbox', ['organisation_id', 'group_name', 'priority_rank', 'due_at', 'task_id'], unique=False)
    # Rows of assigned tasks are no longer kept; the others take their task's order.
    op.execute("DELETE FROM task_candidates WHERE task_id IN (SELECT id FROM tasks WHERE assignee_id IS NOT NULL)")
    op.execute(
        "UPDATE task_candidates SET "
        "priority_rank = (SELECT CASE tasks.priority WHEN 'emergency' THEN 0 WHEN 'urgent' THEN 1 ELSE 2 END "
        "FROM tasks WHERE tasks.id = task_candidates.task_id), "
        "due_at = (SELECT tasks.due_at FROM tasks WHERE tasks.id = task_candidates.task_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table('task_candidates', schema=None) as batch_op:
        batch_op.drop_index('ix_task_candidates_inbox')
        batch_op.create_index(batch_op.f('ix_task_candidates_organisation_group'), ['organisation_id', 'group_name', 'task_id'], unique=False)
        batch_op.drop_column('due_at')
        batch_op.drop_column('priority_rank')
