"""The meetings job against the number of meetings waiting (issue 18: "Fast at every size"; SQLite, local calendar).

Builds a fresh board with N cases opened as intake opens them, each with its extraordinary panel meeting
waiting for a time, then times `meetings_job` twice: the first run arranges every meeting (finds a time,
saves it, writes the invitation to the calendar, asks the agencies for their reports), the second run has
nothing new to do. Then the same at 2N, to show the cost grows in step with N.

The example configuration, with one-hour extraordinary meetings (so that 2 x 105 fit before the job runs out
of working days to look at: every meeting invites the chair, so they are back to back).

Floors (what no meetings job can do without):
* first run: writing the N invitations to the calendar (the local backend's .ics files) and nothing else;
* second run: the one query that lists the open meetings.

    .venv/bin/python bench/meetings_job.py [--meetings 105] [--runs 3]
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from service.bootstrap import build_app  # noqa: E402
from service.clock import FixedClock  # noqa: E402
from service.config import load_settings  # noqa: E402
from service.domain.model import Case, Referrer, Subject  # noqa: E402
from service.meetings.service import meetings_job, on_case_opened  # noqa: E402
from service.procedure.pack import default as default_procedure  # noqa: E402

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2014, 5, 12, 9, 30, tzinfo=LONDON)
GOAL_FIRST_S = 0.4  # for 105 meetings
GOAL_SECOND_S = 0.1
AGENCIES = (("met-police", "enfield-csc"), ("met-police",), ("enfield-csc", "met-police"))


def board(folder: Path, n: int):
    folder.mkdir(parents=True)
    # One-hour meetings: 2N of them fit in the window and the 20 working days the job looks at after it.
    (folder / "review-clerk.toml").write_text((ROOT / "config" / "review-clerk.example.toml").read_text()
                                              + "\n[meetings.kinds.extraordinary]\nduration_minutes = 60\n")
    app = build_app(load_settings(folder / "review-clerk.toml", environ={}), FixedClock(NOW), create=True)
    procedure = default_procedure()
    for seq in range(1, n + 1):
        case = Case.open(f"ESCB-2014-{seq:03d}", date(2014, 5, 12), NOW, "bench",
                         subjects=[Subject(f"Child{seq} Benchname", "child", "child", date(2010, 2, 3), None)],
                         referrer=Referrer("Karen Sample", "Metropolitan Police Service", "020",
                                           "karen@met-police.example.org"), procedure=procedure)
        for a in AGENCIES[seq % len(AGENCIES)]:
            case.add_agency(a, NOW, "bench")
        with app.db.unit_of_work() as uow:
            on_case_opened(uow, app, case, uow.cases.add(case, 2014, seq))
            uow.commit()
    return app


def timed(fn) -> tuple[float, object]:
    """Wall time of ``fn()`` and its result (CPU time: :func:`cpu_timed`)."""
    started = time.perf_counter()
    out = fn()
    return time.perf_counter() - started, out


def cpu_timed(fn) -> tuple[float, float, object]:
    started, started_cpu = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - started, time.process_time() - started_cpu, out


def floor_first(app) -> float:
    """Writing every arranged meeting's invitation to the calendar again, and nothing else."""
    from service.meetings.invite import event_spec
    from service.meetings.meeting_row import kind_of

    with app.db.unit_of_work() as uow:
        specs = []
        for m in uow.meetings.listing():
            specs.append(event_spec(app.settings, m["reference"], kind_of(uow, app, m), m,
                                    uow.meetings.attendees(m["id"])))
    started = time.perf_counter()
    for spec in specs:
        app.calendar.upsert_event(spec, None)
    return time.perf_counter() - started


def floor_second(app) -> float:
    def one_query():
        with app.db.unit_of_work() as uow:
            uow.meetings.open_ids()
    return timed(one_query)[0]


def measure(n: int) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="rc-meetings-job-"))
    try:
        app = board(folder / "board", n)
        try:
            first, first_cpu, counts = cpu_timed(lambda: meetings_job(app))
            if counts.get("scheduled") != n or counts.get("errors"):
                raise SystemExit(f"the first run did not arrange all {n}: {counts}")
            second, second_cpu, counts2 = cpu_timed(lambda: meetings_job(app))
            if counts2.get("errors") or counts2.get("scheduled"):
                raise SystemExit(f"the second run found work: {counts2}")
            return {"first": first, "first_cpu": first_cpu, "second": second, "second_cpu": second_cpu,
                    "floor_first": floor_first(app), "floor_second": floor_second(app)}
        finally:
            app.db.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--meetings", type=int, default=105)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    logging.disable(logging.CRITICAL)
    print(f"load {os.getloadavg()[0]:.2f}; median of {args.runs} fresh boards each")
    figures = {}
    for n in (args.meetings, 2 * args.meetings):
        runs = [measure(n) for _ in range(args.runs)]
        f = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        figures[n] = f
        scale = n / 105
        print(f"N={n:4d}  first run (arrange all): wall {f['first']:6.3f} s, CPU {f['first_cpu']:6.3f} s   "
              f"floor (calendar writes only) "
              f"{f['floor_first']:6.3f} s   goal <= {GOAL_FIRST_S * scale:.2f} s  "
              f"{'ok' if f['first'] <= GOAL_FIRST_S * scale else 'OVER'}")
        print(f"        second run (nothing new): wall {f['second']:6.3f} s, CPU {f['second_cpu']:6.3f} s   "
              f"floor (one query) "
              f"{f['floor_second']:6.3f} s   goal <= {GOAL_SECOND_S * scale:.2f} s  "
              f"{'ok' if f['second'] <= GOAL_SECOND_S * scale else 'OVER'}")
    a, b = figures[args.meetings], figures[2 * args.meetings]
    print(f"2N / N: first run x{b['first'] / a['first']:.2f} (CPU x{b['first_cpu'] / a['first_cpu']:.2f}), second "
          f"run x{b['second'] / a['second']:.2f} (CPU x{b['second_cpu'] / a['second_cpu']:.2f}) (linear: about x2)")


if __name__ == "__main__":
    main()
