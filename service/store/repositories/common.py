"""What every repository shares: the errors it raises and the one conversion of a stored time."""

from __future__ import annotations

from datetime import datetime, timezone


def utc(dt: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    if dt is None:
        return None
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


class NotFound(LookupError):
    pass


class ProcedureChanged(Exception):
    """A pack's text changed under an id and version that cases already run under."""
