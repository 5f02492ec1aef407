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
