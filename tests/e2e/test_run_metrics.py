"""`review-clerk run` with `[metrics] listen` set serves Prometheus metrics while it runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def local_get(url: str) -> requests.Response:
    with requests.Session() as session:
        session.trust_env = False  # straight to 127.0.0.1, whatever HTTP_PROXY says
        return session.get(url, timeout=10)


def test_run_serves_metrics_on_the_configured_address_until_it_stops(tmp_path, db_env):
    folder = tmp_path / "board"
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVIEW_CLERK_")}
    env.update(db_env)
    subprocess.run([sys.executable, "-m", "service", "init", str(folder)], env=env, cwd=tmp_path, check=True,
                   capture_output=True, stdin=subprocess.DEVNULL)  # only init makes a new service
    env.update({"REVIEW_CLERK_CONFIG": str(folder / "review-clerk.toml"),
                "REVIEW_CLERK_METRICS__LISTEN": "127.0.0.1:0"})  # any free port; `run` prints the one it got
    out_file, err_file = tmp_path / "out.txt", tmp_path / "err.txt"
    with out_file.open("w") as out, err_file.open("w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "service", "run"], env=env, cwd=tmp_path, text=True,
                                stdout=out, stderr=err)
    try:
        url, body = None, ""
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and proc.poll() is None:
            lines = [ln for ln in out_file.read_text().splitlines() if ln.startswith("Metrics: ")]
            if lines:
                url = lines[0].split(" ", 1)[1].strip()
                body = local_get(url).text
                if 'review_clerk_jobs_total{job="read_inbox",outcome="ok"} 1.0' in body:
                    break
            time.sleep(0.3)
        assert url and url.startswith("http://127.0.0.1:"), out_file.read_text() + err_file.read_text()[-2000:]
        assert 'review_clerk_jobs_total{job="read_inbox",outcome="ok"} 1.0' in body, body[-3000:]
        assert "review_clerk_metrics_database_up 1.0" in body
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err_file.read_text()[-2000:]
    try:
        local_get(url)
        served_after_exit = True
    except requests.ConnectionError:
        served_after_exit = False
    assert not served_after_exit


def test_run_refuses_an_address_it_cannot_listen_on(tmp_path, db_env):
    folder = tmp_path / "board"
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVIEW_CLERK_")}
    env.update(db_env)
    subprocess.run([sys.executable, "-m", "service", "init", str(folder)], env=env, cwd=tmp_path, check=True,
                   capture_output=True, stdin=subprocess.DEVNULL)  # only init makes a new service
    env.update({"REVIEW_CLERK_CONFIG": str(folder / "review-clerk.toml"),
                "REVIEW_CLERK_METRICS__LISTEN": "192.0.2.1:9464"})  # TEST-NET-1: never this machine's
    result = subprocess.run([sys.executable, "-m", "service", "run"], env=env, cwd=tmp_path, text=True,
                            capture_output=True, timeout=120)
    assert result.returncode == 1
    assert "metrics: cannot listen on 192.0.2.1:9464" in result.stderr
    assert "Traceback" not in result.stderr
