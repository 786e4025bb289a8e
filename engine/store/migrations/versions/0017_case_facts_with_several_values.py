"""A case may hold several values of one indicator dimension (its vulnerabilities)

Revision ID: 0017
Revises: 0010
Create Date: 2026-12-05 04:40:00
"""

from __future__ import annotations

from alembic import op

revision = '0017'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('case_facts', schema=None) as batch_op:
        batch_op.drop_constraint('pk_case_facts', type_='primary')
        batch_op.create_primary_key('pk_case_facts', ['case_id', 'name', 'value'])


def downgrade() -> None:
    # Keeps one value per case and dimension (the smallest) before the key allows no more.
    op.execute(
        "DELETE FROM case_facts WHERE EXISTS (SELECT 1 FROM case_facts AS other WHERE other.case_id = case_facts.case_id"
        " AND other.name = case_facts.name AND other.value < case_facts.value)"
    )
    with op.batch_alter_table('case_facts', schema=None) as batch_op:
        batch_op.drop_constraint('pk_case_facts', type_='primary')
        batch_op.create_primary_key('pk_case_facts', ['case_id', 'name'])
