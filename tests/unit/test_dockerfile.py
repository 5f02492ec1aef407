"""The Dockerfile, its entrypoint, compose.yaml and CI's image step, checked against the repository.

No Docker daemon is needed (none is here, nor perhaps in CI): what the image would copy must exist
and reach the build, the commands and options it runs must be ones the command line has, its
settings must be ones the service reads, and compose.yaml must mount the same volumes.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import subprocess
import tomllib
from pathlib import Path

import pytest
import typer.main
import yaml

from service.cli import app as cli_app
from service.config import ENV_PREFIX, load_settings

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
ENTRYPOINT_SCRIPT = ROOT / "docker" / "entrypoint.sh"
COMPOSE = ROOT / "compose.yaml"
CI_STEP = ROOT / ".ci" / "docker-image"
EXAMPLE = ROOT / "config" / "review-clerk.example.toml"

# Options the image uses that another branch adds. Each case is a strict xfail: once the option exists
# the case passes, the xfail fails the run, and the entry below is to be deleted.
PENDING: dict[tuple[str, str], str] = {}  # doctor --quick and init --key-file came with issue 13


def instructions(path: Path = DOCKERFILE) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order; comments dropped, continuation lines joined."""
    out: list[tuple[str, str]] = []
    pending = ""
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        whole = pending + stripped
        pending = ""
        keyword, _, args = whole.partition(" ")
        out.append((keyword.upper(), args.strip()))
    assert not pending, "the Dockerfile ends in a continuation line"
    return out


def args_of(keyword: str) -> list[str]:
    return [a for k, a in instructions() if k == keyword]


def exec_form(args: str) -> list[str]:
    value = json.loads(args)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value), f"not exec form: {args}"
    return value


def dockerignore_excludes(path: str) -> bool:
    """Whether .dockerignore keeps ``path`` (relative to the context) out of the build context."""
    patterns = [p.strip() for p in (ROOT / ".dockerignore").read_text().splitlines()
                if p.strip() and not p.strip().startswith("#")]
    assert not any(p.startswith("!") for p in patterns), "exceptions (!) are not understood by this test"
    parts = Path(path).parts
    for pattern in patterns:
        pattern = pattern.strip("/")
        for i in range(1, len(parts) + 1):
            prefix = "/".join(parts[:i])
            if fnmatch.fnmatchcase(prefix, pattern) or (
                    pattern.startswith("**/") and fnmatch.fnmatchcase(parts[i - 1], pattern[3:])):
                return True
    return False


def env_of_dockerfile() -> dict[str, str]:
    env: dict[str, str] = {}
    for args in args_of("ENV"):
        for item in shlex.split(args):
            name, _, value = item.partition("=")
            env[name] = value
    return env


def commands():
    return typer.main.get_command(cli_app)


def uses_of_review_clerk() -> list[tuple[str, str, list[str]]]:
    """(where, command, options) for every review-clerk command the image runs."""
    uses = []
    [cmd] = args_of("CMD")
    uses.append(("CMD", exec_form(cmd)[0], [a for a in exec_form(cmd)[1:] if a.startswith("-")]))
    [health] = args_of("HEALTHCHECK")
    check = exec_form(health.split(" CMD ", 1)[1])
    assert check[0] == "review-clerk", f"the health check runs {check[0]}, not review-clerk"
    uses.append(("HEALTHCHECK", check[1], [a for a in check[2:] if a.startswith("-")]))
    for match in re.finditer(r'"\$clerk" ([a-z-]+)([^\n]*)', ENTRYPOINT_SCRIPT.read_text()):
        options = [w for w in shlex.split(match.group(2).split("#")[0].split("2>")[0]) if w.startswith("-")
                   and w != "--help"]
        uses.append(("entrypoint.sh", match.group(1), options))
    return uses


def test_the_base_image_is_pinned_to_an_exact_python_release_the_project_supports():
    [base] = args_of("FROM")
    match = re.fullmatch(r"python:(3)\.(\d+)\.(\d+)-slim-[a-z]+(@sha256:[0-9a-f]{64})?", base)
    assert match, f"FROM {base}: pin an exact tag such as python:3.11.13-slim-bookworm (or a digest)"
    required = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert required == ">=3.11" and int(match.group(2)) >= 11


