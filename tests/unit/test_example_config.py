"""The example configuration `init` copies mails nobody real: every address in it is under
example.org, reserved for documentation (RFC 2606)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

from service.config import load_settings

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "review-clerk.example.toml"
# Microsoft's own endpoints are where the graph backend connects, not anybody's address.
SERVICES = {"graph.microsoft.com", "login.microsoftonline.com"}


def documentation_domain(domain: str) -> bool:
    return domain.lower() == "example.org" or domain.lower().endswith(".example.org")


def test_every_email_address_in_the_example_configuration_is_under_example_org():
    text = EXAMPLE.read_text()
    addresses = re.findall(r"(?<![/\w.+-])[\w.+-]+@([\w-]+(?:\.[\w-]+)+)", text)
    assert len(addresses) > 20
    assert [d for d in addresses if not documentation_domain(d)] == []


def test_every_web_address_in_the_example_configuration_is_under_example_org_or_microsoft():
    # (a placeholder such as http://<listen>/metrics names no host)
    hosts = {urlparse(u).hostname for u in re.findall(r"https?://[\w.-]+[^\s\"']*", EXAMPLE.read_text())}
    assert [h for h in hosts if h not in SERVICES and not documentation_domain(h)] == []


def test_the_settings_read_from_it_send_to_example_org_only():
    s = load_settings(EXAMPLE, environ={})
    people = [s.board.mailbox, s.notifications.ofsted, s.notifications.national_panel]
    people += [p.email for p in (s.people.chair, s.people.business_manager, s.people.head_of_sqas)]
    people += [m.email for m in s.panel] + [m.email for m in s.board_members]
    people += [a.chief_executive.email for a in s.agencies] + [a.panel_member.email for a in s.agencies]
    assert people and all(documentation_domain(e.rsplit("@", 1)[1]) for e in people), people
    assert all(documentation_domain(d) for a in s.agencies for d in a.domains)
