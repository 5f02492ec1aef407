"""Microsoft Graph requests per ingested referral, per sent message and per new meeting (issue 18).

Runs the end-to-end scenario against the in-process Graph test double
(tests/m365/fake_graph.py, over TLS): N distinct referrals arrive, are read,
filed and acknowledged; one SCR decision sends the Chair's letters; then, in a
second workspace, M referrals each have their extraordinary meeting put in
the calendar, and a later run reads the replies. Every request the connector
makes is counted from the fake's request log by what it was for: a request
inside a JSON batch counts as a request, the batch as one HTTP round trip.
Each figure is printed beside its floor and the issue's goal. Fewer is
better: Exchange allows 10,000 requests per 10 minutes per app and mailbox.

    .venv/bin/python bench/graph_requests.py [--referrals 20] [--meetings 10]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "m365")]

from fake_graph import FakeGraph  # noqa: E402

from service import cases  # noqa: E402
from service.bootstrap import build_app  # noqa: E402
from service.clock import FixedClock  # noqa: E402
from service.config import load_settings  # noqa: E402
from service.demo import FORM_TEXT, _mail  # noqa: E402
from service.domain.model_types import Outcome  # noqa: E402
from service.jobs import run_once  # noqa: E402
from service.logs import setup  # noqa: E402

LONDON = ZoneInfo("Europe/London")
BOARD = "escb.business.manager@enfield.example.org"

PURPOSE = [  # (what for, pattern over "METHOD /path"), first match wins
    ("token", r"/oauth2/|openid-configuration"),
    ("read: delta", r"/messages/delta"),
    ("read: MIME", r"/messages/[^/]+/\$value$"),
    ("file: move", r"/messages/[^/]+/move$"),
    ("folders", r"/mailFolders"),
    ("send: send", r"/messages/[^/]+/send$"),
    ("send: attachments", r"/attachments|createUploadSession|uploadSession"),
    ("send: look up key", r"^GET .*/users/[^/]+/messages$"),
    ("review: create draft", rf"^POST .*/users/(?!{re.escape(BOARD)}/)[^/]+/messages$"),
    ("send: create draft", r"^POST .*/users/[^/]+/messages$"),
    ("batch", r"/\$batch$"),
    ("review: check draft", r"^GET .*/users/[^/]+/messages/draft-"),
    ("file: read, categorise", r"^(GET|PATCH) .*/users/[^/]+/messages/[^/]+$"),
    ("calendar", r"/events|/calendar|getSchedule"),
]


def purpose(method: str, path: str) -> str:
    line = f"{method} {path.split('?', 1)[0]}"
    for name, rx in PURPOSE:
        if re.search(rx, line):
            return name
    return "other"


FIRST = ["Amelia", "Oscar", "Ruby", "Leo", "Isla", "Noah", "Ava", "Jack", "Mia", "Harry", "Ella", "Finn"]


def referral(n: int, day: datetime) -> bytes:
    """A distinct referral from a distinct police officer (auto-replies are rate-limited per address)."""
    surname = f"Bench{chr(97 + n % 26)}{chr(97 + n // 26 % 26)}".title()
    sender = f"officer.{n}@met-police.example.org"
    text = FORM_TEXT.format(child=f"{FIRST[n % len(FIRST)]} {surname}", child_dob="03/02/2010",
                            mother=f"Grace {surname}", mother_dob="14/06/1988", address=f"{n + 1} Bench Road, Enfield",
                            date=day.strftime("%d/%m/%Y"), summary=f"Case {n}: the child was seriously injured.",
                            referrer=f"Officer {surname}", phone="020 8345 0000", email=sender)
    return bytes(_mail(sender, f"SCR referral {n}", day, text, f"<bench-{n}@met-police.example.org>"))


class Tally:
    """Requests by purpose from a stretch of the fake's log; HTTP round trips (a batch is one) by purpose."""

    def __init__(self, fake: FakeGraph, start: int, end: int):
        inside = fake.inside_batches()
        self.requests: Counter[str] = Counter()
        self.round_trips: Counter[str] = Counter()
        self.batches = 0
        envelope_purpose: dict[int, str] = {}
        self.sizes = [len(m) for m in fake.batch_members if m and start <= m[0] < end]
        for members in fake.batch_members:
            if members and start <= members[0] < end:
                m, p, _ = fake.log[members[0]]
                # the batch's own line comes after its members
                envelope_purpose[members[-1] + 1] = purpose(m, p)
        for i in range(start, end):
            method, path, _ = fake.log[i]
            if path.endswith("/$batch"):
                self.batches += 1
                self.round_trips[envelope_purpose.get(i, "other")] += 1
                continue
            name = purpose(method, path)
            self.requests[name] += 1
            if i not in inside:
                self.round_trips[name] += 1

    def of(self, prefix: str) -> tuple[int, int]:
        """(requests, round trips) whose purpose starts with ``prefix``."""
        return (sum(n for k, n in self.requests.items() if k.startswith(prefix)),
                sum(n for k, n in self.round_trips.items() if k.startswith(prefix)))


def show(title: str, tally: Tally) -> None:
    print(title)
    for name in sorted(set(tally.requests) | set(tally.round_trips)):
        print(f"  {name:<24} {tally.requests[name]:>5} requests {tally.round_trips[name]:>5} round trips")
    print(f"  {'$batch':<24} {tally.batches:>5}   (requests in each: {', '.join(map(str, tally.sizes))})")


