"""Templates are rendered against their samples once for each state of the templates and settings,
not at every command; an edit since is checked again, so a broken one still stops start-up."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from service.letters import render
from service.letters.render import DEFAULT_FOLDER, TemplateProblem, Templates
from service.letters.samples import sample_contexts


@pytest.fixture
def folder(tmp_path) -> Path:
    target = tmp_path / "mail_templates"
    shutil.copytree(DEFAULT_FOLDER, target)
    return target


@pytest.fixture
def new_process(monkeypatch):
    """Forget what this process has checked, as a new command's process would."""
    def forget() -> None:
        monkeypatch.setattr(render, "_VERIFIED", set())
        monkeypatch.setattr(render, "_CHECKED", set())
    forget()
    return forget


def counting(app):
    calls = []

    def contexts():
        calls.append(1)
        return sample_contexts(app)
    return contexts, calls


def test_templates_are_rendered_once_then_not_again_by_later_commands(app, folder, tmp_path, new_process):
    stamp = tmp_path / "templates-checked"
    contexts, calls = counting(app)
    assert Templates(folder).check_once(contexts, stamp) is True
    assert Templates(folder).check_once(contexts, stamp) is False  # same process
    new_process()
    assert Templates(folder).check_once(contexts, stamp) is False  # another command: the stamp says so
    assert len(calls) == 1


def test_a_template_edited_after_the_check_is_refused_by_name_and_line_at_the_next_start(app, folder, tmp_path,
                                                                                          new_process):
    stamp = tmp_path / "templates-checked"
    contexts, _ = counting(app)
    Templates(folder).check_once(contexts, stamp)
    path = folder / "imr_letter" / "body.txt"
    lines = path.read_text().splitlines()
    lines.insert(2, "The child is {{ case.child_name }}.")
    path.write_text("\n".join(lines) + "\n")
    for _ in range(2):  # the same process, then a new one
        with pytest.raises(TemplateProblem, match=r"imr_letter/body\.txt, line 3"):
            Templates(folder).check_once(contexts, stamp)
        new_process()


def test_other_settings_are_checked_again(app, folder, tmp_path, new_process):
    stamp = tmp_path / "templates-checked"
    contexts, calls = counting(app)
    Templates(folder).check_once(contexts, stamp, settings_json='{"board": "one"}')
    new_process()
    assert Templates(folder).check_once(contexts, stamp, settings_json='{"board": "two"}') is True
    assert len(calls) == 2


def test_start_up_refuses_a_template_broken_since_the_last_start(settings, clock, folder, new_process):
    from service.bootstrap import build_app

    build_app(settings, clock, templates_folder=folder, create=True).db.dispose()
    assert (settings.data_dir / "templates-checked").exists()
    path = folder / "reminder" / "subject.txt"
    path.write_text(path.read_text() + "{{ deadline.nickname }}")
    new_process()
    with pytest.raises(TemplateProblem, match=r"reminder/subject\.txt, line 2: .*nickname"):
        build_app(settings, clock, templates_folder=folder)
