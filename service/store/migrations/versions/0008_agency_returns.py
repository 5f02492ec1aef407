"""agency returns by email and the publication check of a case's report

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 11:20:00.000000

agency_returns: each document an agency sent back (sealed), one version per case, agency and kind.
report_checks: each publication check of a case's draft report (counts only) and its acceptance.
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'agency_returns',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('agency', sa.String(64), nullable=False),
        sa.Column('kind', sa.String(32), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(255), nullable=False),
        sa.Column('content_type', sa.String(128), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(64), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),  # sealed (service.store.crypto.SealedBytes)
        sa.Column('rows_read', sa.Integer(), nullable=True),
        sa.Column('how', sa.JSON(), nullable=False),
        sa.Column('inbound_id', sa.Integer(), nullable=True),
        sa.Column('sender', sa.String(320), nullable=True),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name='fk_agency_returns_case_id_cases',
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['inbound_id'], ['inbound_messages.id'],
                                name='fk_agency_returns_inbound_id_inbound_messages', ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name='pk_agency_returns'),
        sa.UniqueConstraint('case_id', 'agency', 'kind', 'version', name='uq_agency_returns_case_id'),
    )
    op.create_index('ix_agency_returns_case_id', 'agency_returns', ['case_id'])
    op.create_table(
        'report_checks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(255), nullable=False),
        sa.Column('sha256', sa.String(64), nullable=False),
        sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('checked_by', sa.String(320), nullable=False),
        sa.Column('found', sa.Integer(), nullable=False),
        sa.Column('by_kind', sa.JSON(), nullable=False),
        sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('accepted_by', sa.String(320), nullable=True),
        sa.Column('accepted_reason', sa.LargeBinary(), nullable=True),  # sealed text
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name='fk_report_checks_case_id_cases',
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name='pk_report_checks'),
    )
    op.create_index('ix_report_checks_case_id', 'report_checks', ['case_id'])


def downgrade() -> None:
    op.drop_index('ix_report_checks_case_id', table_name='report_checks')
    op.drop_table('report_checks')
    op.drop_index('ix_agency_returns_case_id', table_name='agency_returns')
    op.drop_table('agency_returns')