def test_every_copy_source_is_in_the_repository_and_reaches_the_build_context():
    sources = []
    for args in args_of("COPY"):
        words = [w for w in shlex.split(args) if not w.startswith("--")]
        sources += words[:-1]
    assert sources, "the Dockerfile copies nothing"
    for source in sources:
        assert (ROOT / source).exists(), f"COPY {source}: no such file or folder in the repository"
        assert not dockerignore_excludes(source), f"COPY {source}: .dockerignore keeps it out of the build"


def test_every_folder_the_service_reads_beside_its_package_is_copied_into_the_image():
    # e.g. DEFAULT_FOLDER = Path(__file__).resolve().parents[2] / "mail_templates"
    beside = re.compile(r'Path\(__file__\)\.resolve\(\)\.parents\[(\d)\]((?:\s*/\s*"[^"]+")+)')
    copied = {Path(w).parts[0] for args in args_of("COPY") for w in shlex.split(args)[:-1]
              if not w.startswith("--")}
    needed = {}
    for source in (ROOT / "service").rglob("*.py"):
        for match in beside.finditer(source.read_text()):
            parts = re.findall(r'"([^"]+)"', match.group(2))
            path = source.resolve().parents[int(match.group(1))].joinpath(*parts)
            needed[path.relative_to(ROOT).parts[0]] = source.relative_to(ROOT)
    assert {"mail_templates", "config"} <= set(needed)  # the pattern still finds what it is for
    for top, source in sorted(needed.items()):
        assert top in copied, f"{source} reads {top}/ beside the package; the Dockerfile does not copy it"


def test_the_build_context_leaves_out_secrets_local_folders_and_the_virtualenv():
    for path in ("secrets/database_url", "site/config/review-clerk.toml", ".venv/bin/python", ".git/config",
                 "service/__pycache__/jobs.cpython-311.pyc", "data/review-clerk.key",
                 "config/review-clerk.key"):
        assert dockerignore_excludes(path), f"{path} would be sent to the Docker build"


