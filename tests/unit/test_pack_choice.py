"""Which pack a referral opens under when a board runs several (service.intake.pack_choice), and the pack keys
that say so (reference_format, referral_wordings)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from service.domain.procedure import reference_format_problem
from service.intake.pack_choice import choose
from service.procedure.pack import default, parse_pack

SCR = default()
CSPR = replace(SCR, id="cspr", referral_wordings=("serious incident notification", "rapid review"))
SAR = replace(SCR, id="sar", referral_wordings=("safeguarding adults review",))
ALL = (SCR, CSPR, SAR)


def test_the_subject_names_the_pack():
    assert choose(ALL, SCR, ["Rapid Review referral", "", "", ""]) is CSPR
    assert choose(ALL, SCR, ["Safeguarding  adults\treview - new referral"]) is SAR


def test_a_referral_naming_no_packs_phrase_opens_under_the_default():
    assert choose(ALL, SCR, ["SCR referral", "referral.docx", "Please consider a serious case review.", ""]) is SCR


def test_the_subject_wins_over_the_body_and_a_word_inside_another_does_not_count():
    places = ["Serious incident notification", "", "as the safeguarding adults review found last year", ""]
    assert choose(ALL, SCR, places) is CSPR
    assert choose(ALL, SCR, ["Fwd: Corporate reviews", "nonrapid reviewer.docx"]) is SCR


def test_an_attachment_name_or_the_forms_words_name_the_pack_when_the_subject_does_not():
    assert choose(ALL, SCR, ["Referral", "Rapid review form.docx", "", ""]) is CSPR
    assert choose(ALL, SCR, ["Referral", "", "", "the criteria for a safeguarding adults review are met"]) is SAR


def test_a_pack_not_in_use_is_never_chosen():
    assert choose((SCR, SAR), SCR, ["Rapid review referral"]) is SCR


def test_a_pack_gives_its_reference_format_and_phrases_and_a_bad_format_is_a_problem():
    text = SCR.text.replace('opens_with = "referral_received"',
                            'opens_with = "referral_received"\nreference_format = "CSPR-{year}-{seq:03d}"\n'
                            'referral_wordings = ["rapid review"]', 1)
    p, problems = parse_pack(text, "test")
    assert problems == [] and p.reference_format == "CSPR-{year}-{seq:03d}" and p.referral_wordings == ("rapid review",)
    assert reference_format_problem("CSPR-{year}") == "a format containing {seq}, e.g. CSPR-{year}-{seq:03d}"
    assert reference_format_problem("CSPR-{yr}-{seq}") is not None
    assert reference_format_problem("CSPR-{year}-{seq:03d}") is None


def test_an_event_can_require_another_some_working_days_before_it():
    from service.domain.timeline import requirement_problem
    from service.procedure.pack import load_pack, shipped

    cspr = load_pack(shipped("cspr-wt2023"), templates=False)
    sent = date(2025, 12, 19)  # a Friday: 7 working days later, over Christmas and New Year, is Friday 2 January
    events = {"prepublication_sent": sent}
    early = requirement_problem(cspr, events, "published", date(2025, 12, 31))  # 12 calendar days, 6 working
    assert early is not None and "7 working days" in early and "2026-01-02" in early
    assert requirement_problem(cspr, events, "published", date(2026, 1, 2)) is None
