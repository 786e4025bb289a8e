"""A referral keeps what its provider wrote with the decision (the provider it suggests instead, the
appointment), beside the decision itself

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 04:20:00

The caseworker who sends the need again after a decline or a redirection reads it on the send step.
Referrals answered before this revision have none: their decision and reason stay as they were.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answer', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_column('answer')