def build(fake: FakeGraph, folder: Path, clock: FixedClock, auto_schedule: bool):
    shutil.copyfile(ROOT / "config" / "review-clerk.example.toml", folder / "review-clerk.toml")
    env = {"REVIEW_CLERK_MAIL__BACKEND": "graph", "REVIEW_CLERK_GRAPH__TENANT_ID": fake.tenant,
           "REVIEW_CLERK_GRAPH__CLIENT_ID": fake.client_id, "REVIEW_CLERK_GRAPH__CLIENT_SECRET": fake.client_secret,
           "REVIEW_CLERK_GRAPH__ENDPOINT": fake.endpoint, "REVIEW_CLERK_GRAPH__AUTHORITY": fake.authority,
           "REVIEW_CLERK_MEETINGS__AUTO_SCHEDULE": "true" if auto_schedule else "false"}
    return build_app(load_settings(folder / "review-clerk.toml", environ=env), clock, create=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--referrals", type=int, default=20)
    ap.add_argument("--meetings", type=int, default=10)
    args = ap.parse_args()
    setup("WARNING")
    folder = Path(tempfile.mkdtemp(prefix="rc-graph-bench-"))
    (folder / "a").mkdir()
    (folder / "b").mkdir()
    clock = FixedClock(datetime(2014, 5, 12, 9, 0, tzinfo=LONDON))
    fake = FakeGraph(clock=lambda: clock.now().timestamp(), token_lifetime=3600)
    fake.start()
    try:
        os.environ["REQUESTS_CA_BUNDLE"] = str(fake.ca_file)
        fake.box(BOARD)
        # 1. Referrals read, filed and acknowledged (meetings off, to count mail alone).
        app = build(fake, folder / "a", clock, auto_schedule=False)
        for n in range(args.referrals):
            fake.deliver(BOARD, referral(n, clock.now()), internet_message_id=f"<bench-{n}@met-police.example.org>")
        start = len(fake.log)
        run_once(app)
        intake = Tally(fake, start, len(fake.log))
        with app.db.unit_of_work() as uow:
            opened = len(uow.cases.list())
            sent_at_intake = uow.outbox.counts().get("sent", 0)
        # 2. A decision's letters.
        start = len(fake.log)
        cases.add_agency(app, "ESCB-2014-001", "enfield-ccg", "bench")
        cases.decide(app, "ESCB-2014-001", Outcome.SCR, date(2014, 5, 12), "criteria met", "bench")
        with app.db.unit_of_work() as uow:
            before = uow.outbox.counts().get("sent", 0)
        run_once(app)
        with app.db.unit_of_work() as uow:
            letters = uow.outbox.counts().get("sent", 0) - before
        sending = Tally(fake, start, len(fake.log))
        app.db.dispose()
        # 3. Meetings: each case opened schedules its extraordinary meeting; then a run that reads replies.
        clock.set(datetime(2014, 5, 13, 9, 0, tzinfo=LONDON))
        app = build(fake, folder / "b", clock, auto_schedule=True)
        for n in range(args.meetings):
            fake.deliver(BOARD, referral(100 + n, clock.now()),
                         internet_message_id=f"<bench-m{n}@met-police.example.org>")
        start = len(fake.log)
        run_once(app)
        meet = Tally(fake, start, len(fake.log))
        with app.db.unit_of_work() as uow:
            meetings = sum(1 for mid in uow.meetings.open_ids() if uow.meetings.get(mid)["provider_id"])
        clock.set(datetime(2014, 5, 13, 10, 0, tzinfo=LONDON))
        start = len(fake.log)
        run_once(app)
        polls = Tally(fake, start, len(fake.log))
        app.db.dispose()
    finally:
        fake.stop()
        shutil.rmtree(folder, ignore_errors=True)

    print(f"Intake: {args.referrals} referral emails read, {opened} cases opened, {sent_at_intake} messages sent "
          f"(acknowledgements, reminders), incident notifications left as drafts for the Chair")
    show("", intake)
    reading = intake.of("read: MIME")[0] + intake.of("file:")[0]
    print(f"  per referral: {reading / args.referrals:.2f} Graph requests to fetch and file it (floor 2, goal <= 2), "
          f"in {(intake.of('read: MIME')[1] + intake.of('file:')[1]) / args.referrals:.2f} HTTP round trips; "
          f"+ {intake.of('read: delta')[0]} delta and {intake.of('folders')[0]} folder look-ups per run")
    sent_req, sent_rt = intake.of("send:")
    print(f"  per sent message: {sent_req / max(1, sent_at_intake):.2f} requests (goal <= 2), "
          f"{sent_rt / max(1, sent_at_intake):.3f} HTTP round trips (floor 0.10 with batches of 20: "
          f"create, then send; goal <= 0.15)")
    print(f"\nDecision letters: {letters} messages sent (with Word attachments where formal)")
    show("", sending)
    sent_req, sent_rt = sending.of("send:")
    print(f"  per sent letter: {sent_req / max(1, letters):.2f} requests (goal <= 2), "
          f"{sent_rt / max(1, letters):.3f} HTTP round trips (goal <= 0.15)")
    print(f"\nMeetings: {meetings} extraordinary meetings put in the calendar")
    show("", meet)
    cal_req, cal_rt = meet.of("calendar")
    print(f"  per new meeting: {cal_req / max(1, meetings):.2f} calendar requests (floor 2: getSchedule, create; "
          f"goal <= 2), {cal_rt / max(1, meetings):.2f} HTTP round trips")
    print("The next run, reading replies:")
    show("", polls)
    poll_req, poll_rt = polls.of("calendar")
    print(f"  per open meeting per run: {poll_req / max(1, meetings):.2f} requests, "
          f"{poll_rt / max(1, meetings):.2f} HTTP round trips (batched, 20 to a round trip: floor 0.05)")


if __name__ == "__main__":
    main()
