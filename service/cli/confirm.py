"""`review-clerk case confirm REF`: how a referral the service could not be sure of was read, each value
beside the text it was read from, and the Business Manager's confirmation or corrections (audited by
field, never by value)."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional, Tuple

import typer

from .cases import case_app
from .common import (ActorOpt, ConfigOpt, JsonOpt, actor_of, app_for, escape, fail, out, print_json, read_json_file,
                     run_domain)

_PAIR = "N VALUE"


@case_app.command("confirm")
def case_confirm(reference: str,
                 accept: bool = typer.Option(False, "--accept", help="What was read (with any corrections given "
                                             "here) is right: confirm it."),
                 remove_person: Optional[List[int]] = typer.Option(None, "--remove-person", metavar="N",
                                                                   help="Subject N is no person of the referral "
                                                                        "(a street, a heading...): remove it."),
                 set_name: Optional[Tuple[int, str]] = typer.Option(None, "--set-name", metavar=_PAIR,
                                                                          help="Subject N's name."),
                 set_dob: Optional[Tuple[int, str]] = typer.Option(None, "--set-dob", metavar=_PAIR,
                                                                         help="Subject N's date of birth "
                                                                              "(\"\" for none)."),
                 set_role: Optional[Tuple[int, str]] = typer.Option(None, "--set-role", metavar=_PAIR,
                                                                          help="Subject N's role: child, adult "
                                                                               "or unknown."),
                 set_relationship: Optional[Tuple[int, str]] = typer.Option(
                     None, "--set-relationship", metavar=_PAIR, help="Subject N's relationship (mother, ...)."),
                 set_address: Optional[Tuple[int, str]] = typer.Option(None, "--set-address", metavar=_PAIR,
                                                                             help="Subject N's address."),
                 add_person: Optional[List[str]] = typer.Option(None, "--add-person", metavar="NAME",
                                                                help="A subject the service did not read."),
                 details: Optional[Path] = typer.Option(None, help="A JSON file with the subjects and referrer "
                                                        "(as `case confirm REF --json` prints them), corrected."),
                 config: Optional[Path] = ConfigOpt, as_json: bool = JsonOpt, by: Optional[str] = ActorOpt) -> None:
    """How the service read a referral it could not be sure of: each value with how sure it was and the line
    of the form it came from, and the reasons it is asked. --accept confirms it as read; --remove-person,
    --set-name, --set-dob, --set-role, --set-relationship, --set-address, --add-person correct it (subjects
    numbered as shown; one --set-... of each kind a command, several subjects removed or added) and confirm it;
    --details FILE lays a corrected JSON over it (any number of corrections). Audited."""
    from service.cases import confirm_reading, reading
    from service.intake.confirmation import CorrectionProblem, Corrections, corrected_subjects
    from service.intake.details import DetailsProblem

    application = app_for(config)
    def one(pair: Optional[Tuple[int, str]]) -> dict[int, str]:
        return {pair[0]: pair[1]} if pair else {}

    corrections = Corrections(remove=list(remove_person or []), names=one(set_name), dates_of_birth=one(set_dob),
                              roles=one(set_role), relationships=one(set_relationship), addresses=one(set_address),
                              add=list(add_person or []))
    if accept or corrections or details is not None:
        if details is not None and corrections:
            fail("give either --details FILE or corrections on the command line, not both")
        given = None
        if details is not None:
            given = read_json_file(details)
            if not isinstance(given, dict):
                fail(f"{details}: the details must be an object with subjects and referrer")
        elif corrections:
            read = run_domain(reading, application, reference)
            try:
                given = {"subjects": corrected_subjects(read["subjects"], corrections)}
            except CorrectionProblem as exc:
                fail(f"{reference}: {exc}")
        try:
            corrected = run_domain(confirm_reading, application, reference, actor_of(by), given)
        except DetailsProblem as exc:
            fail(f"{details or reference}: {exc}")
        out.print(escape(f"{reference}: the referral's reading is confirmed"
                         + (f" ({', '.join(corrected)} corrected)" if corrected else " as read")), highlight=False)
        if details is not None:
            out.print(escape(f"{details} holds personal details: delete it when you no longer need it"),
                      highlight=False)
        return
    data = run_domain(reading, application, reference)
    if as_json:
        print_json(data)
        return
    _show(application, reference, data)


def _show(application, reference: str, data: dict) -> None:
    from service.intake.confirmation import beside, source_lines

    lines = source_lines(application, data.get("message"))
    sure = data["confidence"] or {}
    out.print(f"[bold]{data['reference']}[/]: " + (escape("to confirm: " + "; ".join(data["to_confirm"]))
                                                  if data["to_confirm"] else "nothing left to confirm"),
              highlight=False)
    if data["source_command"]:
        out.print(escape(f"the referral as it came: {data['source_command']}  (read as: {data['layout'] or '?'})"),
                  highlight=False)
    levels = sure.get("subjects") or []
    if not data["subjects"]:
        out.print("subjects as read: none", highlight=False)
    for n, s in enumerate(data["subjects"], 1):
        level = levels[n - 1] if n - 1 < len(levels) else None
        out.print(escape(f"subject {n}: {s['name']} | {s.get('relationship') or 'relationship not read'} | "
                         f"{s.get('role') or 'unknown'} | born {s.get('date_of_birth') or 'not read'} | "
                         f"{s.get('address') or 'no address read'}" + (f"  (read with {level} certainty)" if level else "")),
                  highlight=False)
        source = beside(s["name"], lines)
        out.print(escape(f"    from: {source}" if source else "    from: (no line of the form holds this name)"),
                  highlight=False)
    r = data["referrer"]
    out.print(escape(f"referrer as read: {r['name'] or '?'}, {r['agency'] or 'agency not stated'}, "
                     f"{r['telephone'] or 'no telephone'}, {r['email'] or 'no email'}"), highlight=False)
    if r.get("name"):
        source = beside(r["name"], lines)
        if source:
            out.print(escape(f"    from: {source}"), highlight=False)
    doubtful = sorted(k for k, v in sure.items() if v == "low")
    if doubtful:
        out.print(escape(f"read with less certainty: {', '.join(doubtful)}"), highlight=False)
    if not lines and data.get("message"):
        out.print("the form's text could not be read again from the stored message", highlight=False)
    out.print(escape(f"If it is right: review-clerk case confirm {reference} --accept. To correct it: "
                     f"--remove-person N, --set-name N NAME, --set-dob N DATE, --set-role N child|adult, "
                     f"--set-relationship N TEXT, --set-address N TEXT, --add-person NAME; or save "
                     f"`review-clerk case confirm {reference} --json`, correct it, then --details FILE"),
              highlight=False)
