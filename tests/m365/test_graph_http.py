"""The request layer on its own: retry limits, throttling windows, concurrency, error texts."""

from __future__ import annotations

import email.utils
import logging
import random
import threading
import time

import pytest
import requests
import responses
from graph_stubs import ENDPOINT, MAILBOX, SECRET, G, FakeClock, graph_settings

from service.m365.errors import GraphError, OutcomeUnknown
from service.m365.http import GraphHttp, RetryPolicy, parse_retry_after, path_template

FOLDER = f"{G}/mailFolders/inbox"


class StubTokens:
    """Stands in for TokenProvider where the token endpoint is beside the point."""

    def __init__(self) -> None:
        self.invalidated = 0

    def token(self) -> str:
        return "stub-token"

    def invalidate(self) -> None:
        self.invalidated += 1


def make_http(clock: FakeClock, **kwargs) -> GraphHttp:
    settings = graph_settings(max_concurrency=kwargs.pop("max_concurrency", 4))
    return GraphHttp(settings, StubTokens(), clock=clock, sleep=clock.sleep, rng=random.Random(3), **kwargs)


def test_a_throttling_storm_longer_than_the_budget_ends_in_a_transient_error_with_retry_after(rsps, clock):
    http = make_http(clock, policy=RetryPolicy(max_total_seconds=60))
    rsps.add(responses.GET, FOLDER, status=429, headers={"Retry-After": "25"})

    with pytest.raises(GraphError) as info:
        http.request("GET", f"users/{MAILBOX}/mailFolders/inbox")

    assert not info.value.permanent and info.value.status == 429 and info.value.retry_after == 25
    assert clock.sleeps == [25.0, 25.0]  # a third wait would pass the 60 s budget


def test_the_number_of_attempts_is_bounded(rsps, clock):
    http = make_http(clock, policy=RetryPolicy(max_attempts=3))
    rsps.add(responses.GET, FOLDER, status=503)
    with pytest.raises(GraphError) as info:
        http.request("GET", f"users/{MAILBOX}/mailFolders/inbox")
    assert not info.value.permanent
    assert len([c for c in rsps.calls]) == 3


def test_a_429_holds_back_the_next_request_to_the_same_mailbox(rsps, clock):
    http = make_http(clock)
    rsps.add(responses.GET, FOLDER, status=429, headers={"Retry-After": "30"})
    rsps.add(responses.GET, FOLDER, json={"id": "x"})
    other = f"{ENDPOINT}users/other@lscb.example.org/mailFolders/inbox"
    rsps.add(responses.GET, other, json={"id": "y"})

    http.request("GET", f"users/{MAILBOX}/mailFolders/inbox")
    clock.sleeps.clear()
    http._hold_back(MAILBOX, 10)  # a 429 seen by another thread just now
    http.request("GET", "users/other@lscb.example.org/mailFolders/inbox")
    assert clock.sleeps == []  # another mailbox is not held back
    http.request("GET", f"users/{MAILBOX}/mailFolders/inbox")
    assert clock.sleeps == [10.0]


def test_retry_after_may_be_an_http_date():
    now = 1_767_225_600.0
    assert parse_retry_after(email.utils.formatdate(now + 42, usegmt=True), now) == pytest.approx(42)
    assert parse_retry_after("3", now) == 3.0
    assert parse_retry_after("soon", now) is None


def test_a_post_that_fails_with_an_ambiguous_5xx_is_not_replayed(rsps, clock):
    http = make_http(clock)
    rsps.add(responses.POST, f"{G}/messages/d1/send", status=502)
    with pytest.raises(OutcomeUnknown):
        http.request("POST", f"users/{MAILBOX}/messages/d1/send")
    assert len(rsps.calls) == 1


