"""The case's summary row (the person and the needs its pathway declares, the values referrals share),
filled for existing cases;
the indexes of the provider's referrals page, a referral's page and the attention page

Revision ID: 0015
Revises: 0021
Create Date: 2026-12-05 04:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_summaries',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('person', sa.JSON(), nullable=False),
    sa.Column('needs', sa.JSON(), nullable=False),
    sa.Column('shared', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_summaries_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_case_summaries'))
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index('ix_referrals_provider_updated', ['provider_organisation_id', 'updated_at', 'id'], unique=False)
        batch_op.create_index('ix_referrals_state_priority_updated', ['state', 'priority', 'updated_at'], unique=False)
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index('ix_tasks_referral_state', ['referral_id', 'state'], unique=False)
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.create_index('ix_consents_override_waiting', ['is_override', 'override_approved_at', 'recorded_at'], unique=False)
    # Existing cases: their summary from their saved workflow, so their pages show the person as before.
    from engine.services.cases.summary import backfill_case_summaries

    backfill_case_summaries(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_index('ix_consents_override_waiting')
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_tasks_referral_state')
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index('ix_referrals_state_priority_updated')
        batch_op.drop_index('ix_referrals_provider_updated')
    op.drop_table('case_summaries')
