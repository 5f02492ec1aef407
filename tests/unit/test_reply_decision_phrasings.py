"""Every way of writing an outcome that the reply reader accepted before the phrasings came from the pack is
still read, as the same outcome, with the shipped SCR pack (and with the same reasons)."""

from __future__ import annotations

import pytest

from service.intake import instructions
from service.procedure.pack import default

# Each phrasing the 2013 engine's patterns accepted, with the outcome id it gave.
ACCEPTED = [
    ("serious case review", "scr"), ("a serious case review", "scr"), ("Serious Case Review", "scr"),
    ("serious   case\treview", "scr"), ("A SERIOUS CASE REVIEW", "scr"),
    ("scr", "scr"), ("SCR", "scr"), ("a SCR", "scr"), ("an SCR", "scr"), ("An scr", "scr"),
    ("management review", "management-review"), ("a management review", "management-review"),
    ("Management  Review", "management-review"), ("mr", "management-review"), ("MR", "management-review"),
    ("alternative review", "alternative-review"), ("an alternative review", "alternative-review"),
    ("a alternative review", "alternative-review"), ("alternative form of review", "alternative-review"),
    ("an alternative form of review", "alternative-review"), ("Alternative  form  of  review", "alternative-review"),
    ("no review", "none"), ("No Review", "none"), ("no further review", "none"), ("no  further  review", "none"),
    ("none", "none"), ("NONE", "none"),
]


def read(text: str):
    scr = default()
    return instructions.decision(text.split("\n"), instructions.outcomes_for(scr, scr.initial_stage.id))


@pytest.mark.parametrize("phrase, outcome", ACCEPTED)
def test_each_phrasing_the_old_patterns_accepted_is_still_read(phrase, outcome):
    got = read(f"Decision: {phrase}\nThe reasons.")
    assert isinstance(got, instructions.Decision), (phrase, got)
    assert str(got.outcome) == outcome and got.reason == "The reasons.", phrase


@pytest.mark.parametrize("phrase, outcome", ACCEPTED)
def test_with_the_reasons_on_the_same_line(phrase, outcome):
    got = read(f"Decision: {phrase}, because the criteria are met")
    assert isinstance(got, instructions.Decision) and str(got.outcome) == outcome, phrase
    assert got.reason == "the criteria are met"


@pytest.mark.parametrize("first, outcome", [
    ("Decision: **serious case review**", "scr"), ("**Decision:** SCR", "scr"), ("**Decision: SCR**", "scr"),
    ("Decision - management review", "management-review"), ("DECISION — no further review", "none"),
    ("  decision:   an alternative form of review.", "alternative-review"), ("Decision: SCR.", "scr"),
    ("Decision: none;", "none"), ("Decision: MR (the panel agreed)", "management-review"),
])
def test_markdown_dashes_and_punctuation_around_the_words(first, outcome):
    got = read(f"{first}\nThe reasons.")
    assert isinstance(got, instructions.Decision) and str(got.outcome) == outcome, first


@pytest.mark.parametrize("phrase", ["no SCR", "No serious case review", "no scr at all"])
def test_no_scr_stays_ambiguous(phrase):
    got = read(f"Decision: {phrase}\nThe reasons.")
    assert isinstance(got, instructions.Unreadable) and "management review" in got.why


@pytest.mark.parametrize("phrase", ["scrutiny first", "mrs smith decides", "nonetheless SCR", "review"])
def test_a_word_that_only_starts_like_an_outcome_is_not_one(phrase):
    got = read(f"Decision: {phrase}\nThe reasons.")
    assert isinstance(got, instructions.Unreadable) and "not recognised" in got.why, phrase


# The phrasings are the pack's -------------------------------------------------------------------
def _outcomes():
    from service.domain.procedure import Outcome

    return (Outcome("rapid-review", "Rapid review", "rr", phrasings=("rapid review", "RR")),
            Outcome("cspr", "Local child safeguarding practice review", "cspr",
                    phrasings=("local child safeguarding practice review", "LCSPR", "practice review")),
            Outcome("none", "No further action", "closed", phrasings=("no further action", "NFA")))


@pytest.mark.parametrize("phrase, outcome", [
    ("rapid review", "rapid-review"), ("a Rapid  Review", "rapid-review"), ("RR", "rapid-review"),
    ("the LCSPR", "cspr"), ("a local child safeguarding practice review", "cspr"), ("practice review", "cspr"),
    ("NFA", "none"), ("no further action", "none")])
def test_another_packs_phrasings_are_what_is_read(phrase, outcome):
    got = instructions.decision([f"Decision: {phrase}", "The reasons."], _outcomes())
    assert got == instructions.Decision(outcome, "The reasons.")


def test_the_shipped_words_are_not_read_for_another_pack_and_the_help_names_its_words():
    got = instructions.decision(["Decision: SCR", "The reasons."], _outcomes())
    assert isinstance(got, instructions.Unreadable)
    assert got.why.endswith("write the first line as 'Decision: rapid review', 'Decision: local child "
                            "safeguarding practice review' or 'Decision: no further action', with the reasons "
                            "after it")


def test_the_help_for_the_shipped_pack_is_the_words_it_always_gave():
    scr = default()
    assert instructions.how(instructions.outcomes_for(scr, "referral_received")) == (
        "write the first line as 'Decision: serious case review', 'Decision: management review', "
        "'Decision: alternative review' or 'Decision: no review', with the reasons after it")


def test_a_case_past_its_decision_reads_the_first_decisions_outcomes_so_the_refusal_is_proper():
    scr = default()
    assert instructions.outcomes_for(scr, "scr_initiated") == scr.decisions[0].outcomes
    got = instructions.decision(["Decision: SCR", "reasons"], instructions.outcomes_for(scr, "closed"))
    assert got == instructions.Decision("scr", "reasons")  # read; Case.decide refuses it with the reason


def test_longest_phrasing_first_and_a_word_boundary_at_its_end():
    from service.domain.procedure import Outcome

    outcomes = (Outcome("short", "Review", "a", phrasings=("review",)),
                Outcome("long", "Review panel", "b", phrasings=("review panel",)))
    assert instructions.decision(["Decision: review panel", "r"], outcomes).outcome == "long"
    assert instructions.decision(["Decision: review, r"], outcomes).outcome == "short"
    assert isinstance(instructions.decision(["Decision: reviewers", "r"], outcomes), instructions.Unreadable)
