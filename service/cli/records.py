"""The records themselves: the audit trail, the encryption key, retention."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Optional

import typer

from .common import (ActorOpt, ConfigOpt, JsonOpt, actor_of, app_for, err, fail, out, print_json, table)

audit_app = typer.Typer(no_args_is_help=True, help="The audit trail.")
keys_app = typer.Typer(no_args_is_help=True, help="The key that encrypts personal data at rest.")
retention_app = typer.Typer(no_args_is_help=True, help="How long personal data is kept; legal holds.")

@audit_app.command("verify")
def audit_verify(config: Optional[Path] = ConfigOpt) -> None:
    """Check that the audit trail is complete and unaltered (hash chain)."""
    application = app_for(config)
    with application.db.unit_of_work() as uow:
        n, problems = uow.audit.verify()
    if problems:
        for p in problems:
            err.print(f"[red]{p}[/]")
        fail(f"audit trail: {len(problems)} problem(s) in {n} events")
    out.print(f"audit trail intact: {n} events")


@keys_app.command("new")
def keys_new(config: Optional[Path] = ConfigOpt) -> None:
    """Print a new encryption key (base64), for security.encryption_key or a key file.

    Takes --config like every command; it needs none (the key is only printed)."""
    del config
    from service.store.crypto import encode_key, new_key

    sys.stdout.write(encode_key(new_key()) + "\n")


@keys_app.command("rotate")
def keys_rotate(config: Optional[Path] = ConfigOpt,
                new_key_file: Optional[Path] = typer.Option(
                    None, help="Where to write the new key (needed when the key comes from "
                               "security.encryption_key rather than a key file).")) -> None:
    """Re-encrypt every sealed value with a new key, in one transaction; then retire the old key."""
    from service.store.crypto import KeyProblem
    from service.store.keys import rotate

    application = app_for(config)
    try:
        counts = rotate(application.settings, application.db, new_key_file)
    except KeyProblem as exc:
        fail(str(exc))
    target = new_key_file or application.settings.security.key_file
    out.print(f"re-encrypted: {', '.join(f'{n} {table}' for table, n in counts.items())}")
    out.print(f"the new key is in {target}; back it up now (the old key no longer opens anything)")




@retention_app.command("apply")
def retention_apply(config: Optional[Path] = ConfigOpt,
                    dry_run: bool = typer.Option(False, "--dry-run", help="Only say what would be removed."),
                    as_json: bool = JsonOpt, by: Optional[str] = ActorOpt) -> None:
    """Remove what is past its retention period (see the retention settings), except cases under legal hold."""
    from service.retention import apply

    report = apply(app_for(config), actor_of(by), dry_run=dry_run)
    if as_json:
        print_json(report)
        return

    def refs(cases: list[dict[str, Any]]) -> str:
        return ", ".join(c["reference"] for c in cases)

    will = dry_run
    rows = [
        {"record": "closed cases", "action": "to anonymise" if will else "anonymised",
         "count": len(report["cases_anonymised"]), "detail": refs(report["cases_anonymised"])},
        {"record": "closed cases", "action": "kept: legal hold", "count": len(report["cases_kept_on_legal_hold"]),
         "detail": refs(report["cases_kept_on_legal_hold"])},
        {"record": "closed cases", "action": "waiting: letters not yet sent",
         "count": len(report["cases_waiting_for_letters"]), "detail": refs(report["cases_waiting_for_letters"])},
        {"record": "emails linked to no case", "action": "to delete" if will else "deleted",
         "count": report["unlinked_mail_deleted"],
         "detail": ", ".join(f"{k} {v}" for k, v in sorted(report["unlinked_mail_deleted_by_status"].items()))},
        {"record": "emails of anonymised cases", "action": "to empty" if will else "emptied",
         "count": report["late_mail_cleared"], "detail": ""},
        {"record": "sent message bodies", "action": "to remove" if will else "removed",
         "count": report["sent_bodies_removed"], "detail": ""},
        {"record": "sent message bodies", "action": "kept: legal hold",
         "count": report["sent_bodies_kept_on_legal_hold"], "detail": ""},
    ]
    title = f"Retention as of {report['as_of']}" + (" (dry run: nothing changed)" if dry_run else "")
    table(title, rows, ["record", "action", "count", "detail"])
    if dry_run:
        out.print("Run without --dry-run to remove it.")


@retention_app.command("holds")
def retention_holds(config: Optional[Path] = ConfigOpt, as_json: bool = JsonOpt) -> None:
    """Cases under legal hold, with the reason."""
    from service.retention import holds

    application = app_for(config)
    rows = holds(application)
    if as_json:
        print_json(rows)
    else:
        shown = [{**r, "stage": application.procedure.stage_label(r["stage"])} for r in rows]
        table("Cases under legal hold", shown, ["reference", "anonymised_at", "stage", "reason"],
              ids=["reference"], times=["anonymised_at"], tz=application.settings.tz)


