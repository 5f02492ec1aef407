"""Which key seals this database, checked at start-up, and key rotation.

:func:`open_keys` reads the key (``[security] encryption_key``, else the key
file), installs the key ring and checks it against the database's key check
value: a wrong key stops start-up with a clear message, never garbage. Only
``init`` (``create=True``) makes a new key (owner-readable only); otherwise a
missing key is refused, and a database that holds sealed data and has lost
its key says which key it needs.

:func:`check_key` is the same check for ``doctor``: it reads, never writes.

:func:`rotate` re-seals every sealed value with a new key in one transaction.
"""

from __future__ import annotations

import base64
import logging
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import Integer, LargeBinary, column, delete, select, table, update

from . import tables as t
from .crypto import (
    KEY_CHECK_PLAINTEXT,
    MAGIC,
    KeyProblem,
    KeyRing,
    decode_key,
    install,
    new_key,
    read_key_file,
    write_key_file,
)
from .db import Database

log = logging.getLogger("review_clerk.store")

KEY_CHECK = "key_check"
BATCH = 100
SEALED_COLUMNS: dict[str, tuple[str, ...]] = {
    "cases": ("subjects", "referrer", "referral", "decision_reason", "legal_hold_reason"),
    "deadlines": ("reason",),
    "audit_events": ("reason",),
    "meetings": ("cancel_reason",),
    "inbound_messages": ("raw",),
    "outbox": ("text", "html", "attachments"),
    "agency_returns": ("data",),
    "report_checks": ("accepted_reason",),
}
# Free text written before migration 0004 sealed it, marked by the migration for open_keys to seal.
LEGACY_PREFIX = b"\x00plain\x00"
SEAL_PENDING = "seal_pending"
LEGACY_COLUMNS: dict[str, tuple[str, ...]] = {
    "cases": ("decision_reason", "legal_hold_reason"),
    "deadlines": ("reason",),
    "audit_events": ("reason",),
    "meetings": ("cancel_reason",),
}


def _configured_keys(settings, *, create: bool, db: Database) -> list[bytes]:
    sec = settings.security
    if sec.encryption_key is not None:
        keys = [decode_key(sec.encryption_key.get_secret_value(), "security.encryption_key")]
    elif sec.key_file.exists():
        keys = read_key_file(sec.key_file)
    else:
        sealed = _key_check(db)
        if sealed is not None:
            raise KeyProblem(
                f"the encryption key file {sec.key_file} is missing, and the database holds data sealed with key "
                f"{sealed[3:7].hex()}: restore the key file from its backup (or set security.encryption_key)")
        if not create:
            raise KeyProblem(
                f"the encryption key file {sec.key_file} does not exist: restore it from its backup, or set "
                f"security.key_file (REVIEW_CLERK_SECURITY__KEY_FILE) to where it is (is its volume mounted?)")
        key = new_key()
        write_key_file(sec.key_file, [key])
        log.warning("created a new encryption key: back it up, the database cannot be read without it",
                    extra={"key_file": str(sec.key_file)})
        keys = [key]
    keys += [decode_key(k.get_secret_value(), f"security.previous_keys[{i}]")
             for i, k in enumerate(sec.previous_keys)]
    return keys


def _key_check(db: Database) -> bytes | None:
    with db.engine.connect() as conn:
        value = conn.execute(select(t.service_state.c.value).where(t.service_state.c.name == KEY_CHECK)).scalar()
    return base64.b64decode(value) if value else None


def key_configured(settings) -> bool:
    """Whether a key is there to read: ``security.encryption_key`` or an existing key file."""
    return settings.security.encryption_key is not None or settings.security.key_file.exists()


def check_key(settings, db: Database) -> str:
    """Doctor's check: the configured key opens the database's sealed key check value. Returns what it
    found; raises KeyProblem (missing, unreadable, malformed or wrong key). Writes nothing."""
    ring = KeyRing(_configured_keys(settings, create=False, db=db))
    sealed = _key_check(db)
    if sealed is None:
        return f"key {ring.current_id} read; the database holds no sealed value yet"
    try:
        ok = ring.open(sealed) == KEY_CHECK_PLAINTEXT
    except KeyProblem:
        ok = False
    if not ok:
        raise KeyProblem(f"the encryption key does not match this database (sealed with key {sealed[3:7].hex()}; "
                         f"the configured key is {ring.current_id})")
    return f"key {ring.current_id} opens the database's sealed values"


