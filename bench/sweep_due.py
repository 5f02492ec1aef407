"""The deadline sweep's cost when reminders are due on every case (SQLite; issue 18).

Fills a fresh database with N open cases, each with three open deadlines whose reminders are all due
now (the Chair's decision, the Chair and Head of SQAS's discussion, the Business Manager's Ofsted
notification), then times one sweep (``[chasing] combine``, the default: one message per person),
then a second sweep with nothing due. At N and 2N, beside the floor and the goal:

* goal: N=105 cases (~3 deadlines each) with reminders due: <= 0.2 s; nothing due: a few ms;
* floor: the SQL the sweep cannot avoid, measured on the same database: one UPDATE claiming each
  due deadline and one INSERT per outbox row (each item's own key row), no Python around them.

    .venv/bin/python bench/sweep_due.py [--cases 105] [--repeat 3]
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

from sqlalchemy import insert, select, update  # noqa: E402

from service.bootstrap import build_app  # noqa: E402
from service.chasing.sweep import sweep  # noqa: E402
from service.clock import FixedClock  # noqa: E402
from service.config import load_settings  # noqa: E402
from service.store import tables as t  # noqa: E402

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2014, 6, 11, 9, 30, tzinfo=LONDON)  # a Wednesday
GOAL_S = 0.2  # at 105 cases
IDLE_GOAL_MS = 5.0
# Each case's three deadlines: a reminder of each is due at NOW (remind-1, remind-5, remind-5).
DEADLINES = (("decision", date(2014, 6, 12), "chair"),
             ("chair_sqas_discussion", date(2014, 6, 13), "chair,head_of_sqas"),
             ("ofsted_incident_notification", date(2014, 6, 18), "business_manager"))


def fill(app, n: int) -> None:
    opened = datetime(2014, 5, 12, 9, tzinfo=timezone.utc)
    soon = NOW.astimezone(timezone.utc) - timedelta(minutes=5)
    procedure = app.procedure
    with app.db.unit_of_work() as uow:  # the procedure's text kept, as the first case opened under it does
        uow.cases.keep_procedure(procedure)
        uow.commit()
    with app.db.engine.begin() as conn:
        conn.execute(insert(t.cases), [{
            "id": i + 1, "reference": f"ESCB-2014-{i + 1:03d}", "year": 2014, "seq": i + 1,
            "stage": "referral_received", "opened_at": opened, "subjects": [], "referrer": {}, "missing": [],
            "procedure_id": procedure.id, "procedure_version": procedure.version} for i in range(n)])
        conn.execute(insert(t.deadlines), [
            {"case_id": i + 1, "key": kind, "kind": kind, "due": d, "computed_due": d, "owner": owner,
             "rule": "bench", "status": "open", "extended": False, "next_action_at": soon}
            for i in range(n) for kind, d, owner in DEADLINES])
        conn.execute(insert(t.case_events), [{"case_id": i + 1, "kind": k, "on": date(2014, 5, 12)}
                                             for i in range(n) for k in ("referral_received", "chair_aware")])


def floor(app, n: int) -> float:
    """The SQL a sweep cannot do without, in one transaction, rolled back: claim each due deadline, one
    outbox row per item (four recipients' worth per case: chair x2, head of SQAS, business manager)."""
    with app.db.engine.connect() as conn:
        tx = conn.begin()
        t0 = time.perf_counter()
        ids = list(conn.execute(select(t.deadlines.c.id).where(t.deadlines.c.next_action_at.is_not(None))
                                .order_by(t.deadlines.c.next_action_at).limit(500)).scalars())
        for i in ids:
            conn.execute(update(t.deadlines).where(t.deadlines.c.id == i).values(next_action_at=None))
        conn.execute(insert(t.outbox), [
            {"key": f"floor/{i}/{k}", "case_id": i + 1, "template": "reminder", "sender": "b@x", "to": ["a@x"],
             "cc": [], "subject": "", "text": "", "headers": {}, "attachments": [], "message_id": f"<{i}.{k}@x>",
             "references": [], "mode": "auto", "status": "combined", "attempts": 0,
             "created_at": NOW} for i in range(n) for k in range(4)])
        took = time.perf_counter() - t0
        tx.rollback()
    return took


def run(n: int) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="rc-bench-"))
    try:
        shutil.copyfile(ROOT / "config" / "review-clerk.example.toml", folder / "review-clerk.toml")
        app = build_app(load_settings(folder / "review-clerk.toml", environ={}), FixedClock(NOW), create=True)
        fill(app, n)
        floor_s = floor(app, n)
        t0 = time.perf_counter()
        counts = sweep(app, limit=10 * n)
        sweep_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        idle = sweep(app, limit=10 * n)  # nothing due any more
        idle_s = time.perf_counter() - t0
        assert counts["reminders"] == 3 * n, counts
        assert idle["reminders"] == 0, idle
        with app.db.engine.connect() as conn:
            messages = conn.execute(select(t.outbox.c.to).where(t.outbox.c.status == "queued")).scalars().all()
        app.db.dispose()
        return {"floor_s": floor_s, "sweep_s": sweep_s, "idle_s": idle_s, "messages": len(messages)}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=105, help="N (the sweep is also timed at 2N)")
    ap.add_argument("--repeat", type=int, default=3, help="best of")
    args = ap.parse_args()
    print(f"{'cases':>6} {'due':>5} {'messages':>9} {'floor (s)':>10} {'sweep (s)':>10} {'goal (s)':>9} "
          f"{'idle (ms)':>10} {'idle goal':>10}")
    for n in (args.cases, 2 * args.cases):
        best = min((run(n) for _ in range(args.repeat)), key=lambda r: r["sweep_s"])
        goal = GOAL_S * n / 105
        print(f"{n:>6} {3 * n:>5} {best['messages']:>9} {best['floor_s']:>10.3f} {best['sweep_s']:>10.3f} "
              f"{goal:>9.3f} {1000 * best['idle_s']:>10.2f} {IDLE_GOAL_MS:>10.1f}")


if __name__ == "__main__":
    main()
