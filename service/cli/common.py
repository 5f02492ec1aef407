"""What every command shares: the consoles, the common options, loading the app, one-line errors.

Errors are one clear line on stderr and a non-zero exit: 2 for configuration (a bad setting, a missing
data folder, database or key, a wrong key), 1 for everything else. :func:`operator_line` is the one
translation of an expected failure (storage, disk, permissions, a record not found) into that line;
every command goes through it (:class:`OneLineErrors`), so none shows a person a traceback for one.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, tzinfo
from pathlib import Path
from functools import lru_cache
from typing import Any, Iterable, Optional

import typer
from typer.core import TyperGroup


class _Console:
    """A rich Console, made when something is first printed (so that `--help` does not import rich).

    One for each value of COLUMNS: a Console reads COLUMNS when it is made, and tests change it.
    """

    def __init__(self, stderr: bool = False):
        self._stderr = stderr
        self._made: dict[Optional[str], Any] = {}

    def __getattr__(self, name: str) -> Any:
        import os

        columns = os.environ.get("COLUMNS")
        console = self._made.get(columns)
        if console is None:
            from rich.console import Console

            console = self._made[columns] = Console(stderr=self._stderr)
        return getattr(console, name)


out: Any = _Console()
err: Any = _Console(stderr=True)


def operator_line(exc: BaseException, command: str = "") -> tuple[str, int] | None:
    """The line a person sees for an expected failure, and the exit status; None for anything else
    (a bug, which keeps its traceback for whoever fixes it)."""
    from sqlalchemy.exc import NoResultFound

    from service.config import ConfigError
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
    from service.procedure.problems import PackError
    from service.store.repositories.common import ProcedureChanged

    if isinstance(exc, PackError):
        lines = [str(p) for p in exc.problems]
        return "error: the procedure pack has problems (review-clerk procedure check PATH):\n" + "\n".join(lines), 2
    if isinstance(exc, ProcedureChanged):
        return f"error: {exc}", 2
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


# Plain help (rich_markup_mode=None): typer's rich help imports rich and markdown-it, a third of a
# second before `--help` prints anything. Rich is imported when a command first prints.
app = typer.Typer(cls=OneLineErrors, add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  rich_markup_mode=None,
                  help="Review Clerk: runs serious case reviews for a Local Safeguarding Children Board.")
EXAMPLE_CONFIG = Path(__file__).resolve().parents[2] / "config" / "review-clerk.example.toml"

ConfigOpt = typer.Option(None, "--config", "-c", help="Configuration file (default: $REVIEW_CLERK_CONFIG, "
                                                      "else ./review-clerk.toml).")
JsonOpt = typer.Option(False, "--json", help="Print JSON instead of a table.")
ActorOpt = typer.Option(None, "--by", help="Who is doing this (default: your user name).")


def escape(text: str) -> str:
    """Text as rich markup that prints as written."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def settings_of(config: Optional[Path]):
    from service.config import ConfigError, load_settings

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
    from service.store.repositories.common import NotFound

    try:
        return fn(*args, **kwargs)
    except (DomainError, NotFound) as exc:
        fail(str(exc).strip("'\""))


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")


def stream_json(rows: Iterable[Any]) -> None:
    """A JSON array written row by row: the same text as :func:`print_json` of the list, without holding
    the whole text in memory."""
    write, first = sys.stdout.write, True
    for row in rows:
        text = json.dumps(row, indent=2, default=str, ensure_ascii=False).replace("\n", "\n  ")
        write(("[\n  " if first else ",\n  ") + text)
        first = False
    write("[]\n" if first else "\n]\n")


# Paging of the lists (cases list, deadlines) ------------------------------------------------
PAGE = 50
LimitOpt = typer.Option(PAGE, "--limit", min=1, help=f"How many to show (default {PAGE}).")


def AllOpt(what: str) -> Any:  # noqa: N802 - an option, like the others
    return typer.Option(False, "--all", help=f"Every {what}, not only the first --limit.")


