"""Needs that no provider will serve are recorded, with their reason; an escalation keeps the deadline it missed

Revision ID: 0008
Revises: 0011
Create Date: 2026-12-05 01:40:00.000000

A declined referral (or one redirected three times) used to end without a trace beyond the referral
itself; the caseworker now sends it elsewhere or records the need as unmet, and coordination lists it.
An escalation showed when the sweep raised it; it now also keeps the deadline that was missed, so the
coordinators see how late the work is rather than when the sweep ran.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0011'
branch_labels = None
depends_on = None

SECTORS = ('health', 'mhpss', 'shelter', 'food_nfi', 'legal_documentation', 'family_tracing', 'child_protection',
           'education_training', 'economic_reintegration', 'cash')
REASONS = ('no_provider', 'full', 'out_of_area', 'refused_by_person', 'declined', 'other')


def upgrade() -> None:
    op.create_table('unmet_needs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=True),
    sa.Column('sector', sa.Enum(*SECTORS, name='sector', native_enum=False, create_constraint=False, length=32), nullable=False),
    sa.Column('region', sa.String(length=64), nullable=True),
    sa.Column('reason', sa.Enum(*REASONS, name='unmet_reason', native_enum=False, create_constraint=False, length=32), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_unmet_needs_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_unmet_needs_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_unmet_needs_referral_id_referrals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unmet_needs'))
    )
    with op.batch_alter_table('unmet_needs', schema=None) as batch_op:
        batch_op.create_index('ix_unmet_needs_case', ['case_id'], unique=False)
        batch_op.create_index('ix_unmet_needs_recorded_at', ['recorded_at'], unique=False)
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.drop_column('due_at')
    with op.batch_alter_table('unmet_needs', schema=None) as batch_op:
        batch_op.drop_index('ix_unmet_needs_recorded_at')
        batch_op.drop_index('ix_unmet_needs_case')
    op.drop_table('unmet_needs')
