"""Change notifications end to end: the fake Graph subscribes the service's /graph/notify, posts to it
as mail arrives, and the inbox job wakes; polling by delta stays the safety net.

Graph reaches the web application through a Starlette TestClient (the fake's ``notify_transport``),
so the whole path runs: the validation handshake, the clientState check, the wake, the delta read,
the acknowledgement sent.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fake_graph import FakeGraph
from starlette.testclient import TestClient

from service.bootstrap import build_app
from service.clock import FixedClock
from service.config import load_settings
from service.demo import sample_emails
from service.jobs import Runner, read_inbox, run_once
from service.mailbox import notifications
from service.web.asgi import create_app

LONDON = ZoneInfo("Europe/London")
BOARD = "escb.business.manager@enfield.example.org"
NOTIFY = "https://clerk.enfield.example.org/graph/notify"


@pytest.fixture
def at() -> FixedClock:
    return FixedClock(datetime(2014, 5, 12, 9, 0, tzinfo=LONDON))  # a Monday morning: mail goes at once


@pytest.fixture
def world(config_dir, db_env, at, monkeypatch):
    fake = FakeGraph(clock=lambda: at.now().timestamp(), token_lifetime=3600)
    fake.start()
    fake.box(BOARD)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(fake.ca_file))
    env = dict(db_env)
    env.update({"REVIEW_CLERK_MAIL__BACKEND": "graph", "REVIEW_CLERK_GRAPH__TENANT_ID": fake.tenant,
                "REVIEW_CLERK_GRAPH__CLIENT_ID": fake.client_id, "REVIEW_CLERK_GRAPH__CLIENT_SECRET": fake.client_secret,
                "REVIEW_CLERK_GRAPH__ENDPOINT": fake.endpoint, "REVIEW_CLERK_GRAPH__AUTHORITY": fake.authority,
                "REVIEW_CLERK_GRAPH__NOTIFICATION_URL": NOTIFY, "REVIEW_CLERK_MEETINGS__AUTO_SCHEDULE": "false"})
    app = build_app(load_settings(config_dir / "review-clerk.toml", environ=env), at, create=True)
    client = TestClient(create_app(app))

    def transport(url: str, params, body):
        assert url.startswith("https://clerk.enfield.example.org/graph/")
        resp = client.post(url.removeprefix("https://clerk.enfield.example.org"), params=params, json=body)
        return resp.status_code, resp.text

    fake.notify_transport = transport
    yield app, fake, client
    client.close()
    app.db.dispose()
    fake.stop()


def referral(at: FixedClock) -> tuple[str, bytes]:
    """The demo's police referral (a case opens; the referrer is acknowledged)."""
    return "01-police-text.eml", sample_emails(at.now())["01-police-text.eml"]


def subscription(fake: FakeGraph) -> dict:
    (sub,) = fake.subscriptions.values()
    return sub


def acknowledgements(fake: FakeGraph) -> list[str]:
    return [m["subject"] for _, m in fake.sent if "Referral received" in m["subject"]]


def test_the_first_run_subscribes_to_new_mail_and_answers_the_validation_handshake(world):
    app, fake, _ = world

    run_once(app)

    sub = subscription(fake)
    assert sub["changeType"] == "created" and sub["notificationUrl"] == NOTIFY
    assert sub["lifecycleNotificationUrl"] == "https://clerk.enfield.example.org/graph/lifecycle"
    assert sub["resource"] == f"users/{BOARD}/mailFolders('inbox')/messages"
    validations = [(url, q, status, secs) for url, q, _, status, secs in fake.notifications if q]
    assert [(u, s) for u, _, s, _ in validations] == [(NOTIFY, 200), (sub["lifecycleNotificationUrl"], 200)]
    assert all(secs < 10 for *_, secs in validations)
    # The secret is kept sealed in the database, never in the clear.
    with app.db.unit_of_work() as uow:
        stored = uow.state.get(notifications.STATE)
    assert sub["clientState"] not in stored and "sealed" in stored


def test_the_validation_token_is_echoed_as_plain_text(world):
    _, _, client = world
    resp = client.post("/graph/notify", params={"validationToken": "Validation: Testing <&> 123"})
    assert resp.status_code == 200 and resp.text == "Validation: Testing <&> 123"
    assert resp.headers["content-type"].startswith("text/plain")


def test_a_delivered_referral_is_acknowledged_without_waiting_for_a_poll(world, at):
    app, fake, _ = world
    run_once(app)  # subscribed; nothing in the inbox yet
    runner = Runner(app)
    waker = threading.Thread(target=runner.woken, daemon=True)  # no scheduler: only a notification can wake it
    waker.start()
    try:
        _, raw = referral(at)
        started = time.monotonic()
        fake.deliver(BOARD, raw)
        notified = fake.notifications[-1]
        assert notified[0] == NOTIFY and notified[3] == 202 and notified[4] < 3  # answered within 3 s
        while not acknowledgements(fake) and time.monotonic() - started < 15:
            time.sleep(0.05)
    finally:
        runner.stop.set()
        waker.join(5)
    assert acknowledgements(fake), "the notification did not lead to an acknowledgement within 15 s"
    assert time.monotonic() - started < 15


