"""The workspace in a real browser: Debian's Chromium driven by Playwright (the system browser; nothing is
downloaded), with axe-core (from the npm registry) run on every page. Screenshots go to test-output/screenshots/.

These never skip: without Chromium or axe-core they fail, naming the step of .ci/run that installs them.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest
from conftest import BM, CHAIR, CHILD, MOTHER, OUTSIDE_PANEL, VIEWER
from test_security import audit_actions

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("REVIEW_CLERK_TEST_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(os.environ.get("REVIEW_CLERK_TEST_AXE", ROOT / ".ci" / "node" / "node_modules" / "axe-core" / "axe.min.js"))
SHOTS = ROOT / "test-output" / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
REF = "ESCB-2014-001"


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: .ci/run installs it (step '== Chromium and "
                    f"axe-core': apt-get install chromium chromium-driver)", pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Python playwright is missing: `make install` installs it (the [test] extras)", pytrace=False)
    pw = sync_playwright().start()
    browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
    yield browser
    browser.close()
    pw.stop()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed at {AXE}: .ci/run installs it (step '== Chromium and axe-core': "
                    f"npm install --prefix .ci/node axe-core@4)", pytrace=False)
    return AXE.read_text(encoding="utf-8")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(board):
    """The workspace of ``board`` served by uvicorn on a free port, as `review-clerk web` serves it."""
    from service.web.serve import server as make_server

    port = free_port()
    board.settings = board.settings.model_copy(update={"web": board.settings.web.model_copy(
        update={"public_url": f"http://127.0.0.1:{port}"})})
    s = make_server(board, "127.0.0.1", port)
    thread = threading.Thread(target=s.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not s.started:
        assert time.monotonic() < deadline, "the workspace did not start"
        time.sleep(0.05)
    yield board.settings.web.public_url
    s.should_exit = s.force_exit = True  # the browser's kept-alive connections need not finish
    thread.join(10)


class Browser:
    """One person's browser: a Playwright page that checks each page with axe-core and keeps screenshots."""

    def __init__(self, context, axe: str, base: str):
        self.context = context
        self.page = context.new_page()
        self.axe = axe
        self.base = base
        self.csp_violations: list[str] = []
        self.page.on("console", lambda m: self.csp_violations.append(m.text)
                     if "Content Security Policy" in m.text else None)

    def sign_in(self, board, email: str) -> None:
        from service.web.signin import issue_link

        self.page.goto(issue_link(board, email, "browser test"))
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url(self.base + "/")

    def check(self, name: str) -> None:
        """axe-core finds no serious or critical violation; the page loads nothing the CSP refuses; a screenshot."""
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        if self.context_js:
            self.page.evaluate(self.axe)  # DevTools evaluation: not page script, so the CSP does not apply
            result = self.page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
            bad = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
                   for v in result["violations"] if v["impact"] in ("serious", "critical")]
            assert not bad, f"{name}: " + "; ".join(bad)
        assert not self.csp_violations, self.csp_violations

    context_js = True


@pytest.fixture
def open_browser(chromium, axe_source, server):
    contexts = []

    def make(js: bool = True) -> Browser:
        context = chromium.new_context(java_script_enabled=js, viewport={"width": 1280, "height": 900})
        contexts.append(context)
        b = Browser(context, axe_source, server)
        b.context_js = js
        return b

    yield make
    for c in contexts:
        c.close()


