"""Issue 12 item 1: `run --once --now` later than the real clock is refused on a real database.

A simulation (`init --simulation`) or `--simulate` (local mail backend only) may use simulated
time; `review-clerk forecast` shows what would happen without doing it, and changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest

from service.simulation import SimulationRefused, check_run_at

from test_cli import drop_samples


def _sent(cli) -> list[str]:
    return sorted(p.name for p in (cli.folder / "data" / "mail" / "sent").glob("*"))


def _files_digest(folder) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.endswith(("-wal", "-shm"))}


def test_a_run_in_the_future_is_refused_on_a_real_database_and_nothing_is_sent(cli):
    drop_samples(cli.folder)
    r = cli("run", "--once", "--now", "2030-03-01T10:00")
    assert r.exit_code == 1
    assert "later than the real time" in r.output and "review-clerk forecast --until 2030-03-01" in r.output
    assert _sent(cli) == []
    assert json.loads(cli("cases", "list", "--json").output) == []


def test_simulate_lets_a_local_run_use_simulated_time_and_says_so(cli):
    drop_samples(cli.folder)
    r = cli("run", "--once", "--now", "2030-03-01T10:00", "--simulate")
    assert r.exit_code == 0, r.output
    assert "simulation: simulated time, local mail backend; nothing leaves this machine" in r.output
    assert _sent(cli)


def test_a_database_made_by_init_simulation_may_run_in_the_future(cli, tmp_path, reset_database):
    reset_database()  # one PostgreSQL database for the test: the simulation takes it over from the fixture's board
    folder = tmp_path / "sim"
    assert cli("init", str(folder), "--simulation").exit_code == 0
    assert "trust_local_mail = true" in (folder / "review-clerk.toml").read_text()
    r = cli("run", "--once", "--now", "2030-03-01T10:00", "--config", str(folder / "review-clerk.toml"))
    assert r.exit_code == 0, r.output


def test_simulate_is_refused_with_a_real_mailbox():
    settings = SimpleNamespace(mail=SimpleNamespace(backend="graph"))
    now = datetime(2026, 12, 6, 10, 0, tzinfo=timezone.utc)
    with pytest.raises(SimulationRefused, match="only with the local mail backend"):
        check_run_at(settings, None, now, now, simulate=True)


def test_forecast_prints_the_plan_and_leaves_every_file_as_it_was(cli):
    drop_samples(cli.folder)
    assert cli("run", "--once", "--now", "2014-05-12T09:30").exit_code == 0
    before = _files_digest(cli.folder)
    r = cli("forecast", "--json")
    assert r.exit_code == 0, r.output
    plan = json.loads(r.output)
    assert plan["actions"] and {"at", "kind", "what", "reference", "to", "rule"} <= set(plan["actions"][0])
    table = cli("forecast")
    assert table.exit_code == 0 and "A forecast changes nothing" in table.output
    assert _files_digest(cli.folder) == before
