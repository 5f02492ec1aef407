"""procedures: each case runs under a procedure pack's version, kept in the database

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 08:50:00.000000

A case now names the procedure it runs under (``procedure_id``, ``procedure_version``) and the
text of every pack version a case was opened under is kept (``procedures``), so a board that
edits its pack later, or a newer release of the service, never changes the rules of a case
already open. Every existing case gets version 1 of the board's 2013 serious case review pack:
the procedure the service ran until now, exactly (its text is kept beside this migration), so
nothing about an existing case changes. ``criterion`` records the criterion the decision found
met; ``deadlines.owner`` widens to hold more than one role.
"""
from datetime import datetime
from pathlib import Path

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

V1 = Path(__file__).with_name('0006_enfield-scr-2013-v1.toml')
KEPT_AT = datetime(2026, 12, 6)  # when the service began to keep packs: the same on every database


def upgrade() -> None:
    procedures = op.create_table(
        'procedures',
        sa.Column('id', sa.String(64), primary_key=True),
        sa.Column('version', sa.String(32), primary_key=True),
        sa.Column('digest', sa.String(64), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('kept_at', sa.DateTime(), nullable=False),
    )
    import hashlib
    text = V1.read_text(encoding='utf-8')
    op.bulk_insert(procedures, [{'id': 'enfield-scr-2013', 'version': '1',
                                 'digest': hashlib.sha256(text.encode('utf-8')).hexdigest(), 'text': text,
                                 'kept_at': KEPT_AT}])
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('procedure_id', sa.String(64), nullable=False,
                                      server_default='enfield-scr-2013'))
        batch_op.add_column(sa.Column('procedure_version', sa.String(32), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('criterion', sa.String(64)))
    if op.get_bind().dialect.name != 'sqlite':  # SQLite does not enforce a length: no table rebuild for it
        op.alter_column('deadlines', 'owner', existing_type=sa.String(40), type_=sa.String(120),
                        existing_nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name != 'sqlite':
        op.alter_column('deadlines', 'owner', existing_type=sa.String(120), type_=sa.String(40),
                        existing_nullable=False)
    # Plain DROP COLUMN (as 0005): a batch rebuild of `cases` on SQLite would cascade-delete its events.
    for column in ('criterion', 'procedure_version', 'procedure_id'):
        op.drop_column('cases', column)
    op.drop_table('procedures')
