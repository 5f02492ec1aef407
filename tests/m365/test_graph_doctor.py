"""``run_doctor``: what an administrator sees for the usual misconfigurations."""

from __future__ import annotations

import datetime as dt
import email.utils

import pytest
import responses
from graph_stubs import AUTHORITY, MAILBOX, SECRET, G, graph_settings
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from service.m365 import Check, run_doctor
from service.m365.doctor import credential_checks

TODAY = dt.date(2026, 1, 1)


def stub_mailbox_ok(rsps, *, date_header: str | None = None):
    headers = {"Date": date_header} if date_header else {}
    rsps.add(responses.GET, f"{G}/mailFolders/inbox", headers=headers,
             json={"id": "inbox-id", "displayName": "Inbox", "totalItemCount": 12})
    rsps.add(responses.POST, f"{G}/messages", status=201, json={"id": "doctor-draft"})
    rsps.add(responses.DELETE, f"{G}/messages/doctor-draft", status=204)
    rsps.add(responses.GET, f"{G}/calendar", json={"id": "cal", "name": "Calendar"})


def by_name(checks: list[Check]) -> dict[str, Check]:
    return {c.name: c for c in checks}


def doctor(clock, **overrides) -> dict[str, Check]:
    checks = run_doctor(graph_settings(**overrides), MAILBOX, clock=clock, sleep=clock.sleep, today=TODAY)
    for c in checks:  # secrets never reach an administrator's screen or a log file
        assert SECRET not in c.detail and SECRET not in (c.fix or "")
    return by_name(checks)


def test_a_healthy_setup_passes_every_check(rsps, token_endpoint, clock):
    stub_mailbox_ok(rsps, date_header=email.utils.formatdate(clock(), usegmt=True))

    checks = doctor(clock, secret_expires="2026-12-31")

    assert [n for n, c in checks.items() if not c.ok or c.warning] == []
    assert set(checks) == {"configuration", "client secret", "token", "permissions", "mailbox", "clock",
                           "drafts", "calendar"}
    assert "12 items" in checks["mailbox"].detail


def test_missing_admin_consent_is_reported_with_the_permissions_to_grant(rsps, token_endpoint, clock):
    token_endpoint.roles = ()
    rsps.add(responses.GET, f"{G}/mailFolders/inbox", status=403, json={"error": {
        "code": "ErrorAccessDenied", "message": "Access is denied. Check credentials and try again."}})

    checks = doctor(clock, secret_expires="2026-12-31")

    assert not checks["permissions"].ok and "admin consent" in checks["permissions"].detail
    assert "Mail.ReadWrite, Mail.Send, Calendars.ReadWrite" in checks["permissions"].fix
    assert "Grant admin consent" in checks["permissions"].fix
    assert not checks["mailbox"].ok and "Grant admin consent" in checks["mailbox"].fix


def test_a_missing_send_permission_is_named(rsps, token_endpoint, clock):
    token_endpoint.roles = ("Mail.ReadWrite", "Calendars.ReadWrite")
    stub_mailbox_ok(rsps)
    checks = doctor(clock, secret_expires="2026-12-31")
    assert not checks["permissions"].ok and "Mail.Send" in checks["permissions"].detail


def test_a_wrong_tenant_is_reported_with_the_setting_to_fix(rsps, clock):
    rsps.add(responses.GET, f"{AUTHORITY}/wrong-tenant/v2.0/.well-known/openid-configuration", status=400,
             json={"error": "invalid_tenant", "error_description": "AADSTS90002: Tenant 'wrong-tenant' not found."})

    checks = doctor(clock, tenant_id="wrong-tenant", secret_expires="2026-12-31")

    assert not checks["token"].ok and "tenant was not found" in checks["token"].detail
    assert "graph.tenant_id" in checks["token"].fix
    assert checks["mailbox"].detail == "not checked: no token"


