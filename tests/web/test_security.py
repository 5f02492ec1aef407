"""What a council's penetration test checks: headers, cookies, CSRF, sessions that end, errors without a traceback,
and no personal data in a URL or a page title."""

from __future__ import annotations

import logging
import re

import pytest
from conftest import BM, CHILD, MOTHER, csrf_of, sign_in

REF = "ESCB-2014-001"


def audit_actions(app) -> list[tuple[str, str]]:
    from service.store import tables as t

    with app.db.engine.connect() as conn:
        return [(r.actor, r.action) for r in conn.execute(t.audit_events.select().order_by(t.audit_events.c.id))]


def test_every_response_carries_the_security_headers_and_no_script_is_allowed(client, board, wall):
    for response in (client.get("/sign-in"), client.get("/static/web.css"), client.get("/no-such-page")):
        h = response.headers
        csp = h["content-security-policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "script-src" not in csp and "unsafe-inline" not in csp
        assert h["x-content-type-options"] == "nosniff" and h["referrer-policy"] == "no-referrer"
        assert "strict-transport-security" not in h  # public_url is http:// here


def test_hsts_is_sent_when_the_workspace_is_served_over_tls(board, wall):
    from starlette.testclient import TestClient

    from service.web.asgi import create_app

    board.settings = board.settings.model_copy(update={"web": board.settings.web.model_copy(
        update={"public_url": "https://review-clerk.example.org"})})
    with TestClient(create_app(board, now=wall), base_url="https://testserver") as c:
        assert c.get("/sign-in").headers["strict-transport-security"].startswith("max-age=31536000")


def test_the_session_cookie_is_httponly_secure_and_samesite_lax(client, board, wall):
    from service.web.signin import issue_link

    path = "/" + issue_link(board, BM, "test", now=wall).split("/", 3)[3]
    page = client.get(path)
    done = client.post(path, data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    cookie = next(v for v in done.headers.get_list("set-cookie") if v.startswith("rc_session="))
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie


def test_a_form_without_its_csrf_token_does_nothing(client, board, wall):
    sign_in(client, board, BM, now=wall)
    for data in ({}, {"csrf": "forged"}):
        r = client.post(f"/cases/{REF}/record", data={**data, "event": "ofsted_notified", "date": "2014-05-13"})
        assert r.status_code == 403 and "expired" in r.text
    from service import cases

    assert "ofsted_notified" not in cases.show(board, REF)["events"]


def test_a_token_from_another_browser_is_refused(client, board, wall):
    from starlette.testclient import TestClient

    sign_in(client, board, BM, now=wall)
    token = csrf_of(client.get(f"/cases/{REF}").text)
    with TestClient(client.app, base_url="https://testserver") as other:
        sign_in(other, board, BM, now=wall)
        r = other.post(f"/cases/{REF}/record", data={"csrf": token, "event": "ofsted_notified", "date": "2014-05-13"})
        assert r.status_code == 403


def test_a_tampered_session_cookie_signs_nobody_in(client, board, wall):
    sign_in(client, board, BM, now=wall)
    value = client.cookies.get("rc_session")
    client.cookies.clear()
    client.cookies.set("rc_session", value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/sign-in"


def test_a_session_idle_for_thirty_minutes_ends_and_activity_keeps_it_alive(client, board, wall):
    sign_in(client, board, BM, now=wall)
    wall.advance(minutes=29)
    assert client.get("/", follow_redirects=False).status_code == 200
    wall.advance(minutes=29)
    assert client.get("/", follow_redirects=False).status_code == 200
    wall.advance(minutes=31)
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/sign-in"
    assert (BM, "web session timed out") in audit_actions(board)


def test_signing_out_ends_the_session_even_for_a_copied_cookie(client, board, wall):
    sign_in(client, board, BM, now=wall)
    stolen = client.cookies.get("rc_session")
    page = client.get("/")
    r = client.post("/sign-out", data={"csrf": csrf_of(page.text)})
    assert r.status_code == 200 and "Signed out" in r.text
    client.cookies.set("rc_session", stolen)
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/sign-in"
    assert (BM, "web signed out") in audit_actions(board)


def test_a_failure_shows_a_reference_not_a_traceback_and_the_log_has_it(client, board, wall, monkeypatch, caplog):
    from starlette.testclient import TestClient

    from service.web import workspace

    def broken(*args, **kwargs):
        raise RuntimeError(f"something about {CHILD}")

    monkeypatch.setattr(workspace, "dashboard", broken)
    with TestClient(client.app, base_url="https://testserver", raise_server_exceptions=False) as browser:
        sign_in(browser, board, BM, now=wall)
        with caplog.at_level(logging.ERROR, logger="review_clerk.web"):
            r = browser.get("/")
    assert r.status_code == 500
    reference = re.search(r'class="ref">([0-9A-F]{8})<', r.text).group(1)
    assert "Traceback" not in r.text and CHILD not in r.text and "RuntimeError" not in r.text
    [record] = [rec for rec in caplog.records if rec.getMessage() == "web request failed"]
    assert record.error_reference == reference and record.exc_info is not None
    assert CHILD not in record.getMessage()


def test_no_url_or_page_title_carries_a_name_and_every_form_has_a_csrf_token(client, board, wall):
    sign_in(client, board, BM, now=wall)
    seen, todo, urls, titles, forms = set(), ["/"], set(), [], 0
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        page = client.get(path)
        assert page.status_code == 200, path
        titles += re.findall(r"<title>(.*?)</title>", page.text)
        for form in re.findall(r'<form method="post".*?</form>', page.text, re.S):
            assert 'name="csrf"' in form, f"a form without a CSRF token on {path}"
        forms += len(re.findall(r'<form method="post"', page.text))
        links = re.findall(r'href="([^"]+)"', page.text)
        urls.update(links + re.findall(r'action="([^"]+)"', page.text))
        todo += [u for u in links if u.startswith("/") and not u.startswith("/static") and "/sign-" not in u
                 and "month=" not in u and u not in seen]  # months go on for ever: this one is enough
        assert len(seen) < 300, "the crawl should end"
    assert CHILD in client.get(f"/cases/{REF}").text  # the page body does name the child, for the Business Manager
    assert len(seen) > 8 and forms > 10
    for text in [*urls, *titles]:
        for personal in (CHILD, MOTHER, "Amelia", "2010-02-03", "03/02/2010", "Example Road"):
            assert personal not in text, text


@pytest.mark.parametrize("path", ["/", "/cases", f"/cases/{REF}", "/mail", "/forecast", "/letters/1"])
def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client, path):
    r = client.get(path, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/sign-in"


def test_an_action_by_a_visitor_who_is_not_signed_in_is_refused(client, board):
    from service import cases

    client.get("/sign-in")
    signer = client.app.state.web.signer
    browser = signer.unsign("browser", client.cookies.get("rc_browser"))
    r = client.post(f"/cases/{REF}/record", follow_redirects=False,
                    data={"csrf": signer.csrf_token(browser, None), "event": "ofsted_notified", "date": "2014-05-13"})
    assert r.status_code == 303 and r.headers["location"] == "/sign-in"
    assert "ofsted_notified" not in cases.show(board, REF)["events"]


def test_served_with_tls_itself_it_sends_hsts_and_the_session_cookie_over_https(board, tmp_path):
    import threading
    import time

    import requests
    from entra_standin import self_signed
    from test_entra_sign_in import free_port

    from service.web.serve import server as make_server
    from service.web.signin import issue_link

    cert, key = self_signed(tmp_path)
    port = free_port()
    board.settings = board.settings.model_copy(update={"web": board.settings.web.model_copy(update={
        "tls_certificate": cert, "tls_private_key": key, "public_url": f"https://127.0.0.1:{port}"})})
    s = make_server(board, "127.0.0.1", port)
    thread = threading.Thread(target=s.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not s.started:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        browser = requests.Session()  # keeps the Secure cookies: this is https
        url = issue_link(board, BM, "test")
        page = browser.get(url, timeout=5, verify=str(cert))
        assert page.headers["strict-transport-security"].startswith("max-age=")
        done = browser.post(url, data={"csrf": csrf_of(page.text)}, allow_redirects=False, timeout=5, verify=str(cert))
        assert done.status_code == 303
        assert "Dashboard" in browser.get(f"https://127.0.0.1:{port}/", timeout=5, verify=str(cert)).text
    finally:
        s.should_exit = s.force_exit = True
        thread.join(10)
