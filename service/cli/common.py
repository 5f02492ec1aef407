"""What every command shares: the consoles, the common options, loading the app, one-line errors.

Errors are one clear line on stderr and a non-zero exit: 2 for configuration, 1 for everything else.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from service.config import ConfigError, load_settings

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Review Clerk: runs serious case reviews for a Local Safeguarding Children Board.")

out = Console()
err = Console(stderr=True)
EXAMPLE_CONFIG = Path(__file__).resolve().parents[2] / "config" / "review-clerk.example.toml"

ConfigOpt = typer.Option(None, "--config", "-c", help="Configuration file (default: $REVIEW_CLERK_CONFIG, "
                                                      "else ./review-clerk.toml).")
JsonOpt = typer.Option(False, "--json", help="Print JSON instead of a table.")
ActorOpt = typer.Option(None, "--by", help="Who is doing this (default: your user name).")


def fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(code)


def settings_of(config: Optional[Path]):
    try:
        return load_settings(config)
    except ConfigError as exc:
        err.print(f"[bold red]{escape(str(exc))}[/]", highlight=False)
        raise typer.Exit(2) from None


def app_for(config: Optional[Path], now: Optional[datetime] = None, migrate: bool = True):
    from service.bootstrap import build_app
    from service.clock import FixedClock
    from service.letters.render import TemplateProblem
    from service.logs import setup
    from service.store.crypto import KeyProblem
    from service.store.db import StoreError

    settings = settings_of(config)
    setup(settings.logging.level, settings.logging.json_lines)
    try:
        return build_app(settings, FixedClock(now) if now else None, migrate=migrate)
    except TemplateProblem as exc:
        err.print(f"[bold red]template error:[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(2) from None
    except StoreError as exc:
        fail(str(exc))
    except KeyProblem as exc:
        err.print(f"[bold red]encryption key error:[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(2) from None


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