def test_an_expired_secret_fails_with_its_date_and_the_token_error_says_why(rsps, token_endpoint, clock):
    token_endpoint.status = 401
    token_endpoint.error = {"error": "invalid_client", "error_codes": [7000222],
                            "error_description": "AADSTS7000222: The provided client secret keys are expired."}

    checks = doctor(clock, secret_expires="2025-12-01")

    assert not checks["client secret"].ok and "2025-12-01" in checks["client secret"].detail
    assert not checks["token"].ok and "expired" in checks["token"].detail
    assert "new client secret" in checks["token"].fix


def test_a_secret_expiring_within_30_days_is_a_warning(rsps, token_endpoint, clock):
    stub_mailbox_ok(rsps)
    checks = doctor(clock, secret_expires="2026-01-20")
    assert checks["client secret"].ok and checks["client secret"].warning
    assert "2026-01-20" in checks["client secret"].detail and "19 days" in checks["client secret"].detail


def test_a_mailbox_outside_the_rbac_scope_gets_the_exchange_commands(rsps, token_endpoint, clock):
    rsps.add(responses.GET, f"{G}/mailFolders/inbox", status=403, json={"error": {
        "code": "ErrorAccessDenied", "message": "Access is denied. Check credentials and try again."}})

    checks = doctor(clock, secret_expires="2026-12-31")

    mailbox = checks["mailbox"]
    assert checks["permissions"].ok and not mailbox.ok
    assert "RBAC scope" in mailbox.detail
    assert "New-ManagementScope" in mailbox.fix and "New-ManagementRoleAssignment -App" in mailbox.fix
    assert MAILBOX in mailbox.fix
    assert "drafts" not in checks  # not attempted once the mailbox cannot be read


def test_clock_skew_against_graphs_date_header_is_reported(rsps, token_endpoint, clock):
    stub_mailbox_ok(rsps, date_header=email.utils.formatdate(clock() - 600, usegmt=True))
    checks = doctor(clock, secret_expires="2026-12-31")
    assert not checks["clock"].ok and "+600 s" in checks["clock"].detail and "NTP" in checks["clock"].fix


def test_incomplete_configuration_stops_before_any_request(rsps, clock):
    checks = run_doctor(graph_settings(client_id=None, client_secret=None), None, clock=clock, sleep=clock.sleep)
    assert len(checks) == 1 and not checks[0].ok
    assert "graph.client_id" in checks[0].detail and "mailbox" in checks[0].detail
    assert len(rsps.calls) == 0


def _cert(days_left: int):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "review-clerk")])
    start = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    end = dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.timezone.utc) + dt.timedelta(days=days_left)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(7).not_valid_before(start).not_valid_after(end).sign(key, hashes.SHA256()))
    return key, cert


@pytest.mark.parametrize("days_left, ok, warning", [(200, True, False), (10, True, True), (-3, False, False)])
def test_the_certificate_expiry_is_read_from_the_pem(tmp_path, clock, days_left, ok, warning):
    key, cert = _cert(days_left)
    pem = tmp_path / "app.pem"
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()) + cert.public_bytes(serialization.Encoding.PEM))
    check = credential_checks(graph_settings(client_secret=None, certificate_path=str(pem),
                                              certificate_thumbprint="AB" * 20), TODAY)[0]
    assert (check.ok, check.warning) == (ok, warning)
    expires = (TODAY + dt.timedelta(days=days_left)).isoformat()
    assert expires in check.detail


def test_an_expired_pfx_certificate_fails(tmp_path, clock):
    key, cert = _cert(-1)
    pfx = tmp_path / "app.pfx"
    pfx.write_bytes(pkcs12.serialize_key_and_certificates(b"rc", key, cert, None,
                                                          serialization.BestAvailableEncryption(b"pw")))
    check = credential_checks(graph_settings(client_secret=None, certificate_pfx_path=str(pfx),
                                              certificate_password="pw"), TODAY)[0]
    assert not check.ok and "expired on 2025-12-31" in check.detail
