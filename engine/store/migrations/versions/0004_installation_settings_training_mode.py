"""Installation settings: training mode and its clock offset

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 17:33:57.048041
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('installation_settings',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('training', sa.Boolean(), nullable=False),
    sa.Column('clock_offset_seconds', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('clock_offset_seconds >= 0', name=op.f('ck_installation_settings_clock_offset_not_negative')),
    sa.CheckConstraint('id = 1', name=op.f('ck_installation_settings_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_installation_settings'))
    )


def downgrade() -> None:
    op.drop_table('installation_settings')
