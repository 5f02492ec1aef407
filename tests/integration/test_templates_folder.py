"""Templates from [letters] templates_dir (in Docker, a volume): staff edit them without a rebuild."""

import shutil

import pytest

from service.bootstrap import build_app
from service.config import load_settings
from service.letters.render import DEFAULT_FOLDER, TemplateProblem
from service.letters.samples import sample_contexts


@pytest.fixture
def own_templates(tmp_path):
    folder = tmp_path / "templates"
    shutil.copytree(DEFAULT_FOLDER, folder)
    return folder


def test_the_service_renders_the_templates_in_the_configured_folder(config_dir, db_env, own_templates, clock):
    (own_templates / "acknowledgement" / "subject.txt").write_text("{{ reference_tag }} Thank you: referral logged\n")
    settings = load_settings(config_dir / "review-clerk.toml",
                             environ={**db_env, "REVIEW_CLERK_LETTERS__TEMPLATES_DIR": str(own_templates)})
    app = build_app(settings, clock, create=True)
    try:
        assert app.templates.folder == own_templates
        rendered = app.templates.render("acknowledgement", sample_contexts(app)["acknowledgement"])
        assert rendered.subject.endswith("Thank you: referral logged")
    finally:
        app.db.dispose()


def test_a_broken_template_in_the_configured_folder_stops_start_up(config_dir, db_env, own_templates, clock):
    (own_templates / "acknowledgement" / "body.txt").write_text("Dear {{ recipient.nickname }}\n")
    settings = load_settings(config_dir / "review-clerk.toml",
                             environ={**db_env, "REVIEW_CLERK_LETTERS__TEMPLATES_DIR": str(own_templates)})
    with pytest.raises(TemplateProblem) as exc:
        build_app(settings, clock, create=True)
    assert "acknowledgement/body.txt" in str(exc.value)