def test_the_entrypoint_is_the_copied_script_and_is_valid_posix_sh():
    [entry] = args_of("ENTRYPOINT")
    [target] = exec_form(entry)
    copies = {shlex.split(a)[-1]: shlex.split(a)[:-1] for a in args_of("COPY")}
    assert copies.get(target) == ["docker/entrypoint.sh"], f"ENTRYPOINT {target} is not docker/entrypoint.sh"
    assert ENTRYPOINT_SCRIPT.read_text().startswith("#!/bin/sh\n")
    checked = subprocess.run(["sh", "-n", str(ENTRYPOINT_SCRIPT)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_the_console_script_the_image_calls_is_the_one_pyproject_installs():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts.get("review-clerk") == "service.cli:main"
    assert 'clerk="${CLERK_COMMAND:-review-clerk}"' in ENTRYPOINT_SCRIPT.read_text()


def _use_cases():
    cases = []
    for where, command, options in uses_of_review_clerk():
        cases.append(pytest.param(where, command, None, id=f"{where}-{command}"))
        for option in options:
            marks = [pytest.mark.xfail(strict=True, reason=PENDING[(command, option)])] \
                if (command, option) in PENDING else []
            cases.append(pytest.param(where, command, option, id=f"{where}-{command}-{option}", marks=marks))
    return cases


@pytest.mark.parametrize("where, command, option", _use_cases())
def test_commands_and_options_the_image_runs_are_ones_the_command_line_has(where, command, option):
    group = commands()
    assert command in group.commands, f"{where} runs review-clerk {command}: no such command"
    if option is not None:
        known = {o for p in group.commands[command].params for o in p.opts}
        assert option in known, f"{where} runs review-clerk {command} {option}: no such option"


def test_the_image_settings_put_config_data_key_and_templates_on_their_volumes(tmp_path):
    env = env_of_dockerfile()
    image = {name: value for name, value in env.items() if name.startswith(ENV_PREFIX)}
    assert image["REVIEW_CLERK_CONFIG"] == "/config/review-clerk.toml"
    # Every REVIEW_CLERK_ variable must be a setting the service reads; run them against a copy of the
    # image's folders under tmp_path.
    moved = {name: str(tmp_path / value.lstrip("/")) for name, value in image.items()}
    config = Path(moved.pop("REVIEW_CLERK_CONFIG"))
    config.parent.mkdir(parents=True)
    config.write_text(EXAMPLE.read_text())
    (tmp_path / "templates").mkdir()
    settings = load_settings(config, environ=moved)
    volumes = set(exec_form(args_of("VOLUME")[0]))
    assert settings.data_dir == tmp_path / "data"
    assert settings.security.key_file == tmp_path / "keys" / "review-clerk.key"
    assert settings.letters.templates_dir == tmp_path / "templates"
    assert volumes == {"/config", "/data", "/keys", "/templates"}
    for path in (config.parent, settings.data_dir, settings.security.key_file.parent,
                 settings.letters.templates_dir):
        assert "/" + str(path.relative_to(tmp_path)) in volumes, f"{path} is not on a volume"


def test_the_image_runs_as_a_fixed_unprivileged_user():
    [user] = args_of("USER")
    assert user == "clerk"
    assert any("--uid 10001" in a and "useradd" in a for a in args_of("RUN"))


def test_the_health_check_does_not_fetch_a_token_each_time():
    [health] = args_of("HEALTHCHECK")
    check = exec_form(health.split(" CMD ", 1)[1])
    assert check[1] == "doctor" and "--quick" in check[2:]
    interval = re.search(r"--interval=(\d+)([sm])", health)
    assert interval and int(interval.group(1)) * (60 if interval.group(2) == "m" else 1) >= 30


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_mounts_the_volumes_the_image_declares():
    service = compose()["services"]["review-clerk"]
    targets = {v.split(":")[1] for v in service["volumes"]}
    assert targets == set(exec_form(args_of("VOLUME")[0]))
    assert service["build"] == "." and service["depends_on"]["postgres"]["condition"] == "service_healthy"
    named = {v.split(":")[0] for v in service["volumes"] if not v.startswith(".")}
    assert named <= set(compose()["volumes"])


def test_compose_runs_a_pinned_postgres_with_a_health_check_and_secrets_from_files():
    doc = compose()
    postgres = doc["services"]["postgres"]
    assert re.fullmatch(r"postgres:\d+\.\d+-[a-z]+(@sha256:[0-9a-f]{64})?", postgres["image"])
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert postgres["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/secrets/postgres_password"
    service = doc["services"]["review-clerk"]
    url_file = service["environment"]["REVIEW_CLERK_DATABASE__URL_FILE"]
    assert url_file == "/run/secrets/database_url" and "database_url" in service["secrets"]
    for name, secret in doc["secrets"].items():
        assert dockerignore_excludes(secret["file"].removeprefix("./")), f"secret {name} would reach the build"
    assert stop_grace_seconds(service["stop_grace_period"]) >= 60  # the job in hand finishes


def stop_grace_seconds(value: str) -> int:
    match = re.fullmatch(r"(\d+)([sm])", value)
    assert match, value
    return int(match.group(1)) * (60 if match.group(2) == "m" else 1)


def test_compose_sets_only_settings_the_service_reads(tmp_path):
    environment = compose()["services"]["review-clerk"]["environment"]
    url = tmp_path / "database_url"
    url.write_text("postgresql://review_clerk:pw@postgres:5432/review_clerk\n")
    config = tmp_path / "review-clerk.toml"
    config.write_text(EXAMPLE.read_text())
    environ = {name: (str(url) if value == "/run/secrets/database_url" else value)
               for name, value in environment.items()}
    settings = load_settings(config, environ=environ)
    assert settings.database_url == "postgresql://review_clerk:pw@postgres:5432/review_clerk"


def _fake_docker(tmp_path: Path, info_works: bool) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "docker"
    fake.write_text("#!/bin/sh\n"
                    f'echo "$*" >> "{tmp_path}/calls"\n'
                    f'if [ "$1" = info ]; then exit {0 if info_works else 1}; fi\n'
                    "exit 0\n")
    fake.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}


def test_ci_skips_the_image_with_a_message_where_no_daemon_answers(tmp_path):
    result = subprocess.run(["sh", str(CI_STEP)], env=_fake_docker(tmp_path, info_works=False),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert "docker: no daemon here, image not built" in result.stdout
    assert (tmp_path / "calls").read_text().split("\n")[:-1] == ["info"]


def test_ci_builds_the_image_and_tries_its_first_start_where_a_daemon_answers(tmp_path):
    result = subprocess.run(["sh", str(CI_STEP)], env=_fake_docker(tmp_path, info_works=True),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    calls = (tmp_path / "calls").read_text().splitlines()
    assert calls[0] == "info" and calls[1] == "build -t review-clerk:ci ."
    assert "run --rm review-clerk:ci" in calls
    assert 'sh .ci/docker-image' in (ROOT / ".ci" / "run").read_text()
