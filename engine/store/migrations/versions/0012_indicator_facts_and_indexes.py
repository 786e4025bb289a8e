"""Indicator dimensions of cases, and the indexes the indicators and the live diagram read by period

Revision ID: 0012
Revises: 0013
Create Date: 2026-12-05 01:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0013'
branch_labels = None
depends_on = None

INDEXES = (
    ('cases', 'ix_cases_created_at', ['created_at']),
    ('cases', 'ix_cases_closed_at', ['closed_at']),
    ('referrals', 'ix_referrals_sent_at', ['sent_at']),
    ('escalations', 'ix_escalations_at', ['at']),
    ('tasks', 'ix_tasks_state_bpmn', ['state', 'bpmn_id']),
    ('tasks', 'ix_tasks_completed_at', ['completed_at']),
)


def upgrade() -> None:
    op.create_table('case_facts',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('value', sa.String(length=100), nullable=False),
    sa.Column('field_id', sa.String(length=255), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_facts_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('case_id', 'name', name=op.f('pk_case_facts'))
    )
    with op.batch_alter_table('case_facts', schema=None) as batch_op:
        batch_op.create_index('ix_case_facts_name_value', ['name', 'value', 'case_id'], unique=False)
    for table, name, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    for table, name, _columns in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
    with op.batch_alter_table('case_facts', schema=None) as batch_op:
        batch_op.drop_index('ix_case_facts_name_value')
    op.drop_table('case_facts')
