"""A Word letter rendered from the template compiled once per process is the letter docxtpl makes from the
file each time: the same parts, the same XML in each (issue 18)."""

from __future__ import annotations

import io
import shutil
import zipfile

from lxml import etree

from service.letters import word_documents as wdoc
from service.letters.render import TemplateProblem
from service.letters.samples import sample_contexts


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


def canonical(xml: bytes) -> bytes:
    return etree.tostring(etree.fromstring(xml), method="c14n")


def test_every_shipped_letter_compiled_once_is_the_letter_docxtpl_makes(app):
    letters = sample_contexts(app).letters
    folder, env = app.templates.letters_folder, app.templates.docx_env
    assert letters
    for name, context in letters.items():
        path = folder / f"{name}.docx"
        compiled = wdoc._compiled(path, env)
        assert compiled is not None, name
        fast = parts(compiled.render(context))
        slow = parts(wdoc._render_with_docxtpl(path, context, env, name))
        assert sorted(fast) == sorted(slow), name
        for part in slow:
            if part.endswith(".xml") or part.endswith(".rels"):
                assert canonical(fast[part]) == canonical(slow[part]), (name, part)
            else:
                assert fast[part] == slow[part], (name, part)
        assert compiled is wdoc._compiled(path, env)  # once per process


def test_a_letter_edited_while_the_service_runs_is_compiled_again(app, tmp_path):
    name, context = next(iter(sample_contexts(app).letters.items()))
    path = tmp_path / f"{name}.docx"
    shutil.copyfile(app.templates.letters_folder / f"{name}.docx", path)
    env = app.templates.docx_env
    first = wdoc._compiled(path, env)
    with zipfile.ZipFile(path, "a") as z:  # a change to the file: size and time differ
        z.writestr("customXml/extra.xml", "<x/>")
    again = wdoc._compiled(path, env)
    assert again is not first and "customXml/extra.xml" in parts(again.render(context))


def test_a_problem_in_a_compiled_letter_still_names_its_paragraph(app):
    name, context = next(iter(sample_contexts(app).letters.items()))
    app.templates.render_letter(name, context)  # compiled now
    broken = {k: v for k, v in context.items() if k != "letter"}
    try:
        app.templates.render_letter(name, broken)
    except TemplateProblem as exc:
        assert f"letters/{name}.docx" in str(exc) and "paragraph" in str(exc)
    else:
        raise AssertionError("a letter without its variables rendered")