def open_keys(settings, db: Database, *, create: bool = False) -> KeyRing:
    """Install the key ring for this process and check it against the database. Raises KeyProblem.
    With ``create`` (``init`` only) a missing key file is generated."""
    ring = KeyRing(_configured_keys(settings, create=create, db=db))
    sealed = _key_check(db)
    if sealed is None:
        with db.engine.begin() as conn:
            conn.execute(t.service_state.insert().values(
                name=KEY_CHECK, value=base64.b64encode(ring.seal(KEY_CHECK_PLAINTEXT)).decode("ascii"),
                updated_at=datetime.now(timezone.utc)))
    else:
        try:
            ok = ring.open(sealed) == KEY_CHECK_PLAINTEXT
        except KeyProblem:
            ok = False
        if not ok:
            raise KeyProblem(
                f"the encryption key does not match this database (the database was sealed with key "
                f"{sealed[3:7].hex()}; the configured key is {ring.current_id}): check security.encryption_key "
                f"or {settings.security.key_file}")
    install(ring)
    _seal_legacy(db, ring)
    return ring


def _seal_legacy(db: Database, ring: KeyRing) -> None:
    """Seal the free text migration 0004 marked (once, at the first start after it, in one transaction)."""
    with db.engine.begin() as conn:
        pending = conn.execute(select(t.service_state.c.name).where(t.service_state.c.name == SEAL_PENDING)
                               .with_for_update()).first()
        if pending is None:
            return
        sealed = 0
        for table_name, names in LEGACY_COLUMNS.items():
            for column_name in names:
                raw = table(table_name, column("id", Integer), column(column_name, LargeBinary))
                for row in _in_batches(conn, raw, (column_name,), raw.c[column_name].is_not(None)):
                    value = row[column_name]
                    data = value.encode("utf-8") if isinstance(value, str) else bytes(value)
                    if data.startswith(MAGIC):
                        continue
                    if data.startswith(LEGACY_PREFIX):
                        data = data[len(LEGACY_PREFIX):]
                    conn.execute(update(raw).where(raw.c.id == row["id"]).values({column_name: ring.seal(data)}))
                    sealed += 1
        conn.execute(delete(t.service_state).where(t.service_state.c.name == SEAL_PENDING))
    log.info("free-text reasons sealed with the encryption key", extra={"values": sealed})


def _in_batches(conn, rows_of, columns, where=None):
    """The id and ``columns`` of each row of ``rows_of`` (matching ``where``), read BATCH rows at a time:
    raw emails can be large, so never the whole table in memory."""
    q = select(rows_of.c.id).order_by(rows_of.c.id)
    ids = list(conn.execute(q if where is None else q.where(where)).scalars())
    for start in range(0, len(ids), BATCH):
        yield from conn.execute(select(rows_of.c.id, *[rows_of.c[c] for c in columns])
                                .where(rows_of.c.id.in_(ids[start:start + BATCH]))).mappings().all()


def rotate(settings, db: Database, new_key_file: Path | None = None) -> dict[str, int]:
    """Re-seal everything with a new key. Returns how many values were re-sealed per table.

    The new key is written first, ahead of the old one, so a crash at any
    point leaves a key file that opens everything; once the re-sealing has
    committed, the old key is dropped from the file.
    """
    old = _configured_keys(settings, create=False, db=db)
    target = new_key_file or (None if settings.security.encryption_key is not None else settings.security.key_file)
    if target is None:
        raise KeyProblem("the key comes from security.encryption_key: name a file for the new key with "
                         "--new-key-file, then put it in the secret store")
    fresh = new_key()
    write_key_file(target, [fresh, *old])
    ring = KeyRing([fresh, *old])
    install(ring)
    counts: dict[str, int] = {}
    with db.engine.begin() as conn:
        for table_name, columns in SEALED_COLUMNS.items():
            sealed = t.metadata.tables[table_name]
            counts[table_name] = 0
            for row in _in_batches(conn, sealed, columns):  # opened with the old key, sealed with the new
                conn.execute(update(sealed).where(sealed.c.id == row["id"]).values({c: row[c] for c in columns}))
                counts[table_name] += 1
        conn.execute(update(t.service_state).where(t.service_state.c.name == KEY_CHECK).values(
            value=base64.b64encode(ring.seal(KEY_CHECK_PLAINTEXT)).decode("ascii"),
            updated_at=datetime.now(timezone.utc)))
    write_key_file(target, [fresh])
    install(KeyRing([fresh]))
    log.info("encryption key rotated", extra={"new_key": ring.current_id, **{f"n_{k}": v for k, v in counts.items()}})
    return counts