def page_size(limit: int, every: bool) -> int | None:
    return None if every else limit


def paging_note(shown: int, total: int, what: str, as_json: bool) -> None:
    """"showing 50 of N; --all for every case" when the list was cut (on stderr under --json, so that the
    JSON stays whole)."""
    if shown >= total:
        return
    note = f"showing {shown} of {total}; --all for every {what}"
    if as_json:
        sys.stderr.write(note + "\n")
    else:
        out.print(note, markup=False, highlight=False)


# Tables -------------------------------------------------------------------------------
_CONTROL = {c: None for c in (7, 8, 11, 12, 13)}  # what rich strips from printed text
_LINES_AT_ONCE = 2000  # a long table is written this many lines at a time
_GAP = 2  # spaces between columns
_MIN_WRAP = 20  # the narrowest a wrapped column may become; narrower, the longest goes under its row


def when(value: Any, tz: tzinfo) -> str:
    """A date-time for a person: in the board's time zone, to the minute (2014-05-12 09:30)."""
    from service.display import board_time

    return board_time(value, tz)


def _wrap(text: str, width: int) -> list[str]:
    """Word by word; a word longer than the line (an email address, a message key) is broken after
    an "@", ".", "/" or "_" where it can be, else where it must."""
    if len(text) <= width and text.isprintable() and text.strip() == text:
        return [text]  # fits as it is (what the wrapper would return)
    return list(_wrapped(text, width))


@lru_cache(maxsize=4096)  # a long list repeats the same rule or label in many rows
def _wrapped(text: str, width: int) -> tuple[str, ...]:
    import re
    import textwrap

    class Wrapper(textwrap.TextWrapper):
        def _split(self, chunk_text: str) -> list[str]:
            chunks = []
            for chunk in super()._split(chunk_text):
                chunks += re.split(r"(?<=[@./_])(?=.)", chunk) if len(chunk) > self.width else [chunk]
            return [c for c in chunks if c]

    wrapper = Wrapper(max(width, 1), break_long_words=True, break_on_hyphens=False)
    lines: list[str] = []
    for para in text.splitlines() or [""]:
        lines += wrapper.wrap(para) or [""]
    return tuple(lines)


def _share(room: int, wants: dict[str, int]) -> dict[str, int]:
    """Share ``room`` characters among columns: each gets what it needs or an equal share of the rest."""
    widths: dict[str, int] = {}
    left = dict(wants)
    while left:
        fair = room // len(left)
        fits = {c: w for c, w in left.items() if w <= fair}
        if not fits:
            extra = room - fair * len(left)
            for i, c in enumerate(left):
                widths[c] = max(fair + (1 if i < extra else 0), 1)
            break
        for c, w in fits.items():
            widths[c] = w
            room -= w
            del left[c]
    return widths


