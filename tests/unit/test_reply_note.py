"""The footer every message carries asks a reply to keep the case's reference in its subject; a message about no
single case (a person's combined reminders, the digest) asks for the reference of the case a reply is about."""

from __future__ import annotations

from service.letters.samples import sample_contexts


def test_a_message_about_one_case_asks_to_keep_its_reference_and_one_about_several_asks_for_the_cases(app):
    contexts = sample_contexts(app)
    one = dict(contexts["chase_summary"], reference_tag="[ESCB-2014-001]")
    several = dict(contexts["chase_summary"], reference_tag=f"[{app.settings.board.short_name}]")
    for ctx, wanted, unwanted in ((one, "Please keep the reference [ESCB-2014-001] in the subject",
                                   "please put its reference in the subject"),
                                  (several, "In any reply about a case, please put its reference in the subject",
                                   "Please keep the reference [")):
        rendered = app.templates.render("chase_summary", ctx)
        for body in (rendered.text, rendered.html):
            assert wanted in body and unwanted not in body
