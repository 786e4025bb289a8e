"""Pathway drafts: uploaded or edited pathways SOP authors check before publishing

Revision ID: 0011
Revises: 0014
Create Date: 2026-12-05 01:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pathway_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pathway_id', sa.String(length=100), nullable=False),
    sa.Column('archive', sa.LargeBinary(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_pathway_drafts_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pathway_drafts'))
    )


def downgrade() -> None:
    op.drop_table('pathway_drafts')
