"""Cost of one chase step for a deadline long overdue (issue 18: was 105 ms, goal <= 1 ms).

The sweep asks, for each deadline whose next action has come, which step of its chase to take
now (:func:`service.domain.chasing.due_step`). For a deadline a year overdue with nothing taken
yet, that walks every reminder and the escalations of a year of working days. The floor is the
least any implementation must do: build the chase's steps once with their dates precomputed.

    .venv/bin/python bench/chase_step.py [--repeat 200]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date, datetime, time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from service.domain import calendar as wd  # noqa: E402
from service.domain.chasing import MAX_ESCALATIONS, ChasePolicy, Step, due_step  # noqa: E402
from service.domain.model import Deadline  # noqa: E402
from service.domain.model_types import Role  # noqa: E402

LONDON = ZoneInfo("Europe/London")
GOAL_MS = 1.0


def deadline() -> Deadline:
    due = date(2013, 6, 3)
    return Deadline(kind="decision", due=due, computed_due=due, owner=Role.CHAIR, rule="bench")


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=200)
    args = ap.parse_args()
    d, now, starts, policy = deadline(), datetime(2014, 6, 11, 9, 30, tzinfo=LONDON), clock_time(9, 0), ChasePolicy("default")
    wd.add_working_days(d.due, 1)  # bank holidays of the years involved are cached before timing
    wd.add_working_days(d.due, 300)
    take, after = due_step(d, None, now, LONDON, starts, policy)
    days = [wd.add_working_days(d.due, 1 + k * policy.escalate_every_working_days)
            for k in range(MAX_ESCALATIONS)]

    def floor() -> None:  # the steps' dates already known: only building them
        [Step(f"x|overdue-{k}", datetime.combine(day, starts, LONDON), True, k) for k, day in enumerate(days)]

    step_ms = median_ms(lambda: due_step(d, None, now, LONDON, starts, policy), args.repeat)
    floor_ms = median_ms(floor, args.repeat)
    print(f"deadline due {d.due}, now {now:%Y-%m-%d}: takes {take.label if take else None}, "
          f"then {after.label if after else None}")
    print(f"chase step, long overdue:  {step_ms:8.3f} ms   floor {floor_ms:6.3f} ms   goal <= {GOAL_MS} ms  "
          f"{'ok' if step_ms <= GOAL_MS else 'OVER'}")


if __name__ == "__main__":
    main()
