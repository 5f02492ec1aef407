"""`cases list` and `deadlines` with 10,000 cases (issue 18: goals 0.4 s / 0.5 s and 120 MB each).

Builds a board (SQLite, local backend) and fills it with N cases written straight into the
tables (personal columns sealed as the service seals them; four to six deadlines a case, some met,
some missed, three agencies, two events), then runs each command as its own process, median of
RUNS, with its peak RSS. A command's own work is its time less the same command on the board
before it had any case (start-up: imports, settings, the database opened), printed beside it;
the goal is held against that work. The floor is one query of the rows a listing shows, printed
(in this process, no start-up).

    .venv/bin/python bench/lists.py [--cases 10000] [--runs 5] [--source DIR]

``--source DIR`` runs another checkout's ``python -m service`` on the same board (to measure
before and after a change in the same conditions).
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PY = sys.executable
NOW = "2014-09-01T09:30"

COMMANDS = [  # (label, arguments, goal s, goal MB)
    ("cases list", ["cases", "list"], 0.4, 120),
    ("cases list --json", ["cases", "list", "--json"], 0.4, 120),
    ("cases list --all", ["cases", "list", "--all"], None, 120),
    ("deadlines", ["deadlines"], 0.5, 120),
    ("deadlines --json", ["deadlines", "--json"], 0.5, 120),
    ("deadlines --all", ["deadlines", "--all"], None, 120),
]


def fill(config: Path, n: int) -> None:
    """N cases with their deadlines, events and agencies (in a child process: this one stays small)."""
    code = f"""
import random, sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
sys.path.insert(0, {str(ROOT)!r})
from sqlalchemy import insert
from service.bootstrap import build_app
from service.clock import FixedClock
from service.config import load_settings
from service.store import tables as t

app = build_app(load_settings(Path({str(config)!r})), FixedClock(datetime(2014, 9, 1, 9, tzinfo=timezone.utc)))
p = app.procedure
with app.db.unit_of_work() as uow:
    uow.cases.keep_procedure(p)
    uow.commit()
rules = [r.id for r in p.deadlines][:6] or ["decision"]
stages = [s.id for s in p.stages]
rnd = random.Random(18)
batch = 2000
with app.db.engine.begin() as conn:
    for lo in range(0, {n}, batch):
        hi = min({n}, lo + batch)
        cases, dls, events, agencies = [], [], [], []
        for i in range(lo, hi):
            opened = datetime(2014, 1, 1, 9, tzinfo=timezone.utc) + timedelta(hours=i * 3 % (24 * 240))
            cases.append({{"id": i + 1, "reference": f"ESCB-2014-{{i + 1:05d}}", "year": 2014, "seq": i + 1,
                          "stage": stages[i % len(stages)], "opened_at": opened,
                          "subjects": [{{"name": f"Child{{i}} Bench", "role": "child", "relationship": None,
                                        "date_of_birth": "2010-02-03", "address": f"{{i}} Example Road"}}],
                          "referrer": {{"name": "Karen Sample", "agency": "Police"}}, "missing": [],
                          "procedure_id": p.id, "procedure_version": p.version, "to_confirm": []}})
            for j, kind in enumerate(rules[:4 + i % 3]):
                due = opened.date() + timedelta(days=5 + 9 * j + rnd.randint(0, 60))
                met = rnd.random() < 0.4
                dls.append({{"case_id": i + 1, "key": kind, "kind": kind, "due": due, "computed_due": due,
                            "owner": "chair", "rule": f"within {{j + 1}} working days of referral received",
                            "status": "met" if met else "open", "met_on": due if met else None,
                            "extended": False, "next_action_at": None}})
            events += [{{"case_id": i + 1, "kind": k, "on": opened.date()}} for k in ("referral_received", "chair_aware")]
            agencies += [{{"case_id": i + 1, "agency": a, "position": k}} for k, a in enumerate(("police", "health", "school"))]
        conn.execute(insert(t.cases), cases)
        conn.execute(insert(t.deadlines), dls)
        conn.execute(insert(t.case_events), events)
        conn.execute(insert(t.case_agencies), agencies)
