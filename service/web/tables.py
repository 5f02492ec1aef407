"""The web workspace's own tables: single-use sign-in links, Entra ID sign-ins under way, signed-in sessions,
calendar feeds.

Kept apart from :mod:`service.store.tables` (the case records): nothing here refers to a case. Only
hashes of the secrets are stored (SHA-256 of the token in the link or the cookie), so a copy of the
database signs nobody in. Migration 0007 creates them.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, MetaData, String, Table

from service.store.crypto import SealedJSON
from service.store.tables import UTC

metadata = MetaData(naming_convention={"ix": "ix_%(column_0_label)s", "pk": "pk_%(table_name)s"})

sign_in_links = Table(
    "web_sign_in_links", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("email", String(320), nullable=False),
    Column("created_at", UTC, nullable=False),
    Column("expires_at", UTC, nullable=False),
    Column("used_at", UTC),
)

sessions = Table(
    "web_sessions", metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("email", String(320), nullable=False, index=True),
    Column("via", String(16), nullable=False),  # link | entra
    Column("token_roles", JSON, nullable=False),  # Entra app roles from the id token ([] for a link)
    Column("created_at", UTC, nullable=False),
    Column("last_seen_at", UTC, nullable=False),
    Column("ended_at", UTC),
)

# An Entra ID sign-in between the redirect to Entra ID and its answer: msal's flow (state, nonce, PKCE code
# verifier; sealed), bound to the browser that started it. Used once, within ten minutes.
sign_in_flows = Table(
    "web_sign_in_flows", metadata,
    Column("state_hash", String(64), primary_key=True),
    Column("browser_hash", String(64), nullable=False),
    Column("flow", SealedJSON, nullable=False),
    Column("created_at", UTC, nullable=False),
)

# A person's secret iCalendar feed of deadlines: the URL carries the token; revoking it ends the feed.
calendar_feeds = Table(
    "web_calendar_feeds", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("email", String(320), nullable=False, index=True),
    Column("created_at", UTC, nullable=False),
    Column("revoked_at", UTC),
)
