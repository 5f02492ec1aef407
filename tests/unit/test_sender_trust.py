"""Who may act by email: the sender must be positively authenticated, from the receiving system's record."""

from __future__ import annotations

import pytest

from service.intake.sender_trust import aligned, judge

DOMAIN = "enfield.gov.uk"
TENANT = "11111111-2222-3333-4444-555555555555"
INTERNAL = [("X-MS-Exchange-Organization-AuthAs", "Internal"),
            ("X-MS-Exchange-Organization-AuthSource", "AM6PR01MB1234.eurprd01.prod.exchangelabs.com")]
EXO_PASS = ("spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=enfield.gov.uk; dkim=pass (signature was verified) "
            "header.d=enfield.gov.uk;dmarc=pass action=none header.from=enfield.gov.uk;compauth=pass reason=100")


def graph(headers, from_domain=DOMAIN, **kw):
    return judge(headers, from_domain, backend="graph", tenant_id=TENANT, **kw)


def test_a_message_internal_to_the_tenant_with_its_authenticating_server_is_trusted():
    v = graph(INTERNAL + [("X-MS-Exchange-CrossTenant-Id", TENANT)])
    assert v.trusted and "organisation" in v.how


def test_internal_without_the_authenticating_server_is_not_trusted():
    assert not graph([("X-MS-Exchange-Organization-AuthAs", "Internal")]).trusted


def test_internal_but_attributed_to_another_tenant_is_not_trusted():
    v = graph(INTERNAL + [("X-MS-Exchange-CrossTenant-Id", "99999999-0000-0000-0000-000000000000")])
    assert not v.trusted and "another Microsoft 365 tenant" in v.why


def test_an_anonymous_message_naming_a_board_address_is_refused():
    v = graph([("X-MS-Exchange-Organization-AuthAs", "Anonymous")])
    assert not v.trusted and "outside the organisation" in v.why


def test_a_partner_connector_is_not_internal():
    assert not graph([("X-MS-Exchange-Organization-AuthAs", "Partner"),
                      ("X-MS-Exchange-Organization-AuthSource", "x.prod.outlook.com")]).trusted


def test_dmarc_pass_aligned_with_the_from_domain_is_trusted():
    v = graph([("Authentication-Results", EXO_PASS), ("X-MS-Exchange-Organization-AuthAs", "Anonymous")])
    assert v.trusted and "dmarc=pass" in v.how


def test_dmarc_pass_for_a_sub_domain_is_aligned():
    v = graph([("Authentication-Results", "dmarc=pass action=none header.from=mail.enfield.gov.uk")])
    assert v.trusted


def test_dkim_pass_signed_by_the_from_domain_is_trusted():
    v = graph([("Authentication-Results", "spf=none; dkim=pass (signature was verified) header.d=enfield.gov.uk; "
                                          "dmarc=none")])
    assert v.trusted and "dkim=pass" in v.how


def test_dkim_pass_signed_by_another_domain_is_not_trusted():
    v = graph([("Authentication-Results", "spf=pass smtp.mailfrom=bulkmail.example; dkim=pass "
                                          "header.d=bulkmail.example; dmarc=none header.from=enfield.gov.uk")])
    assert not v.trusted


def test_a_domain_named_only_in_a_comment_is_not_a_signer():
    v = graph([("Authentication-Results", "dkim=pass (header.d=enfield.gov.uk) header.d=attacker.example")])
    assert not v.trusted


def test_a_message_with_no_authentication_headers_is_refused_on_graph():
    v = graph([])
    assert not v.trusted and "no record" in v.why


def test_trust_local_mail_is_ignored_with_the_graph_backend():
    assert not graph([], trust_local_mail=True).trusted


@pytest.mark.parametrize("trust, trusted", [(False, False), (True, True)])
def test_on_the_local_backend_only_the_setting_trusts_mail(trust, trusted):
    assert judge([], DOMAIN, backend="local", trust_local_mail=trust).trusted is trusted


def test_on_the_local_backend_a_written_in_pass_is_no_evidence():
    v = judge([("Authentication-Results", EXO_PASS)] + INTERNAL, DOMAIN, backend="local")
    assert not v.trusted and "trust_local_mail" in v.why


def test_an_explicit_failure_refuses_even_trusted_local_mail():
    v = judge([("Authentication-Results", "spf=fail; dkim=none; dmarc=fail header.from=enfield.gov.uk")], DOMAIN,
              backend="local", trust_local_mail=True)
    assert not v.trusted and "dmarc=fail" in v.why


def test_only_the_topmost_authentication_results_counts_as_a_pass():
    # The receiving system prepends its own header: one the sender wrote lies below it.
    received = "spf=softfail smtp.mailfrom=attacker.example; dkim=none; dmarc=none"
    written_by_sender = "dmarc=pass header.from=enfield.gov.uk"
    v = graph([("Authentication-Results", received), ("Authentication-Results", written_by_sender)])
    assert not v.trusted


def test_a_failure_anywhere_refuses_whatever_is_above_it():
    v = graph([("Authentication-Results", EXO_PASS),
               ("Authentication-Results", "spf=fail; dkim=none; dmarc=fail header.from=enfield.gov.uk")])
    assert not v.trusted


def test_a_message_without_a_sender_address_is_refused():
    assert not graph(INTERNAL, from_domain="").trusted


@pytest.mark.parametrize("d, f, ok", [("enfield.gov.uk", "enfield.gov.uk", True),
                                      ("mail.enfield.gov.uk", "enfield.gov.uk", True),
                                      ("gov.uk", "enfield.gov.uk", False),
                                      ("notenfield.gov.uk", "enfield.gov.uk", False),
                                      ("example.org", "enfield.gov.uk", False)])
def test_alignment_is_the_same_domain_or_a_sub_domain_never_a_parent(d, f, ok):
    assert aligned(d, f) is ok