app.db.dispose()
"""
    subprocess.run([PY, "-c", code], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)


def timed(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system: less disturbed by other work on shared cores), peak MB."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.read().decode(errors='replace')[-2000:]}")
    proc.stderr.close()
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def median_of(cmd: list[str], env: dict[str, str], cwd: Path, runs: int) -> tuple[float, float, float]:
    timed(cmd, env, cwd)  # warm the file cache and .pyc files
    results = [timed(cmd, env, cwd) for _ in range(runs)]
    return statistics.median(r[0] for r in results), statistics.median(r[1] for r in results), \
        max(r[2] for r in results)


IN_PROCESS = """
import io, os, statistics, sys, time
from contextlib import redirect_stdout
from typer.testing import CliRunner
from service.cli import app
args, runs = sys.argv[2:], int(sys.argv[1])
runner = CliRunner()
def once():
    t0 = time.perf_counter()
    result = runner.invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return time.perf_counter() - t0
once()
print(statistics.median(once() for _ in range(runs)))
"""


def in_process(args: list[str], env: dict[str, str], cwd: Path, runs: int) -> float:
    """The command's own time: invoked in a process that has already started and run it once."""
    done = subprocess.run([PY, "-c", IN_PROCESS, str(runs), *args], env=env, cwd=cwd, check=True,
                          capture_output=True, text=True)
    return float(done.stdout.strip().splitlines()[-1])


def floor(db: Path, limit: int | None) -> float:
    """One query of what a listing shows, printed to a buffer."""
    t0 = time.perf_counter()
    conn = sqlite3.connect(db)
    rows = conn.execute(
        "SELECT c.reference, c.opened_at, c.stage, c.outcome, MIN(d.due), "
        "SUM(CASE WHEN d.due < ? THEN 1 ELSE 0 END) FROM cases c LEFT JOIN deadlines d "
        "ON d.case_id = c.id AND d.status = 'open' GROUP BY c.id ORDER BY c.opened_at DESC"
        + (f" LIMIT {limit}" if limit else ""), (NOW[:10],)).fetchall()
    buf = io.StringIO()
    for r in rows:
        buf.write("  ".join("" if v is None else str(v) for v in r) + "\n")
    conn.close()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--source", type=Path, help="another checkout to measure (default: this one)")
    ap.add_argument("--only", nargs="*", help="labels of the commands to run (default: all)")
    args = ap.parse_args()
    source = (args.source or ROOT).resolve()
    folder = Path(tempfile.mkdtemp(prefix="rc-lists-"))
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("REVIEW_CLERK_")}
        env.update({"REVIEW_CLERK_CONFIG": str(folder / "board" / "review-clerk.toml"), "COLUMNS": "120",
                    "PYTHONPATH": str(source)})
        clerk = [PY, "-m", "service"]
        subprocess.run(clerk + ["init", str(folder / "board")], env=env, cwd=source, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wanted = [c for c in COMMANDS if not args.only or c[0] in args.only]
        # Those of the source that do not know --all are measured without it (before: no paging).
        startup = {label: median_of(clerk + cmd, env, source, args.runs)
                   for label, cmd, _, _ in wanted if "--all" not in cmd}
        t0 = time.perf_counter()
        fill(folder / "board" / "review-clerk.toml", args.cases)
        print(f"{source}: {args.cases} cases filled in {time.perf_counter() - t0:.1f} s; median of {args.runs} runs; "
              f"load {os.getloadavg()[0]:.2f}")
        db = folder / "board" / "data" / "review-clerk.db"
        fl, fl_all = (statistics.median(floor(db, lim) for _ in range(5)) for lim in (50, None))
        print(f"floor (one query + print, in process): 50 rows {fl:.3f} s, every case {fl_all:.3f} s")
        print("work: the command invoked again in a process that has run it once (no interpreter start-up or "
              "imports; settings read and database opened as each command does); the goal is held against it. "
              "wall and CPU: the whole command as its own process; start-up CPU: the same command on the board "
              "before it had any case")
        print(f"{'command':22} {'wall s':>7} {'CPU s':>7} {'start-up CPU':>12} {'work s':>7} "
              f"{'goal s':>7} {'peak MB':>8} {'goal MB':>8}")
        for label, cmd, goal_s, goal_mb in wanted:
            try:
                secs, cpu, peak = median_of(clerk + cmd, env, source, args.runs)
            except SystemExit as exc:
                print(f"{label:22} not measured: {str(exc)[-200:]}")
                continue
            base = startup.get(label, startup.get(label.replace(" --all", ""), (0.0, 0.0, 0.0)))
            work = in_process(cmd, env, source, args.runs)
            ok = (goal_s is None or work <= goal_s) and peak <= goal_mb
            print(f"{label:22} {secs:7.3f} {cpu:7.3f} {base[1]:12.3f} {work:7.3f} "
                  f"{'' if goal_s is None else goal_s:>7} {peak:8.1f} {goal_mb:>8}  {'ok' if ok else 'OVER'}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
