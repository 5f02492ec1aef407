"""Reading staff instructions from a reply: 'done', and the Chair's 'Decision: ...'."""

from __future__ import annotations

import pytest

from service.domain.model_types import Outcome
from service.intake import instructions
from service.intake.instructions import Decision, Unreadable, is_done, is_undo
from service.procedure.pack import default


def lines(text: str) -> list[str]:
    return text.split("\n")


def decision(new_text: list[str]):
    """As a reply on a case of the shipped SCR pack, at its first stage, reads it."""
    scr = default()
    return instructions.decision(new_text, instructions.outcomes_for(scr, scr.initial_stage.id))


@pytest.mark.parametrize("first, outcome", [
    ("Decision: SCR", Outcome.SCR),
    ("decision: serious case review", Outcome.SCR),
    ("DECISION - a Serious Case Review", Outcome.SCR),
    ("**Decision:** management review", Outcome.MANAGEMENT_REVIEW),
    ("Decision: MR", Outcome.MANAGEMENT_REVIEW),
    ("Decision: alternative review", Outcome.ALTERNATIVE_REVIEW),
    ("Decision: an alternative form of review", Outcome.ALTERNATIVE_REVIEW),
    ("Decision: no review", Outcome.NONE),
    ("Decision: no further review", Outcome.NONE),
    ("Decision: none", Outcome.NONE),
])
def test_each_outcome_is_read_in_the_words_people_use(first, outcome):
    got = decision(lines(f"{first}\nThe criteria in Working Together are met."))
    assert got == Decision(outcome, "The criteria in Working Together are met.")


def test_reasons_on_the_first_line_and_below_are_kept_up_to_the_sign_off():
    got = decision(lines("Decision: SCR - the threshold is met.\n\nPanel agreed unanimously.\n\nKind regards\n"
                         "Chair"))
    assert got == Decision(Outcome.SCR, "the threshold is met.\n\nPanel agreed unanimously.")


def test_reasons_after_because_are_read_without_the_word():
    assert decision(lines("Decision: no review because the case does not meet the criteria")) == \
        Decision(Outcome.NONE, "the case does not meet the criteria")


def test_a_decision_without_reasons_is_unreadable_and_says_why():
    got = decision(lines("Decision: serious case review\n\nRegards"))
    assert isinstance(got, Unreadable) and "needs its reasons" in got.why


def test_an_unknown_outcome_is_unreadable_and_shows_the_words_to_use():
    got = decision(lines("Decision: let's discuss on Monday"))
    assert isinstance(got, Unreadable) and "'Decision: no review'" in got.why


def test_no_scr_is_refused_as_ambiguous_rather_than_guessed():
    got = decision(lines("Decision: no SCR, the criteria are not met"))
    assert isinstance(got, Unreadable) and "management review" in got.why


@pytest.mark.parametrize("text", ["Thanks, I will decide next week.\nDecision: SCR", "The decision is SCR", "",
                                  "Decisions: we need to talk"])
def test_a_decision_only_counts_on_the_first_line(text):
    assert decision(lines(text)) is None


@pytest.mark.parametrize("text, done", [("Done.", True), ("\n\n  done!\n\nthanks", True), ("DONE", True),
                                        ("Not done yet", False), ("done?", False), ("", False)])
def test_done_is_the_whole_first_line(text, done):
    assert is_done(lines(text)) is done


@pytest.mark.parametrize("text, undo", [("Undo", True), ("undo.\n\nSorry, wrong case", True),
                                        ("Undo the last letter please", False), ("", False)])
def test_undo_is_the_whole_first_line(text, undo):
    assert is_undo(lines(text)) is undo
