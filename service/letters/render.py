"""Every email the service sends is a triplet of editable templates.

``mail_templates/<name>/subject.txt``, ``body.txt`` and ``body.html`` (the
HTML extends ``_layout.html``, which carries the letterhead and signature
block). Jinja2 with ``StrictUndefined``: a template that uses a variable the
service does not provide is refused when the service starts
(:meth:`Templates.check_all`), naming the template and line, instead of
sending a letter with a hole in it. HTML is autoescaped; plain text is not.
The variables each template may use are listed in ``mail_templates/VARIABLES.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
    select_autoescape,
)

DEFAULT_FOLDER = Path(__file__).resolve().parents[2] / "mail_templates"


class TemplateProblem(Exception):
    """A template cannot be rendered. ``str()`` names the template and line."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def _uk_date(value: date | None) -> str:
    if value is None:
        return "not set"
    return f"{value.strftime('%A')} {value.day} {value.strftime('%B %Y')}"


class Templates:
    def __init__(self, folder: Path | None = None):
        self.folder = Path(folder or DEFAULT_FOLDER)
        loader = FileSystemLoader(str(self.folder))
        common = dict(loader=loader, undefined=StrictUndefined, keep_trailing_newline=True,
                      trim_blocks=True, lstrip_blocks=True)
        self.text_env = Environment(autoescape=False, **common)
        self.html_env = Environment(autoescape=select_autoescape(default=True, default_for_string=True), **common)
        for env in (self.text_env, self.html_env):
            env.filters["uk_date"] = _uk_date

    def names(self) -> list[str]:
        return sorted(p.name for p in self.folder.iterdir() if p.is_dir() and (p / "subject.txt").exists())

    def render(self, name: str, context: dict[str, Any]) -> Rendered:
        parts = {}
        for part, env in (("subject.txt", self.text_env), ("body.txt", self.text_env), ("body.html", self.html_env)):
            path = f"{name}/{part}"
            try:
                parts[part] = env.get_template(path).render(**context)
            except TemplateNotFound:
                raise TemplateProblem(f"template {path} is missing from {self.folder}") from None
            except TemplateSyntaxError as exc:
                raise TemplateProblem(f"template {path}, line {exc.lineno}: {exc.message}") from None
            except UndefinedError as exc:
                raise TemplateProblem(f"template {path}, line {_line(exc)}: {exc.message} "
                                      f"(see mail_templates/VARIABLES.md for what each template may use)") from None
            except TemplateError as exc:
                raise TemplateProblem(f"template {path}, line {_line(exc)}: {exc}") from None
        subject = " ".join(parts["subject.txt"].split())
        return Rendered(subject=subject, text=parts["body.txt"].strip() + "\n", html=parts["body.html"])

    def check_all(self, contexts: dict[str, dict[str, Any]]) -> None:
        """Render every template against its sample context; raise on the first problem."""
        for name in self.names():
            if name not in contexts:
                raise TemplateProblem(f"template folder {name}/ is not a communication this version sends")
            self.render(name, contexts[name])
        for name in contexts:
            if not (self.folder / name / "subject.txt").exists():
                raise TemplateProblem(f"template {name}/subject.txt is missing from {self.folder}")


def _line(exc: Exception) -> str:
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith((".txt", ".html")) or "template" in tb.tb_frame.f_code.co_name:
            line = tb.tb_lineno
        tb = tb.tb_next
    return str(line) if line else "?"
