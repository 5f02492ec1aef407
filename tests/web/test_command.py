"""`review-clerk web` serves the workspace from a board made by `init`, and `web login-link` signs a person in."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import requests
from conftest import BM


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def board_env(cli, port: int, **more: str) -> dict[str, str]:
    env = {**os.environ, "REVIEW_CLERK_CONFIG": str(cli.folder / "review-clerk.toml"),
           "REVIEW_CLERK_WEB__PUBLIC_URL": f"http://127.0.0.1:{port}", **more, **cli.db_env}
    env.pop("REVIEW_CLERK_TEST_DATABASE_URL", None)
    return env


def first_answer(process: subprocess.Popen, url: str, seconds: float = 60) -> requests.Response:
    """The first answer of the workspace at ``url`` once ``process`` serves it."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return requests.get(url, timeout=5)
        except requests.ConnectionError:
            assert process.poll() is None, process.communicate()[1]
            assert time.monotonic() < deadline, "the workspace did not start"
            time.sleep(0.2)


def test_the_command_serves_the_workspace_and_a_printed_link_signs_in(cli, tmp_path):
    port = free_port()
    env = board_env(cli, port)
    link = subprocess.run([sys.executable, "-m", "service", "web", "login-link", "--as", BM], env=env,
                          capture_output=True, text=True, timeout=120)
    assert link.returncode == 0, link.stderr
    url = link.stdout.strip()
    assert url.startswith(f"http://127.0.0.1:{port}/sign-in/link/")
    server = subprocess.Popen([sys.executable, "-m", "service", "web", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        page = first_answer(server, url)
        assert page.status_code == 200 and "Sign in" in page.text
        assert page.headers["x-content-type-options"] == "nosniff" and "server" not in page.headers
        token = page.text.split('name="csrf" value="')[1].split('"')[0]
        # requests sends Secure cookies over https only: hand them on, as a browser on localhost does
        browser = f"rc_browser={page.cookies['rc_browser']}"
        done = requests.post(url, data={"csrf": token}, headers={"Cookie": browser}, allow_redirects=False, timeout=5)
        assert done.status_code == 303
        dashboard = requests.get(f"http://127.0.0.1:{port}/", allow_redirects=False, timeout=5,
                                 headers={"Cookie": f"{browser}; rc_session={done.cookies['rc_session']}"})
        assert dashboard.status_code == 200 and "Dashboard" in dashboard.text
    finally:
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=30)
    # a container stop is no crash: the server shuts down cleanly and the process exits 0
    assert server.returncode == 0, err
    assert "Application shutdown complete" in err
    assert "/sign-in/link/" not in err, "no sign-in token in the log"


def test_the_command_stops_cleanly_with_status_0_on_ctrl_c(cli):
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "service", "web", "--port", str(port)], env=board_env(cli, port),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert first_answer(server, f"http://127.0.0.1:{port}/sign-in").status_code == 200
    finally:
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=30)
    assert server.returncode == 0, err
    assert "Application shutdown complete" in err and "KeyboardInterrupt" not in err


def test_run_web_serves_the_workspace_beside_the_jobs(cli):
    port = free_port()
    env = board_env(cli, port, REVIEW_CLERK_WEB__PORT=str(port))
    refused = subprocess.run([sys.executable, "-m", "service", "run", "--once", "--web"], env=env,
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1 and "--web goes with a run that keeps running" in refused.stderr
    service = subprocess.Popen([sys.executable, "-m", "service", "run", "--web"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        page = first_answer(service, f"http://127.0.0.1:{port}/sign-in", seconds=90)
        assert page.status_code == 200 and "Sign in" in page.text
    finally:
        service.send_signal(signal.SIGTERM)
        out, err = service.communicate(timeout=120)
    assert service.returncode == 0, err
    assert f"Web workspace: http://127.0.0.1:{port}" in out
