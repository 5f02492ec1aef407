"""What every command shares: the consoles, the common options, loading the app, one-line errors.

Errors are one clear line on stderr and a non-zero exit: 2 for configuration (a bad setting, a missing
data folder, database or key, a wrong key), 1 for everything else. :func:`operator_line` is the one
translation of an expected failure (storage, disk, permissions, a record not found) into that line;
every command goes through it (:class:`OneLineErrors`), so none shows a person a traceback for one.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any, Optional

import typer
from typer.core import TyperGroup
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from service.config import ConfigError, load_settings

out = Console()
err = Console(stderr=True)


def operator_line(exc: BaseException, command: str = "") -> tuple[str, int] | None:
    """The line a person sees for an expected failure, and the exit status; None for anything else
    (a bug, which keeps its traceback for whoever fixes it)."""
    from sqlalchemy.exc import NoResultFound

    from service.store.crypto import KeyProblem
    from service.store.db import StoreError, StoreMissing, explain

    if isinstance(exc, ConfigError):
        return str(exc), 2
    if isinstance(exc, StoreMissing):
        return f"error: {exc}", 2
    if isinstance(exc, KeyProblem):
        return f"encryption key error: {exc}", 2
    if isinstance(exc, StoreError):
        return f"error: {exc}", 1
    if isinstance(exc, NoResultFound):
        return f"error: not found: {command or 'the record asked for'} (check the id or reference)", 1
    line = explain(exc)
    return (f"error: {line}", 1) if line else None


class OneLineErrors(TyperGroup):
    """The root command: an expected failure anywhere below it ends as one line and an exit status."""

    def invoke(self, ctx):
        command = " ".join(str(a) for a in [*getattr(ctx, "_protected_args", []), *ctx.args])
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:
            found = operator_line(exc, command)
            if found is None:
                raise
            err.print(escape(found[0]), style="bold red", highlight=False, soft_wrap=True)
            raise typer.Exit(found[1]) from None


app = typer.Typer(cls=OneLineErrors, add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Review Clerk: runs serious case reviews for a Local Safeguarding Children Board.")
EXAMPLE_CONFIG = Path(__file__).resolve().parents[2] / "config" / "review-clerk.example.toml"

ConfigOpt = typer.Option(None, "--config", "-c", help="Configuration file (default: $REVIEW_CLERK_CONFIG, "
                                                      "else ./review-clerk.toml).")
JsonOpt = typer.Option(False, "--json", help="Print JSON instead of a table.")
ActorOpt = typer.Option(None, "--by", help="Who is doing this (default: your user name).")


def fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def settings_of(config: Optional[Path]):
    try:
        return load_settings(config)
    except ConfigError as exc:
        err.print(f"[bold red]{escape(str(exc))}[/]", highlight=False)
        raise typer.Exit(2) from None


def app_for(config: Optional[Path], now: Optional[datetime] = None, migrate: bool = True, create: bool = False):
    """The service for a command. Only ``init`` passes ``create``: every other command refuses a missing
    data folder, database or key (exit status 2) rather than starting a new, empty service."""
    from service.bootstrap import build_app
    from service.clock import FixedClock
    from service.letters.render import TemplateProblem
    from service.logs import setup

    settings = settings_of(config)
    setup(settings.logging.level, settings.logging.json_lines)
    try:
        return build_app(settings, FixedClock(now) if now else None, migrate=migrate, create=create)
    except TemplateProblem as exc:
        err.print(f"[bold red]template error:[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(2) from None
    except Exception as exc:
        found = operator_line(exc)
        if found is None:
            raise
        err.print(escape(found[0]), style="bold red", highlight=False, soft_wrap=True)
        raise typer.Exit(found[1]) from None


def parse_day(value: str, name: str = "date") -> date:
    from service.domain.calendar import parse_date

    parsed = parse_date(value)
    if parsed is None:
        fail(f"{name} {value!r} is not a date; use YYYY-MM-DD or a UK date such as 24/12/2015")
    return parsed


def actor_of(by: Optional[str]) -> str:
    if by:
        return by
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001
        return "command line"


def run_domain(fn, *args, **kwargs):
    from service.domain.model import DomainError
    from service.store.repository import NotFound

    try:
        return fn(*args, **kwargs)
    except (DomainError, NotFound) as exc:
        fail(str(exc).strip("'\""))


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")


def table(title: str, rows: list[dict[str, Any]], columns: list[str]) -> None:
    t = Table(title=title, show_lines=False, header_style="bold")
    for c in columns:
        t.add_column(c.replace("_", " "))
    for r in rows:
        # Text, not markup: data such as "[procedure 4.2]" must print as written.
        t.add_row(*[Text("" if r.get(c) is None else str(r.get(c))) for c in columns])
    out.print(t)

