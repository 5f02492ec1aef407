"""web: the web workspace's single-use sign-in links, Entra ID sign-ins under way, sessions
and calendar feed secrets

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 08:10:00.000000

Hashes of the secrets only (the token in a sign-in link, the session id in a cookie); no case data.
The tables are defined in service/web/tables.py.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'web_sign_in_links',
        sa.Column('token_hash', sa.String(64), nullable=False),
        sa.Column('email', sa.String(320), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('token_hash', name='pk_web_sign_in_links'),
    )
    op.create_table(
        'web_sessions',
        sa.Column('id_hash', sa.String(64), nullable=False),
        sa.Column('email', sa.String(320), nullable=False),
        sa.Column('via', sa.String(16), nullable=False),
        sa.Column('token_roles', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id_hash', name='pk_web_sessions'),
    )
    op.create_index('ix_web_sessions_email', 'web_sessions', ['email'])
    op.create_table(
        'web_sign_in_flows',
        sa.Column('state_hash', sa.String(64), nullable=False),
        sa.Column('browser_hash', sa.String(64), nullable=False),
        sa.Column('flow', sa.LargeBinary(), nullable=False),  # sealed JSON (service.store.crypto.SealedJSON)
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('state_hash', name='pk_web_sign_in_flows'),
    )
    op.create_table(
        'web_calendar_feeds',
        sa.Column('token_hash', sa.String(64), nullable=False),
        sa.Column('email', sa.String(320), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('token_hash', name='pk_web_calendar_feeds'),
    )
    op.create_index('ix_web_calendar_feeds_email', 'web_calendar_feeds', ['email'])


def downgrade() -> None:
    op.drop_index('ix_web_calendar_feeds_email', table_name='web_calendar_feeds')
    op.drop_table('web_calendar_feeds')
    op.drop_table('web_sign_in_flows')
    op.drop_index('ix_web_sessions_email', table_name='web_sessions')
    op.drop_table('web_sessions')
    op.drop_table('web_sign_in_links')
