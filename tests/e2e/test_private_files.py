"""Files are private: whatever the umask, everything the service writes is its owner's alone."""

from __future__ import annotations

import os
import stat
from datetime import datetime
from pathlib import Path

import pytest

from service.config import load_settings
from service.demo import sample_emails


@pytest.fixture
def open_umask():
    old = os.umask(0o022)  # the usual default: files 644, folders 755
    yield
    os.umask(old)


def _modes(folder: Path) -> dict[str, int]:
    out = {str(folder): stat.S_IMODE(folder.stat().st_mode)}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            p = Path(root) / name
            out[str(p)] = stat.S_IMODE(p.stat().st_mode)
    return out


def test_everything_init_and_a_run_write_is_owner_only_whatever_the_umask(open_umask, cli):
    inbox = cli.folder / "data" / "mail" / "inbox"
    for name, raw in sample_emails(datetime.fromisoformat("2014-05-12T08:30:00+01:00")).items():
        (inbox / name).write_bytes(raw)
        os.chmod(inbox / name, 0o644)  # dropped in by someone else, readable by all
    assert cli("run", "--once", "--now", "2014-05-12T09:30").exit_code == 0
    assert cli("run", "--once", "--now", "2014-05-21T09:30").exit_code == 0
    settings = load_settings(cli.folder / "review-clerk.toml", environ=cli.db_env)
    written = {**_modes(settings.data_dir), **_modes(settings.security.key_file.parent)}
    written[str(cli.folder / "review-clerk.toml")] = stat.S_IMODE((cli.folder / "review-clerk.toml").stat().st_mode)
    assert any(p.endswith(".eml") and "/sent/" in p for p in written)  # mail went out
    assert any("/processed/" in p for p in written)  # and mail was filed
    if not cli.db_env:
        assert str(settings.data_dir / "review-clerk.db") in written
    wide = {p: oct(m) for p, m in written.items() if m & 0o077 and not p.startswith(str(inbox) + "/")}
    assert wide == {}


def test_init_keeps_the_key_outside_the_folder_it_makes_and_says_to_back_it_up_separately(tmp_path, db_env):
    from typer.testing import CliRunner

    from service.cli import app

    folder = tmp_path / "board"
    r = CliRunner().invoke(app, ["init", str(folder)], env={"COLUMNS": "300", "REVIEW_CLERK_TEST_DATABASE_URL": None,
                                                             **db_env}, catch_exceptions=False)
    assert r.exit_code == 0, r.output
    key = tmp_path / "board-keys" / "review-clerk.key"
    assert key.is_file() and stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    assert not list(folder.rglob("*.key"))
    assert "back it up now, separately" in r.output
    assert f"key_file = \"{key}\"" in (folder / "review-clerk.toml").read_text()


def test_init_takes_the_key_file_it_is_given(tmp_path, db_env):
    from typer.testing import CliRunner

    from service.cli import app

    key = tmp_path / "secrets" / "board.key"
    r = CliRunner().invoke(app, ["init", str(tmp_path / "board"), "--key-file", str(key)],
                           env={"REVIEW_CLERK_TEST_DATABASE_URL": None, **db_env}, catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert key.is_file()
    assert load_settings(tmp_path / "board" / "review-clerk.toml", environ=db_env).security.key_file == key


def test_init_prints_a_command_that_works_without_review_clerk_on_path(tmp_path, db_env):
    import subprocess
    import sys

    script = Path(sys.executable).parent / "review-clerk"
    assert script.is_file(), "make install puts the review-clerk script beside the virtual environment's python"
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVIEW_CLERK_")}
    env.update({**db_env, "PATH": "/usr/bin:/bin", "COLUMNS": "400"})
    proc = subprocess.run([str(script), "init", str(tmp_path / "board")], capture_output=True, text=True, env=env,
                          cwd=tmp_path, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("Then run: "))
    command = line[len("Then run: "):].split(" --help,")[0]
    assert command == str(script)
    helped = subprocess.run([command, "--help"], capture_output=True, text=True, env=env)
    assert helped.returncode == 0 and "Review Clerk" in helped.stdout


def test_init_at_a_terminal_asks_where_the_key_goes_showing_the_default(tmp_path, db_env, monkeypatch):
    from typer.testing import CliRunner

    from service.cli import app, operate

    monkeypatch.setattr(operate, "interactive", lambda: True)
    chosen = tmp_path / "vault" / "rc.key"
    r = CliRunner().invoke(app, ["init", str(tmp_path / "board")], input=f"{chosen}\n",
                           env={"COLUMNS": "300", "REVIEW_CLERK_TEST_DATABASE_URL": None, **db_env},
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert "Where should the encryption key be kept" in r.output
    assert str(tmp_path / "board-keys" / "review-clerk.key") in r.output  # the default, shown
    assert chosen.is_file() and not (tmp_path / "board-keys").exists()


def test_a_letter_previewed_to_a_file_is_owner_only(open_umask, cli, tmp_path):
    """A previewed Word letter names the child: written 600 like everything else the service writes."""
    target = tmp_path / "letter.docx"
    r = cli("letters", "preview", "imr_letter", "--out", str(target))
    assert r.exit_code == 0, r.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
