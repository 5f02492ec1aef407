"""The Word documents attached to formal letters: they open, and say who, what, when and who signed."""

from __future__ import annotations

import importlib.util
import io
from datetime import date
from pathlib import Path

from docx import Document

from service.domain.model import Subject
from service.domain.model_types import Outcome
from service.letters.composed import compose
from service.letters.word_documents import COLUMNS, HEADER_FIELDS, chronology_template
from service.letters.render import DEFAULT_FOLDER
from service.letters.samples import (
    SAMPLE_DETAIL,
    sample_case,
    sample_planned,
    sample_scr_case,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "review-clerk.example.toml"


# `app` (a FakeApp: settings, templates and a clock, nothing else) comes from tests/unit/conftest.py.


def text_of(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        parts += [c.text for row in t.rows for c in row.cells]
    for s in doc.sections:
        parts += [p.text for p in s.header.paragraphs] + [p.text for p in s.footer.paragraphs]
    return "\n".join(parts)


def attachments(app, template: str, case=None):
    case = case or sample_scr_case("met-police")
    return {a.filename: a.data for a in compose(app, case, sample_planned(app, template, case),
                                                SAMPLE_DETAIL).attachments}


def test_the_chief_executives_letter_names_the_addressee_reference_due_date_and_signatory(app):
    files = attachments(app, "imr_letter")
    assert sorted(files) == ["ESCB-2014-007 Chronology template.docx",
                             "ESCB-2014-007 Letter from the Chair - IMR - Metropolitan Police Service.docx"]
    text = text_of(files["ESCB-2014-007 Letter from the Chair - IMR - Metropolitan Police Service.docx"])
    assert "Borough Commander" in text and "Metropolitan Police Service" in text
    assert "By email: borough.commander@met-police.example.org" in text and "Dear Borough Commander," in text
    assert "Our reference: ESCB-2014-007" in text and "22 May 2014" in text
    assert "by 31 July 2014" in text  # the IMR due date the panel set
    assert "Independent Chair\nIndependent Chair, Enfield Safeguarding Children Board" in text
    assert "Enfield Safeguarding Children Board" in text.splitlines()[0]  # the letterhead
    assert "Sample Child (child), date of birth 1 January 2008" in text  # a named recipient needs the details
    assert "{{" not in text and "{%" not in text


def test_without_an_imr_due_date_the_letter_says_the_panel_will_set_it(app):
    case = sample_scr_case("met-police")
    del case.deadlines["imr:met-police"]
    [letter] = [d for n, d in attachments(app, "imr_letter", case).items() if "Chronology" not in n]
    assert "The case panel will set the date" in text_of(letter)


def test_a_name_with_markup_or_an_ampersand_prints_in_the_letter_as_written(app):
    case = sample_scr_case("met-police")
    case.subjects = [Subject("<script>alert(1)</script> O'Brien & Sons", "child", "child", date(2010, 1, 1))]
    [letter] = [d for n, d in attachments(app, "imr_letter", case).items() if "Chronology" not in n]
    assert "<script>alert(1)</script> O'Brien & Sons (child)" in text_of(letter)


def test_the_board_members_letter_carries_initials_not_names(app):
    [letter] = attachments(app, "board_members_letter").values()
    text = text_of(letter)
    assert "initials SC" in text and "Sample Child" not in text and "2008" not in text
    assert "Metropolitan Police Service" in text  # the agencies involved


def test_a_decision_not_to_hold_an_scr_gives_the_panel_the_reasons(app):
    case = sample_case()
    case.add_agency("met-police", case.opened_at, "test")
    case.decide(Outcome.NONE, date(2014, 5, 21), case.opened_at, "chair", "Criteria not met; a learning review "
                "will be held instead")
    [letter] = attachments(app, "decision_notification", case).values()
    text = text_of(letter)
    assert "a serious case review is not required" in text
    assert "My reasons are: Criteria not met; a learning review will be held instead" in text
    assert "No review" in text and "will be held. This letter confirms" not in text


def test_every_letter_renders_without_leftover_tags(app):
    case = sample_scr_case("met-police")
    for name in ("incident_notification", "decision_notification", "board_members_letter", "other_lscb",
                 "reviewer_notification", "prepublication_notice"):
        [letter] = [d for n, d in attachments(app, name, case).items()]
        text = text_of(letter)
        assert "ESCB-2014-007" in text and "Independent Chair" in text, name
        assert "{{" not in text and "{%" not in text, name


def test_the_chronology_template_has_the_procedures_header_fields_and_columns():
    doc = Document(io.BytesIO(chronology_template("ESCB-2014-007", "Metropolitan Police Service", "ESCB")))
    header = [c.text for row in doc.tables[0].rows for c in row.cells]
    for label in HEADER_FIELDS:
        assert f"{label}:" in header, label
    table = doc.tables[1]
    top = [c.text.split("\n")[0] for c in table.rows[0].cells]
    second = [c.text.split("\n")[0] for c in table.rows[1].cells]
    assert top[0] == "Date" and top[1] == top[2] == "Family contact" and top[3] == top[4] == "Communication"
    assert second[1:5] == ["Child", "Adult", "Within agency", "External to agency"]
    assert top[5:] == ["Response for outcome", "Source of evidence", "Comment"]
    hints = [c.text for c in table.rows[1].cells]
    assert "Specify if views recorded & if seen alone" in hints[1] and "Specify phone, written or meeting" in hints[3]
    assert len(COLUMNS) == 8 and len(table.rows) > 10
    assert "ESCB-2014-007" in "\n".join(p.text for p in doc.paragraphs)


def test_the_committed_letter_templates_are_what_make_templates_py_builds(tmp_path):
    script = DEFAULT_FOLDER / "letters" / "make_templates.py"
    spec = importlib.util.spec_from_file_location("make_templates", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    built = {p.name: p for p in module.main(tmp_path)}
    committed = {p.name: p for p in (DEFAULT_FOLDER / "letters").glob("*.docx")}
    assert set(built) == set(committed)
    for name, path in built.items():
        assert text_of(path.read_bytes()) == text_of(committed[name].read_bytes()), name
