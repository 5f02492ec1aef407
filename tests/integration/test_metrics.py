"""Prometheus metrics: served on a local port, figures from the database and from this process's work."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
import responses
from prometheus_client.parser import text_string_to_metric_families

from service import observe
from service.demo import FORM_TEXT
from service.jobs import Runner
from service.m365.http import GraphHttp
from service.metrics import DatabaseCollector, start_exporter

REFERENCE = "ESCB-2014-001"
CHILD = "Amelia Metric"


def referral() -> bytes:
    body = FORM_TEXT.format(child=CHILD, child_dob="03/02/2010", mother="Grace Metric", mother_dob="14/06/1988",
                            address="1 Example Road, Enfield, EN1 1AA", date="12/05/2014",
                            summary="Amelia (aged 4) was admitted to hospital with unexplained injuries.",
                            referrer="Karen Sample", phone="020 8345 0000", email="karen.sample@met.police.uk")
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = "karen.sample@met.police.uk", "escb.business.manager@enfield.gov.uk", "SCR"
    m["Message-ID"], m["Date"] = "<metrics-1@met.police.uk>", "Mon, 12 May 2014 08:00:00 +0100"
    m.set_content(body)
    return bytes(m)


def local_get(url: str) -> requests.Response:
    with requests.Session() as session:
        session.trust_env = False  # straight to 127.0.0.1, whatever HTTP_PROXY says
        return session.get(url, timeout=10)


def scrape(exporter) -> tuple[str, dict[tuple[str, tuple], float]]:
    resp = local_get(exporter.url)
    assert resp.status_code == 200
    samples = {}
    for family in text_string_to_metric_families(resp.text):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return resp.text, samples


def value(samples, name: str, **labels: str) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


def outbox_by_state(app) -> dict[str, int]:
    with app.db.unit_of_work() as uow:
        return uow.outbox.counts()


@pytest.fixture
def exporter(app):
    running = start_exporter(app, "127.0.0.1", 0)
    yield running
    running.stop()


class StubTokens:
    def token(self) -> str:
        return "stub-token"

    def invalidate(self) -> None:
        pass


def test_the_exporter_reports_the_database_figures_and_the_jobs_run(app, clock, exporter):
    _, before = scrape(exporter)
    assert value(before, "review_clerk_metrics_database_up") == 1
    assert value(before, "review_clerk_outbox_messages", state="queued") == 0
    assert value(before, "review_clerk_outbox_oldest_unsent_age_seconds") == 0
    assert value(before, "review_clerk_jobs_total", job="read_inbox", outcome="ok") == 0

    (app.settings.data_dir / "mail" / "inbox" / "a.eml").write_bytes(referral())
    Runner(app)._run("read_inbox")
    clock.advance(hours=1)
    text, after = scrape(exporter)

    assert value(after, "review_clerk_jobs_total", job="read_inbox", outcome="ok") == 1
    assert value(after, "review_clerk_job_duration_seconds_count", job="read_inbox") == 1
    assert value(after, "review_clerk_messages_handled_total", outcome="processed") == 1
    assert value(after, "review_clerk_inbox_messages", status="processed") == 1
    queued = outbox_by_state(app)["queued"]
    assert queued >= 1  # the acknowledgement at least
    assert value(after, "review_clerk_outbox_messages", state="queued") == queued
    assert value(after, "review_clerk_outbox_oldest_unsent_age_seconds") == 3600
    assert value(after, "review_clerk_deadlines_overdue") == 0

    Runner(app)._run("send_outbox")
    _, sent = scrape(exporter)
    assert value(sent, "review_clerk_outbox_messages", state="queued") == 0
    now = outbox_by_state(app)
    assert now.get("sent", 0) >= 1
    for state in ("sent", "awaiting_review", "failed"):
        assert value(sent, "review_clerk_outbox_messages", state=state) == now.get(state, 0)
    assert value(sent, "review_clerk_outbox_oldest_unsent_age_seconds") == 0
    assert value(sent, "review_clerk_job_duration_seconds_count", job="send_outbox") == 1

    # The house rule: no label carries a reference, an address or a name.
    assert REFERENCE not in text and "@" not in text and CHILD.split()[0] not in text


def test_deadlines_past_their_due_date_are_counted_as_overdue(app, clock, exporter):
    (app.settings.data_dir / "mail" / "inbox" / "a.eml").write_bytes(referral())
    Runner(app)._run("read_inbox")
    clock.advance(days=400)
    today = app.today()
    with app.db.unit_of_work() as uow:
        expected = len(uow.reports.open_deadlines_due_before(today - timedelta(days=1)))
    assert expected >= 1
    _, samples = scrape(exporter)
    assert value(samples, "review_clerk_deadlines_overdue") == expected


def test_graph_requests_and_throttling_are_counted_by_method_and_status(app, exporter):
    now, waits = [1_000_000.0], []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    http = GraphHttp(SimpleNamespace(endpoint="https://graph.microsoft.com/v1.0/", timeout_seconds=5,
                                     max_concurrency=4), StubTokens(), clock=lambda: now[0], sleep=sleep)
    with responses.RequestsMock() as rsps:
        url = "https://graph.microsoft.com/v1.0/users/board@example.org/mailFolders/inbox"
        rsps.add(responses.GET, url, status=429, headers={"Retry-After": "7"})
        rsps.add(responses.GET, url, status=200, json={})
        http.request("GET", "users/board@example.org/mailFolders/inbox")
    assert waits == [7.0]

    text, samples = scrape(exporter)
    assert value(samples, "review_clerk_graph_requests_total", method="GET", status="429") == 1
    assert value(samples, "review_clerk_graph_requests_total", method="GET", status="200") == 1
    assert value(samples, "review_clerk_graph_throttled_total", status="429") == 1
    assert value(samples, "review_clerk_graph_throttle_wait_seconds_total") == 7
    assert "board@example.org" not in text and "mailFolders" not in text


def test_a_stopped_exporter_counts_nothing_more(app):
    exporter = start_exporter(app, "127.0.0.1", 0)
    exporter.stop()
    assert exporter.counters not in observe._observers
    observe.job_finished("read_inbox", 1.0, {"processed": 1})
    assert exporter.registry.get_sample_value("review_clerk_messages_handled_total", {"outcome": "processed"}) == 0


def test_a_database_that_cannot_be_read_is_reported_not_raised():
    class Broken:
        clock = SimpleNamespace(now=lambda: datetime(2014, 5, 12))

        def today(self):
            raise RuntimeError("database gone")

    families = {f.name: f for f in DatabaseCollector(Broken()).collect()}
    assert list(families) == ["review_clerk_metrics_database_up"]
    assert families["review_clerk_metrics_database_up"].samples[0].value == 0


def test_statuses_outside_the_vocabulary_are_reported_as_other(app, exporter):
    observe.job_finished("read_inbox", 0.5, {"stored": 1, "something_new": 2})
    observe.graph_response("OPTIONS", 200)
    _, samples = scrape(exporter)
    assert value(samples, "review_clerk_messages_handled_total", outcome="other") == 2
    assert value(samples, "review_clerk_graph_requests_total", method="other", status="200") == 1
    assert ("review_clerk_messages_handled_total", (("outcome", "stored"),)) not in samples


def test_commands_other_than_run_with_metrics_never_import_prometheus_client():
    code = ("import sys; import service.cli, service.jobs, service.bootstrap, service.m365.http, service.observe; "
            "from service.cli import main; sys.argv = ['review-clerk', '--help']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('LOADED' if 'prometheus_client' in sys.modules else 'NOT LOADED', file=sys.stderr)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVIEW_CLERK_")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert "NOT LOADED" in result.stderr, result.stderr[-2000:]


def test_only_the_metrics_module_imports_prometheus_client():
    service = Path(__file__).resolve().parents[2] / "service"
    importers = sorted(str(p.relative_to(service)) for p in service.rglob("*.py")
                       if re.search(r"^\s*(from|import)\s+prometheus_client", p.read_text(), re.MULTILINE))
    assert importers == ["metrics.py"]
