"""Small Graph formatting helpers: URL segments, OData literals, Graph timestamps. Pure functions."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote


def seg(value: str) -> str:
    """One URL path segment (an address or a Graph id), percent-encoded."""
    return quote(value, safe="@=")


def odata_string(value: str) -> str:
    """An OData string literal: single quotes doubled."""
    return "'" + value.replace("'", "''") + "'"


def parse_graph_time(value: str | None) -> datetime | None:
    """A datetime from Graph's ISO 8601 (``…Z`` or an offset, up to 7 fractional digits).

    Aware when the text carries a zone, naive otherwise (a dateTimeTimeZone's
    ``dateTime``); None when unreadable.
    """
    if not value:
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    head, dot, rest = text.partition(".")
    if dot:
        digits = "".join(ch for ch in rest if ch.isdigit())
        tail = rest[len(digits):]
        text = f"{head}.{digits[:6]}{tail}"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None
