"""What every repository shares: the errors it raises, the one conversion of a stored time, and the check of
the values given to an UPDATE built once."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Mapping

from sqlalchemy import Table


def utc(dt: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    if dt is None:
        return None
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def columns(table: Table, values: Mapping[str, Any]) -> Mapping[str, Any]:
    """``values``, once each is known to be a column of ``table``. An UPDATE built once takes its SET columns
    from the parameters it is run with, and SQLAlchemy passes over a name that is no column, where
    ``.values()`` would have refused it: a misspelt column must not be an update that silently does nothing."""
    unknown = values.keys() - table.c.keys()
    if unknown:
        raise TypeError(f"{table.name} has no column {', '.join(sorted(unknown))}")
    return values


class NotFound(LookupError):
    pass


class ProcedureChanged(Exception):
    """A pack's text changed under an id and version that cases already run under."""
