"""The directory's services carry the HSDS 3.0 fields and the mechanism's profile

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 01:30:00

Every existing service keeps its sector, name, regions, languages, priorities, capacity and state,
and gets an HSDS id ("service-<id>") that imports and exports use from now on.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from engine.store.types import UtcDateTime

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

SERVICE_COLUMNS = (
    ('description', sa.Text()), ('url', sa.String(500)), ('email', sa.String(320)),
    ('minimum_age', sa.Integer()), ('maximum_age', sa.Integer()), ('eligibility_description', sa.Text()),
    ('capacity_available', sa.Integer()), ('capacity_updated_at', UtcDateTime()),
    ('opening_hours', sa.String(500)), ('fees_description', sa.String(500)),
    ('contact_name', sa.String(200)), ('contact_title', sa.String(200)), ('contact_email', sa.String(320)),
    ('contact_phone', sa.String(40)), ('assured_date', sa.Date()), ('updated_at', UtcDateTime()),
)
SERVICE_JSON = {'sites': '[]', 'response_hours': '{}', 'eligible_sexes': '[]', 'target_groups': '[]', 'extra': '{}'}


def upgrade() -> None:
    with op.batch_alter_table('organisation_services', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hsds_id', sa.String(100), nullable=True))
        for name, type_ in SERVICE_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
        for name, empty in SERVICE_JSON.items():
            batch_op.add_column(sa.Column(name, sa.JSON(), nullable=False, server_default=empty))
        batch_op.add_column(sa.Column('capacity_period', sa.String(16), nullable=False, server_default='month'))
    op.execute("UPDATE organisation_services SET hsds_id = 'service-' || CAST(id AS VARCHAR(20))")
    with op.batch_alter_table('organisation_services', schema=None) as batch_op:
        batch_op.alter_column('hsds_id', existing_type=sa.String(100), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_organisation_services_hsds_id'), ['hsds_id'])
        # The defaults only filled the existing rows; new rows get theirs from the application.
        for name in (*SERVICE_JSON, 'capacity_period'):
            batch_op.alter_column(name, server_default=None)
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('email', sa.String(320), nullable=True))
        batch_op.add_column(sa.Column('website', sa.String(500), nullable=True))
        # Its server default stays: dropping it would make SQLite copy the table, and dropping the old
        # copy would cascade to every service (foreign keys are on).
        batch_op.add_column(sa.Column('extra', sa.JSON(), nullable=False, server_default='{}'))


def downgrade() -> None:
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        for name in ('extra', 'website', 'email', 'description'):
            batch_op.drop_column(name)
    with op.batch_alter_table('organisation_services', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_organisation_services_hsds_id'), type_='unique')
        for name in ('capacity_period', *SERVICE_JSON, *(n for n, _ in reversed(SERVICE_COLUMNS)), 'hsds_id'):
            batch_op.drop_column(name)
