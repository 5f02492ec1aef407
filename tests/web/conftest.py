"""The web workspace's fixtures: a board with one referral read (a case open, its Ofsted notification left as a
draft for the Chair), a workspace over it, and people to sign in as.

People (from config/review-clerk.example.toml, plus one viewer):
  Business Manager   escb.business.manager@enfield.example.org
  Chair              escb.chair@enfield.example.org
  panel member       safeguarding@beh-mht.example.org (BEH MHT's member: only on cases involving BEH MHT)
  viewer             viewer@enfield.example.org ([web] viewers)
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage

import pytest

BM = "escb.business.manager@enfield.example.org"
CHAIR = "escb.chair@enfield.example.org"
OUTSIDE_PANEL = "safeguarding@beh-mht.example.org"
STANDING_PANEL = "public.protection@met-police.example.org"
VIEWER = "viewer@enfield.example.org"
CHILD = "Amelia Test"
MOTHER = "Grace Test"


def referral(sender: str = "karen.sample@met-police.example.org", msgid: str = "<a@met-police.example.org>",
             child: str = CHILD) -> bytes:
    from service.demo import FORM_TEXT

    body = FORM_TEXT.format(child=child, child_dob="03/02/2010", mother=MOTHER, mother_dob="14/06/1988",
                            address="1 Example Road, Enfield, EN1 1AA", date="12/05/2014",
                            summary="The child (aged 4) was admitted to hospital with unexplained injuries.",
                            referrer="Karen Sample", phone="020 8345 0000", email=sender)
    m = EmailMessage()
    m["From"], m["To"], m["Subject"], m["Message-ID"] = (sender, "escb.business.manager@enfield.example.org",
                                                          "SCR referral", msgid)
    m["Date"] = "Mon, 12 May 2014 08:00:00 +0100"
    m.set_content(body)
    return bytes(m)


def drop(app, name: str, raw: bytes) -> None:
    (app.settings.data_dir / "mail" / "inbox" / name).write_bytes(raw)


@pytest.fixture
def settings(config_dir, db_env):
    """The example board, with a viewer."""
    from service.config import load_settings

    return load_settings(config_dir / "review-clerk.toml",
                         environ={**db_env, "REVIEW_CLERK_WEB__VIEWERS": f'["{VIEWER}"]'})


@pytest.fixture
def board(app):
    """One referral read: case ESCB-2014-001 open, its Ofsted notification left as a draft for the Chair;
    one referral from an unknown domain held."""
    from service.jobs import read_inbox, send_outbox

    drop(app, "a.eml", referral())
    drop(app, "b.eml", referral(sender="someone@unknown-charity.example.net", msgid="<b@unknown.example.net>",
                                child="Jamie Held"))
    read_inbox(app)
    send_outbox(app)
    return app


class WallClock:
    """The sessions' wall clock, which a test moves."""

    def __init__(self):
        self.at = datetime.now(timezone.utc)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **kw) -> None:
        self.at += timedelta(**kw)


@pytest.fixture
def wall():
    return WallClock()


@pytest.fixture
def client(board, wall):
    """A TestClient over https (the cookies are Secure) on the workspace of ``board``."""
    from starlette.testclient import TestClient

    from service.web.asgi import create_app

    with TestClient(create_app(board, now=wall), base_url="https://testserver") as c:
        yield c


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "a form with a CSRF token"
    return found.group(1)


def sign_in(client, app, email: str, now=None) -> None:
    """Sign ``client`` in as ``email`` with a single-use link, as a person would."""
    from service.web.signin import issue_link

    url = issue_link(app, email, "test", now=now)
    path = url.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path)
    assert page.status_code == 200, page.text
    done = client.post("/" + path, data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert done.status_code == 303, done.text
