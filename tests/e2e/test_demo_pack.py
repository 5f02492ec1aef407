"""`review-clerk demo --procedure ID`: every shipped pack walks one case from its referral to a final stage."""

from __future__ import annotations

import pytest

from service.procedure.pack import SHIPPED

PACKS = sorted(d.name for d in SHIPPED.iterdir() if (d / "procedure.toml").is_file())


@pytest.mark.parametrize("pack", PACKS)
def test_each_shipped_pack_has_a_demo_that_reaches_the_end_of_a_case(pack, tmp_path):
    import io

    from rich.console import Console

    from service.demo_pack import run_pack_demo
    from service.procedure.pack import load_pack

    text = io.StringIO()
    run_pack_demo(Console(file=text, width=200), pack, tmp_path / "demo", keep=True)
    shown = text.getvalue()
    p = load_pack(SHIPPED / pack, templates=False)
    assert f"opened under {p.key}" in shown, shown
    assert "(its end)" in shown, shown[-3000:]
    assert "Traceback" not in shown
    sent = list((tmp_path / "demo" / "data" / "mail" / "sent").glob("*.eml"))
    assert sent, "the demo sent nothing"


def test_demo_refuses_a_pack_that_is_not_shipped(cli):
    result = cli("demo", "--procedure", "no-such-pack")
    assert result.exit_code == 1
    assert "no shipped pack 'no-such-pack'" in result.output and "enfield-scr-2013" in result.output


@pytest.mark.parametrize("pack", PACKS)
def test_each_shipped_pack_passes_procedure_check_and_procedure_show_prints_it(pack):
    from typer.testing import CliRunner

    from service.cli import app as cli_app
    from service.procedure.pack import load_pack

    runner = CliRunner()
    checked = runner.invoke(cli_app, ["procedure", "check", str(SHIPPED / pack)], env={"COLUMNS": "200"})
    assert checked.exit_code == 0 and "no problems" in checked.output, checked.output
    shown = runner.invoke(cli_app, ["procedure", "show", pack], env={"COLUMNS": "200"})
    p = load_pack(SHIPPED / pack, templates=False)
    assert shown.exit_code == 0 and p.label in shown.output
    assert all(d.id in shown.output for d in p.deadlines), "every deadline rule is shown"
