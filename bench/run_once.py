"""`review-clerk run --once` with 105 referrals waiting in a fresh workspace (issue 18: all 105 handled in
one run, goal <= 3 s; it was 7.7-11 s, 50 a run).

Makes a board with `init`, drops 105 distinct referral emails in its inbox (local backend, SQLite), and
times one `run --once` as its own process (wall and CPU), then counts the cases it opened. The floor is
`run --once` on a new board with nothing waiting and no cases (start-up and every job finding nothing);
"again" is the next `run --once` on the first board (105 cases open, nothing new come in).

    .venv/bin/python bench/run_once.py [--referrals 105] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
PY = sys.executable
GOAL_S = 3.0
NOW = "2014-05-12T09:30"


def board(folder: Path, n: int) -> dict[str, str]:
    from intake import referral  # bench/intake.py: one distinct typed-in referral form per number

    env = {k: v for k, v in os.environ.items() if not k.startswith("REVIEW_CLERK_")}
    env.update({"REVIEW_CLERK_CONFIG": str(folder / "review-clerk.toml"), "PYTHONPATH": str(ROOT)})
    subprocess.run([PY, "-m", "service", "init", str(folder)], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for i in range(n):
        (folder / "data" / "mail" / "inbox" / f"{i:05d}.eml").write_bytes(referral(i))
    return env


def run_once(env: dict[str, str]) -> tuple[float, float]:
    with tempfile.TemporaryFile() as log:  # the service logs a line a message: not a pipe, which fills
        t0 = time.perf_counter()
        proc = subprocess.Popen([PY, "-m", "service", "run", "--once", "--now", NOW], env=env, cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=log)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        if os.waitstatus_to_exitcode(status) != 0:
            log.seek(0)
            raise SystemExit(log.read().decode(errors="replace")[-2000:])
    return wall, usage.ru_utime + usage.ru_stime


def cases(env: dict[str, str]) -> int:
    out = subprocess.run([PY, "-m", "service", "cases", "list", "--all", "--json"], env=env, cwd=ROOT,
                         check=True, capture_output=True, text=True).stdout
    return len(json.loads(out))


def bytecode() -> str:
    """How many of the package's modules have current compiled bytecode (``make install`` compiles them;
    without it, and with PYTHONDONTWRITEBYTECODE set, every command compiles them all as it starts)."""
    import importlib.util

    sources = list((ROOT / "service").rglob("*.py"))
    fresh = 0
    for src in sources:
        pyc = Path(importlib.util.cache_from_source(str(src)))
        head = pyc.read_bytes()[:16] if pyc.exists() else b""
        # PEP 552: flags 0 means the header holds the source's modification time, which must match.
        fresh += (len(head) == 16 and head[4:8] == bytes(4)
                  and int.from_bytes(head[8:12], "little") == int(src.stat().st_mtime) & 0xFFFFFFFF)
    note = "" if fresh == len(sources) else "  (run `make install` to compile the rest: each start compiles them)"
    return f"{fresh} of {len(sources)} modules compiled{note}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--referrals", type=int, default=105)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    results, floors, agains = [], [], []
    for _ in range(args.runs):
        folder = Path(tempfile.mkdtemp(prefix="rc-run-once-"))
        try:
            env = board(folder / "board", args.referrals)
            wall, cpu = run_once(env)
            opened = cases(env)
            results.append((wall, cpu, opened))
            agains.append(run_once(env))  # nothing new waiting, the cases open
            floors.append(run_once(board(folder / "empty", 0)))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    wall = statistics.median(r[0] for r in results)
    cpu = statistics.median(r[1] for r in results)
    opened = min(r[2] for r in results)
    print(f"load {os.getloadavg()[0]:.2f}; median of {args.runs} fresh boards; bytecode: {bytecode()}")
    print(f"run --once, {args.referrals} referrals waiting: wall {wall:.2f} s, CPU {cpu:.2f} s; cases opened in "
          f"that one run: {opened} of {args.referrals}   floor (a new board, nothing waiting): wall "
          f"{statistics.median(f[0] for f in floors):.2f} s, CPU {statistics.median(f[1] for f in floors):.2f} s   "
          f"again (the cases open, nothing new): wall {statistics.median(a[0] for a in agains):.2f} s   "
          f"goal: all in one run, <= {GOAL_S} s  "
          f"{'ok' if opened == args.referrals and wall <= GOAL_S else 'OVER' if opened == args.referrals else 'NOT ALL'}")


if __name__ == "__main__":
    main()