def test_the_business_manager_signs_in_records_an_event_and_opens_a_case_from_held_mail(open_browser, board, server):
    from service import cases

    b = open_browser()
    from service.web.signin import issue_link

    b.page.goto(issue_link(board, BM, "browser test"))
    b.check("01-sign-in-link")
    b.page.get_by_role("button", name="Sign in").click()
    b.page.wait_for_url(server + "/")
    assert b.page.get_by_role("heading", name="Dashboard", level=1).is_visible()
    assert "Notify Ofsted of the serious incident" in b.page.locator("#week-h + table").inner_text()
    b.check("02-dashboard")

    b.page.get_by_role("link", name="Cases", exact=True).click()
    b.check("03-cases")
    b.page.get_by_role("link", name=REF).first.click()
    assert b.page.title() == f"Case {REF} – Review Clerk"
    assert CHILD in b.page.inner_text("#main")
    assert b.page.locator("svg.timeline rect.bar").count() == len(cases.show(board, REF)["deadlines"])
    b.check("04-case")

    b.page.select_option("#event", "ofsted_notified")
    b.page.fill("#event-date", "2014-05-12")
    b.page.get_by_role("button", name="Record", exact=True).click()
    assert b.page.get_by_role("status").inner_text() == "The event is recorded."
    row = b.page.locator("tr", has_text="Notify Ofsted of the serious incident")
    assert "met on 2014-05-12" in row.inner_text()
    b.check("05-event-recorded")

    row.get_by_role("link").click()
    b.check("06-deadline")

    b.page.get_by_role("link", name="Mail").click()
    b.check("07-mail")
    b.page.get_by_role("link", name="Message 2").click()
    assert b.page.input_value("#subject_0_name") == "Jamie Held"
    b.page.fill("#subject_0_relationship", "child of the family")
    b.check("08-open-from-held-message")
    b.page.get_by_role("button", name="Open the case", exact=True).click()
    b.page.wait_for_url(server + "/cases/ESCB-2014-002?done=opened")
    assert "Jamie Held" in b.page.inner_text("#main") and "child of the family" in b.page.inner_text("#main")
    b.check("09-case-opened-from-message")

    b.page.get_by_role("link", name="Forecast").click()
    b.check("10-forecast")
    b.page.get_by_role("link", name="Calendar").click()
    assert "Notify Ofsted of the serious incident" in b.page.locator("table.month").inner_text()
    b.check("10b-calendar")
    b.page.get_by_role("button", name="Make my calendar link").click()
    assert "/calendar/feed/" in b.page.input_value("#feed-url")
    b.check("10c-calendar-link")
    b.page.get_by_role("button", name="Sign out").click()
    assert b.page.get_by_role("heading", name="Signed out").is_visible()
    b.page.goto(server + f"/cases/{REF}")
    assert b.page.url == server + "/sign-in"
    b.check("11-signed-out")


def test_the_chair_approves_the_draft_and_gives_a_decision_with_reasons(open_browser, board, server):
    from service import cases

    b = open_browser()
    b.sign_in(board, CHAIR)
    b.page.get_by_role("link", name="incident notification").click()
    assert "Notification of a serious incident" in b.page.inner_text("#main")
    b.check("12-draft-letter")
    b.page.get_by_role("button", name="Approve and send").click()
    assert b.page.get_by_role("status").inner_text() == "The letter is approved and sent."
    letters = b.page.locator("#letters-h + table")
    assert "sent" in letters.locator("tr", has_text="incident notification").inner_text()

    b.page.get_by_label("Serious case review").check()
    b.page.fill("#decision-date", "2014-05-12")
    b.page.fill("#decision-reason", "The child was seriously harmed and agencies' working together is in question.")
    b.page.get_by_role("button", name="Record the decision").click()
    assert b.page.get_by_role("status").inner_text() == "The decision is recorded."
    assert "agencies' working together is in question" in b.page.inner_text("#main")
    b.check("13-decision-recorded")
    assert cases.show(board, REF)["outcome"] == "scr"


def test_a_panel_member_who_tries_a_case_not_theirs_is_refused(open_browser, board, server):
    b = open_browser()
    b.sign_in(board, OUTSIDE_PANEL)
    assert REF not in b.page.inner_text("#main")
    response = b.page.goto(server + f"/cases/{REF}")
    assert response.status == 403
    assert b.page.get_by_role("heading", name="Not authorised").is_visible()
    assert CHILD not in b.page.content()
    b.check("14-not-authorised")
    assert (OUTSIDE_PANEL, "web request refused") in audit_actions(board)


