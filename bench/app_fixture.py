"""What the tests' ``app`` fixture costs: build_app as every test did before, and as the fixture does now.

Each way builds the app N times in fresh folders, after one warm-up build (imports, and the Word
letters that ``Templates.check_all`` renders once per process), and prints the mean CPU and wall
time of one build. CPU time is the figure to compare on a shared machine.

    .venv/bin/python bench/app_fixture.py [--builds 5] [--postgres postgresql://...]

With ``--postgres`` (an empty database it may reset) the database is PostgreSQL: its schema is
dropped and migrated for every build, as the tests do.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from service.bootstrap import build_app  # noqa: E402
from service.clock import FixedClock  # noqa: E402
from service.config import load_settings  # noqa: E402
from service.store.db import Database  # noqa: E402

CLOCK = FixedClock(datetime(2014, 5, 12, 9, 0, tzinfo=ZoneInfo("Europe/London")))


def settings(environ: dict[str, str]):
    folder = Path(tempfile.mkdtemp()) / "clerk"
    folder.mkdir()
    shutil.copyfile(ROOT / "config" / "review-clerk.example.toml", folder / "review-clerk.toml")
    return load_settings(folder / "review-clerk.toml", environ=environ)


def reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--builds", type=int, default=5)
    parser.add_argument("--postgres", help="an empty PostgreSQL database this may reset")
    args = parser.parse_args(argv)
    logging.disable(logging.CRITICAL)
    environ = {"REVIEW_CLERK_DATABASE__URL": args.postgres} if args.postgres else {}

    if args.postgres:
        def prepare(s) -> None:
            reset_postgres(args.postgres)
        ways = [("migrate + template check (before)", {}), ("migrate, no check (after)", {"check_templates": False})]
    else:
        migrated = Path(tempfile.mkdtemp()) / "review-clerk.db"
        db = Database(f"sqlite:///{migrated.as_posix()}")
        db.migrate()
        db.dispose()

        def prepare(s) -> None:
            pass

        def copy(s) -> dict:
            s.data_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(migrated, s.data_dir / "review-clerk.db")
            return {"migrate": False, "check_templates": False}
        ways = [("migrate + template check (before)", {}), ("migrate, no check", {"check_templates": False}),
                ("copy a migrated file, no check (after)", copy)]

    prepare(None)
    build_app(settings(environ), CLOCK, create=True).db.dispose()  # warm-up
    for label, how in ways:
        cpu = wall = 0.0
        for _ in range(args.builds):
            s = settings(environ)
            started_cpu, started = time.process_time(), time.perf_counter()
            prepare(s)
            kwargs = how(s) if callable(how) else how
            app = build_app(s, CLOCK, create=True, **kwargs)
            cpu += time.process_time() - started_cpu
            wall += time.perf_counter() - started
            app.db.dispose()
        print(f"{label:40s} CPU {cpu / args.builds * 1000:6.0f} ms   wall {wall / args.builds * 1000:6.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
