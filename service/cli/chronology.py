"""`review-clerk chronology ...` and `review-clerk report check`: agencies' chronologies read and
integrated, and a draft report checked for identifiers before publication. They work on files
given on the command line and need no configuration (--config is accepted, as by every command),
except `report check REF FILE` and `report accept REF`, which record on the case (the
pre-publication notice waits while the last check found anything; service/chronology/publication.py).

Their output is for the person at the terminal: rows and found identifiers are printed, never
logged. An unreadable file is one line naming the file and the problem, exit status 1.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from .common import (ConfigOpt, JsonOpt, actor_of, app_for, fail, out, parse_day, print_json, read_json_file,
                     run_domain, table)

chronology_app = typer.Typer(no_args_is_help=True, help="Agencies' chronologies: read one, build the integrated one.")
report_app = typer.Typer(no_args_is_help=True, help="A draft report: check it for identifiers before publication.")

FileArg = typer.Argument(..., exists=True, dir_okay=False, readable=True)


def _read(path: Path, agency: str = ""):
    from service.chronology.limits import ChronologyReadError
    from service.chronology.read import read_path

    try:
        return read_path(path, agency)
    except ChronologyReadError as exc:
        fail(f"{path.name}: {exc}")


def _row_cells(number: int, r) -> dict:
    return {"no": number, "date": r.when.label(), "time": r.time.strftime("%H:%M") if r.time else "",
            "agency": r.agency, "practitioner": r.practitioner,
            "what_happened": f"{r.contact_type}: {r.event}" if r.contact_type and r.event else (r.contact_type or r.event),
            "action": r.action, "comments": r.comments,
            "flags": ", ".join(sorted(f.value for f in r.flags)),
            "source": f"{r.source.part}, row{'s' if len(r.source.rows) > 1 else ''} "
                      f"{', '.join(str(n) for n in r.source.rows)}"}


@chronology_app.command("read")
def chronology_read(file: Path = FileArg,
                    agency: str = typer.Option("", "--agency", help="The agency, for rows whose document names none."),
                    as_json: bool = JsonOpt, config: Optional[Path] = ConfigOpt) -> None:
    """Print the rows read from one chronology (Word, Excel, ODT or a PDF with a text layer): each
    row's date (partial dates with their period), time, agency, what happened, and its flags."""
    del config
    res = _read(file, agency)
    if as_json:
        print_json({"file": res.file, "rows": [r.as_data() for r in res.rows], "notes": list(res.notes)})
        return
    rows = [_row_cells(n, r) for n, r in enumerate(res.rows, start=1)]
    table(f"{res.file}: {len(rows)} rows", rows,
          ["no", "date", "time", "agency", "practitioner", "what_happened", "action", "comments", "flags", "source"],
          ids=["no", "date", "time"])
    check = sum(1 for r in res.rows if r.needs_person)
    partial = sum(1 for r in res.rows if r.when.partial)
    out.print(f"{len(rows)} rows; {partial} with a partial date; {check} to check", markup=False, highlight=False)
    for note in res.notes:
        out.print(f"note: {note}", markup=False, highlight=False, soft_wrap=True)


def _agency_map(pairs: list[str]) -> dict[str, str]:
    found = {}
    for pair in pairs:
        file, sep, name = pair.partition("=")
        if not sep or not file or not name.strip():
            fail(f"--agency {pair!r}: use FILE=AGENCY (the file as given, or its name)")
        found[file] = name.strip()
    return found


