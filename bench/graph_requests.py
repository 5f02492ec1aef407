"""Microsoft Graph requests per ingested referral and per sent letter.

Runs the end-to-end scenario against the in-process Graph test double
(tests/m365/fake_graph.py, over TLS): N distinct referrals arrive, are read,
filed and acknowledged, extraordinary meetings are arranged, and then one
SCR decision sends the Chair's letters. Every request the connector makes is
counted by what it was for. Fewer is better: Exchange allows 10,000 requests
per 10 minutes per app and mailbox.

    .venv/bin/python bench/graph_requests.py [--referrals 20]
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
BOARD = "escb.business.manager@enfield.gov.uk"

PURPOSE = [  # (what for, pattern over "METHOD /path"), first match wins
    ("token", r"/oauth2/|openid-configuration"),
    ("read: delta", r"/messages/delta"),
    ("read: MIME", r"/messages/[^/]+/\$value$"),
    ("file: move", r"/messages/[^/]+/move$"),
    ("folders", r"/mailFolders"),
    ("send: send", r"/messages/[^/]+/send$"),
    ("send: attachments", r"/attachments|createUploadSession|uploadSession"),
    ("send: look up key", r"^GET .*/users/[^/]+/messages$"),
    ("send: create draft", r"^POST .*/users/[^/]+/messages$"),
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
    sender = f"officer.{n}@met.police.uk"
    text = FORM_TEXT.format(child=f"{FIRST[n % len(FIRST)]} {surname}", child_dob="03/02/2010",
                            mother=f"Grace {surname}", mother_dob="14/06/1988", address=f"{n + 1} Bench Road, Enfield",
                            date=day.strftime("%d/%m/%Y"), summary=f"Case {n}: the child was seriously injured.",
                            referrer=f"Officer {surname}", phone="020 8345 0000", email=sender)
    return bytes(_mail(sender, f"SCR referral {n}", day, text, f"<bench-{n}@met.police.uk>"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--referrals", type=int, default=20)
    args = ap.parse_args()
    setup("WARNING")
    folder = Path(tempfile.mkdtemp(prefix="rc-graph-bench-"))
    clock = FixedClock(datetime(2014, 5, 12, 9, 0, tzinfo=LONDON))
    fake = FakeGraph(clock=lambda: clock.now().timestamp(), token_lifetime=3600)
    fake.start()
    try:
        os.environ["REQUESTS_CA_BUNDLE"] = str(fake.ca_file)
        fake.box(BOARD)
        shutil.copyfile(ROOT / "config" / "review-clerk.example.toml", folder / "review-clerk.toml")
        env = {"REVIEW_CLERK_MAIL__BACKEND": "graph", "REVIEW_CLERK_GRAPH__TENANT_ID": fake.tenant,
               "REVIEW_CLERK_GRAPH__CLIENT_ID": fake.client_id, "REVIEW_CLERK_GRAPH__CLIENT_SECRET": fake.client_secret,
               "REVIEW_CLERK_GRAPH__ENDPOINT": fake.endpoint, "REVIEW_CLERK_GRAPH__AUTHORITY": fake.authority,
               "REVIEW_CLERK_MEETINGS__AUTO_SCHEDULE": "false"}
        app = build_app(load_settings(folder / "review-clerk.toml", environ=env), clock, create=True)
        for n in range(args.referrals):
            fake.deliver(BOARD, referral(n, clock.now()), internet_message_id=f"<bench-{n}@met.police.uk>")
        start = len(fake.log)
        run_once(app)
        intake = Counter(purpose(m, p) for m, p, _ in fake.log[start:])
        with app.db.unit_of_work() as uow:
            opened = len(uow.cases.list())
            sent_at_intake = uow.outbox.counts().get("sent", 0)
            by_template = Counter(r["template"] for c in uow.cases.list()
                                  for r in uow.outbox.for_case(uow.cases.id_of(c.reference)))
        start = len(fake.log)
        cases.add_agency(app, "ESCB-2014-001", "enfield-ccg", "bench")
        cases.decide(app, "ESCB-2014-001", Outcome.SCR, date(2014, 5, 12), "criteria met", "bench")
        with app.db.unit_of_work() as uow:
            before = uow.outbox.counts().get("sent", 0)
        run_once(app)
        with app.db.unit_of_work() as uow:
            letters = uow.outbox.counts().get("sent", 0) - before
        sending = Counter(purpose(m, p) for m, p, _ in fake.log[start:])
        app.db.dispose()
    finally:
        fake.stop()
        shutil.rmtree(folder, ignore_errors=True)

    total_in = sum(intake.values())
    print(f"Intake: {args.referrals} referral emails read, {opened} cases opened, {sent_at_intake} messages sent "
          f"(acknowledgements, the daily intake report), incident notifications left as drafts for the Chair")
    print("  messages by template: " + ", ".join(f"{k} {v}" for k, v in sorted(by_template.items())))
    for name, n in sorted(intake.items()):
        print(f"  {name:<24} {n:>5}")
    print(f"  {'total':<24} {total_in:>5}   = {total_in / args.referrals:.2f} requests per referral "
          f"(reading, filing and acknowledging it)")
    total_out = sum(sending.values())
    print(f"\nDecision letters: {letters} messages sent (with Word attachments where formal)")
    for name, n in sorted(sending.items()):
        print(f"  {name:<24} {n:>5}")
    print(f"  {'total':<24} {total_out:>5}   = {total_out / max(1, letters):.2f} requests per sent letter")


if __name__ == "__main__":
    main()
