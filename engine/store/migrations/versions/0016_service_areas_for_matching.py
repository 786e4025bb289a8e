"""Each service's regions as HSDS service_area rows, indexed by sector and region, for matching

Revision ID: 0016
Revises: 0017
Create Date: 2026-12-05 04:30:00

Matching at the referral step read every active service of a sector to find those serving the
person's region (the regions were only JSON on the service). The rows are filled from that JSON,
or from the organisation's regions for a service naming none, as the application keeps them since.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0017'
branch_labels = None
depends_on = None

SECTORS = ('health', 'mhpss', 'shelter', 'food_nfi', 'legal_documentation', 'family_tracing', 'child_protection',
           'education_training', 'economic_reintegration', 'cash')


def upgrade() -> None:
    areas = op.create_table('service_areas',
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('region', sa.String(length=64), nullable=False),
    sa.Column('sector', sa.Enum(*SECTORS, name='sector', native_enum=False, create_constraint=False, length=32), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['organisation_services.id'], name=op.f('fk_service_areas_service_id_organisation_services'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('service_id', 'region', name=op.f('pk_service_areas'))
    )
    with op.batch_alter_table('service_areas', schema=None) as batch_op:
        batch_op.create_index('ix_service_areas_sector_region', ['sector', 'region', 'service_id'], unique=False)
    connection = op.get_bind()
    organisation_regions = {oid: _list(regions) for oid, regions in connection.execute(sa.text("SELECT id, regions FROM organisations"))}
    rows = []
    for service_id, sector, organisation_id, regions in connection.execute(
            sa.text("SELECT id, sector, organisation_id, regions FROM organisation_services")):
        for region in dict.fromkeys(_list(regions) or organisation_regions.get(organisation_id) or []):
            rows.append({'service_id': service_id, 'region': str(region)[:64], 'sector': sector})
    if rows:
        op.bulk_insert(areas, rows)


def _list(value) -> list:
    # The JSON column comes back decoded from PostgreSQL, as text from SQLite.
    if isinstance(value, str):
        value = json.loads(value or '[]')
    return list(value or [])


def downgrade() -> None:
    with op.batch_alter_table('service_areas', schema=None) as batch_op:
        batch_op.drop_index('ix_service_areas_sector_region')
    op.drop_table('service_areas')