@chronology_app.command("build")
def chronology_build(files: List[Path] = typer.Argument(..., exists=True, dir_okay=False, readable=True,
                                                        help="Each agency's chronology."),
                     out_file: Path = typer.Option(..., "--out", help="OUT.docx or OUT.xlsx"),
                     svg: Optional[Path] = typer.Option(None, "--svg", help="Also a one-page timeline, OUT.svg."),
                     start: Optional[str] = typer.Option(None, "--from", help="Scoping period start (dd/mm/yyyy)."),
                     end: Optional[str] = typer.Option(None, "--to", help="Scoping period end (dd/mm/yyyy)."),
                     title: str = typer.Option("Integrated chronology", "--title"),
                     agencies: List[str] = typer.Option([], "--agency",
                                                        help="FILE=AGENCY for a file whose rows name no agency "
                                                             "(default: the file's name)."),
                     as_json: bool = typer.Option(False, "--json", help="Also print the integrated rows as JSON."),
                     config: Optional[Path] = ConfigOpt) -> None:
    """One integrated chronology from several agencies' files: flagged rows first, then date and time
    order, the agency as a column, partial dates at the start of their period and marked, the same
    event recorded by several agencies grouped, and a summary per agency. Files are owner-only."""
    del config
    from datetime import datetime

    from service.chronology.export import to_docx, to_xlsx
    from service.chronology.integrate import as_data, integrate
    from service.chronology.tables import with_agency
    from service.chronology.rows import ReadResult
    from service.chronology.timeline import to_svg
    from service.files import write_private

    kind = out_file.suffix.lower()
    if kind not in (".docx", ".xlsx"):
        fail(f"--out {out_file.name}: the integrated chronology is written as .docx or .xlsx")
    if svg is not None and svg.suffix.lower() != ".svg":
        fail(f"--svg {svg.name}: the timeline is written as .svg")
    first = parse_day(start, "--from") if start else None
    last = parse_day(end, "--to") if end else None
    if first and last and first > last:
        fail("--from is after --to")
    names = _agency_map(agencies)
    results = []
    problems = []
    from service.chronology.limits import ChronologyReadError
    from service.chronology.read import read_path

    for path in files:
        try:
            res = read_path(path)
        except ChronologyReadError as exc:
            problems.append(f"{path.name}: {exc}")
            continue
        agency = names.get(str(path)) or names.get(path.name) or path.stem
        results.append(ReadResult(res.file, tuple(with_agency(list(res.rows), agency)), res.notes))
    if problems:
        for line in problems:
            out.print(f"error: {line}", markup=False, highlight=False, soft_wrap=True)
        fail(f"{len(problems)} of {len(files)} files could not be read; nothing written")
    chron = integrate(results, first, last)
    now = datetime.now()
    data = to_docx(chron, title, now) if kind == ".docx" else to_xlsx(chron, title, now)
    write_private(out_file, data)
    if svg is not None:
        write_private(svg, to_svg(chron, title).encode("utf-8"))
    if as_json:
        print_json(as_data(chron))
        return
    summary = [{"agency": a.agency, "rows": a.rows, "from": a.first.strftime("%d/%m/%Y") if a.first else "",
                "to": a.last.strftime("%d/%m/%Y") if a.last else "", "partial": a.partial, "to_check": a.to_check}
               for a in chron.agencies]
    table("Agencies", summary, ["agency", "rows", "from", "to", "partial", "to_check"], ids=["rows", "from", "to"])
    out.print(f"{len(chron.entries)} rows written to {out_file}"
              + (f" and the timeline to {svg}" if svg else "")
              + f"; {len(chron.to_check)} to check (listed first); {chron.groups} events recorded by more than one agency"
              + (f"; {chron.left_out} rows outside the scoping period left out" if chron.left_out else ""),
              markup=False, highlight=False, soft_wrap=True)


