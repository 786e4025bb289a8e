"""Initial tables

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-30 05:59:24.720018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('object_type', sa.String(length=64), nullable=False),
    sa.Column('object_id', sa.String(length=100), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.Column('user_agent', sa.String(length=512), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_case_at', ['case_id', 'at'], unique=False)
        batch_op.create_index('ix_audit_log_user_at', ['user_id', 'at'], unique=False)

    op.create_table('case_sequences',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_case_sequences'))
    )
    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('ministry', 'un_agency', 'ngo', 'iom', 'private', 'other', name='organisation_kind', native_enum=False, length=32), nullable=False),
    sa.Column('is_provider', sa.Boolean(), nullable=False),
    sa.Column('mou_signed', sa.Boolean(), nullable=False),
    sa.Column('data_sharing_signed', sa.Boolean(), nullable=False),
    sa.Column('regions', sa.JSON(), nullable=False),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
    sa.UniqueConstraint('slug', name=op.f('uq_organisations_slug'))
    )
    op.create_table('organisation_services',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('sector', sa.Enum('health', 'mhpss', 'shelter', 'food_nfi', 'legal_documentation', 'family_tracing', 'child_protection', 'education_training', 'economic_reintegration', 'cash', name='sector', native_enum=False, length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('regions', sa.JSON(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('accepted_priorities', sa.JSON(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_organisation_services_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_services'))
    )
    with op.batch_alter_table('organisation_services', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_services_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisation_services_sector'), ['sector'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('language', sa.Enum('fr', 'en', name='language', native_enum=False, length=32), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('notification_prefs', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_users_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('pathway_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pathway_id', sa.String(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('title', sa.JSON(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('main_file', sa.String(length=255), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('spec_json', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_pathway_versions_published_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pathway_versions')),
    sa.UniqueConstraint('pathway_id', 'content_hash', name=op.f('uq_pathway_versions_pathway_id_content_hash')),
    sa.UniqueConstraint('pathway_id', 'version', name=op.f('uq_pathway_versions_pathway_id_version'))
    )
    op.create_table('user_groups',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('group_name', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_groups_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'group_name', name=op.f('pk_user_groups'))
    )
    op.create_table('user_roles',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('caseworker', 'supervisor', 'provider_focal_point', 'coordinator', 'sop_author', 'admin', name='role', native_enum=False, length=32), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_roles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'role', name=op.f('pk_user_roles'))
    )
    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=32), nullable=False),
    sa.Column('pathway_version_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('open', 'closed', name='case_status', native_enum=False, length=32), nullable=False),
    sa.Column('stage', sa.String(length=100), nullable=True),
    sa.Column('priority', sa.Enum('emergency', 'urgent', 'normal', name='priority', native_enum=False, length=32), nullable=False),
    sa.Column('risk_level', sa.Enum('high', 'medium', 'low', name='risk_level', native_enum=False, length=32), nullable=True),
    sa.Column('region', sa.String(length=64), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('close_reason', sa.Enum('needs_met', 'unreachable', 'consent_withdrawn', 'transferred', 'deceased', 'other', name='close_reason', native_enum=False, length=32), nullable=True),
    sa.Column('workflow_json', sa.Text(), nullable=False),
    sa.Column('serializer_version', sa.String(length=32), nullable=False),
    sa.Column('lock_version', sa.Integer(), nullable=False),
    sa.Column('needs_attention', sa.Boolean(), nullable=False),
    sa.Column('attention_message', sa.Text(), nullable=True),
    sa.Column('attention_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_cases_created_by_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_cases_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['pathway_version_id'], ['pathway_versions.id'], name=op.f('fk_cases_pathway_version_id_pathway_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    sa.UniqueConstraint('reference', name=op.f('uq_cases_reference'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_needs_attention', ['needs_attention', 'attention_at'], unique=False)
        batch_op.create_index('ix_cases_organisation_status', ['organisation_id', 'status', 'updated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_pathway_version_id'), ['pathway_version_id'], unique=False)

    op.create_table('pathway_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['pathway_versions.id'], name=op.f('fk_pathway_files_version_id_pathway_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pathway_files')),
    sa.UniqueConstraint('version_id', 'path', name=op.f('uq_pathway_files_version_id_path'))
    )
    op.create_table('case_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('task_bpmn_id', sa.String(length=255), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_case_events_actor_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_events_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_events'))
    )
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.create_index('ix_case_events_case_at', ['case_id', 'at'], unique=False)

    op.create_table('consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('given', sa.Boolean(), nullable=False),
    sa.Column('given_by', sa.Enum('person', 'caregiver', name='consent_giver', native_enum=False, length=32), nullable=False),
    sa.Column('child_assent', sa.Boolean(), nullable=True),
    sa.Column('method', sa.Enum('signature', 'thumbprint', 'verbal_witnessed', name='consent_method', native_enum=False, length=32), nullable=False),
    sa.Column('witness_name', sa.String(length=200), nullable=True),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('scope_services', sa.JSON(), nullable=False),
    sa.Column('scope_recipients', sa.JSON(), nullable=False),
    sa.Column('withheld_fields', sa.JSON(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
    sa.Column('withdrawal_reason', sa.Text(), nullable=True),
    sa.Column('is_override', sa.Boolean(), nullable=False),
    sa.Column('override_justification', sa.Text(), nullable=True),
    sa.Column('override_approved_by_id', sa.Integer(), nullable=True),
    sa.Column('override_approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_consents_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['override_approved_by_id'], ['users.id'], name=op.f('fk_consents_override_approved_by_id_users')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_consents_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['users.id'], name=op.f('fk_consents_withdrawn_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consents'))
    )
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.create_index('ix_consents_case', ['case_id', 'recorded_at'], unique=False)

    op.create_table('deadlines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('bpmn_timer', 'task_due', 'referral_ack', 'referral_service', 'follow_up', name='deadline_kind', native_enum=False, length=32), nullable=False),
    sa.Column('ref', sa.String(length=100), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('claimed_by', sa.String(length=100), nullable=True),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_deadlines_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadlines')),
    sa.UniqueConstraint('case_id', 'kind', 'ref', name=op.f('uq_deadlines_case_id_kind_ref'))
    )
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deadlines_due_at'), ['due_at'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('event_type', sa.String(length=64), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('dispatched_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_outbox_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_dispatched_created', ['dispatched_at', 'created_at'], unique=False)

    op.create_table('deliveries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('outbox_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('recipient_key', sa.String(length=320), nullable=False),
    sa.Column('recipient_user_id', sa.Integer(), nullable=True),
    sa.Column('address', sa.String(length=320), nullable=True),
    sa.Column('channel', sa.Enum('email', 'in_app', 'webhook', name='delivery_channel', native_enum=False, length=32), nullable=False),
    sa.Column('status', sa.Enum('pending', 'sent', 'failed', 'dead', name='delivery_status', native_enum=False, length=32), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('message_id', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], name=op.f('fk_deliveries_outbox_id_outbox'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recipient_user_id'], ['users.id'], name=op.f('fk_deliveries_recipient_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliveries')),
    sa.UniqueConstraint('outbox_id', 'recipient_key', 'channel', name=op.f('uq_deliveries_outbox_id_recipient_key_channel'))
    )
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_deliveries_status_next_attempt', ['status', 'next_attempt_at'], unique=False)

    op.create_table('in_app_notifications',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('outbox_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], name=op.f('fk_in_app_notifications_outbox_id_outbox'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_in_app_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_in_app_notifications')),
    sa.UniqueConstraint('user_id', 'outbox_id', name=op.f('uq_in_app_notifications_user_id_outbox_id'))
    )
    with op.batch_alter_table('in_app_notifications', schema=None) as batch_op:
        batch_op.create_index('ix_in_app_notifications_user_read', ['user_id', 'read_at'], unique=False)

    op.create_table('referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('need_key', sa.String(length=100), nullable=False),
    sa.Column('sector', sa.Enum('health', 'mhpss', 'shelter', 'food_nfi', 'legal_documentation', 'family_tracing', 'child_protection', 'education_training', 'economic_reintegration', 'cash', name='sector', native_enum=False, length=32), nullable=False),
    sa.Column('priority', sa.Enum('emergency', 'urgent', 'normal', name='priority', native_enum=False, length=32), nullable=False),
    sa.Column('provider_organisation_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.Enum('draft', 'sent', 'acknowledged', 'accepted', 'declined', 'redirected', 'appointment_booked', 'delivered', 'not_delivered', 'revoked', 'expired', name='referral_state', native_enum=False, length=32), nullable=False),
    sa.Column('consent_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('appointment_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decline_reason', sa.Text(), nullable=True),
    sa.Column('redirected_from_id', sa.Integer(), nullable=True),
    sa.Column('shared_fields', sa.JSON(), nullable=False),
    sa.Column('outcome_note', sa.Text(), nullable=True),
    sa.Column('escalation_level', sa.Integer(), nullable=False),
    sa.Column('instance_key', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_referrals_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['consent_id'], ['consents.id'], name=op.f('fk_referrals_consent_id_consents')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_referrals_created_by_id_users')),
    sa.ForeignKeyConstraint(['provider_organisation_id'], ['organisations.id'], name=op.f('fk_referrals_provider_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['redirected_from_id'], ['referrals.id'], name=op.f('fk_referrals_redirected_from_id_referrals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals'))
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index('ix_referrals_case', ['case_id'], unique=False)
        batch_op.create_index('ix_referrals_provider_state', ['provider_organisation_id', 'state'], unique=False)
        batch_op.create_index('ix_referrals_state_escalation', ['state', 'escalation_level'], unique=False)

    op.create_table('escalations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=True),
    sa.Column('deadline_kind', sa.Enum('bpmn_timer', 'task_due', 'referral_ack', 'referral_service', 'follow_up', name='deadline_kind', native_enum=False, length=32), nullable=False),
    sa.Column('deadline_ref', sa.String(length=100), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('alerted', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('open', 'acknowledged', 'resolved', name='escalation_status', native_enum=False, length=32), nullable=False),
    sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolution_note', sa.Text(), nullable=True),
    sa.Column('reassigned_to_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['users.id'], name=op.f('fk_escalations_acknowledged_by_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_escalations_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reassigned_to_id'], ['users.id'], name=op.f('fk_escalations_reassigned_to_id_users')),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_escalations_referral_id_referrals')),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_escalations_resolved_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalations')),
    sa.UniqueConstraint('case_id', 'deadline_kind', 'deadline_ref', 'level', name=op.f('uq_escalations_case_id_deadline_kind_deadline_ref_level'))
    )
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.create_index('ix_escalations_referral', ['referral_id'], unique=False)
        batch_op.create_index('ix_escalations_status_at', ['status', 'at'], unique=False)

    op.create_table('tasks',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('bpmn_id', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('lane', sa.String(length=255), nullable=True),
    sa.Column('stage', sa.String(length=100), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('candidate_groups', sa.Text(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('follow_up_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('priority', sa.Enum('emergency', 'urgent', 'normal', name='priority', native_enum=False, length=32), nullable=False),
    sa.Column('state', sa.Enum('open', 'completed', 'cancelled', name='task_state', native_enum=False, length=32), nullable=False),
    sa.Column('instance_key', sa.String(length=100), nullable=True),
    sa.Column('instance_label', sa.String(length=255), nullable=True),
    sa.Column('referral_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_tasks_assignee_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_tasks_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['completed_by_id'], ['users.id'], name=op.f('fk_tasks_completed_by_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_tasks_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_tasks_referral_id_referrals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tasks'))
    )
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index('ix_tasks_assignee_state', ['assignee_id', 'state'], unique=False)
        batch_op.create_index('ix_tasks_case_state', ['case_id', 'state'], unique=False)
        batch_op.create_index('ix_tasks_organisation_state', ['organisation_id', 'state'], unique=False)

    op.create_table('task_candidates',
    sa.Column('task_id', sa.String(length=64), nullable=False),
    sa.Column('group_name', sa.String(length=100), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_task_candidates_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_task_candidates_task_id_tasks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('task_id', 'group_name', name=op.f('pk_task_candidates'))
    )
    with op.batch_alter_table('task_candidates', schema=None) as batch_op:
        batch_op.create_index('ix_task_candidates_organisation_group', ['organisation_id', 'group_name', 'task_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('task_candidates', schema=None) as batch_op:
        batch_op.drop_index('ix_task_candidates_organisation_group')

    op.drop_table('task_candidates')
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_tasks_organisation_state')
        batch_op.drop_index('ix_tasks_case_state')
        batch_op.drop_index('ix_tasks_assignee_state')

    op.drop_table('tasks')
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.drop_index('ix_escalations_status_at')
        batch_op.drop_index('ix_escalations_referral')

    op.drop_table('escalations')
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index('ix_referrals_state_escalation')
        batch_op.drop_index('ix_referrals_provider_state')
        batch_op.drop_index('ix_referrals_case')

    op.drop_table('referrals')
    with op.batch_alter_table('in_app_notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_in_app_notifications_user_read')

    op.drop_table('in_app_notifications')
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_deliveries_status_next_attempt')

    op.drop_table('deliveries')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_dispatched_created')

    op.drop_table('outbox')
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deadlines_due_at'))

    op.drop_table('deadlines')
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_index('ix_consents_case')

    op.drop_table('consents')
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.drop_index('ix_case_events_case_at')

    op.drop_table('case_events')
    op.drop_table('pathway_files')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_pathway_version_id'))
        batch_op.drop_index('ix_cases_organisation_status')
        batch_op.drop_index('ix_cases_needs_attention')

    op.drop_table('cases')
    op.drop_table('user_roles')
    op.drop_table('user_groups')
    op.drop_table('pathway_versions')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_organisation_id'))

    op.drop_table('users')
    with op.batch_alter_table('organisation_services', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_services_sector'))
        batch_op.drop_index(batch_op.f('ix_organisation_services_organisation_id'))

    op.drop_table('organisation_services')
    op.drop_table('organisations')
    op.drop_table('case_sequences')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_user_at')
        batch_op.drop_index('ix_audit_log_case_at')

    op.drop_table('audit_log')
