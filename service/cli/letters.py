"""`review-clerk letters ...`: the communications, their previews, and sending one on command.

"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .common import actor_of, app_for, fail, out, print_json, table

letters_app = typer.Typer(no_args_is_help=True,
                          help="Letters and notifications: list them, preview one, send one on command.")

ConfigOpt = typer.Option(None, "--config", "-c", help="Configuration file (default: $REVIEW_CLERK_CONFIG, "
                                                      "else ./review-clerk.toml).")


def _run(fn, *args, **kwargs):
    from service.domain.model import DomainError
    from service.store.repositories.common import NotFound

    from service.letters.commands import LettersError

    try:
        return fn(*args, **kwargs)
    except (LettersError, DomainError, NotFound, LookupError, ValueError) as exc:
        fail(str(exc).strip("'\""))


@letters_app.command("list")
def letters_list(config: Optional[Path] = ConfigOpt,
                 as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
                 procedure: Optional[str] = typer.Option(None, "--procedure", help="The communications of this "
                                                         "pack in use (default: the board's default pack).")) -> None:
    """Each communication: what triggers it, to whom, what is attached and how it is sent."""
    from service.letters.commands import catalogue_rows

    try:
        rows = catalogue_rows(app_for(config), procedure)
    except LookupError as exc:
        fail(str(exc))
    if as_json:
        print_json(rows)
        return
    table("Letters and notifications", rows, ["name", "mode", "attached", "trigger", "recipients"], ids=["name"])


@letters_app.command("preview")
def letters_preview(name: str = typer.Argument(..., help="A communication, as `letters list` names it."),
                    case: Optional[str] = typer.Option(None, "--case", help="Render for this case "
                                                       "(default: a realistic sample case)."),
                    out_file: Optional[Path] = typer.Option(None, "--out", help="Write it to FILE: .eml the whole "
                                                            "message, .docx the Word letter, .html the HTML body, "
                                                            "else the text."),
                    procedure: Optional[str] = typer.Option(None, "--procedure", help="Without --case: the sample "
                                                            "case of this pack in use (default: the default pack)."),
                    config: Optional[Path] = ConfigOpt) -> None:
    """Show a communication as it would be sent (subject, recipients, text, attachments)."""
    from rich.markup import escape

    from service.letters.commands import preview

    application = app_for(config)
    p = _run(preview, application, name, case, procedure)
    out.print(f"[bold]{escape(p.subject)}[/]", highlight=False)
    out.print(f"to: {', '.join(p.to)}   mode: {p.mode}   case: {p.reference or 'sample'}", highlight=False,
              markup=False)
    for a in p.attachments:
        out.print(f"attached: {a.filename} ({len(a.data) // 1024 + 1} KB)", highlight=False, markup=False)
    out.rule()
    out.print(p.text, highlight=False, markup=False, soft_wrap=True)
    if out_file is None:
        return
    suffix = out_file.suffix.lower()
    if suffix == ".eml":
        data = p.mime(application.settings.board.mailbox)
    elif suffix == ".docx":
        letters = [a for a in p.attachments if a.filename.endswith(".docx")]
        if not letters:
            fail(f"{name} has no Word letter; use --out FILE.eml or .txt")
        data = letters[0].data
    elif suffix in (".html", ".htm"):
        data = p.html.encode("utf-8")
    else:
        data = p.text.encode("utf-8")
    from service.files import write_private

    write_private(out_file, data)  # a letter may name the child: owner-only, like everything the service writes
    out.print(f"wrote {out_file}", highlight=False, markup=False)


@letters_app.command("send")
def letters_send(reference: str,
                 name: str = typer.Argument(..., help="other_lscb, or a letter that could not go before "
                                            "(see `letters list`)."),
                 to: Optional[str] = typer.Option(None, "--to", help="other_lscb: the LSCB's address."),
                 who: Optional[str] = typer.Option(None, "--name", help="other_lscb: the LSCB's name; "
                                                   "reviewer_notification: the lead reviewer's name."),
                 config: Optional[Path] = ConfigOpt,
                 by: Optional[str] = typer.Option(None, "--by", help="Who is doing this (default: your user name).")
                 ) -> None:
    """Queue a letter for a case now (the sender job sends it). Never queues one twice."""
    from rich.markup import escape

    from service.letters.commands import send_on_command
    from service.letters.triggers import mode_for

    application = app_for(config)
    result = _run(send_on_command, application, reference, name, actor_of(by), to=to, name=who)
    mode, reviewer = mode_for(name, application.settings)
    how = f" (a draft for {reviewer} to check and send)" if mode == "review" else ""
    for key in result["queued"]:
        out.print(f"queued {key}{how}", highlight=False, markup=False)
    for key in result["already"]:
        out.print(f"already queued or sent: {key}", highlight=False, markup=False)
    for problem in result["not_sent"]:
        out.print(f"[yellow]not sent:[/] {escape(problem)} (the Business Manager has been told)", highlight=False)


@letters_app.command("retry")
def letters_retry(key: str = typer.Argument(..., help="The message's key (`case show REF --json` lists them)."),
                  config: Optional[Path] = ConfigOpt) -> None:
    """Send a failed message again (after its address or the mailbox was fixed)."""

    from service.letters.delivery import retry

    result = _run(retry, app_for(config), key)
    out.print(f"{result['key']}: queued again", highlight=False, markup=False)
