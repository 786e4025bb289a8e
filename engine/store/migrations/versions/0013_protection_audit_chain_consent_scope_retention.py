"""Sealed audit chain, sign-in failures by address, consent scope, legal hold and anonymisation of cases

Revision ID: 0013
Revises: 0007
Create Date: 2026-12-05 01:28:26.304960
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_chain_head',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('sealed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('id = 1', name=op.f('ck_audit_chain_head_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_head'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chain_seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True))
        batch_op.add_column(sa.Column('chain_hash', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_audit_log_failed_sign_in_ip_at', ['ip', 'at'], unique=False, sqlite_where=sa.text("action = 'sign_in.failed'"), postgresql_where=sa.text("action = 'sign_in.failed'"))
        batch_op.create_index('ix_audit_log_unsealed', ['id'], unique=False, sqlite_where=sa.text('chain_seq IS NULL'), postgresql_where=sa.text('chain_seq IS NULL'))
        batch_op.create_unique_constraint(batch_op.f('uq_audit_log_chain_seq'), ['chain_seq'])

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_hold_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('legal_hold_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('legal_hold_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_cases_legal_hold_by_id_users'), 'users', ['legal_hold_by_id'], ['id'])

    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=64), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_column('scope')

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cases_legal_hold_by_id_users'), type_='foreignkey')
        batch_op.drop_column('anonymised_at')
        batch_op.drop_column('legal_hold_at')
        batch_op.drop_column('legal_hold_by_id')
        batch_op.drop_column('legal_hold_reason')

    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_log_chain_seq'), type_='unique')
        batch_op.drop_index('ix_audit_log_unsealed', sqlite_where=sa.text('chain_seq IS NULL'), postgresql_where=sa.text('chain_seq IS NULL'))
        batch_op.drop_index('ix_audit_log_failed_sign_in_ip_at', sqlite_where=sa.text("action = 'sign_in.failed'"), postgresql_where=sa.text("action = 'sign_in.failed'"))
        batch_op.drop_column('chain_hash')
        batch_op.drop_column('chain_seq')

    op.drop_table('audit_chain_head')
