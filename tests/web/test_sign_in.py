"""Signing in with a single-use link, who may, and the refusals: each audited."""

from __future__ import annotations

import pytest
from conftest import BM, CHAIR, OUTSIDE_PANEL, STANDING_PANEL, VIEWER, csrf_of, sign_in
from test_security import audit_actions

REF = "ESCB-2014-001"


def link_path(board, email, wall) -> str:
    from service.web.signin import issue_link

    url = issue_link(board, email, "test", now=wall)
    assert url.startswith(board.settings.web.public_url + "/sign-in/link/")
    return "/" + url.split("/", 3)[3]


def test_a_link_signs_its_person_in_once(client, board, wall):
    path = link_path(board, BM, wall)
    page = client.get(path)
    assert client.get(path).status_code == 200, "opening the link (a mail scanner) does not use it up"
    r = client.post(path, data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert "ESCB Business Manager (Business Manager)" in client.get("/").text
    again = client.post(path, data={"csrf": csrf_of(client.get("/").text)})
    assert again.status_code == 400 and "cannot be used" in again.text
    assert ("test", "web sign-in link issued") in audit_actions(board)
    assert (BM, "web signed in") in audit_actions(board)
    with board.db.unit_of_work() as uow:
        n, problems = uow.audit.verify()
    assert n > 2 and problems == [], "the web's entries keep the audit trail's hash chain intact"


def test_a_link_lasts_ten_minutes(client, board, wall):
    path = link_path(board, BM, wall)
    page = client.get(path)
    wall.advance(minutes=10, seconds=1)
    r = client.post(path, data={"csrf": csrf_of(page.text)})
    assert r.status_code == 400 and "expired" in r.text
    assert client.get("/", follow_redirects=False).status_code == 303


def test_a_link_is_made_only_for_a_configured_person(board):
    from service.web.signin import issue_link

    with pytest.raises(LookupError, match="not a configured person"):
        issue_link(board, "stranger@example.org", "test")


def test_an_unknown_token_is_refused(client):
    r = client.get("/sign-in/link/not-a-token")
    assert r.status_code == 400 and "cannot be used" in r.text


def test_sign_in_pages_are_rate_limited_per_address(client, board):
    codes = [client.get("/sign-in/link/guess-%d" % i).status_code for i in range(12)]
    assert codes[:10] == [400] * 10 and codes[10:] == [429, 429]
    assert any(action == "web sign-in rate limited" for _, action in audit_actions(board))


@pytest.mark.parametrize("email,role", [(BM, "business_manager"), (CHAIR, "chair"), (STANDING_PANEL, "panel"),
                                        (OUTSIDE_PANEL, "panel"), (VIEWER, "viewer")])
def test_roles_come_from_the_configuration(board, email, role):
    from service.web.access import person_of

    assert person_of(board.settings, email).role.value == role
    assert person_of(board.settings, "someone.else@enfield.example.org") is None


def test_an_entra_app_role_grants_its_role(board):
    from service.web.access import person_of

    settings = board.settings.model_copy(update={"web": board.settings.web.model_copy(
        update={"app_roles": {"ReviewClerk.Viewer": "viewer"}})})
    assert person_of(settings, "auditor@enfield.example.org", ["ReviewClerk.Viewer"]).role.value == "viewer"
    assert person_of(settings, "auditor@enfield.example.org", ["Something.Else"]) is None


def test_a_panel_member_is_refused_a_case_whose_panel_they_do_not_sit_on_and_the_refusal_is_audited(client, board,
                                                                                                     wall):
    sign_in(client, board, OUTSIDE_PANEL, now=wall)
    r = client.get(f"/cases/{REF}")
    assert r.status_code == 403 and "not authorised" in r.text
    assert REF not in client.get("/").text and REF not in client.get("/cases").text
    assert client.get("/mail").status_code == 403 and client.get("/forecast").status_code == 403
    assert client.get("/letters/1").status_code == 403
    assert (OUTSIDE_PANEL, "web request refused") in audit_actions(board)


def test_a_panel_member_reads_the_cases_of_their_panel_and_may_not_act(client, board, wall):
    sign_in(client, board, STANDING_PANEL, now=wall)
    page = client.get(f"/cases/{REF}")
    assert page.status_code == 200 and "Amelia Test" in page.text
    assert 'action="/cases/ESCB-2014-001/record"' not in page.text
    r = client.post(f"/cases/{REF}/record", data={"csrf": csrf_of(page.text), "event": "ofsted_notified",
                                                  "date": "2014-05-13"})
    assert r.status_code == 403


def test_an_agency_panel_member_reads_a_case_once_their_agency_is_involved(client, board, wall):
    from service import cases

    cases.add_agency(board, REF, "beh-mht", "test")
    sign_in(client, board, OUTSIDE_PANEL, now=wall)
    assert client.get(f"/cases/{REF}").status_code == 200


def test_a_person_no_longer_configured_is_signed_out(client, board, wall):
    sign_in(client, board, VIEWER, now=wall)
    assert client.get("/", follow_redirects=False).status_code == 200
    board.settings = board.settings.model_copy(update={"web": board.settings.web.model_copy(update={"viewers": ()})})
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/sign-in"


def test_the_command_prints_a_link_for_a_configured_person_only(board, monkeypatch, capsys):
    from typer.testing import CliRunner

    from service.cli import app as cli_app

    config = board.settings.data_dir.parent / "review-clerk.toml"
    env = {"REVIEW_CLERK_WEB__VIEWERS": f'["{VIEWER}"]', "REVIEW_CLERK_TEST_DATABASE_URL": None}
    if board.settings.database.url:
        env["REVIEW_CLERK_DATABASE__URL"] = board.settings.database.url
    runner = CliRunner()
    ok = runner.invoke(cli_app, ["web", "login-link", "--as", VIEWER, "--config", str(config), "--by", "bm"], env=env)
    assert ok.exit_code == 0, ok.output
    assert f"{board.settings.web.public_url}/sign-in/link/" in ok.output
    refused = runner.invoke(cli_app, ["web", "login-link", "--as", "stranger@example.org", "--config", str(config)],
                            env=env)
    assert refused.exit_code == 1 and "not a configured person" in refused.output
    assert ("bm", "web sign-in link issued") in audit_actions(board)


def test_sessions_and_links_long_over_are_forgotten_at_the_next_sign_in(client, board, wall):
    from service.web import tables as t

    sign_in(client, board, BM, now=wall)
    link_path(board, CHAIR, wall)  # never used
    wall.advance(days=31)
    sign_in(client, board, VIEWER, now=wall)
    with board.db.engine.connect() as conn:
        sessions = [r.email for r in conn.execute(t.sessions.select())]
        links = [r.email for r in conn.execute(t.sign_in_links.select())]
    assert sessions == [VIEWER] and links == [VIEWER]
