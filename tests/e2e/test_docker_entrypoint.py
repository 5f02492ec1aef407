"""docker/entrypoint.sh, run by /bin/sh outside the image with the image's folders in a temporary place.

First start on an empty configuration folder: init, instructions, exit 0; afterwards the command given."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # each case starts review-clerk a few times

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"


@pytest.fixture
def container(tmp_path, db_env):
    """Runs the entrypoint as the image would, with /config, /data, /keys and /templates under tmp_path."""
    (tmp_path / "templates").mkdir()  # an empty volume
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVIEW_CLERK_")}
    env.update(db_env)
    env.update({
        "REVIEW_CLERK_CONFIG": str(tmp_path / "config" / "review-clerk.toml"),
        "REVIEW_CLERK_DATA_DIR": str(tmp_path / "data"),
        "REVIEW_CLERK_SECURITY__KEY_FILE": str(tmp_path / "keys" / "review-clerk.key"),
        "REVIEW_CLERK_LETTERS__TEMPLATES_DIR": str(tmp_path / "templates"),
        "SHIPPED_TEMPLATES": str(ROOT / "mail_templates"),
        "CLERK_COMMAND": str(Path(sys.executable).parent / "review-clerk"),
        "COLUMNS": "200",
    })

    def run(*args: str, **over: str) -> subprocess.CompletedProcess:
        return subprocess.run(["/bin/sh", str(ENTRYPOINT), *args], env={**env, **over}, cwd=tmp_path,
                              capture_output=True, text=True, timeout=180)

    run.root = tmp_path
    return run


def test_the_first_start_writes_the_configuration_key_and_templates_then_stops_with_instructions(container):
    first = container()
    root = container.root
    assert first.returncode == 0, first.stderr[-3000:]
    assert (root / "config" / "review-clerk.toml").is_file()
    assert (root / "keys" / "review-clerk.key").is_file()  # the key on its own volume, not in /data
    assert not (root / "data" / "review-clerk.key").exists()
    assert (root / "templates" / "acknowledgement" / "subject.txt").read_text() == \
        (ROOT / "mail_templates" / "acknowledgement" / "subject.txt").read_text()
    assert "first start done" in first.stderr and "Back it up" in first.stderr
    assert str(root / "config" / "review-clerk.toml") in first.stderr


def test_after_the_first_start_the_command_given_runs_with_the_same_key(container):
    assert container().returncode == 0
    key = (container.root / "keys" / "review-clerk.key").read_bytes()
    doctor = container("doctor")
    assert doctor.returncode == 0, doctor.stdout[-3000:] + doctor.stderr[-3000:]
    assert "review-clerk doctor" in doctor.stdout
    once = container("run", "--once")
    assert once.returncode == 0, once.stdout[-3000:] + once.stderr[-3000:]
    assert "read_inbox" in once.stdout
    assert (container.root / "keys" / "review-clerk.key").read_bytes() == key


def test_templates_staff_edited_are_kept_and_used(container):
    assert container().returncode == 0
    subject = container.root / "templates" / "acknowledgement" / "subject.txt"
    subject.write_text("{{ reference_tag }} {{ nonsense_variable }}\n")
    broken = container("run", "--once")
    assert broken.returncode == 2  # the edited folder is the one checked at start-up
    assert "acknowledgement/subject.txt" in broken.stderr
    assert subject.read_text() == "{{ reference_tag }} {{ nonsense_variable }}\n"


def test_a_bare_init_on_an_empty_volume_is_the_first_start_and_a_second_one_changes_nothing(container):
    assert container("init").returncode == 0
    config = container.root / "config" / "review-clerk.toml"
    config.write_text(config.read_text() + "\n# edited by staff\n")
    again = container("init")
    assert again.returncode == 0 and "exists already" in again.stderr
    assert config.read_text().endswith("# edited by staff\n")


def test_other_commands_without_a_configuration_fail_as_review_clerk_does(container):
    result = container("cases", "list")
    assert result.returncode == 2
    assert "no configuration file" in result.stderr
    assert not (container.root / "config" / "review-clerk.toml").exists()


def test_a_configuration_folder_that_cannot_be_written_is_named_with_the_fix(container):
    (container.root / "blocked").write_text("a file where the folder should be")
    result = container(REVIEW_CLERK_CONFIG=str(container.root / "blocked" / "config" / "review-clerk.toml"))
    assert result.returncode == 1
    assert "cannot write to" in result.stderr and "chown" in result.stderr


def test_without_arguments_the_service_is_run_once_configured(container, tmp_path):
    assert container().returncode == 0
    fake = tmp_path / "fake-review-clerk"
    fake.write_text('#!/bin/sh\necho "review-clerk $*"\n')
    fake.chmod(0o755)
    result = container(CLERK_COMMAND=str(fake))
    assert result.returncode == 0 and result.stdout == "review-clerk run\n"
    result = container("cases", "list", "--json", CLERK_COMMAND=str(fake))
    assert result.stdout == "review-clerk cases list --json\n"


def test_init_is_given_the_key_file_where_it_takes_one(container, tmp_path):
    fake = tmp_path / "fake-review-clerk"
    fake.write_text('#!/bin/sh\n'
                    'if [ "$*" = "init --help" ]; then echo "  --key-file PATH  Where the key is kept"; exit 0; fi\n'
                    f'echo "$*" >> "{tmp_path}/calls"\n')
    fake.chmod(0o755)
    result = container(CLERK_COMMAND=str(fake))
    assert result.returncode == 0, result.stderr
    key = container.root / "keys" / "review-clerk.key"
    assert (tmp_path / "calls").read_text() == f"init {container.root / 'config'} --key-file {key}\n"
