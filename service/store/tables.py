"""The database schema (SQLAlchemy 2.x Core tables; Alembic migrations follow it).

Portable between SQLite and PostgreSQL: no vendor types. Times are stored
as timezone-aware UTC timestamps, dates as dates.
"""

from __future__ import annotations

from datetime import timezone

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

from .crypto import SealedBytes, SealedJSON, SealedText

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

class UTCDateTime(TypeDecorator):
    """A timezone-aware timestamp, always stored and compared in UTC.

    SQLite keeps no offset: without this, 09:00 British Summer Time and
    09:00 UTC would be stored alike and compared wrongly. Naive datetimes are
    refused rather than guessed at.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a naive datetime cannot be stored: give it a time zone")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


UTC = UTCDateTime()

cases = Table(
    "cases", metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(40), nullable=False, unique=True),
    Column("year", Integer, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("stage", String(32), nullable=False, index=True),
    Column("outcome", String(32)),
    Column("decision_reason", SealedText),  # free text: may name people
    Column("opened_at", UTC, nullable=False),
    # Personal data is sealed (service/store/crypto.py): names, dates of birth, addresses, the form.
    Column("subjects", SealedJSON, nullable=False, default=list),
    Column("referrer", SealedJSON, nullable=False, default=dict),
    Column("referral", SealedJSON),
    Column("missing", JSON, nullable=False, default=list),
    # What the Business Manager must confirm about how the referral was read (fixed phrases, subjects by
    # number: no personal data); emptied when confirmed (`review-clerk case confirm`).
    Column("to_confirm", JSON, nullable=False, default=list),
    Column("fingerprint", String(64), index=True),  # same form re-sent -> same fingerprint
    UniqueConstraint("year", "seq", name="uq_cases_year_seq"),
    # Retention (service/retention.py): a case under legal hold is never anonymised; anonymised_at
    # is when its personal data was removed after its retention period.
    Column("legal_hold", Boolean, nullable=False, default=False),
    Column("legal_hold_reason", SealedText),
    Column("anonymised_at", UTC),
    # The procedure the case runs under: a pack's id and the version it was opened under (kept in
    # `procedures`); `criterion`: the criterion its decision found met.
    Column("procedure_id", String(64), nullable=False, server_default="enfield-scr-2013"),
    Column("procedure_version", String(32), nullable=False, server_default="1"),
    Column("criterion", String(64)),
)

# The text of every procedure pack version a case was opened under: a case's rules never change
# because the board's pack (or the service's shipped one) changed later (migration 0006).
procedures = Table(
    "procedures", metadata,
    Column("id", String(64), primary_key=True),
    Column("version", String(32), primary_key=True),
    Column("digest", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("kept_at", DateTime, nullable=False),
)

case_events = Table(
    "case_events", metadata,
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(40), primary_key=True),
    Column("on", Date, nullable=False),
)

case_agencies = Table(
    "case_agencies", metadata,
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    Column("agency", String(64), primary_key=True),
    Column("position", Integer, nullable=False, default=0),
)

deadlines = Table(
    "deadlines", metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("key", String(80), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("agency", String(64)),
    Column("due", Date, nullable=False),
    Column("computed_due", Date, nullable=False),
    Column("owner", String(120), nullable=False),  # role ids, comma-separated
    Column("rule", Text, nullable=False),
    Column("basis", String(40)),
    Column("basis_date", Date),
    Column("status", String(16), nullable=False),
    Column("met_on", Date),
    Column("extended", Boolean, nullable=False, default=False),
    Column("reason", SealedText),  # free text: may name people
    # When the sweep must next look at this deadline (a reminder or the
    # moment it is missed). The sweep reads only rows whose time has come,
    # so its cost follows what is due, not how many cases exist.
    Column("next_action_at", UTC),
    Column("chase_step", String(40)),  # the last reminder/escalation step sent
    UniqueConstraint("case_id", "key", name="uq_deadlines_case_key"),
    Index("ix_deadlines_due_work", "status", "next_action_at"),
)

audit_events = Table(
    "audit_events", metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id", ondelete="SET NULL"), index=True),
    Column("reference", String(40), index=True),
    Column("at", UTC, nullable=False),
    Column("actor", String(255), nullable=False),
    Column("action", String(64), nullable=False),
    Column("detail", JSON, nullable=False),
    Column("reason", SealedText),  # free text: may name people
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False, unique=True),
)

inbound_messages = Table(
    "inbound_messages", metadata,
    Column("id", Integer, primary_key=True),
    Column("backend_id", String(512), nullable=False, unique=True),
    Column("internet_message_id", String(998), index=True),
    Column("sha256", String(64), nullable=False, index=True),
    Column("size", Integer, nullable=False),
    Column("raw", SealedBytes, nullable=False),  # the email as received, sealed
    Column("received_at", UTC),
    Column("stored_at", UTC, nullable=False),
    # new -> processed | duplicate | not_referral | quarantined | held | reply | failed
    Column("status", String(20), nullable=False, index=True),
    Column("outcome", Text),  # reason, for a person
    Column("kind", String(32)),
    Column("case_id", ForeignKey("cases.id", ondelete="SET NULL"), index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("claimed_until", UTC),
    Column("claimed_by", String(80)),
    Column("filed", Boolean, nullable=False, default=False),  # moved to its folder in the mailbox
    Column("sender", String(320)),
)

outbox = Table(
    "outbox", metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(200), nullable=False, unique=True),
    Column("case_id", ForeignKey("cases.id", ondelete="SET NULL"), index=True),
    Column("template", String(64), nullable=False),
    Column("sender", String(320), nullable=False),
    Column("to", JSON, nullable=False),
    Column("cc", JSON, nullable=False, default=list),
    Column("subject", Text, nullable=False),
    Column("text", SealedText, nullable=False),  # bodies and letters can name the family: sealed
    Column("html", SealedText),
    Column("attachments", SealedJSON, nullable=False, default=list),  # [{filename, content_type, data_b64}]
    Column("headers", JSON, nullable=False, default=dict),
    Column("message_id", String(998), nullable=False),
    Column("in_reply_to", String(998)),
    Column("references", JSON, nullable=False, default=list),
    Column("mode", String(16), nullable=False, default="auto"),  # auto | review
    Column("reviewer", String(320)),
    # queued -> sending -> sent | failed | awaiting_review -> sent
    Column("status", String(20), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTC),
    Column("last_error", Text),
    Column("provider_id", String(512)),
    Column("created_at", UTC, nullable=False),
    Column("sent_at", UTC),
    Column("claimed_until", UTC),
    Column("claimed_by", String(80)),
    Index("ix_outbox_work", "status", "next_attempt_at"),
)

service_state = Table(
    "service_state", metadata,
    Column("name", String(80), primary_key=True),
    Column("value", Text),
    Column("updated_at", UTC),
)

# Panel meetings (service/meetings). One row per meeting; ``key`` is the
# calendar event's stable identity (the iCalendar UID and the Graph
# transactionId) for the meeting's whole life. The row is saved before the
# calendar is touched: ``revision`` counts changes the calendar must see,
# ``synced_revision`` the last one it saw, so a crash between the two is
# repaired by pushing again (the calendar is idempotent on the key).
meetings = Table(
    "meetings", metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("number", Integer, nullable=False, default=1),  # 1, 2... per case and kind
    Column("key", String(200), nullable=False, unique=True),
    # to_schedule -> scheduled -> held | cancelled
    Column("state", String(16), nullable=False, index=True),
    Column("start", UTC),
    Column("end", UTC),
    Column("within_days", Integer),  # a window asked for on the command line
    Column("window_end", Date),
    Column("sequence", Integer, nullable=False, default=0),  # iCalendar SEQUENCE
    Column("revision", Integer, nullable=False, default=0),
    Column("synced_revision", Integer),
    Column("provider_id", String(512)),
    Column("online_url", Text),
    Column("missing", JSON, nullable=False, default=list),  # required attendees busy at the chosen time
    Column("notes", JSON, nullable=False, default=list),  # why the time is not what was asked for
    Column("invited_at", UTC),  # when the current time went out to the attendees
    Column("proposed_start", UTC),  # a new time offered after the quorum was lost
    Column("proposed_end", UTC),
    Column("cancel_reason", SealedText),
    Column("last_error", Text),
    Column("claimed_until", UTC),
    Column("claimed_by", String(80)),
    Column("created_at", UTC, nullable=False),
    Column("updated_at", UTC, nullable=False),
    UniqueConstraint("case_id", "kind", "number", name="uq_meetings_case_kind_number"),
)

meeting_attendees = Table(
    "meeting_attendees", metadata,
    Column("id", Integer, primary_key=True),
    Column("meeting_id", ForeignKey("meetings.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("email", String(320), nullable=False),
    Column("name", String(255), nullable=False),
    Column("roles", JSON, nullable=False, default=list),
    Column("agency", String(64)),
    Column("required", Boolean, nullable=False, default=True),
    Column("response", String(16), nullable=False, default="none"),  # ports.ResponseStatus
    Column("responded_at", UTC),
    Column("reminded", Boolean, nullable=False, default=False),
    UniqueConstraint("meeting_id", "email", name="uq_meeting_attendees_meeting_email"),
)

# Agency returns (service/intake/agency_returns.py): each document an agency sent back for a case
# (an IMR or agency report, a chronology, a summary, an action plan), one version per case, agency
# and kind; a later version replaces an earlier one for use, and both are kept (migration 0008).
agency_returns = Table(
    "agency_returns", metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("agency", String(64), nullable=False),
    Column("kind", String(32), nullable=False),  # imr | chronology | summary | action_plan
    Column("version", Integer, nullable=False),
    Column("filename", String(255), nullable=False),
    Column("content_type", String(128), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("data", SealedBytes, nullable=False),  # the document as received, sealed
    Column("rows_read", Integer),  # a chronology's rows, None for another kind or one that could not be read
    Column("how", JSON, nullable=False, default=dict),  # how agency and kind were found (no document text)
    Column("inbound_id", ForeignKey("inbound_messages.id", ondelete="SET NULL")),
    Column("sender", String(320)),
    Column("received_at", UTC, nullable=False),
    UniqueConstraint("case_id", "agency", "kind", "version", name="uq_agency_returns_case_id"),
)

# The publication check of a case's draft report (`review-clerk report check REF FILE`): counts by kind,
# never a value found; and a person's acceptance of a check that found something (`report accept`).
report_checks = Table(
    "report_checks", metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("filename", String(255), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("checked_at", UTC, nullable=False),
    Column("checked_by", String(320), nullable=False),
    Column("found", Integer, nullable=False),
    Column("by_kind", JSON, nullable=False, default=dict),
    Column("accepted_at", UTC),
    Column("accepted_by", String(320)),
    Column("accepted_reason", SealedText),
)
