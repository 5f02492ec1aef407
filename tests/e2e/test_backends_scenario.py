"""The same scenario on the local folder backend and on Microsoft Graph (a TLS test double).

Referrals arrive, cases open, acknowledgements go out, an extraordinary
panel meeting is created, handled mail is filed; run again, and nothing is
done twice. The scenario is one function; only the way the test looks at
the outside world (a folder, or the fake Graph's mailboxes) differs.
"""

from __future__ import annotations

import email
import email.policy
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "m365"))
from fake_graph import FakeGraph  # noqa: E402

from service.bootstrap import build_app  # noqa: E402
from service.config import load_settings  # noqa: E402
from service.demo import sample_emails  # noqa: E402
from service.jobs import run_once  # noqa: E402

LONDON = ZoneInfo("Europe/London")
BOARD = "escb.business.manager@enfield.gov.uk"


class LocalWorld:
    """The outside world of the local backend: folders and files."""

    def __init__(self, settings):
        self.root = settings.data_dir

    def deliver(self, name: str, raw: bytes) -> None:
        (self.root / "mail" / "inbox" / name).write_bytes(raw)

    def sent(self) -> list[tuple[str, str]]:
        out = []
        for p in sorted((self.root / "mail" / "sent").glob("*.eml")):
            m = email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            out.append((str(m["To"]), str(m["Subject"])))
        return out

    def events(self) -> list[tuple[str, str, list[str]]]:
        out = []
        for p in sorted((self.root / "calendar").glob("*.ics")):
            ev = next(iter(Calendar.from_ical(p.read_bytes()).walk("VEVENT")))
            attendees = ev.get("attendee") or []
            attendees = attendees if isinstance(attendees, list) else [attendees]
            out.append((str(ev["summary"]), str(ev["description"]),
                        sorted(str(a).split(":", 1)[1].lower() for a in attendees)))
        return out

    def filed(self) -> dict[str, int]:
        return {name: len(list((self.root / "mail" / name).glob("*.eml")))
                for name in ("processed", "quarantine", "not-referral")}


class GraphWorld:
    """The outside world of the Graph backend: the fake's mailboxes."""

    FOLDERS = {"Processed": "processed", "Quarantine": "quarantine", "Not a referral": "not-referral"}

    def __init__(self, fake: FakeGraph):
        self.fake = fake

    def deliver(self, name: str, raw: bytes) -> None:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        self.fake.deliver(BOARD, raw, internet_message_id=str(msg["Message-ID"]))

    def sent(self) -> list[tuple[str, str]]:
        out = []
        for box in self.fake.boxes.values():
            sent_folder = self.fake.folder_id(box.address, "sentitems")
            for m in box.messages.values():
                if m["parentFolderId"] == sent_folder:
                    to = ", ".join(r["emailAddress"]["address"] for r in m.get("toRecipients", []))
                    out.append((to, m["subject"]))
        return sorted(out)

    def events(self) -> list[tuple[str, str, list[str]]]:
        out = []
        for box in self.fake.boxes.values():
            for ev in box.events.values():
                out.append((ev["subject"], ev["body"]["content"],
                            sorted(a["emailAddress"]["address"].lower() for a in ev["attendees"])))
        return out

    def filed(self) -> dict[str, int]:
        box = self.fake.box(BOARD)
        names = {fid: f["displayName"] for fid, f in box.folders.items()}
        counts = {v: 0 for v in self.FOLDERS.values()}
        for m in box.messages.values():
            folder = self.FOLDERS.get(names.get(m["parentFolderId"], ""))
            if folder:
                counts[folder] += 1
        return counts


@pytest.fixture(params=["local", "graph"])
def world(request, config_dir, db_env, clock, monkeypatch):
    env = dict(db_env)
    fake = None
    if request.param == "graph":
        fake = FakeGraph(clock=lambda: clock.now().timestamp(), token_lifetime=3600)
        fake.start()
        fake.box(BOARD)
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(fake.ca_file))
        env.update({"REVIEW_CLERK_MAIL__BACKEND": "graph", "REVIEW_CLERK_GRAPH__TENANT_ID": fake.tenant,
                    "REVIEW_CLERK_GRAPH__CLIENT_ID": fake.client_id,
                    "REVIEW_CLERK_GRAPH__CLIENT_SECRET": fake.client_secret,
                    "REVIEW_CLERK_GRAPH__ENDPOINT": fake.endpoint, "REVIEW_CLERK_GRAPH__AUTHORITY": fake.authority})
    settings = load_settings(config_dir / "review-clerk.toml", environ=env)
    app = build_app(settings, clock, create=True)
    outside = GraphWorld(fake) if fake else LocalWorld(settings)
    yield app, outside
    app.db.dispose()
    if fake:
        fake.stop()


def test_referrals_in_cases_opened_acknowledged_and_a_meeting_created(world, clock):
    app, outside = world
    clock.set(datetime(2014, 5, 12, 9, 0, tzinfo=LONDON))
    for name, raw in sample_emails(clock.now()).items():
        outside.deliver(name, raw)

    run_once(app)

    with app.db.unit_of_work() as uow:
        refs = [c.reference for c in uow.cases.list()]
    assert refs == ["ESCB-2014-001", "ESCB-2014-002"]
    sent = outside.sent()
    assert ("karen.sample@met.police.uk", "[ESCB-2014-001] Referral received") in sent
    assert ("neil.example@enfield.gov.uk", "[ESCB-2014-002] Referral received: further information needed") in sent
    assert not any(to == "out.of.office@nhs.net" for to, _ in sent)  # never answer an auto-reply
    events = outside.events()
    assert len(events) == 2
    subject, body, attendees = next(e for e in events if "ESCB-2014-001" in e[0])
    assert "public.protection@met.police.uk" in attendees
    for name in ("Amelia", "Demo", "Grace", "Oscar", "Example Road"):
        assert name not in subject + body
    assert outside.filed() == {"processed": 3, "quarantine": 1, "not-referral": 1}

    run_once(app)  # again: nothing is done twice
    assert outside.sent() == sent
    assert len(outside.events()) == 2