@report_app.command("check")
def report_check(target: str = typer.Argument(..., metavar="[REF] FILE",
                                              help="The draft report; with the case's reference before it, the "
                                                   "case record's names, dates of birth and addresses are looked "
                                                   "for too and the check is recorded on the case (it holds the "
                                                   "pre-publication notice while it finds anything)."),
                 file: Optional[Path] = typer.Argument(None, metavar="", dir_okay=False),
                 by: Optional[str] = typer.Option(None, "--by", help="Who checked (default: your user name)."),
                 names: List[str] = typer.Option([], "--names", "--name", help="A person's full name (repeat it)."),
                 known_as: List[str] = typer.Option([], "--known-as", help="A name a person is known by."),
                 dobs: List[str] = typer.Option([], "--dob", help="A date of birth, dd/mm/yyyy (repeat it)."),
                 addresses: List[str] = typer.Option([], "--address", help="An address, with its postcode."),
                 schools: List[str] = typer.Option([], "--school", help="A school or setting's name."),
                 identifiers: Optional[Path] = typer.Option(
                     None, "--identifiers", exists=True, dir_okay=False,
                     help='A JSON file: {"names": [...], "known_as": [...], "dobs": [...], "addresses": [...], '
                          '"schools": [...], "others": [...]}.'),
                 as_json: bool = JsonOpt, config: Optional[Path] = ConfigOpt) -> None:
    """Find every place a draft report (Word .docx or PDF) names the case's people, their dates of
    birth, addresses, postcodes or schools, with paragraph or page. Exit status 0 when nothing is
    found, 1 when something is (or the report cannot be read), 2 when the identifiers are not usable.
    What is found is printed here only, never logged."""
    from service.chronology.report_check import CheckError, Identifiers, check_report

    reference = target if file is not None else None
    file = file if file is not None else Path(target)
    if not file.is_file():
        fail(f"{file}: no such file", 2)
    data = read_json_file(identifiers) if identifiers else {}
    if not isinstance(data, dict):
        fail("--identifiers: the file must hold a JSON object", 2)
    for key, values in (("names", names), ("known_as", known_as), ("dobs", dobs), ("addresses", addresses),
                        ("schools", schools)):
        if values:
            given = data.get(key) or []
            data[key] = ([given] if isinstance(given, str) else list(given)) + list(values)
    application = None
    if reference is not None:
        from service.chronology.publication import case_identifiers

        application = app_for(config)
        with application.db.unit_of_work(read_only=True) as uow:
            case = run_domain(uow.cases.get, reference)
        reference = case.reference
    try:
        ids = case_identifiers(case, data) if reference is not None else Identifiers.from_data(data)
    except CheckError as exc:
        fail(str(exc), 2)
    content = file.read_bytes()
    try:
        findings = check_report(content, ids)
    except CheckError as exc:
        fail(f"{file.name}: {exc}", 2 if ids.empty() else 1)
    recorded = None
    if reference is not None:
        from service.chronology.publication import record_check

        recorded = run_domain(record_check, application, reference, file.name, content, findings, actor_of(by))
    if as_json:
        print_json({"file": file.name, "clean": not findings, "found": [f.as_data() for f in findings]}
                   | ({"case": reference, "check": recorded.check_id, "notice_queued": recorded.notice_queued}
                      if recorded else {}))
    else:
        if findings:
            table(f"{file.name}: {len(findings)} identifiers found", [
                {"where": f.where, "kind": f.kind, "found": f.text, "identifier": f.identifier, "context": f.context}
                for f in findings], ["where", "kind", "found", "identifier", "context"], ids=["where", "found"])
        else:
            out.print(f"{file.name}: nothing found", markup=False, highlight=False)
        if recorded is not None:
            out.print(f"check recorded on {reference}" + (
                "; the pre-publication notice waits until a check finds nothing, or until you record why "
                f"these may stand: review-clerk report accept {reference} --reason '...'" if findings else
                "; the pre-publication notice may go" + ("; it is queued now" if recorded.notice_queued else "")),
                markup=False, highlight=False, soft_wrap=True)
    if findings:
        raise typer.Exit(1)


@report_app.command("accept")
def report_accept(reference: str = typer.Argument(..., help="The case's reference."),
                  reason: str = typer.Option(..., "--reason", help="Why the last check's findings may stand."),
                  by: Optional[str] = typer.Option(None, "--by", help="Who accepts (default: your user name)."),
                  config: Optional[Path] = ConfigOpt) -> None:
    """Record why what the last publication check of the case's report found is acceptable (audited):
    the pre-publication notice may then go, and goes at once when publication is planned."""
    from service.chronology.publication import accept

    recorded = run_domain(accept, app_for(config), reference, reason, actor_of(by))
    out.print(f"{reference}: the findings of check {recorded.check_id} ({recorded.found}) accepted"
              + ("; the pre-publication notice is queued" if recorded.notice_queued else ""),
              markup=False, highlight=False, soft_wrap=True)
