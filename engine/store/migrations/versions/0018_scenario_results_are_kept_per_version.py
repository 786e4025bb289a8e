"""The last run of each scenario of a published version is kept, with when and who ran it

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-05 04:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pathway_scenario_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('file', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('failures', sa.JSON(), nullable=False),
    sa.Column('ran_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ran_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['ran_by_id'], ['users.id'], name=op.f('fk_pathway_scenario_results_ran_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['version_id'], ['pathway_versions.id'], name=op.f('fk_pathway_scenario_results_version_id_pathway_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pathway_scenario_results')),
    sa.UniqueConstraint('version_id', 'file', name=op.f('uq_pathway_scenario_results_version_id_file'))
    )


def downgrade() -> None:
    op.drop_table('pathway_scenario_results')