def table(title: str, rows: list[dict[str, Any]], columns: list[str], *, ids: Iterable[str] = (),
          times: Iterable[str] = (), tz: Optional[tzinfo] = None) -> None:
    """Rows as a table that fits the terminal's width (COLUMNS), never cutting an identifier.

    ``ids`` are the identifier columns (references, deadline keys, dates, message ids, what a
    person types into another command): each printed whole on one line. ``times`` are date-times,
    shown in ``tz`` to the minute (:func:`when`); they are identifiers too. Every other column is
    descriptive and wraps, word by word, to the room the identifiers leave. When that room is too
    little, the descriptive columns that do not fit go under their row, indented, as "name: text".
    """
    times = set(times)
    ident = set(ids) | times
    width = out.width
    heads = [c.replace("_", " ") for c in columns]

    cells = [[(when(r.get(c), tz) if c in times and tz is not None else
               "" if r.get(c) is None else str(r.get(c))) for c in columns] for r in rows]
    natural = {c: len(h) for c, h in zip(columns, heads)}
    filled: set[str] = set()
    for values in cells:
        for c, value in zip(columns, values):
            if value:
                filled.add(c)
                longest = len(value) if value.isprintable() else max(map(len, value.splitlines()), default=0)
                if longest > natural[c]:
                    natural[c] = longest

    # A descriptive column with nothing in it is left out (--json has every field).
    empty = {c for c in columns if c not in ident and c not in filled}
    inline, below = [c for c in columns if c not in empty], []
    widths = dict(natural)
    if sum(natural[c] for c in inline) + _GAP * (len(inline) - 1) > width:
        fixed = [c for c in inline if c in ident]
        used = sum(natural[c] for c in fixed)
        kept = [c for c in inline if c not in ident]
        while True:
            room = width - used - _GAP * (len(fixed) + len(kept) - 1)
            shares = _share(room, {c: natural[c] for c in kept})
            squeezed = [c for c in kept if shares[c] < min(natural[c], _MIN_WRAP)]
            if not squeezed:
                break
            # Too narrow to read: the last of them (columns come in order of importance) goes under the
            # row, where it has the whole width.
            kept.remove(squeezed[-1])
        widths.update(shares)
        below = [c for c in inline if c not in fixed and c not in kept]
        inline = [c for c in inline if c in fixed or c in kept]

    index = {c: i for i, c in enumerate(columns)}

    def line_of(parts: list[str]) -> str:
        return (" " * _GAP).join(p.ljust(widths[c]) for p, c in zip(parts, inline)).rstrip()

    def block(values: list[str]) -> list[str]:
        wrapped = [[values[index[c]]] if c in ident else _wrap(values[index[c]], widths[c]) for c in inline]
        height = max(len(w) for w in wrapped)
        return [line_of([w[i] if i < len(w) else "" for w in wrapped]) for i in range(height)]

    def lines_of(values: list[str]) -> list[str]:
        lines = block(values)
        for c in below:
            text = values[index[c]]
            if text:
                label = f"  {heads[index[c]]}: "
                wrapped = _wrap(text, max(width - len(label), _MIN_WRAP))
                lines += [label + wrapped[0]] + [" " * len(label) + rest for rest in wrapped[1:]]
        return lines

    def tall(values: list[str]) -> bool:  # len(lines_of(values)) > 1, without making the lines
        return (any(values[index[c]] for c in below)
                or any(c not in ident and len(_wrap(values[index[c]], widths[c])) > 1 for c in inline))

    def write(body: list[str]) -> None:
        if not out.is_terminal:  # to a file or a pipe: plain lines, as rich would write them
            out.file.write("\n".join(body).translate(_CONTROL) + "\n")
        else:  # a print for many rows: a line at a time costs more than the rest of a long list
            out.print("\n".join(body), markup=False, highlight=False, soft_wrap=True)

    out.print(title, style="bold", markup=False, highlight=False, soft_wrap=True)
    for line in block(heads):
        out.print(line, style="bold", markup=False, highlight=False, soft_wrap=True)
    out.print(line_of(["─" * widths[c] for c in inline]), markup=False, highlight=False, soft_wrap=True)
    if not rows:
        out.print("(none)", markup=False, highlight=False, soft_wrap=True)
    # The lines are written a few thousand at a time, not kept: a long list (--all) costs the memory of its
    # cells, not of every printed line besides.
    spaced = any(tall(values) for values in cells)  # rows of several lines: a blank line between rows
    body: list[str] = []
    for n, values in enumerate(cells):
        if spaced and n:
            body.append("")
        body += lines_of(values)
        if len(body) >= _LINES_AT_ONCE:
            write(body)
            body = []
    if body:
        write(body)


def read_json_file(path: Path) -> Any:
    """A JSON file a person edited (details for `inbox open`, `case confirm`); one line and exit 1 if it
    cannot be read or is not JSON (the line and column, never the content: it holds personal details)."""
    import json

    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeError) as exc:
        fail(f"cannot read {path}: {exc.__class__.__name__}")
    except json.JSONDecodeError as exc:
        fail(f"{path} is not JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}")