def test_a_viewer_sees_no_names(open_browser, board, server):
    b = open_browser()
    b.sign_in(board, VIEWER)
    b.page.goto(server + f"/cases/{REF}")
    text = b.page.content()
    for personal in (CHILD, MOTHER, "Amelia", "Grace", "2010-02-03", "Example Road"):
        assert personal not in text
    assert "AT" in b.page.locator("#people-h + p + table").inner_text()
    b.check("15-viewer-case")


def test_everything_works_with_javascript_off_and_by_keyboard(open_browser, board, server):
    from service import cases

    b = open_browser(js=False)
    b.sign_in(board, BM)
    b.page.goto(server + f"/cases/{REF}")
    b.page.select_option("#event", "ofsted_notified")
    b.page.fill("#event-date", "2014-05-12")
    b.page.locator("#event-date").press("Enter")  # submits by keyboard
    b.page.wait_for_url(server + f"/cases/{REF}?done=recorded")
    assert "ofsted_notified" in cases.show(board, REF)["events"]

    k = open_browser()
    k.sign_in(board, BM)
    k.page.keyboard.press("Tab")
    assert k.page.evaluate("document.activeElement.textContent") == "Skip to main content"
    k.page.keyboard.press("Enter")
    assert k.page.evaluate("document.activeElement.id") == "main"
    k.page.keyboard.press("Tab")
    assert k.page.evaluate("document.activeElement.closest('main') !== null")


def test_the_accessibility_check_fails_on_a_page_with_violations(open_browser):
    """The axe-core check above can fail: an unlabelled field and an image without text are found."""
    b = open_browser()
    b.page.set_content('<html lang="en"><head><title>t</title></head><body><main><h1>t</h1>'
                       '<input type="text"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></main></body></html>')
    with pytest.raises(AssertionError, match="label|image-alt"):
        b.check("00-axe-self-check")


def test_signing_in_with_entra_id_in_the_browser(chromium, axe_source, board, tmp_path, monkeypatch):
    """The whole redirect dance in Chromium: the workspace, the stand-in Entra ID (HTTPS), and back."""
    import uvicorn
    from entra_standin import CLIENT_ID, SECRET, TENANT, EntraStandIn, self_signed
    from pydantic import SecretStr

    from service.web.serve import server as make_server

    cert, key = self_signed(tmp_path)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    web_port, entra_port = free_port(), free_port()
    public = f"http://127.0.0.1:{web_port}"
    fake = EntraStandIn(f"https://127.0.0.1:{entra_port}", f"{public}/sign-in/entra/callback")
    s = board.settings
    board.settings = s.model_copy(update={
        "graph": s.graph.model_copy(update={"tenant_id": TENANT, "client_id": CLIENT_ID,
                                            "client_secret": SecretStr(SECRET), "authority": fake.base}),
        "web": s.web.model_copy(update={"entra_sign_in": True, "public_url": public})})
    servers = [uvicorn.Server(uvicorn.Config(fake.app(), host="127.0.0.1", port=entra_port, log_config=None,
                                             ssl_certfile=str(cert), ssl_keyfile=str(key))),
               make_server(board, "127.0.0.1", web_port)]
    threads = [threading.Thread(target=x.run, daemon=True) for x in servers]
    for t in threads:
        t.start()
    try:
        deadline = time.monotonic() + 20
        while not all(x.started for x in servers):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        context = chromium.new_context(ignore_https_errors=True)  # the stand-in's certificate is our own
        b = Browser(context, axe_source, public)
        b.page.goto(public + "/sign-in")
        b.check("16-sign-in-with-microsoft")
        b.page.get_by_role("link", name="Sign in with Microsoft").click()
        b.page.wait_for_url(public + "/")
        assert "ESCB Business Manager (Business Manager)" in b.page.inner_text("header")
        assert [r[0] for r in fake.requests] == ["authorize", "token"]
        context.close()
    finally:
        for x in servers:
            x.should_exit = x.force_exit = True
        for t in threads:
            t.join(10)
