"""GraphCalendar against stubbed Graph answers: event shapes, idempotency, responses, free/busy."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import requests
import responses
from graph_stubs import ENDPOINT, MAILBOX, G, body_of, graph_calls, query_of

from service.m365.graph_calendar import event_payload, payload_hash
from service.m365.message_json import EVENT_SPEC_HASH_PROPERTY_ID, KEY_PROPERTY_ID
from service.mailbox.ports import Attendee, BusyInterval, EventSpec, ResponseStatus, TransportError

LONDON = ZoneInfo("Europe/London")
JOIN = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc"


def spec(**overrides) -> EventSpec:
    values = dict(key="meeting-ESCB-2026-001-panel", organizer=MAILBOX, subject="Rapid review panel ESCB-2026-001",
                  body_text="Panel meeting for review ESCB-2026-001.",
                  start=datetime(2026, 6, 10, 9, 0, tzinfo=timezone.utc),  # 10:00 BST
                  end=datetime(2026, 6, 10, 10, 30, tzinfo=timezone.utc),
                  attendees=(Attendee("police@agency.example", "DI Smith"),
                             Attendee("health@agency.example", required=False)))
    values.update(overrides)
    return EventSpec(**values)


def created(event_id: str = "ev-1", join: str | None = JOIN, made_for: EventSpec | None = None) -> dict:
    """The event Graph answers a create with: ours, with the attendees and place of ``made_for``."""
    made_for = made_for or spec()
    return {"id": event_id, "isOnlineMeeting": True, "onlineMeeting": {"joinUrl": join} if join else None,
            "attendees": [{"emailAddress": {"address": a.email}, "type": "required" if a.required else "optional",
                           "status": {"response": "none"}} for a in made_for.attendees],
            "location": {"displayName": made_for.location or ""}}


def test_a_new_event_is_created_with_a_transaction_id_local_times_and_a_teams_meeting(rsps, make_backend):
    _, calendar = make_backend()
    rsps.add(responses.POST, f"{G}/events", status=201, json=created())

    ref = calendar.upsert_event(spec())

    assert ref.provider_id == "ev-1" and ref.online_meeting_url == JOIN
    # No look-up by key first: the transactionId makes the create idempotent; one request.
    assert graph_calls(rsps) == [("POST", f"users/{MAILBOX}/events")]
    graph = [c for c in rsps.calls if c.request.url.startswith(ENDPOINT)]
    body = body_of(graph[0])
    assert body["transactionId"] == "meeting-ESCB-2026-001-panel"
    assert body["start"] == {"dateTime": "2026-06-10T10:00:00", "timeZone": "GMT Standard Time"}
    assert body["end"] == {"dateTime": "2026-06-10T11:30:00", "timeZone": "GMT Standard Time"}
    assert body["isOnlineMeeting"] is True and body["onlineMeetingProvider"] == "teamsForBusiness"
    assert body["attendees"] == [
        {"emailAddress": {"address": "police@agency.example", "name": "DI Smith"}, "type": "required"},
        {"emailAddress": {"address": "health@agency.example"}, "type": "optional"}]
    assert body["body"] == {"contentType": "Text", "content": "Panel meeting for review ESCB-2026-001."}
    assert {p["id"] for p in body["singleValueExtendedProperties"]} == {KEY_PROPERTY_ID, EVENT_SPEC_HASH_PROPERTY_ID}


def test_winter_times_are_sent_as_gmt_wall_time():
    payload = event_payload(spec(start=datetime(2026, 1, 14, 14, 0, tzinfo=LONDON),
                                 end=datetime(2026, 1, 14, 15, 0, tzinfo=LONDON), location="Room 2",
                                 online_meeting=False), "Europe/London")
    assert payload["start"] == {"dateTime": "2026-01-14T14:00:00", "timeZone": "GMT Standard Time"}
    assert payload["location"] == {"displayName": "Room 2"}
    assert payload["isOnlineMeeting"] is False and "onlineMeetingProvider" not in payload


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        event_payload(spec(start=datetime(2026, 1, 1, 9)), "Europe/London")


def test_it_retries_event_creation_after_429_and_creates_it_once(rsps, make_backend, clock):
    _, calendar = make_backend()
    for _ in range(2):
        rsps.add(responses.POST, f"{G}/events", status=429, headers={"Retry-After": "3"})
    rsps.add(responses.POST, f"{G}/events", status=201, json=created())

    assert calendar.upsert_event(spec()).provider_id == "ev-1"
    assert clock.sleeps == [3.0, 3.0]


def test_a_lost_create_answer_is_retried_and_the_transaction_id_returns_the_same_event(rsps, make_backend):
    _, calendar = make_backend()
    rsps.add(responses.POST, f"{G}/events", body=requests.exceptions.ConnectionError("reset after send"))
    rsps.add(responses.POST, f"{G}/events", status=201, json=created("ev-1"))  # Graph: same transactionId, same event

    assert calendar.upsert_event(spec()).provider_id == "ev-1"
    posts = [c for c in rsps.calls if c.request.method == "POST" and c.request.url.endswith("/events")]
    assert len(posts) == 2 and body_of(posts[0])["transactionId"] == body_of(posts[1])["transactionId"]


def test_after_a_crash_without_a_stored_id_the_transaction_id_returns_the_event_and_none_is_recreated(
        rsps, make_backend):
    _, calendar = make_backend()
    rsps.add(responses.POST, f"{G}/events", status=201, json=created("ev-1"))  # made before the crash

    ref = calendar.upsert_event(spec())

    assert ref.provider_id == "ev-1" and ref.online_meeting_url == JOIN
    assert [m for m, _ in graph_calls(rsps)] == ["POST"]  # no look-up, no PATCH (nothing changed)


def test_an_event_returned_for_the_transaction_id_with_other_attendees_is_brought_up_to_date(rsps, make_backend):
    _, calendar = make_backend()
    before = spec(attendees=(Attendee("police@agency.example", "DI Smith"),))
    rsps.add(responses.POST, f"{G}/events", status=201, json=created("ev-1", made_for=before))
    rsps.add(responses.GET, f"{G}/events/ev-1", json=created() | {"singleValueExtendedProperties": [
        {"id": EVENT_SPEC_HASH_PROPERTY_ID, "value": payload_hash(event_payload(before, "Europe/London"))}]})
    rsps.add(responses.PATCH, f"{G}/events/ev-1", json=created())

    assert calendar.upsert_event(spec()).provider_id == "ev-1"
    assert [m for m, _ in graph_calls(rsps)] == ["POST", "GET", "PATCH"]
    assert len(body_of(rsps.calls[-1])["attendees"]) == 2
    assert query_of(rsps.calls[-2])["$expand"] == (
        f"singleValueExtendedProperties($filter=id eq '{EVENT_SPEC_HASH_PROPERTY_ID}')")


def test_an_unchanged_spec_with_a_known_id_sends_no_update_to_attendees(rsps, make_backend):
    _, calendar = make_backend()
    digest = payload_hash(event_payload(spec(), "Europe/London"))
    rsps.add(responses.GET, f"{G}/events/ev-1", json=created() | {
        "singleValueExtendedProperties": [{"id": EVENT_SPEC_HASH_PROPERTY_ID, "value": digest}]})

    calendar.upsert_event(spec(), "ev-1")

    assert graph_calls(rsps) == [("GET", f"users/{MAILBOX}/events/ev-1")]


def test_a_changed_spec_is_patched_onto_the_existing_event(rsps, make_backend):
    _, calendar = make_backend()
    rsps.add(responses.GET, f"{G}/events/ev-1", json=created() | {
        "singleValueExtendedProperties": [{"id": EVENT_SPEC_HASH_PROPERTY_ID, "value": "old"}]})
    rsps.add(responses.PATCH, f"{G}/events/ev-1", json=created())
    moved = spec(start=datetime(2026, 6, 11, 13, 0, tzinfo=timezone.utc),
                 end=datetime(2026, 6, 11, 14, 0, tzinfo=timezone.utc), sequence=1)

    ref = calendar.upsert_event(moved, "ev-1")

    patch = body_of(rsps.calls[-1])
    assert ref.provider_id == "ev-1"
    assert patch["start"] == {"dateTime": "2026-06-11T14:00:00", "timeZone": "GMT Standard Time"}
    assert "transactionId" not in patch  # it cannot change after creation
    assert patch["singleValueExtendedProperties"] == [
        {"id": EVENT_SPEC_HASH_PROPERTY_ID, "value": payload_hash(event_payload(moved, "Europe/London"))}]


def test_a_duplicate_transaction_id_with_different_content_updates_the_existing_event(rsps, make_backend):
    _, calendar = make_backend()
    rsps.add(responses.GET, f"{G}/events", json={"value": [{"id": "ev-1"}]})
    rsps.add(responses.POST, f"{G}/events", status=400, json={"error": {
        "code": "ErrorDuplicateTransactionId", "message": "The TransactionId specified in the request has already "
                                                          "been used to create a different event."}})
    rsps.add(responses.GET, f"{G}/events/ev-1", json=created() | {"singleValueExtendedProperties": []})
    rsps.add(responses.PATCH, f"{G}/events/ev-1", json=created())

    assert calendar.upsert_event(spec()).provider_id == "ev-1"
    assert [m for m, _ in graph_calls(rsps)] == ["POST", "GET", "GET", "PATCH"]
    graph = [c for c in rsps.calls if c.request.url.startswith(ENDPOINT)]
    assert query_of(graph[1])["$filter"] == (
        f"singleValueExtendedProperties/Any(ep: ep/id eq '{KEY_PROPERTY_ID}' "
        f"and ep/value eq 'meeting-ESCB-2026-001-panel')")


def test_a_missing_teams_link_is_looked_up_once_more(rsps, make_backend, caplog):
    _, calendar = make_backend()
    rsps.add(responses.POST, f"{G}/events", status=201, json=created(join=None))
    rsps.add(responses.GET, f"{G}/events/ev-1", json=created(join=None))

    ref = calendar.upsert_event(spec())

    assert ref.online_meeting_url is None
    assert "without a Teams link" in caplog.text


def test_an_event_deleted_in_outlook_is_a_permanent_error(rsps, make_backend):
    _, calendar = make_backend()
    rsps.add(responses.GET, f"{G}/events/ev-1", status=404, json={"error": {"code": "ErrorItemNotFound"}})
    with pytest.raises(TransportError) as info:
        calendar.upsert_event(spec(), "ev-1")
    assert info.value.permanent


def test_cancel_posts_the_reason_and_is_idempotent(rsps, make_backend):
    _, calendar = make_backend()
    rsps.add(responses.POST, f"{G}/events/ev-1/cancel", status=202)
    rsps.add(responses.POST, f"{G}/events/ev-1/cancel", status=404, json={"error": {"code": "ErrorItemNotFound"}})

    calendar.cancel_event(spec(), "ev-1", "The review panel has been rescheduled.")
    calendar.cancel_event(spec(), "ev-1", "The review panel has been rescheduled.")

    assert body_of(rsps.calls[2]) == {"Comment": "The review panel has been rescheduled."}


def test_cancel_without_an_id_or_an_event_does_nothing(rsps, make_backend):
    _, calendar = make_backend()
    rsps.add(responses.GET, f"{G}/events", json={"value": []})
    calendar.cancel_event(spec(), None, "no longer needed")
    assert graph_calls(rsps) == [("GET", f"users/{MAILBOX}/events")]


def test_responses_map_graph_statuses_to_the_port(rsps, make_backend):
    _, calendar = make_backend()
    rsps.add(responses.GET, f"{G}/events/ev-1", json={"attendees": [
        {"emailAddress": {"address": "Police@Agency.example"}, "status": {"response": "accepted"}},
        {"emailAddress": {"address": "health@agency.example"}, "status": {"response": "tentativelyAccepted"}},
        {"emailAddress": {"address": "edu@agency.example"}, "status": {"response": "declined"}},
        {"emailAddress": {"address": "sc@agency.example"}, "status": {"response": "notResponded"}},
    ]})

    result = calendar.responses(spec(), "ev-1")

    assert result == {"police@agency.example": ResponseStatus.ACCEPTED,
                      "health@agency.example": ResponseStatus.TENTATIVE,
                      "edu@agency.example": ResponseStatus.DECLINED,
                      "sc@agency.example": ResponseStatus.NONE}
    reads = [c for c in rsps.calls if c.request.url.split("?")[0].endswith("/events/ev-1")]
    assert len(reads) == 1 and query_of(reads[0]) == {"$select": "attendees"}


def _item(status: str, start: str, end: str, tz: str = "UTC") -> dict:
    return {"isPrivate": False, "status": status, "start": {"dateTime": start, "timeZone": tz},
            "end": {"dateTime": end, "timeZone": tz}}


def test_free_busy_converts_schedule_items_to_busy_intervals_in_utc(rsps, make_backend):
    _, calendar = make_backend()
    rsps.add(responses.POST, f"{G}/calendar/getSchedule", json={"value": [
        {"scheduleId": "Police@agency.example", "availabilityView": "0220", "scheduleItems": [
            _item("busy", "2026-06-10T09:00:00.0000000", "2026-06-10T10:00:00.0000000"),
            _item("tentative", "2026-06-10T09:30:00.0000000", "2026-06-10T11:00:00.0000000"),  # overlaps: merged
            _item("free", "2026-06-10T12:00:00.0000000", "2026-06-10T13:00:00.0000000"),
            _item("workingElsewhere", "2026-06-10T13:00:00.0000000", "2026-06-10T14:00:00.0000000"),
            _item("oof", "2026-06-10T15:00:00.0000000", "2026-06-10T16:00:00.0000000", "GMT Standard Time"),
        ]},
        {"scheduleId": "nobody@agency.example", "availabilityView": "",
         "error": {"message": "The specified mailbox could not be found.", "responseCode": "ErrorMailRecipientNotFound"}},
    ]})
    start = datetime(2026, 6, 10, 8, 0, tzinfo=timezone.utc)
    end = datetime(2026, 6, 10, 18, 0, tzinfo=timezone.utc)

    result = calendar.free_busy(["Police@agency.example", "nobody@agency.example"], start, end)

    utc = timezone.utc
    assert result == {
        "police@agency.example": [
            BusyInterval(datetime(2026, 6, 10, 9, 0, tzinfo=utc), datetime(2026, 6, 10, 11, 0, tzinfo=utc)),
            # 15:00 London summer time is 14:00 UTC
            BusyInterval(datetime(2026, 6, 10, 14, 0, tzinfo=utc), datetime(2026, 6, 10, 15, 0, tzinfo=utc)),
        ],
        "nobody@agency.example": [],
    }
    request = body_of(rsps.calls[-1])
    assert request == {"schedules": ["police@agency.example", "nobody@agency.example"],
                       "startTime": {"dateTime": "2026-06-10T08:00:00", "timeZone": "UTC"},
                       "endTime": {"dateTime": "2026-06-10T18:00:00", "timeZone": "UTC"},
                       "availabilityViewInterval": 30}
    assert 'outlook.timezone="UTC"' in rsps.calls[-1].request.headers["Prefer"]


def test_free_busy_falls_back_to_the_availability_view_and_clips_to_the_window(rsps, make_backend):
    _, calendar = make_backend()
    rsps.add(responses.POST, f"{G}/calendar/getSchedule", json={"value": [
        {"scheduleId": "a@agency.example", "availabilityView": "0230"}]})
    start = datetime(2026, 6, 10, 9, 0, tzinfo=timezone.utc)

    result = calendar.free_busy(["a@agency.example"], start, start + timedelta(hours=2))

    assert result["a@agency.example"] == [BusyInterval(start + timedelta(minutes=30), start + timedelta(minutes=90))]


def test_free_busy_splits_long_windows_and_many_addresses(rsps, make_backend):
    _, calendar = make_backend()
    rsps.add(responses.POST, f"{G}/calendar/getSchedule", json={"value": []})
    people = [f"p{n}@agency.example" for n in range(25)]
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)

    result = calendar.free_busy(people, start, start + timedelta(days=100))

    assert set(result) == set(people) and all(v == [] for v in result.values())
    assert len(rsps.calls) - 2 == 4  # 2 address chunks x 2 windows of at most 62 days


def test_an_event_without_attendees_is_deleted_rather_than_cancelled(rsps, make_backend):
    _, calendar = make_backend()
    rsps.add(responses.DELETE, f"{G}/events/ev-1", status=204)
    calendar.cancel_event(spec(attendees=()), "ev-1", "not needed")
    assert graph_calls(rsps) == [("DELETE", f"users/{MAILBOX}/events/ev-1")]


def test_outlooks_own_place_for_a_teams_meeting_is_not_taken_for_a_change(rsps, make_backend):
    _, calendar = make_backend()
    rsps.add(responses.POST, f"{G}/events", status=201,
             json=created() | {"location": {"displayName": "Microsoft Teams Meeting"}})

    assert calendar.upsert_event(spec()).provider_id == "ev-1"
    assert [m for m, _ in graph_calls(rsps)] == ["POST"]


def test_an_event_returned_for_the_transaction_id_in_another_room_is_moved_to_ours(rsps, make_backend):
    _, calendar = make_backend()
    ours = spec(location="Room 2", online_meeting=False)
    rsps.add(responses.POST, f"{G}/events", status=201, json=created(made_for=spec(location="Room 1")))
    rsps.add(responses.GET, f"{G}/events/ev-1", json=created() | {"singleValueExtendedProperties": []})
    rsps.add(responses.PATCH, f"{G}/events/ev-1", json=created(made_for=ours))

    calendar.upsert_event(ours)

    assert [m for m, _ in graph_calls(rsps)] == ["POST", "GET", "PATCH"]
    assert body_of(rsps.calls[-1])["location"] == {"displayName": "Room 2"}
