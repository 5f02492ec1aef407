"""`review-clerk procedure ...`: check, show and draw a review procedure pack."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .common import ConfigOpt, app_for, err, fail, out, print_json, table

procedure_app = typer.Typer(no_args_is_help=True, help="Review procedures as data: check, show and draw a pack.")

PackArg = typer.Argument(None, help="A pack folder (or its procedure.toml), or the id of a shipped pack "
                                    "(default: enfield-scr-2013).")


def _path(pack: str | None) -> Path:
    from service.procedure.pack import DEFAULT_ID, shipped

    if pack is None:
        return shipped(DEFAULT_ID)
    given = Path(pack)
    return given if given.exists() or "/" in pack or pack.endswith(".toml") else shipped(pack)


def _load(pack: str | None):
    from service.procedure.pack import PackError, load_pack

    try:
        return load_pack(_path(pack))
    except PackError as exc:
        for p in exc.problems:
            err.print(str(p), markup=False, highlight=False, soft_wrap=True)
        fail(f"{len(exc.problems)} problem(s) in the pack; nothing shown")


@procedure_app.command("check")
def procedure_check(pack: str = typer.Argument(..., help="The pack folder or its procedure.toml.")) -> None:
    """Check a pack: every reference resolves, every stage can be reached, every template exists and uses
    only the variables it is given. One line per problem, naming the file and the key; exit 1 if any."""
    from service.procedure.check import check
    from service.procedure.pack import pack_file, read_pack

    path = _path(pack)
    procedure, problems = read_pack(path)
    if procedure is not None:
        problems += check(procedure, pack_file(path))
    for p in problems:
        out.print(str(p), markup=False, highlight=False, soft_wrap=True)  # one line each, for grep and scripts
    if problems:
        raise typer.Exit(1)
    out.print(f"{procedure.id} version {procedure.version}: no problems ({len(procedure.stages)} stages, "
              f"{len(procedure.deadlines)} deadline rules, {len(procedure.communications)} communications, "
              f"{len(procedure.meetings)} meeting kinds)", markup=False, highlight=False)


@procedure_app.command("show")
def procedure_show(pack: str = PackArg,
                   as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables.")) -> None:
    """The procedure as tables: stages, decisions, deadlines, communications, meetings, each with its source."""
    from service.procedure.views import as_data, sections

    p = _load(pack)
    if as_json:
        print_json(as_data(p))
        return
    out.print(f"{p.label} ({p.id}, version {p.version})", markup=False, highlight=False)
    out.print(f"source: {p.source}", markup=False, highlight=False)
    for title, columns, rows in sections(p):
        table(title, rows, columns, ids=[columns[0]])  # the ids a person types into other commands, whole


@procedure_app.command("graph")
def procedure_graph(pack: str = PackArg,
                    fmt: str = typer.Option("mermaid", "--format", help="mermaid | dot (Graphviz)")) -> None:
    """The stages and what moves a case between them, as Mermaid or Graphviz dot text."""
    from service.procedure.views import dot, mermaid

    if fmt not in ("mermaid", "dot"):
        fail(f"--format {fmt!r}: use mermaid or dot")
    p = _load(pack)
    out.print(mermaid(p) if fmt == "mermaid" else dot(p), markup=False, highlight=False, end="")


@procedure_app.command("versions")
def procedure_versions(config: Optional[Path] = ConfigOpt,
                       as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table.")) -> None:
    """The procedure versions the board's cases run under (kept in the database), with how many cases each,
    and the pack new cases open under."""
    application = app_for(config)
    with application.db.unit_of_work(read_only=True) as uow:
        rows = uow.cases.procedure_versions()
    current = application.procedure
    for r in rows:
        r["new cases"] = "yes" if (r["id"], r["version"]) == (current.id, current.version) else ""
        r["digest"] = r["digest"][:12]
    if not any(r["new cases"] for r in rows):
        rows.append({"id": current.id, "version": current.version, "digest": current.digest[:12], "cases": 0,
                     "new cases": "yes"})
    if as_json:
        print_json(rows)
        return
    table("Procedure versions", rows, ["id", "version", "cases", "new cases", "digest"], ids=["id", "digest"])