def test_a_post_whose_connection_was_never_made_is_retried(clock):
    class Refusing(requests.Session):
        calls = 0

        def request(self, *args, **kwargs):
            Refusing.calls += 1
            if Refusing.calls == 1:
                raise requests.exceptions.ConnectTimeout("connect timed out")
            response = requests.Response()
            response.status_code = 202
            response._content = b""
            return response

    http = make_http(clock, session=Refusing())
    assert http.request("POST", f"users/{MAILBOX}/messages/d1/send").status_code == 202
    assert Refusing.calls == 2


def test_a_403_names_the_permission_and_the_rbac_scope(rsps, clock):
    http = make_http(clock)
    rsps.add(responses.GET, f"{G}/events", status=403, json={"error": {
        "code": "ErrorAccessDenied", "message": "Access is denied. Check credentials and try again."}})

    with pytest.raises(GraphError) as info:
        http.request("GET", f"users/{MAILBOX}/events")

    text = str(info.value)
    assert info.value.permanent and info.value.code == "ErrorAccessDenied"
    assert "Calendars.ReadWrite" in text and "admin consent" in text
    assert "New-ManagementScope" in text and "New-ManagementRoleAssignment -App" in text


def test_a_400_reports_graphs_reason_without_addresses(rsps, clock):
    http = make_http(clock)
    rsps.add(responses.POST, f"{G}/messages", status=400, json={"error": {
        "code": "ErrorInvalidRecipients", "message": "Recipient 'child.parent@home.example' is not valid."}})
    with pytest.raises(GraphError) as info:
        http.request("POST", f"users/{MAILBOX}/messages", json={})
    assert "ErrorInvalidRecipients" in str(info.value) and "child.parent" not in str(info.value)


def test_a_missing_mailbox_is_reported_as_such(rsps, clock):
    http = make_http(clock)
    rsps.add(responses.GET, FOLDER, status=404, json={"error": {"code": "ErrorInvalidUser",
                                                                 "message": "The requested user is invalid."}})
    with pytest.raises(GraphError) as info:
        http.request("GET", f"users/{MAILBOX}/mailFolders/inbox")
    assert info.value.permanent and "mailbox" in str(info.value) and MAILBOX in str(info.value)


def test_tokens_are_never_sent_to_another_host(clock):
    http = make_http(clock)
    with pytest.raises(GraphError) as info:
        http.request("GET", "https://graph.microsoft.com.evil.example/v1.0/users/x/messages")
    assert info.value.permanent


def test_no_more_than_max_concurrency_requests_are_in_flight_per_mailbox(clock):
    lock = threading.Lock()
    state = {"now": 0, "peak": 0}

    class Slow(requests.Session):
        def request(self, *args, **kwargs):
            with lock:
                state["now"] += 1
                state["peak"] = max(state["peak"], state["now"])
            time.sleep(0.02)
            with lock:
                state["now"] -= 1
            response = requests.Response()
            response.status_code = 200
            response._content = b"{}"
            return response

    http = make_http(clock, session=Slow(), max_concurrency=2)
    threads = [threading.Thread(target=http.request, args=("GET", f"users/{MAILBOX}/messages"))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert state["peak"] == 2


def test_logs_carry_method_path_status_and_attempt_but_no_token_or_secret(rsps, make_backend, token_endpoint,
                                                                          caplog):
    mailbox, _ = make_backend()
    rsps.add(responses.GET, FOLDER, status=429, headers={"Retry-After": "1"})
    rsps.add(responses.GET, FOLDER, json={"id": "inbox-id"})
    with caplog.at_level(logging.DEBUG, logger="review_clerk.m365"):
        mailbox.folders(MAILBOX).resolve("Inbox")
    assert f"GET /v1.0/users/{MAILBOX}/mailFolders/inbox -> 429 (attempt 1" in caplog.text
    assert SECRET not in caplog.text and token_endpoint.tokens[0] not in caplog.text


def test_path_templates_hide_long_ids():
    long_id = "AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0AMBhwRjk4gk6iWTZlH2ZchgAAAHsb5ycAAA="
    assert path_template(f"{G}/messages/{long_id}/move?$select=id") == f"/v1.0/users/{MAILBOX}/messages/{{id}}/move"
