"""The local folder backend: the service runs end to end with no Microsoft 365 tenant.

Layout under the data folder::

    mail/inbox/            drop *.eml here (write elsewhere, then move in)
    mail/processed/        handled messages, filed by outcome
    mail/quarantine/
    mail/not-referral/
    mail/sent/<key>.eml    what the service sent (one file per outbox key)
    mail/drafts/<reviewer>/<key>.eml   letters left for a person to check;
                                       "send" one by moving it to mail/sent/
    calendar/<key>.ics     invitations and cancellations (RFC 5545)
    calendar/busy/*.ics    other commitments, read for free/busy

Every write goes to a temporary file that is renamed into place, so a crash
never leaves half a message, and the presence of ``sent/<key>.eml`` is the
proof that a message went (which makes ``send`` idempotent). Everything the
backend writes (and every message it files away) is its owner's alone:
folders 700, files 600, whatever the umask (``service.files``).
"""

from __future__ import annotations

import hashlib
import os
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable

from ..files import append_private, make_private, private_dir, write_private
from . import ical_writer
from .mime_writer import build_mime
from .ports import (
    BusyInterval,
    Disposition,
    DraftState,
    EventRef,
    EventSpec,
    InboundBatch,
    InboundMessage,
    OutgoingMessage,
    ResponseStatus,
    SendReceipt,
    TransportError,
)

_SAFE = re.compile(r"[^A-Za-z0-9._@-]+")
_MSGID = re.compile(rb"^message-id:\s*(<[^>\r\n]+>)", re.IGNORECASE | re.MULTILINE)
PRODID = "-//Review Clerk//Safeguarding case reviews//EN"


def safe_name(key: str) -> str:
    return _SAFE.sub("_", key).strip("._")[:180] or "message"


def atomic_write(path: Path, data: bytes) -> None:
    write_private(path, data)


class LocalMailbox:
    def __init__(self, data_dir: Path, clock=None):
        self.clock = clock  # dates the messages it writes (simulated time in the demo and tests)
        self.root = Path(data_dir) / "mail"
        self.inbox = self.root / "inbox"
        self.sent = self.root / "sent"
        self.drafts = self.root / "drafts"
        self.folders = {Disposition.PROCESSED: self.root / "processed",
                        Disposition.QUARANTINE: self.root / "quarantine",
                        Disposition.NOT_REFERRAL: self.root / "not-referral"}
        for d in (self.inbox, self.sent, self.drafts, *self.folders.values()):
            private_dir(d)

    # Reading ----------------------------------------------------------------
    def read_new(self, cursor: str | None) -> InboundBatch:
        messages = []
        for path in sorted(self.inbox.glob("*.eml"), key=lambda p: (p.stat().st_mtime, p.name)):
            try:
                raw = path.read_bytes()
            except OSError as exc:  # vanished or unreadable: try again next time
                raise TransportError(f"cannot read {path.name} from the local inbox: {exc.strerror}") from exc
            # The id binds name and content, so a later file reusing a name is a new message.
            mid = f"{path.name}#{hashlib.sha256(raw).hexdigest()[:16]}"
            found = _MSGID.search(raw[:65536])
            # No received_at: a dropped file's time says when it was copied, not when the board
            # received it; the service takes the moment it stores the message.
            messages.append(InboundMessage(
                id=mid, raw=raw, internet_message_id=found.group(1).decode("ascii", "replace") if found else None))
        return InboundBatch(messages=messages, cursor=None)

    def mark_handled(self, message_id: str, disposition: Disposition, category: str | None = None) -> None:
        name = message_id.split("#", 1)[0]
        src = self.inbox / name
        if not src.exists():
            # Filed already; to another folder if its outcome changed since (a held referral released).
            elsewhere = [f / name for d, f in self.folders.items() if d != disposition and (f / name).exists()]
            if not elsewhere:
                return
            src = elsewhere[0]
        target = self.folders[disposition] / name
        n = 1
        while target.exists():
            target = self.folders[disposition] / f"{Path(name).stem}-{n}{Path(name).suffix}"
            n += 1
        try:
            os.replace(src, target)
        except FileNotFoundError:
            return  # another process filed it first
        make_private(target)  # dropped in by someone else, perhaps readable by all

    # Sending ------------------------------------------------------------------
    def _sent_path(self, key: str) -> Path:
        return self.sent / f"{safe_name(key)}.eml"

    def send(self, message: OutgoingMessage) -> SendReceipt:
        path = self._sent_path(message.key)
        if path.exists():
            self._log("already-sent", message.key)
            return SendReceipt(provider_id=path.name, already_sent=True)
        atomic_write(path, bytes(build_mime(message, self.clock.now() if self.clock else None)))
        self._log("delivered", message.key)
        return SendReceipt(provider_id=path.name)

    def _log(self, what: str, key: str) -> None:
        """mail/delivery.log: one line per send, as a mail server keeps (keys only, no addresses)."""
        line = f"{datetime.now(timezone.utc).isoformat()} {what} {key}\n".encode("utf-8")
        append_private(self.root / "delivery.log", line)

    def create_draft(self, message: OutgoingMessage, reviewer: str) -> str:
        path = self.drafts / safe_name(reviewer) / f"{safe_name(message.key)}.eml"
        if not path.exists() and not self._sent_path(message.key).exists():
            atomic_write(path, bytes(build_mime(message, self.clock.now() if self.clock else None)))
        return str(path.relative_to(self.root))

    def draft_state(self, key: str, provider_id: str) -> DraftState:
        if self._sent_path(key).exists():
            return DraftState.SENT
        if (self.root / provider_id).exists():
            return DraftState.DRAFT
        return DraftState.MISSING


