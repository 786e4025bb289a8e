"""The mechanism's secretariat is a named organisation, no longer inferred from who holds the coordinator role

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 01:20:00.000000

Until now the secretariat was "the organisation of the active coordinators (lowest id)": an
administrator who could grant the coordinator role could therefore move the secretariat, and with it
every mechanism-wide power, to their own organisation. The flag is now set once, by an operator;
existing installations keep the organisation the old rule named.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_secretariat', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(
        "UPDATE organisations SET is_secretariat = true WHERE id = ("
        " SELECT min(users.organisation_id) FROM users JOIN user_roles ON user_roles.user_id = users.id"
        " WHERE user_roles.role = 'coordinator' AND users.active = true)"
    )
    # At most one secretariat per installation.
    op.create_index('uq_organisations_one_secretariat', 'organisations', ['is_secretariat'], unique=True,
                    sqlite_where=sa.text('is_secretariat'), postgresql_where=sa.text('is_secretariat'))


def downgrade() -> None:
    op.drop_index('uq_organisations_one_secretariat', table_name='organisations')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('is_secretariat')