def test_a_dropped_notification_is_caught_up_by_the_delta_poll(world, at):
    app, fake, _ = world
    run_once(app)
    fake.drop_notifications = True
    _, raw = referral(at)
    fake.deliver(BOARD, raw)
    assert fake.dropped and not notifications.hub_for(app).wake.is_set()
    assert not notifications.poll_due(app)  # the subscription works: the next poll is minutes away
    hub = notifications.hub_for(app)
    hub.last_read -= notifications.SAFETY_NET_SECONDS  # five minutes later
    assert notifications.poll_due(app)

    counts = read_inbox(app)

    assert counts["stored"] == 1


def test_a_notification_with_the_wrong_client_state_is_refused_and_logged_without_content(world, caplog):
    app, fake, client = world
    run_once(app)
    sub = subscription(fake)
    forged = {"value": [{"subscriptionId": sub["id"], "clientState": "guessed", "changeType": "created",
                         "resource": "Users/x/Messages/Amelia-Demo-03-02-2010"}]}
    hub = notifications.hub_for(app)
    hub.wake.clear()

    with caplog.at_level(logging.INFO):
        resp = client.post("/graph/notify", json=forged)

    assert resp.status_code == 202  # Microsoft: discard it; a 4xx would only make Graph retry
    assert not hub.wake.is_set()
    assert notifications.wake_mark(app) == 0  # nor is a wake-up recorded for another process
    assert "wrong clientState" in caplog.text
    assert "Amelia" not in caplog.text and "guessed" not in caplog.text
    # The right secret (known only to Graph and the service) does wake the job.
    good = {"value": [dict(forged["value"][0], clientState=sub["clientState"])]}
    assert client.post("/graph/notify", json=good).status_code == 202
    assert hub.wake.is_set()
    assert notifications.wake_mark(app) == 1


def test_a_wake_up_received_with_no_job_in_the_process_is_recorded_for_the_service_process(world):
    app, fake, client = world
    run_once(app)  # subscribed
    sub = subscription(fake)
    seen = notifications.wake_mark(app)
    assert notifications.take_wakes(app, seen) == (seen, False)
    note = {"value": [{"subscriptionId": sub["id"], "clientState": sub["clientState"], "changeType": "created"}]}

    assert client.post("/graph/notify", json=note).status_code == 202  # no Runner.woken here: recorded
    assert client.post("/graph/notify", json=note).status_code == 202

    assert notifications.take_wakes(app, seen) == (seen + 2, True)
    assert notifications.take_wakes(app, seen + 2) == (seen + 2, False)  # taken: nothing more to do


def test_a_wake_up_heard_by_a_job_of_the_same_process_is_not_recorded(world):
    app, fake, client = world
    run_once(app)
    sub = subscription(fake)
    runner = Runner(app)
    hub = notifications.hub_for(app)
    waker = threading.Thread(target=runner.woken, daemon=True)
    waker.start()
    try:
        while not hub.heard():
            time.sleep(0.01)
        note = {"value": [{"subscriptionId": sub["id"], "clientState": sub["clientState"]}]}
        assert client.post("/graph/notify", json=note).status_code == 202
    finally:
        runner.stop.set()
        waker.join(5)
    assert notifications.wake_mark(app) == 0  # `run --web`: the hub's event woke the job at once
    assert not hub.heard()


def test_lifecycle_events_recorded_by_a_web_process_on_its_own_reach_the_service_process(world, at):
    app, fake, client = world
    run_once(app)
    sub = subscription(fake)
    seen = notifications.wake_mark(app)
    web_hub = notifications.hub_for(app)

    assert fake.send_lifecycle(sub["id"], "reauthorizationRequired") == 202
    web_hub.take_lifecycle()  # as if the web process's hub were not the jobs' (another process)
    assert notifications.take_wakes(app, seen) == (seen + 1, True)  # the jobs' look hands the event on
    read_inbox(app)

    assert sub["reauthorized"] == 1


def test_a_web_process_on_its_own_accepts_the_new_subscription_after_the_service_made_one(world, at):
    app, fake, client = world
    run_once(app)
    old = subscription(fake)
    notifications.hub_for(app).remember(old["id"], old["clientState"])
    settings = app.settings
    web_app = build_app(settings, at)  # the web workspace's own process: its own hub
    try:
        assert notifications.client_state_ok(web_app, old["id"], old["clientState"])
        assert fake.send_lifecycle(old["id"], "subscriptionRemoved") == 202
        read_inbox(app)  # the service subscribes afresh, with a new secret
        (new,) = fake.subscriptions.values()
        assert notifications.client_state_ok(web_app, new["id"], new["clientState"])
        assert not notifications.client_state_ok(web_app, new["id"], old["clientState"])
    finally:
        web_app.db.dispose()