class LocalCalendar:
    def __init__(self, data_dir: Path, tz):
        self.folder = Path(data_dir) / "calendar"
        self.busy_folder = self.folder / "busy"
        self.replies_folder = self.folder / "replies"
        for d in (self.folder, self.busy_folder, self.replies_folder):
            private_dir(d)
        self.tz = tz
        # The calendar folder's events as read: path -> ((mtime, size, inode), [(start, end, people)]). A file
        # is parsed again only when it changed, so free/busy for a run's meetings reads each file once; a file
        # this backend writes is put in the index as it is written, and never parsed.
        self._index: dict[Path, tuple[tuple[int, int], list[tuple[datetime, datetime, frozenset[str]]]]] = {}

    def _path(self, key: str) -> Path:
        return self.folder / f"{safe_name(key)}.ics"

    def _ics(self, spec: EventSpec, method: str, reason: str | None = None) -> bytes:
        return ical_writer.event(
            prodid=PRODID, method=method, uid=spec.key, sequence=spec.sequence, stamp=datetime.now(timezone.utc),
            start=spec.start.astimezone(self.tz), end=spec.end.astimezone(self.tz), summary=spec.subject,
            description=spec.body_text if not reason else f"{reason}\n\n{spec.body_text}",
            organizer=spec.organizer, attendees=spec.attendees, location=spec.location,
            status="CANCELLED" if method == "CANCEL" else "CONFIRMED")

    def upsert_event(self, spec: EventSpec, provider_id: str | None = None) -> EventRef:
        path = self._path(spec.key)
        atomic_write(path, self._ics(spec, "REQUEST"))
        self._indexed(path, [(spec.start.astimezone(self.tz).replace(microsecond=0),
                              spec.end.astimezone(self.tz).replace(microsecond=0),
                              frozenset({*(a.email.lower() for a in spec.attendees), spec.organizer.lower()}))])
        return EventRef(provider_id=path.name, online_meeting_url=None)

    def cancel_event(self, spec: EventSpec, provider_id: str | None, reason: str) -> None:
        path = self._path(spec.key)
        atomic_write(path, self._ics(spec, "CANCEL", reason))
        self._indexed(path, [])  # a cancelled event is nobody's busy time

    def _indexed(self, path: Path, events: list[tuple[datetime, datetime, frozenset[str]]]) -> None:
        """Put the events just written to ``path`` in the index, as reading the file back would give them (the
        file is not parsed again for free/busy: a run that writes N invitations would parse N files)."""
        try:
            st = path.stat()
        except OSError:
            return
        self._index[path] = ((st.st_mtime_ns, st.st_size, st.st_ino), events)

    def responses(self, spec: EventSpec, provider_id: str | None) -> dict[str, ResponseStatus]:
        """Replies filed under calendar/replies/<uid>/*.ics (iCalendar REPLY files), newest last.

        A reply to an earlier SEQUENCE answered an earlier time, so it does not count.
        """
        from icalendar import Calendar as ICalendar

        out: dict[str, ResponseStatus] = {}
        folder = self.replies_folder / safe_name(spec.key)
        for path in sorted(folder.glob("*.ics"), key=lambda p: (p.stat().st_mtime, p.name)) if folder.exists() else []:
            try:
                cal = ICalendar.from_ical(path.read_bytes())
            except ValueError:
                continue
            for ev in cal.walk("VEVENT"):
                try:
                    if int(ev.get("sequence", 0)) < spec.sequence:
                        continue
                except (TypeError, ValueError):
                    continue
                for att in _as_list(ev.get("attendee")):
                    email = str(att).split(":", 1)[-1].lower()
                    status = str(att.params.get("PARTSTAT", "NEEDS-ACTION")).upper()
                    out[email] = {"ACCEPTED": ResponseStatus.ACCEPTED, "DECLINED": ResponseStatus.DECLINED,
                                  "TENTATIVE": ResponseStatus.TENTATIVE}.get(status, ResponseStatus.NONE)
        return out

    def free_busy(self, emails: Iterable[str], start: datetime, end: datetime) -> dict[str, list[BusyInterval]]:
        wanted = {e.lower() for e in emails}
        busy: dict[str, list[BusyInterval]] = {e: [] for e in wanted}
        for s, e, people in self._events():
            if e <= start or s >= end:
                continue
            for who in people & wanted:
                busy[who].append(BusyInterval(s.astimezone(timezone.utc), e.astimezone(timezone.utc)))
        return busy

    def _events(self) -> list[tuple[datetime, datetime, frozenset[str]]]:
        """Every event of the calendar folder that is not cancelled, from the index (files that changed
        since they were last read are read again; files gone are dropped)."""
        seen: dict[Path, tuple[tuple[int, int, int], list]] = {}
        for path in list(self.folder.glob("*.ics")) + list(self.busy_folder.glob("*.ics")):
            try:
                st = path.stat()
            except OSError:
                continue
            stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
            known = self._index.get(path)
            seen[path] = known if known is not None and known[0] == stamp else (stamp, self._read_events(path))
        self._index = seen
        return [ev for _, events in seen.values() for ev in events]

    def _read_events(self, path: Path) -> list[tuple[datetime, datetime, frozenset[str]]]:
        from icalendar import Calendar as ICalendar

        try:
            cal = ICalendar.from_ical(path.read_bytes())
        except (OSError, ValueError):
            return []
        events = []
        for ev in cal.walk("VEVENT"):
            if str(ev.get("status", "")).upper() == "CANCELLED":
                continue
            s, e = ev.decoded("dtstart"), ev.decoded("dtend") if ev.get("dtend") else None
            if isinstance(s, date) and not isinstance(s, datetime):
                s = datetime.combine(s, datetime.min.time(), self.tz)
                e = s + timedelta(days=1)
            if e is None:
                e = s + timedelta(hours=1)
            s = s if s.tzinfo else s.replace(tzinfo=self.tz)
            e = e if e.tzinfo else e.replace(tzinfo=self.tz)
            people = {str(a).split(":", 1)[-1].lower() for a in _as_list(ev.get("attendee"))}
            if ev.get("organizer"):
                people.add(str(ev.get("organizer")).split(":", 1)[-1].lower())
            events.append((s, e, frozenset(people)))
        return events


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
