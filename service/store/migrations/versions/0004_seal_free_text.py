"""seal the free-text columns: decision reasons, hold reasons, deadline and audit reasons

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 15:30:00.000000

These are written by people and may name a child or a family member ("the
mother's partner, ..., was arrested"), so they are sealed like the referral.
A migration has no key, so it marks each existing value as "plain text, to be
sealed" (``LEGACY_PREFIX`` before its UTF-8 bytes) and records that sealing is
pending; ``service.store.keys.open_keys`` seals the marked values with the
configured key before the service reads anything. A marked value is never
read as text: the sealed column type refuses anything not sealed.

PostgreSQL: the columns become ``bytea``. SQLite keeps the declared type and
stores the bytes as BLOBs. No table is rebuilt (see 0003 about ``cases``).
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

COLUMNS = {
    "cases": ("decision_reason", "legal_hold_reason"),
    "deadlines": ("reason",),
    "audit_events": ("reason",),
    "meetings": ("cancel_reason",),
}
LEGACY_PREFIX = b"\x00plain\x00"
PENDING = "seal_pending"
BATCH = 500


def upgrade() -> None:
    bind = op.get_bind()
    for table, columns in COLUMNS.items():
        for column in columns:
            if bind.dialect.name == "postgresql":
                op.execute(
                    f"ALTER TABLE {table} ALTER COLUMN {column} TYPE bytea USING CASE WHEN {column} IS NULL "
                    f"THEN NULL ELSE decode('{LEGACY_PREFIX.hex()}', 'hex') || convert_to({column}, 'UTF8') END")
                continue
            rows = sa.table(table, sa.column("id", sa.Integer), sa.column(column, sa.Text))
            ids = list(bind.execute(sa.select(rows.c.id).where(rows.c[column].is_not(None))).scalars())
            for start in range(0, len(ids), BATCH):
                for row_id, value in bind.execute(sa.select(rows.c.id, rows.c[column])
                                                  .where(rows.c.id.in_(ids[start:start + BATCH]))):
                    data = value if isinstance(value, bytes) else str(value).encode("utf-8")
                    bind.execute(sa.text(f"UPDATE {table} SET {column} = :v WHERE id = :id"),
                                 {"v": LEGACY_PREFIX + data, "id": row_id})
    state = sa.table("service_state", sa.column("name", sa.String), sa.column("value", sa.Text),
                     sa.column("updated_at", sa.DateTime(timezone=True)))
    bind.execute(sa.delete(state).where(state.c.name == PENDING))
    now = datetime.now(timezone.utc)
    bind.execute(sa.insert(state).values(name=PENDING, value="0004", updated_at=now.replace(tzinfo=None)
                                         if bind.dialect.name == "sqlite" else now))


def downgrade() -> None:
    """Back to plain text, with the key ring the running service installed (none: refused)."""
    from service.store.crypto import MAGIC, KeyProblem, ring

    try:
        keys = ring()
    except KeyProblem:
        raise RuntimeError("downgrading 0004 opens the sealed reasons: run it from the service (which installs "
                           "the encryption key), or restore the backup taken before upgrading") from None
    bind = op.get_bind()
    for table, columns in COLUMNS.items():
        for column in columns:
            rows = sa.table(table, sa.column("id", sa.Integer), sa.column(column, sa.LargeBinary))
            ids = list(bind.execute(sa.select(rows.c.id).where(rows.c[column].is_not(None))).scalars())
            for start in range(0, len(ids), BATCH):
                for row_id, value in bind.execute(sa.select(rows.c.id, rows.c[column])
                                                  .where(rows.c.id.in_(ids[start:start + BATCH]))):
                    data = value.encode("utf-8") if isinstance(value, str) else bytes(value)
                    if data.startswith(MAGIC):
                        data = keys.open(data)
                    elif data.startswith(LEGACY_PREFIX):
                        data = data[len(LEGACY_PREFIX):]
                    plain = data if bind.dialect.name == "postgresql" else data.decode("utf-8")
                    bind.execute(sa.text(f"UPDATE {table} SET {column} = :v WHERE id = :id"),
                                 {"v": plain, "id": row_id})
            if bind.dialect.name == "postgresql":
                op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE text "
                           f"USING convert_from({column}, 'UTF8')")
    op.execute(f"DELETE FROM service_state WHERE name = '{PENDING}'")