def test_without_a_working_subscription_the_inbox_is_polled_as_before(world):
    app, fake, _ = world
    fake.notify_transport = lambda url, params, body: (503, "")  # the public URL does not reach the service

    read_inbox(app)

    assert fake.subscriptions == {}  # Graph refused it: the validation request failed
    assert notifications.poll_due(app)  # so every scheduled poll reads the mailbox


def test_a_body_that_is_no_notification_is_refused(world):
    _, _, client = world
    assert client.post("/graph/notify", content=b"not json").status_code == 400


def test_the_subscription_is_renewed_before_it_lapses(world, at):
    app, fake, _ = world
    run_once(app)
    sub = subscription(fake)
    first_expiry = sub["expirationDateTime"]

    at.set(at.now() + timedelta(days=2))
    read_inbox(app)
    assert sub.get("renewals", 0) == 0  # 5 days left: nothing to do

    at.set(at.now() + timedelta(days=2, hours=12))  # 2.5 days left: renewed, well before it lapses
    read_inbox(app)
    assert sub["renewals"] == 1 and sub["expirationDateTime"] > first_expiry
    assert len(fake.subscriptions) == 1


def test_a_lapsed_subscription_is_made_again(world, at):
    app, fake, _ = world
    run_once(app)
    old = subscription(fake)["id"]
    at.set(at.now() + timedelta(days=8))  # the service was down for over a week
    read_inbox(app)
    assert [s["id"] for s in fake.subscriptions.values() if fake._active(s)] != [old]
    assert len([s for s in fake.subscriptions.values() if fake._active(s)]) == 1


def test_lifecycle_notifications_reauthorize_resubscribe_and_catch_up(world, at):
    app, fake, _ = world
    run_once(app)
    sub = subscription(fake)
    hub = notifications.hub_for(app)

    assert fake.send_lifecycle(sub["id"], "reauthorizationRequired") == 202
    assert hub.wake.is_set()
    read_inbox(app)
    assert sub["reauthorized"] == 1 and fake.subscriptions == {sub["id"]: sub}

    assert fake.send_lifecycle(sub["id"], "subscriptionRemoved") == 202
    read_inbox(app)
    (again,) = fake.subscriptions.values()
    assert again["id"] != sub["id"]  # subscribed afresh, with a new secret
    assert notifications.client_state_ok(app, again["id"], again["clientState"])
    assert not notifications.client_state_ok(app, sub["id"], sub["clientState"])

    fake.drop_notifications = True
    _, raw = referral(at)
    fake.deliver(BOARD, raw)
    hub.wake.clear()
    assert fake.send_lifecycle(again["id"], "missed") == 202
    assert hub.wake.is_set()  # missed: the job reads by delta at once and catches up
    assert read_inbox(app)["stored"] == 1


def test_a_lifecycle_notification_with_the_wrong_client_state_changes_nothing(world):
    app, fake, client = world
    run_once(app)
    sub = subscription(fake)
    resp = client.post("/graph/lifecycle", json={"value": [{"subscriptionId": sub["id"], "clientState": "x",
                                                             "lifecycleEvent": "subscriptionRemoved"}]})
    assert resp.status_code == 202
    read_inbox(app)
    assert list(fake.subscriptions) == [sub["id"]]


def test_the_graph_scenario_runs_the_same_with_batching_and_notifications_on(world, at):
    app, fake, _ = world
    for name, raw in sample_emails(at.now()).items():
        fake.deliver(BOARD, raw)

    run_once(app)
    run_once(app)  # again: nothing is done twice

    with app.db.unit_of_work() as uow:
        refs = [c.reference for c in uow.cases.list()]
    assert refs == ["ESCB-2014-001", "ESCB-2014-002"]
    subjects = [m["subject"] for _, m in fake.sent]
    assert subjects.count("[ESCB-2014-001] Referral received") == 1
    assert subjects.count("[ESCB-2014-002] Referral received: further information needed") == 1
    assert fake.batches and max(fake.batches) <= 20
    box = fake.box(BOARD)
    names = {fid: f["displayName"] for fid, f in box.folders.items()}
    filed = sorted(names.get(m["parentFolderId"]) for m in box.messages.values()
                   if names.get(m["parentFolderId"]) in ("Processed", "Quarantine", "Not a referral"))
    assert filed == ["Not a referral", "Processed", "Processed", "Processed", "Quarantine"]
