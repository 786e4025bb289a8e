"""One in-app item per group task, read marks per member, dispatcher heartbeats

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-05 01:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0014'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('in_app_notifications', schema=None) as batch_op:
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('task_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('caused_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('texts', sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f('ix_in_app_notifications_task_id'), ['task_id'], unique=False)
    op.create_table('in_app_reads',
    sa.Column('notification_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['notification_id'], ['in_app_notifications.id'], name=op.f('fk_in_app_reads_notification_id_in_app_notifications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_in_app_reads_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('notification_id', 'user_id', name=op.f('pk_in_app_reads'))
    )
    op.create_table('notification_dispatchers',
    sa.Column('worker_id', sa.String(length=100), nullable=False),
    sa.Column('beat_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('worker_id', name=op.f('pk_notification_dispatchers'))
    )
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_column('claimed_by')
    op.drop_table('notification_dispatchers')
    op.drop_table('in_app_reads')
    op.execute(sa.text("DELETE FROM in_app_notifications WHERE user_id IS NULL"))
    with op.batch_alter_table('in_app_notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_in_app_notifications_task_id'))
        batch_op.drop_column('texts')
        batch_op.drop_column('caused_by_id')
        batch_op.drop_column('task_id')
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=False)
