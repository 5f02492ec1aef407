"""`review-clerk run` as a long-running service: it works, and SIGTERM ends it cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from service.demo import sample_emails
from service.jobs import JOBS



def test_run_reads_the_inbox_and_stops_cleanly_on_sigterm(tmp_path, db_env):
    folder = tmp_path / "board"
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVIEW_CLERK_")}
    env.update(db_env)
    env.update({"REVIEW_CLERK_CONFIG": str(folder / "review-clerk.toml"),
                "REVIEW_CLERK_SCHEDULER__INBOX_EVERY_SECONDS": "5"})
    subprocess.run([sys.executable, "-m", "service", "init", str(folder)], env=env, cwd=tmp_path, check=True,
                   capture_output=True, stdin=subprocess.DEVNULL)  # only init makes a new service
    inbox = folder / "data" / "mail" / "inbox"
    raw = sample_emails(datetime.now().astimezone())["01-police-text.eml"]
    (inbox / "referral.eml").write_bytes(raw)

    proc = subprocess.Popen([sys.executable, "-m", "service", "run"], env=env, cwd=tmp_path, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        processed = folder / "data" / "mail" / "processed" / "referral.eml"
        while not processed.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
        assert processed.exists(), "the running service did not handle the referral"
        beats: dict = {}
        while set(beats) != set(JOBS) and time.monotonic() < deadline and proc.poll() is None:
            beats = _heartbeats(folder, db_env)
            time.sleep(0.2)
        assert set(beats) == set(JOBS), "each job, run at start, writes its heartbeat"
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err[-2000:]
    assert "stopping after the job in hand" in err and "stopped" in err
    assert "Traceback" not in err


def _heartbeats(folder: Path, db_env: dict[str, str]) -> dict:
    from service.config import load_settings
    from service.jobs import heartbeats
    from service.store.db import Database

    db = Database(load_settings(folder / "review-clerk.toml", environ=db_env).database_url)
    try:
        with db.engine.connect() as conn:
            return heartbeats(conn)
    finally:
        db.dispose()
