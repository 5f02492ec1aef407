"""``ports.Calendar`` on Microsoft Graph: idempotent meetings, responses, free/busy.

Idempotency. An event we create carries, on top of Graph's ``transactionId``
(= ``EventSpec.key``; Graph answers a repeated create with the same
transactionId with the event it already made), two extended properties: the
key, which ``$filter`` can find after a crash that lost the provider id, and
a hash of the event as we last wrote it. ``upsert_event`` reads the hash
first and only PATCHes when the spec really changed, because every PATCH of a
meeting sends attendees an update.

Times. Start and end go out as the board's local wall time with the Windows
name of its zone (``Europe/London`` → ``GMT Standard Time``, via O365's
tables): Graph documents Windows names as always accepted and says create
and update "might not support" all IANA names. Free/busy is asked for and
read in UTC (``Prefer: outlook.timezone="UTC"``); a zone name in an answer
is converted either way.

Online meetings are requested with ``isOnlineMeeting: true`` (a JSON boolean,
unlike O365, which sends the string) and ``onlineMeetingProvider:
teamsForBusiness``; the Teams join URL is read from ``onlineMeeting.joinUrl``.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from O365.utils.windows_tz import get_iana_tz, get_windows_tz

from service.mailbox.ports import (
    Attendee,
    BusyInterval,
    EventRef,
    EventSpec,
    ResponseStatus,
    TransportError,
)

from . import batch
from .batch import BatchRequest
from .message_json import EVENT_SPEC_HASH_PROPERTY_ID, KEY_PROPERTY_ID, key_filter
from .errors import GraphError
from .formats import odata_string, parse_graph_time, seg
from .http import GraphHttp

log = logging.getLogger("review_clerk.m365")

RESPONSES = {
    "accepted": ResponseStatus.ACCEPTED,
    "tentativelyaccepted": ResponseStatus.TENTATIVE,
    "declined": ResponseStatus.DECLINED,
    "organizer": ResponseStatus.ORGANIZER,
    "none": ResponseStatus.NONE,
    "notresponded": ResponseStatus.NONE,
}
BUSY_STATUSES = frozenset({"busy", "tentative", "oof"})  # free, workingElsewhere, unknown are not busy
BUSY_VIEW_DIGITS = frozenset("123")  # availabilityView: 0 free, 1 tentative, 2 busy, 3 oof, 4 elsewhere
SCHEDULES_PER_REQUEST = 20
MAX_SCHEDULE_WINDOW = timedelta(days=62)  # getSchedule's longest range


def graph_time_zone(iana: str) -> str:
    """The Windows zone name Graph always accepts, or the IANA name if there is none."""
    try:
        return get_windows_tz(ZoneInfo(iana))
    except ZoneInfoNotFoundError:
        return iana


def zone_of(name: str | None) -> ZoneInfo | timezone:
    """A tzinfo for a zone name from Graph: UTC, IANA or Windows."""
    if not name or name.upper() in ("UTC", "ETC/UTC", "Z"):
        return timezone.utc
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        pass
    try:
        return get_iana_tz(name)
    except ZoneInfoNotFoundError:
        log.warning("unknown time zone %r from Graph; reading it as UTC", name)
        return timezone.utc


def from_graph_datetime(value: dict[str, Any]) -> datetime:
    """An aware datetime from a Graph dateTimeTimeZone."""
    naive = parse_graph_time(str(value.get("dateTime", "")))
    if naive is None:
        raise GraphError("Graph returned an unreadable dateTime", status=200, permanent=False)
    if naive.tzinfo is not None:
        return naive
    return naive.replace(tzinfo=zone_of(value.get("timeZone")))


def to_graph_datetime(when: datetime, iana: str) -> dict[str, str]:
    if when.tzinfo is None:
        raise ValueError("event times must be timezone-aware")
    local = when.astimezone(ZoneInfo(iana)).replace(tzinfo=None)
    return {"dateTime": local.isoformat(timespec="seconds"), "timeZone": graph_time_zone(iana)}


def _attendee(attendee: Attendee) -> dict[str, Any]:
    address: dict[str, str] = {"address": attendee.email}
    if attendee.name:
        address["name"] = attendee.name
    return {"emailAddress": address, "type": "required" if attendee.required else "optional"}


def event_payload(spec: EventSpec, iana: str) -> dict[str, Any]:
    """The event fields we own (no transactionId, no extended properties)."""
    payload: dict[str, Any] = {
        "subject": spec.subject,
        "body": ({"contentType": "HTML", "content": spec.body_html} if spec.body_html
                 else {"contentType": "Text", "content": spec.body_text}),
        "start": to_graph_datetime(spec.start, iana),
        "end": to_graph_datetime(spec.end, iana),
        "attendees": [_attendee(a) for a in spec.attendees],
        "location": {"displayName": spec.location or ""},
        "isOnlineMeeting": bool(spec.online_meeting),
        "responseRequested": True,
    }
    if spec.online_meeting:
        payload["onlineMeetingProvider"] = "teamsForBusiness"
    return payload


def payload_hash(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _merge(intervals: list[BusyInterval]) -> list[BusyInterval]:
    merged: list[BusyInterval] = []
    for iv in sorted(intervals, key=lambda i: (i.start, i.end)):
        if merged and iv.start <= merged[-1].end:
            if iv.end > merged[-1].end:
                merged[-1] = BusyInterval(merged[-1].start, iv.end)
        else:
            merged.append(iv)
    return merged


def _matches(event: dict[str, Any], payload: dict[str, Any]) -> bool:
    """Does the event Graph returned for our create carry the attendees and place we asked for?"""
    def who(items: Any) -> set[str]:
        return {str((a.get("emailAddress") or {}).get("address") or "").lower() for a in items or []}
    if who(event.get("attendees")) != who(payload["attendees"]):
        return False
    wanted = str(payload["location"]["displayName"])
    # Without a place of ours, Outlook may write its own ("Microsoft Teams Meeting"): not a difference.
    return not wanted or str((event.get("location") or {}).get("displayName") or "") == wanted


class GraphCalendar:
    """Implements :class:`service.mailbox.ports.Calendar`. Thread-safe (no mutable state)."""

    def __init__(self, http: GraphHttp, mailbox: str, *, time_zone: str = "Europe/London",
                 view_interval_minutes: int = 30):
        self._http = http
        self.mailbox = mailbox.lower()
        self._tz = time_zone
        ZoneInfo(time_zone)  # fail at construction, not at the first meeting
        self._interval = view_interval_minutes

    # Events -----------------------------------------------------------------
    def upsert_event(self, spec: EventSpec, provider_id: str | None = None) -> EventRef:
        organizer = (spec.organizer or self.mailbox).lower()
        payload = event_payload(spec, self._tz)
        digest = payload_hash(payload)
        if provider_id:
            return self._update(organizer, provider_id, spec, payload, digest)
        # No look-up by key first: the transactionId makes the create idempotent (a repeat with the
        # same content returns the event already made; different content is ErrorDuplicateTransactionId).
        create = dict(payload, transactionId=spec.key, singleValueExtendedProperties=[
            {"id": KEY_PROPERTY_ID, "value": spec.key},
            {"id": EVENT_SPEC_HASH_PROPERTY_ID, "value": digest},
        ])
        try:
            # Safe to replay: Graph returns the existing event for a repeated transactionId.
            body = self._http.json("POST", f"users/{seg(organizer)}/events", json=create, replay_safe=True)
        except GraphError as exc:
            if not exc.code_is("ErrorDuplicateTransactionId"):
                raise
            # The transactionId was used for an event whose content differs (a
            # crash between create and a later change): find it and update it.
            event_id = self._find_by_key(organizer, spec.key)
            if not event_id:
                raise TransportError(
                    "Graph says this meeting was created before, but it is no longer in the organiser's "
                    "calendar (deleted or cancelled in Outlook); a person must decide whether to re-create it",
                    permanent=True) from None
            return self._update(organizer, event_id, spec, payload, digest)
        if not _matches(body, payload):
            # The transactionId returned an event made earlier with the same subject and times but other
            # attendees or place (a crash between create and a change): bring it up to date.
            return self._update(organizer, body["id"], spec, payload, digest)
        log.info("created meeting in %s's calendar", organizer)
        return self._ref(organizer, body, spec)

    def cancel_event(self, spec: EventSpec, provider_id: str | None, reason: str) -> None:
        organizer = (spec.organizer or self.mailbox).lower()
        event_id = provider_id or self._find_by_key(organizer, spec.key)
        if not event_id:
            log.info("no meeting to cancel for this key in %s", organizer)
            return
        path = f"users/{seg(organizer)}/events/{seg(event_id)}"
        try:
            if spec.attendees:
                self._http.request("POST", f"{path}/cancel", json={"Comment": reason}, replay_safe=True)
            else:
                self._http.request("DELETE", path)  # nobody to notify; cancel is for meetings
        except GraphError as exc:
            if exc.status == 404:
                return  # already cancelled (cancel moves it to Deleted Items) or deleted
            if exc.status == 400 and self._is_cancelled(path):
                return
            raise
        log.info("cancelled meeting in %s's calendar", organizer)

    def responses(self, spec: EventSpec, provider_id: str | None) -> dict[str, ResponseStatus]:
        result = self.responses_many([(spec, provider_id)])[0]
        if isinstance(result, TransportError):
            raise result
        return result

    def responses_many(self, meetings: list[tuple[EventSpec, str | None]]
                       ) -> list[dict[str, ResponseStatus] | TransportError]:
        """Each meeting's attendee responses, read 20 meetings to a batch (one batch per organiser)."""
        out: list[dict[str, ResponseStatus] | TransportError] = [
            TransportError("not read", permanent=False)] * len(meetings)
        by_organizer: dict[str, list[tuple[int, str]]] = {}
        for n, (spec, provider_id) in enumerate(meetings):
            organizer = (spec.organizer or self.mailbox).lower()
            try:
                event_id = provider_id or self._find_by_key(organizer, spec.key)
            except TransportError as exc:
                out[n] = exc
                continue
            if not event_id:
                out[n] = TransportError("no meeting exists for this key in the organiser's calendar", permanent=True)
                continue
            by_organizer.setdefault(organizer, []).append((n, event_id))
        for organizer, wanted in by_organizer.items():
            answers = batch.run(self._http, [
                BatchRequest("GET", f"users/{seg(organizer)}/events/{seg(event_id)}", params={"$select": "attendees"})
                for _, event_id in wanted], mailbox=organizer)
            for (n, _), answer in zip(wanted, answers):
                out[n] = self._read_responses(meetings[n][0], answer.json()) if answer.ok else answer.error()
        return out

    @staticmethod
    def _read_responses(spec: EventSpec, body: dict[str, Any]) -> dict[str, ResponseStatus]:
        out = {a.email.lower(): ResponseStatus.NONE for a in spec.attendees}
        for att in body.get("attendees") or []:
            address = str((att.get("emailAddress") or {}).get("address") or "").lower()
            if not address:
                continue
            raw = str((att.get("status") or {}).get("response") or "none").lower()
            out[address] = RESPONSES.get(raw, ResponseStatus.NONE)
        return out

    # Free/busy --------------------------------------------------------------
    def free_busy(self, emails: Iterable[str], start: datetime, end: datetime) -> dict[str, list[BusyInterval]]:
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("free_busy needs timezone-aware datetimes")
        wanted = list(dict.fromkeys(e.strip().lower() for e in emails if e and e.strip()))
        found: dict[str, list[BusyInterval]] = {e: [] for e in wanted}
        start_utc, end_utc = start.astimezone(timezone.utc), end.astimezone(timezone.utc)
        for i in range(0, len(wanted), SCHEDULES_PER_REQUEST):
            chunk = wanted[i:i + SCHEDULES_PER_REQUEST]
            window_start = start_utc
            while window_start < end_utc:
                window_end = min(end_utc, window_start + MAX_SCHEDULE_WINDOW)
                self._schedule(chunk, window_start, window_end, found)
                window_start = window_end
        return {e: [BusyInterval(max(iv.start, start_utc), min(iv.end, end_utc))
                    for iv in _merge(ivs) if iv.end > start_utc and iv.start < end_utc]
                for e, ivs in found.items()}

    def _schedule(self, schedules: list[str], start: datetime, end: datetime,
                  found: dict[str, list[BusyInterval]]) -> None:
        def utc(dt: datetime) -> dict[str, str]:
            return {"dateTime": dt.replace(tzinfo=None).isoformat(timespec="seconds"), "timeZone": "UTC"}

        body = self._http.json(
            "POST", f"users/{seg(self.mailbox)}/calendar/getSchedule",
            json={"schedules": schedules, "startTime": utc(start), "endTime": utc(end),
                  "availabilityViewInterval": self._interval},
            prefer=['outlook.timezone="UTC"'], replay_safe=True)  # a read: safe to repeat
        for info in body.get("value", []):
            sid = str(info.get("scheduleId") or "").lower()
            if sid not in found:
                continue
            if info.get("error"):
                code = (info["error"] or {}).get("responseCode")
                log.warning("free/busy unavailable for one address (%s); treated as free", code)
                continue
            items = info.get("scheduleItems")
            if items is None:
                found[sid].extend(self._from_view(str(info.get("availabilityView") or ""), start))
                continue
            for item in items:
                if str(item.get("status", "")).lower() not in BUSY_STATUSES:
                    continue
                found[sid].append(BusyInterval(from_graph_datetime(item["start"]).astimezone(timezone.utc),
                                               from_graph_datetime(item["end"]).astimezone(timezone.utc)))

    def _from_view(self, view: str, start: datetime) -> list[BusyInterval]:
        """Busy slots from the availabilityView string (when Graph gives no items)."""
        step = timedelta(minutes=self._interval)
        return [BusyInterval(start + n * step, start + (n + 1) * step)
                for n, digit in enumerate(view) if digit in BUSY_VIEW_DIGITS]

    # Internals --------------------------------------------------------------
    def _find_by_key(self, organizer: str, key: str) -> str | None:
        body = self._http.json("GET", f"users/{seg(organizer)}/events",
                               params={"$filter": key_filter(key), "$select": "id", "$top": "2"})
        items = [e for e in body.get("value", []) if e.get("id")]
        if len(items) > 1:
            log.warning("more than one meeting carries the same key in %s; using the first", organizer)
        return items[0]["id"] if items else None

    def _update(self, organizer: str, event_id: str, spec: EventSpec, payload: dict[str, Any],
                digest: str) -> EventRef:
        path = f"users/{seg(organizer)}/events/{seg(event_id)}"
        try:
            current = self._http.json("GET", path, params={
                "$select": "id,isCancelled,isOnlineMeeting,onlineMeeting",
                "$expand": f"singleValueExtendedProperties($filter=id eq {odata_string(EVENT_SPEC_HASH_PROPERTY_ID)})",
            })
        except GraphError as exc:
            if exc.status == 404:
                raise TransportError(
                    "the meeting is no longer in the organiser's calendar (deleted or cancelled in Outlook); "
                    "a person must decide whether to re-create it", permanent=True) from None
            raise
        if current.get("isCancelled"):
            raise TransportError("the meeting was cancelled; it cannot be updated", permanent=True)
        stored = [p.get("value") for p in current.get("singleValueExtendedProperties") or []]
        if digest in stored:
            return self._ref(organizer, current, spec)
        update = dict(payload, singleValueExtendedProperties=[
            {"id": EVENT_SPEC_HASH_PROPERTY_ID, "value": digest}])
        body = self._http.json("PATCH", path, json=update)
        log.info("updated meeting in %s's calendar", organizer)
        return self._ref(organizer, body or current, spec)

    def _ref(self, organizer: str, event: dict[str, Any], spec: EventSpec) -> EventRef:
        event_id = event["id"]
        join_url = ((event.get("onlineMeeting") or {}).get("joinUrl")) or None
        if spec.online_meeting and not join_url:
            # Teams can fill the link in a moment after the create; look once more.
            again = self._http.json("GET", f"users/{seg(organizer)}/events/{seg(event_id)}",
                                    params={"$select": "id,isOnlineMeeting,onlineMeeting"})
            join_url = ((again.get("onlineMeeting") or {}).get("joinUrl")) or None
            if not join_url:
                log.warning("Graph created the meeting without a Teams link; is Teams enabled for %s?", organizer)
        return EventRef(provider_id=event_id, online_meeting_url=join_url)

    def _is_cancelled(self, path: str) -> bool:
        try:
            body = self._http.json("GET", path, params={"$select": "id,isCancelled"})
        except GraphError as exc:
            return exc.status == 404
        return bool(body.get("isCancelled"))
