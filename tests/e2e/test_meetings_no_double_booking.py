"""Forty referrals at once: no panel member is booked into two of the service's meetings at the same time.

On PostgreSQL two `review-clerk run --once` processes share the database and
the local calendar, as two service instances would (issue 12 item 4: two
processes gave nine pairs of extraordinary meetings the same slot with the
same standing panel). On SQLite, which has one writer at a time, one process
does the same work: forty meetings arranged in one run must not overlap
either.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from itertools import combinations
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from service.demo import FORM_TEXT

ROOT = Path(__file__).resolve().parents[2]
LONDON = ZoneInfo("Europe/London")
REFERRALS = 40
FIRST = ("Alfie", "Bella", "Callum", "Daisy", "Ethan", "Freya", "George", "Hannah", "Isaac", "Jasmine")
LAST = ("Testwood", "Samplefield", "Exampleton", "Mockridge")
pytestmark = pytest.mark.slow


def referrals(day: datetime, n: int) -> dict[str, bytes]:
    """``n`` invented referrals from the police, each about a different child."""
    out = {}
    for i in range(n):
        child = f"{FIRST[i % len(FIRST)]} {LAST[i // len(FIRST)]}"
        body = FORM_TEXT.format(
            child=child, child_dob=f"{1 + i % 28:02d}/{1 + i % 12:02d}/{2008 + i % 5}",
            mother=f"Mother{i} {LAST[i // len(FIRST)]}", mother_dob="14 June 1988",
            address=f"{i + 1} Example Road, Enfield, EN{1 + i % 9} {i % 9}AA", date=day.strftime("%d/%m/%Y"),
            summary=f"{child.split()[0]} was admitted to hospital with injuries not consistent with the "
                    f"explanation given.",
            referrer="Karen Sample", phone="020 8345 0000", email="karen.sample@met-police.example.org")
        m = EmailMessage()
        m["From"] = "Karen Sample <karen.sample@met-police.example.org>"
        m["To"] = "escb.business.manager@enfield.example.org"
        m["Subject"] = f"SCR referral {i + 1}"
        m["Date"] = format_datetime(day + timedelta(minutes=i))
        m["Message-ID"] = f"<load-{i}@met-police.example.org>"
        m.set_content(body)
        out[f"{i:02d}-referral.eml"] = bytes(m)
    return out


def run_all(env: dict[str, str], processes: int, *args: str) -> list[subprocess.CompletedProcess]:
    """``processes`` service processes at once; output to files so a full pipe cannot stall one."""
    with tempfile.TemporaryDirectory() as tmp:
        files = [(Path(tmp) / f"{i}.out", Path(tmp) / f"{i}.err") for i in range(processes)]
        procs = []
        for out, err in files:
            with out.open("w") as o, err.open("w") as e:
                procs.append(subprocess.Popen([sys.executable, "-m", "service", *args], env=env, cwd=ROOT,
                                              text=True, stdin=subprocess.DEVNULL, stdout=o, stderr=e))
        codes = [p.wait(timeout=300) for p in procs]
        return [subprocess.CompletedProcess(p.args, code, out.read_text(), err.read_text())
                for p, code, (out, err) in zip(procs, codes, files)]


def overlaps(meetings: list[dict]) -> list[tuple[str, str, list[str]]]:
    """Pairs of meetings at overlapping times with an attendee in common (and who)."""
    found = []
    timed = [m for m in meetings if m["state"] != "cancelled" and m["start"]]
    for a, b in combinations(timed, 2):
        if datetime.fromisoformat(a["start"]) < datetime.fromisoformat(b["end"]) \
                and datetime.fromisoformat(b["start"]) < datetime.fromisoformat(a["end"]):
            shared = sorted({x["email"] for x in a["attendees"]} & {x["email"] for x in b["attendees"]})
            if shared:
                found.append((a["reference"], b["reference"], shared))
    return found


@pytest.fixture
def board(tmp_path, db_env):
    folder = tmp_path / "board"
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVIEW_CLERK_")}
    env.update(db_env)
    env["REVIEW_CLERK_CONFIG"] = str(folder / "review-clerk.toml")
    made = run_all(env, 1, "init", str(folder))[0]  # only init makes a new service
    assert made.returncode == 0, made.stderr[-2000:]
    return folder, env, (2 if db_env else 1)


def test_forty_referrals_at_once_give_no_attendee_two_meetings_at_the_same_time(board):
    folder, env, processes = board
    start = datetime(2014, 5, 12, 9, 5, tzinfo=LONDON)
    inbox = folder / "data" / "mail" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    for name, raw in referrals(start, REFERRALS).items():
        (inbox / name).write_bytes(raw)

    for proc in run_all(env, processes, "run", "--once", "--now", start.isoformat()):
        assert proc.returncode == 0, proc.stderr[-2000:]

    listed = run_all(env, 1, "meeting", "list", "--json")[0]
    assert listed.returncode == 0, listed.stderr[-2000:]
    meetings = json.loads(listed.stdout)
    assert len({m["reference"] for m in meetings}) == REFERRALS
    assert [m for m in meetings if m["state"] != "scheduled"] == []
    clashes = overlaps(meetings)
    assert clashes == [], f"{len(clashes)} pairs of meetings overlap for a shared attendee: {clashes[:5]}"
