"""Every way of writing an outcome that the reply reader accepted before the phrasings came from the pack is
still read, as the same outcome, with the shipped SCR pack (and with the same reasons)."""

from __future__ import annotations

import pytest

from service.intake import instructions

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
    return instructions.decision(text.split("\n"))


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
