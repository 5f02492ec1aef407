"""Intake end to end: N distinct referral emails through the local backend into cases.

Each email is a typed-in referral form with its own child, so each opens a case
(acknowledgement and Ofsted notification queued, panel meeting planned). Times
the inbox job (store every message, claim and handle each, file it) until the
inbox is empty, and reports peak memory. SQLite by default; PostgreSQL with
--database-url.

    .venv/bin/python bench/intake.py [--emails 200] [--database-url postgresql://...]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from service.bootstrap import build_app  # noqa: E402
from service.clock import FixedClock  # noqa: E402
from service.config import load_settings  # noqa: E402
from service.demo import FORM_TEXT  # noqa: E402
from service.jobs import read_inbox  # noqa: E402

NOW = datetime(2014, 5, 12, 9, 30, tzinfo=ZoneInfo("Europe/London"))
GOAL_MS = 12.0


def referral(i: int) -> bytes:
    body = FORM_TEXT.format(child=f"Child{i:05d} Bench", child_dob="03/02/2010", mother=f"Mother{i:05d} Bench",
                            mother_dob="14/06/1988", address=f"{i} Example Road, Enfield, EN1 1AA", date="12/05/2014",
                            summary=f"Child {i} was admitted to hospital with unexplained injuries.",
                            referrer="Karen Sample", phone="020 8345 0000", email="karen.sample@met-police.example.org")
    m = EmailMessage()
    m["From"], m["To"] = "karen.sample@met-police.example.org", "escb.business.manager@enfield.example.org"
    m["Subject"], m["Message-ID"] = "SCR referral", f"<bench-{i}@met-police.example.org>"
    m["Date"] = "Mon, 12 May 2014 08:00:00 +0100"
    m.set_content(body)
    return bytes(m)


def run(n: int, database_url: str | None) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="rc-bench-"))
    try:
        shutil.copyfile(ROOT / "config" / "review-clerk.example.toml", folder / "review-clerk.toml")
        environ = {"REVIEW_CLERK_DATABASE__URL": database_url} if database_url else {}
        app = build_app(load_settings(folder / "review-clerk.toml", environ=environ), FixedClock(NOW), create=True)
        inbox = app.settings.data_dir / "mail" / "inbox"
        for i in range(n):
            (inbox / f"{i:05d}.eml").write_bytes(referral(i))
        from sqlalchemy import event

        statements, commits = [0], [0]
        event.listen(app.db.engine, "before_cursor_execute",
                     lambda *a: statements.__setitem__(0, statements[0] + 1))
        event.listen(app.db.engine, "commit", lambda *a: commits.__setitem__(0, commits[0] + 1))
        t0, c0 = time.perf_counter(), time.process_time()
        opened = 0
        while True:
            counts = read_inbox(app)
            opened += counts.get("processed", 0)
            if not counts["stored"] and not any(v for k, v in counts.items() if k not in ("stored", "filed")):
                break
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
        assert opened == n, (opened, n)
        app.db.dispose()
        # The floor, in the same run: reading each referral (parse_message) and nothing else.
        from service.intake.parsing.pipeline import parse_message

        raws = [referral(i) for i in range(n)]
        p0 = time.perf_counter()
        for raw in raws:
            parse_message(raw)
        parse_s = time.perf_counter() - p0
        return {"s": elapsed, "cpu": cpu, "statements": statements[0] / n, "commits": commits[0] / n,
                "parse_ms": 1000 * parse_s / n}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--emails", type=int, default=200)
    ap.add_argument("--database-url", default=None)
    args = ap.parse_args()
    r = run(args.emails, args.database_url)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    where = "PostgreSQL" if args.database_url else "SQLite"
    each = 1000 * r['s'] / args.emails
    print(f"{where}: {args.emails} referrals -> {args.emails} cases in {r['s']:.2f} s: "
          f"{args.emails / r['s']:.1f} emails/s, {each:.1f} ms each (CPU {1000 * r['cpu'] / args.emails:.1f} ms); "
          f"{r['statements']:.1f} SQL statements and {r['commits']:.1f} commits each; peak RSS {peak_mb:.0f} MB")
    print(f"per referral {each:.1f} ms   floor (reading the email alone, same run) {r['parse_ms']:.1f} ms   "
          f"goal <= {GOAL_MS} ms  {'ok' if each <= GOAL_MS else 'OVER'}   (load {os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    main()
