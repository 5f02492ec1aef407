"""A Word letter rendered from the template compiled once per process is the letter docxtpl makes from the
file each time: the same parts, the same XML in each (issue 18)."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from service.letters import word_documents as wdoc
from service.letters.render import TemplateProblem
from service.letters.samples import letter_contexts, sample_contexts


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


@pytest.fixture
def every_pack_app(config_dir, db_env, clock, migrated_sqlite):
    from service.bootstrap import build_app
    from service.config import load_settings

    packs = sorted(p.name for p in (Path(__file__).resolve().parents[2] / "procedures").iterdir()
                   if (p / "procedure.toml").is_file())
    env = {**db_env, "REVIEW_CLERK_PROCEDURE__PACKS": json.dumps(packs)}
    return build_app(load_settings(config_dir / "review-clerk.toml", environ=env), clock, create=True,
                     check_templates=False)


def test_every_pack_letter_compiled_once_is_the_letter_docxtpl_makes(every_pack_app):
    """Each pack's own letters too (a header, footer or property without tags is rendered once, at compiling)."""
    app = every_pack_app
    checked = 0
    for procedure in app.procedures.values():
        own = app.templates.for_pack(procedure.id)
        for name, context in letter_contexts(app, procedure)[1].items():
            path = own._letter_file(name)
            compiled = wdoc._compiled(path, own.docx_env)
            assert compiled is not None, name
            fast = parts(compiled.render(context))
            slow = parts(wdoc._render_with_docxtpl(path, context, own.docx_env, name))
            assert sorted(fast) == sorted(slow), name
            for part in slow:
                if part.endswith(".xml") or part.endswith(".rels"):
                    assert canonical(fast[part]) == canonical(slow[part]), (procedure.id, name, part)
                else:
                    assert fast[part] == slow[part], (procedure.id, name, part)
            checked += 1
    assert checked >= 12  # every pack's letters: SCR, CSPR, SAR, DHR


def test_a_letter_whose_footer_and_properties_have_no_tags_is_still_the_letter_docxtpl_makes(app, tmp_path):
    """Such parts are rendered once, when the template is compiled, not for each letter."""
    import re

    name, context = next(iter(sample_contexts(app).letters.items()))
    source = parts((app.templates.letters_folder / f"{name}.docx").read_bytes())
    untagged = re.compile(rb"\{[{%#].*?[}%#]\}", re.S)
    path = tmp_path / f"{name}.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for part, data in source.items():
            if part.startswith("word/footer") or part == "docProps/core.xml":
                data = untagged.sub(b"Enfield Safeguarding Children Board", data)
            z.writestr(part, data)
    env = app.templates.docx_env
    compiled = wdoc._compiled(path, env)
    assert compiled is not None and not compiled.parts and compiled.core_xml is None  # nothing left to render
    fast = parts(compiled.render(context))
    slow = parts(wdoc._render_with_docxtpl(path, context, env, name))
    assert sorted(fast) == sorted(slow)
    for part in slow:
        if part.endswith(".xml") or part.endswith(".rels"):
            assert canonical(fast[part]) == canonical(slow[part]), part
