"""A step writes fewer database pages: indexes leave out the rows where their column is empty (tasks
without an assignee, a referral or a completion time, audit rows not sealed yet), and on SQLite a
task's candidate groups live in their primary key's b-tree

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 01:00:00

Every step inserts a task and an audit row whose assignee, referral, completion time and place in
the audit chain are empty, and every query on those columns names a value. Their index entries were
written and never read: about four of the thirty database pages a step wrote on SQLite, and as many
index insertions on PostgreSQL. The candidate groups' table kept a separate b-tree for its rowids
on SQLite, a fifth page a step. On SQLite the audit log and the candidate groups are copied into new
tables (the audit log's unique constraint becomes a partial unique index): this takes as long as
copying them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

_TASK_INDEXES = (
    ('ix_tasks_assignee_state', ['assignee_id', 'state'], 'assignee_id'),
    ('ix_tasks_referral_state', ['referral_id', 'state'], 'referral_id'),
    ('ix_tasks_completed_at', ['completed_at'], 'completed_at'),
)


def _not_null(column: str) -> dict:
    return {"sqlite_where": sa.text(f"{column} IS NOT NULL"), "postgresql_where": sa.text(f"{column} IS NOT NULL")}


def upgrade() -> None:
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        for name, columns, column in _TASK_INDEXES:
            batch_op.drop_index(name)
            batch_op.create_index(name, columns, unique=False, **_not_null(column))
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_constraint('uq_audit_log_chain_seq', type_='unique')
        batch_op.create_index('uq_audit_log_chain_seq', ['chain_seq'], unique=True, **_not_null('chain_seq'))
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_candidates(with_rowid=False)


def _rebuild_candidates(with_rowid: bool) -> None:
    with op.batch_alter_table('task_candidates', recreate='always',
                              table_kwargs={} if with_rowid else {'sqlite_with_rowid': False}) as batch_op:
        batch_op.alter_column('due_at', existing_nullable=True)  # the copy itself is the change


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_candidates(with_rowid=True)
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('uq_audit_log_chain_seq')
        batch_op.create_unique_constraint('uq_audit_log_chain_seq', ['chain_seq'])
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        for name, columns, _ in _TASK_INDEXES:
            batch_op.drop_index(name)
            batch_op.create_index(name, columns, unique=False)
