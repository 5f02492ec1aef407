"""Start-up time and memory of the command line and the service, each beside its target and floor.

    .venv/bin/python bench/startup.py [--runs 7] [--source DIR]

``--source DIR`` runs another checkout's code (``python -m service`` from DIR, with this
virtualenv's packages), to compare before and after a change in the same conditions; without
it, this checkout's, the same way.

Builds a board folder in a temporary directory (`init`, the demo's five sample emails, one
`run --once`: two cases), then times, as separate processes (median of N runs, wall clock):

- floors: `python -c pass`, `python -c "import typer"` (what any typer command pays), and
  typer, pydantic and SQLAlchemy (what any command reading the settings and the database pays);
- `review-clerk --help` (target 0.3 s);
- `review-clerk cases list` and `deadlines` (target 0.5 s), with peak RSS;
- `review-clerk run` left idle (after its first round of jobs): resident memory (target 100 MB),
  beside `python -c pass`'s.

SQLite, local mail backend. Timings on a shared machine are noisy: compare figures taken in the
same conditions, and re-run rather than trust one.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
CLERK = [PY, "-m", "service"]  # the code of SOURCE (PYTHONPATH and working folder)
SOURCE = ROOT


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system: less disturbed by other work on the machine) and
    peak RSS (MB) of one run of ``cmd``."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=SOURCE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.read().decode(errors='replace')[-2000:]}")
    proc.stderr.close()
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def median_of(cmd: list[str], env: dict[str, str], runs: int) -> tuple[float, float, float]:
    timed(cmd, env)  # warm the file cache and the .pyc files
    results = [timed(cmd, env) for _ in range(runs)]
    return tuple(statistics.median(r[i] for r in results) for i in range(3))  # type: ignore[return-value]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def idle_rss(env: dict[str, str], settle: float) -> float:
    """Resident memory of `review-clerk run` once its first round of jobs is done."""
    proc = subprocess.Popen(CLERK + ["run"], env=env, cwd=SOURCE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    try:
        deadline = time.monotonic() + 120
        assert proc.stderr is not None
        for line in proc.stderr:  # the service logs "review clerk running" after its first round
            if "review clerk running" in line or time.monotonic() > deadline:
                break
        time.sleep(settle)
        return rss_mb(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()


DROP_SAMPLES = """
import sys
from datetime import datetime
from pathlib import Path
from service.demo import sample_emails
for name, raw in sample_emails(datetime.fromisoformat("2014-05-12T08:30:00+01:00")).items():
    (Path(sys.argv[1]) / name).write_bytes(raw)
"""


def board(folder: Path) -> dict[str, str]:
    """A board folder with two cases. Set up in child processes: this process stays small, since a
    child's peak RSS counts what it was forked with."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVIEW_CLERK_")}
    env.update({"REVIEW_CLERK_CONFIG": str(folder / "review-clerk.toml"), "COLUMNS": "120",
                "PYTHONPATH": str(SOURCE)})
    quiet = dict(env=env, cwd=SOURCE, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run(CLERK + ["init", str(folder)], **quiet)
    subprocess.run([PY, "-c", DROP_SAMPLES, str(folder / "data" / "mail" / "inbox")], **quiet)
    subprocess.run(CLERK + ["run", "--once", "--now", "2014-05-12T09:30"], **quiet)
    return env


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--settle", type=float, default=3.0, help="seconds to wait after the first round of jobs")
    ap.add_argument("--source", type=Path, help="another checkout to measure (default: this one)")
    args = ap.parse_args()
    global SOURCE
    SOURCE = (args.source or ROOT).resolve()
    folder = Path(tempfile.mkdtemp(prefix="rc-startup-"))
    try:
        env = board(folder / "board")
        rows = [
            ("floor: python -c pass", [PY, "-c", "pass"], None),
            ("floor: python -c 'import typer'", [PY, "-c", "import typer"], None),
            ("floor: import typer, pydantic, sqlalchemy", [PY, "-c", "import typer, pydantic, sqlalchemy"], None),
            ("review-clerk --help", CLERK + ["--help"], 0.3),
            ("review-clerk cases list", CLERK + ["cases", "list"], 0.5),
            ("review-clerk deadlines", CLERK + ["deadlines"], 0.5),
            ("review-clerk case show ESCB-2014-001", CLERK + ["case", "show", "ESCB-2014-001"], 0.5),
        ]
        print(f"{SOURCE}: median of {args.runs} runs; {os.cpu_count()} cores; load {os.getloadavg()[0]:.2f}")
        print(f"{'command':40} {'wall s':>7} {'CPU s':>7} {'target s':>8} {'peak RSS MB':>12}")
        for name, cmd, target in rows:
            secs, cpu, peak = median_of(cmd, env, args.runs)
            print(f"{name:40} {secs:7.3f} {cpu:7.3f} {'' if target is None else f'{target:.1f}':>8} {peak:12.1f}")
        floor = statistics.median(timed([PY, "-c", "pass"], env)[2] for _ in range(3))
        idle = statistics.median(idle_rss(env, args.settle) for _ in range(3))
        print(f"{'review-clerk run, idle: RSS MB':40} {idle:7.1f} {'':7} {'100 MB':>8}   floor (python -c pass) {floor:.1f} MB")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
