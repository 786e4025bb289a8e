"""Case staff find a case by the person's alias (a folded, indexed copy on the case row)

Revision ID: 0021
Revises: 0018
Create Date: 2026-12-05 04:45:00

Cases identified before this revision are found by alias once their identification is saved again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('alias_key', sa.String(length=200), nullable=True))
        batch_op.create_index('ix_cases_alias_key', ['alias_key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_alias_key')
        batch_op.drop_column('alias_key')
