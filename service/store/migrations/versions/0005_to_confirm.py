"""to_confirm: what the Business Manager must confirm about a referral read by the service

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 06:40:00.000000

The reasons a referral's reading needs a person (no subject, a subject without a date of birth
or role, a value read by OCR, a "person" that looks like a place or a heading): fixed phrases that
name subjects by number, never by name, so the column is not sealed. Plain ADD COLUMN with a
string server default (as 0003, so SQLite does not rebuild ``cases``).
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('to_confirm', sa.JSON(), nullable=False, server_default='[]'))


def downgrade() -> None:
    op.drop_column('cases', 'to_confirm')
