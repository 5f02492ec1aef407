"""The editable templates: every one renders at start-up, a broken edit is refused by name and line,
HTML is escaped, and personal details stay out of subjects and email bodies."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from docx import Document

from service.domain.model import Referrer
from service.procedure.pack import default

CATALOGUE = {c.id: c for c in default().communications}
from service.letters.composed import compose, contexts
from service.letters.render import DEFAULT_FOLDER, TemplateProblem, Templates
from service.letters.samples import (
    SAMPLE_DETAIL,
    sample_contexts,
    sample_planned,
    sample_scr_case,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "review-clerk.example.toml"


# `app` (a FakeApp: settings, templates and a clock, nothing else) comes from tests/unit/conftest.py.


@pytest.fixture
def folder(tmp_path) -> Path:
    target = tmp_path / "mail_templates"
    shutil.copytree(DEFAULT_FOLDER, target)
    return target


def test_every_shipped_template_and_letter_renders_against_the_sample_case(app):
    samples = sample_contexts(app)
    Templates().check_all(samples)
    assert set(samples.letters) == {c.id for c in CATALOGUE.values() if c.letter}
    assert {c for c in CATALOGUE} <= set(samples)


def test_a_template_using_an_unknown_variable_is_refused_naming_the_template_and_line(app, folder):
    path = folder / "imr_letter" / "body.txt"
    lines = path.read_text().splitlines()
    lines.insert(2, "The child is {{ case.child_name }}.")
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(TemplateProblem) as exc:
        Templates(folder).check_all(sample_contexts(app))
    assert "imr_letter/body.txt, line 3" in str(exc.value)
    assert "child_name" in str(exc.value)


def test_a_word_letter_using_an_unknown_variable_is_refused_naming_the_letter_and_paragraph(app, folder):
    path = folder / "letters" / "board_members_letter.docx"
    doc = Document(str(path))
    para = next(p for p in doc.paragraphs if p.text.startswith("Dear "))
    para.runs[0].text = "Dear {{ recipient.nickname }},"
    doc.save(str(path))
    with pytest.raises(TemplateProblem) as exc:
        Templates(folder).check_all(sample_contexts(app))
    message = str(exc.value)
    assert "letters/board_members_letter.docx, body, paragraph" in message
    assert "Dear {{ recipient.nickname }}," in message and "nickname" in message


def test_a_word_letter_with_a_broken_tag_is_refused_naming_the_letter(app, folder):
    path = folder / "letters" / "other_lscb.docx"
    doc = Document(str(path))
    doc.paragraphs[-1].add_run(" {{ letter.date | long_date ")
    doc.save(str(path))
    with pytest.raises(TemplateProblem, match=r"letters/other_lscb\.docx"):
        Templates(folder).check_all(sample_contexts(app))


def test_a_template_folder_this_version_does_not_send_is_refused(app, folder):
    shutil.copytree(folder / "imr_letter", folder / "imr_leter")
    with pytest.raises(TemplateProblem, match="imr_leter/ is not a communication"):
        Templates(folder).check_all(sample_contexts(app))


def test_html_escapes_a_name_like_script_and_plain_text_keeps_it_as_written(app):
    case = sample_scr_case(app.settings.agencies[0].key)
    case.referrer = Referrer("<script>alert('x')</script>", "Agency & Co", None, "r@example.org")
    planned = sample_planned(app, "decision_outcome", case)
    r = compose(app, case, planned, {}).rendered
    assert "<script>" not in r.html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in r.html
    assert "Dear <script>alert('x')</script>," in r.text


def test_subjects_carry_the_reference_and_never_a_name(app):
    samples = sample_contexts(app)
    for name in CATALOGUE:
        subject = Templates().render(name, samples[name]).subject
        assert "Sample Child" not in subject and "Sample Parent" not in subject, name
        if name not in ("intake_report", "digest"):  # about many messages or cases, not one case
            assert "[ESCB-2014-007]" in subject, name


def test_email_bodies_carry_initials_and_dates_but_no_names_or_dates_of_birth(app):
    case = sample_scr_case(app.settings.agencies[0].key)
    for name in ("incident_notification", "decision_notification", "decision_outcome", "imr_letter",
                 "board_members_letter", "other_lscb", "reviewer_notification", "prepublication_notice"):
        r = compose(app, case, sample_planned(app, name, case), SAMPLE_DETAIL).rendered
        for body in (r.text, r.html):
            assert "Sample Child" not in body and "Sample Parent" not in body, name
            assert "2008" not in body and "1985" not in body and "Sample Street" not in body, name


def test_full_details_reach_only_the_letters_to_named_recipients(app):
    case = sample_scr_case(app.settings.agencies[0].key)
    with_names = {n for n in CATALOGUE if CATALOGUE[n].letter
                  and "subjects" in contexts(app, case, sample_planned(app, n, case), SAMPLE_DETAIL)[1]}
    assert with_names == {"imr_letter", "incident_notification"}
    email_ctx, _ = contexts(app, case, sample_planned(app, "imr_letter", case), SAMPLE_DETAIL)
    assert "subjects" not in email_ctx


def test_variables_md_documents_every_template_and_letter():
    text = (DEFAULT_FOLDER / "VARIABLES.md").read_text()
    for name in Templates().names():
        assert re.search(rf"^#+ .*`{name}`", text, re.MULTILINE), name
    for name in Templates().letter_names():
        assert f"letters/{name}.docx" in text, name
