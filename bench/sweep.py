"""Deadline sweep cost against the number of open cases (SQLite).

Fills a fresh database with N open cases (three open deadlines each), of
which DUE have a deadline whose reminder is due now, then times one sweep.
The sweep reads only deadlines whose next action has come (an index on
status, next_action_at), so its time should follow DUE, not N.

    .venv/bin/python bench/sweep.py [--cases 1000 100000] [--due 100]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from service.bootstrap import build_app  # noqa: E402
from service.chasing.sweep import sweep  # noqa: E402
from service.clock import FixedClock  # noqa: E402
from service.config import load_settings  # noqa: E402
from service.store import tables as t  # noqa: E402

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2014, 6, 11, 9, 30, tzinfo=LONDON)


def fill(app, n: int, due: int) -> None:
    opened = datetime(2014, 5, 12, 9, tzinfo=timezone.utc)
    far = datetime(2030, 1, 1, tzinfo=timezone.utc)
    soon = NOW.astimezone(timezone.utc) - timedelta(minutes=5)
    batch = 5000
    with app.db.engine.begin() as conn:
        for lo in range(0, n, batch):
            hi = min(n, lo + batch)
            conn.execute(insert(t.cases), [{
                "id": i + 1, "reference": f"ESCB-2014-{i + 1:06d}", "year": 2014, "seq": i + 1,
                "stage": "referral_received", "opened_at": opened, "subjects": [], "referrer": {},
                "missing": []} for i in range(lo, hi)])
            rows = []
            for i in range(lo, hi):
                for kind, d in (("decision", date(2014, 6, 12)), ("chair_sqas_discussion", date(2014, 5, 13)),
                                ("ofsted_incident_notification", date(2014, 5, 19))):
                    next_at = soon if (kind == "decision" and i < due) else far
                    rows.append({"case_id": i + 1, "key": kind, "kind": kind, "due": d, "computed_due": d,
                                 "owner": "chair", "rule": "bench", "status": "open", "extended": False,
                                 "next_action_at": next_at})
            conn.execute(insert(t.deadlines), rows)
            conn.execute(insert(t.case_events), [{"case_id": i + 1, "kind": k, "on": date(2014, 5, 12)}
                                                 for i in range(lo, hi)
                                                 for k in ("referral_received", "chair_aware")])


def run(n: int, due: int) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="rc-bench-"))
    try:
        shutil.copyfile(ROOT / "config" / "review-clerk.example.toml", folder / "review-clerk.toml")
        app = build_app(load_settings(folder / "review-clerk.toml", environ={}), FixedClock(NOW), create=True)
        t0 = time.perf_counter()
        fill(app, n, due)
        fill_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        counts = sweep(app)
        sweep_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        idle = sweep(app)  # nothing due any more
        idle_s = time.perf_counter() - t0
        assert counts["reminders"] == due, counts
        assert idle["reminders"] == 0, idle
        app.db.dispose()
        return {"fill_s": fill_s, "sweep_s": sweep_s, "idle_s": idle_s}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, nargs="+", default=[1000, 100000])
    ap.add_argument("--due", type=int, default=100)
    args = ap.parse_args()
    print(f"{'open cases':>10} {'due':>5} {'sweep (s)':>10} {'per due (ms)':>13} {'idle sweep (ms)':>16}")
    for n in args.cases:
        r = run(n, args.due)
        print(f"{n:>10} {args.due:>5} {r['sweep_s']:>10.3f} {1000 * r['sweep_s'] / args.due:>13.2f} "
              f"{1000 * r['idle_s']:>16.2f}")


if __name__ == "__main__":
    main()
