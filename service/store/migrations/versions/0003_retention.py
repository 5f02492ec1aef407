"""retention: legal hold on cases, and when a case's personal data was removed

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 12:30:00.000000

Plain ADD COLUMN / DROP COLUMN on both databases. On SQLite a batch
"move and copy" of ``cases`` must be avoided: dropping the old table with
foreign keys on would cascade to case_events, deadlines, case_agencies and
meetings and null audit_events.case_id. Hence the string server default
(a SQL expression default makes Alembic recreate the table) and no batch
mode in the downgrade (SQLite 3.35 or newer drops a column in place).
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_hold', sa.Boolean(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('legal_hold_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column('cases', 'anonymised_at')
    op.drop_column('cases', 'legal_hold_reason')
    op.drop_column('cases', 'legal_hold')
