"""Two `review-clerk run` processes against one PostgreSQL for a simulated month.

Every simulated working day both processes run `run --once --now DAY` at the
same moment, sharing the database and the local mailbox. Whatever they do,
each message is delivered exactly once: the local backend's delivery log
shows every send() call, and no key may be delivered twice or even be tried
a second time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from service.demo import sample_emails
from service.domain.calendar import is_working_day

ROOT = Path(__file__).resolve().parents[2]
LONDON = ZoneInfo("Europe/London")
pytestmark = pytest.mark.slow


@pytest.fixture
def shared(tmp_path, db_env):
    if not db_env:
        pytest.skip("needs PostgreSQL: set REVIEW_CLERK_TEST_DATABASE_URL (SQLite is one writer at a time)")
    folder = tmp_path / "board"
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVIEW_CLERK_")}
    env.update(db_env)
    env["REVIEW_CLERK_CONFIG"] = str(folder / "review-clerk.toml")
    assert one(env, "init", str(folder)).returncode == 0  # only init makes a new service
    return folder, env


def both(env, *args: str) -> list[subprocess.CompletedProcess]:
    """Two processes at once. Their output goes to files: a full pipe would stall a process that logs a lot."""
    with tempfile.TemporaryDirectory() as tmp:
        files = [(Path(tmp) / f"{i}.out", Path(tmp) / f"{i}.err") for i in range(2)]
        procs = []
        for out, err in files:
            with out.open("w") as o, err.open("w") as e:
                procs.append(subprocess.Popen([sys.executable, "-m", "service", *args], env=env, cwd=ROOT,
                                              text=True, stdin=subprocess.DEVNULL, stdout=o, stderr=e))
        codes = [p.wait(timeout=120) for p in procs]
        return [subprocess.CompletedProcess(p.args, code, out.read_text(), err.read_text())
                for p, code, (out, err) in zip(procs, codes, files)]


def one(env, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "service", *args], env=env, cwd=ROOT, text=True,
                          capture_output=True, timeout=120)


def test_two_processes_for_a_month_deliver_every_message_exactly_once(shared):
    folder, env = shared
    inbox = folder / "data" / "mail" / "inbox"
    start = datetime(2014, 5, 12, 9, 5, tzinfo=LONDON)
    assert one(env, "migrate").returncode == 0
    inbox.mkdir(parents=True, exist_ok=True)
    for name, raw in sample_emails(start).items():
        (inbox / name).write_bytes(raw)

    day = start
    while day < start + timedelta(days=31):
        if is_working_day(day.date()):
            for proc in both(env, "run", "--once", "--now", day.isoformat()):
                assert proc.returncode == 0, proc.stderr[-2000:]
        if day.date() == date(2014, 5, 20):
            r = one(env, "case", "decide", "ESCB-2014-001", "--outcome", "scr", "--date", "2014-05-20",
                    "--reason", "criteria met")
            assert r.returncode == 0, r.stderr
        day += timedelta(days=1)

    log = (folder / "data" / "mail" / "delivery.log").read_text().splitlines()
    delivered = Counter(line.split()[2] for line in log if line.split()[1] == "delivered")
    tried_again = [line for line in log if line.split()[1] == "already-sent"]
    assert delivered and max(delivered.values()) == 1
    assert tried_again == []
    assert len(list((folder / "data" / "mail" / "sent").glob("*.eml"))) == len(delivered)
    kinds = {k.split("/")[1] if "/" in k else k for k in delivered}
    assert {"acknowledgement", "imr_letter", "decision_notification"} <= {k.split("/")[1] for k in delivered
                                                                          if k.count("/") >= 1} | kinds
    cases = one(env, "cases", "list", "--json")
    assert cases.returncode == 0 and cases.stdout.count('"reference"') == 2
