"""Every email the service sends is a triplet of editable templates.

``mail_templates/<name>/subject.txt``, ``body.txt`` and ``body.html`` (the
HTML extends ``_layout.html``, which carries the letterhead and signature
block). Jinja2 with ``StrictUndefined``: a template that uses a variable the
service does not provide is refused when the service starts
(:meth:`Templates.check_all`), naming the template and line, instead of
sending a letter with a hole in it. HTML is autoescaped; plain text is not.
The variables each template may use are listed in ``mail_templates/VARIABLES.md``.

Formal letters also have a Word template, ``mail_templates/letters/<name>.docx``
(see :mod:`service.letters.word_documents`), checked and rendered the same way.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:  # Jinja is loaded when a template is first rendered, not by commands that render none
    from jinja2 import Environment

DEFAULT_FOLDER = Path(__file__).resolve().parents[2] / "mail_templates"
_CHECKED: set[tuple[str, int, int, str]] = set()  # letters already rendered against a sample, by file state
_VERIFIED: set[str] = set()  # fingerprints of template folders (and settings) checked in this process
_ENVIRONMENTS: dict[str, tuple[Environment, Environment, Environment]] = {}  # by folder: compiled once a process


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


def _long_date(value: date | None) -> str:
    """The date as a letter gives it: 12 May 2014."""
    if value is None:
        return "not known"
    return f"{value.day} {value.strftime('%B %Y')}"


FILTERS = {"uk_date": _uk_date, "long_date": _long_date}


def _environments(folder: Path, overlay: Path | None = None) -> tuple["Environment", "Environment", "Environment"]:
    """Text, HTML and Word-letter environments for ``folder`` (and a pack's own ``overlay``, looked in
    first): one set per folder and process, so each template is compiled once, not once per command a
    test runs (Jinja still reloads a changed file)."""
    name = f"{overlay}|{folder}" if overlay is not None else str(folder)
    envs = _ENVIRONMENTS.get(name)
    if envs is not None:
        return envs
    from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

    class _CachingEnvironment(Environment):
        """docxtpl compiles each part of a document from a string on every render; the parts of one
        template are the same every time, so compiled templates are kept (a few dozen at most)."""

        def from_string(self, source, globals=None, template_class=None):  # noqa: A002 - Jinja's signature
            if globals or template_class or not isinstance(source, str):
                return super().from_string(source, globals, template_class)
            cache = self.__dict__.setdefault("_compiled", {})
            found = cache.get(source)
            if found is None:
                if len(cache) > 256:
                    cache.clear()
                found = cache[source] = super().from_string(source)
            return found

    loader = FileSystemLoader(str(folder))
    if overlay is not None:  # the pack's own communications first; the layout and the service's own messages after
        loader = ChoiceLoader([FileSystemLoader(str(overlay)), loader])
    common = dict(loader=loader, undefined=StrictUndefined, keep_trailing_newline=True,
                  trim_blocks=True, lstrip_blocks=True)
    envs = (Environment(autoescape=False, **common),
            Environment(autoescape=select_autoescape(default=True, default_for_string=True), **common),
            # Word letters: docxtpl hands the document's XML to this environment; values are XML-escaped.
            _CachingEnvironment(undefined=StrictUndefined, autoescape=True))
    for env in envs:
        env.filters.update(FILTERS)
    _ENVIRONMENTS[name] = envs
    return envs


class Templates:
    """The board's templates (``folder``: mail_templates/ or its copy, ``[letters] templates_dir``) and, for
    a procedure pack with a templates folder of its own, that folder in front of them (``packs``: pack id ->
    folder). :meth:`for_pack` gives the templates a case of that pack is written with."""

    def __init__(self, folder: Path | None = None, packs: dict[str, Path] | None = None,
                 overlay: Path | None = None):
        self.folder = Path(folder or DEFAULT_FOLDER)
        self.packs = {k: Path(v) for k, v in (packs or {}).items()
                      if Path(v).resolve() not in (self.folder.resolve(), DEFAULT_FOLDER.resolve())}
        self.overlay = overlay

    def for_pack(self, pack_id: str) -> "Templates":
        """The templates for a case of pack ``pack_id``: its own folder first, then the board's."""
        overlay = self.packs.get(pack_id)
        return self if overlay is None or overlay == self.overlay else Templates(self.folder, self.packs, overlay)

    @property
    def text_env(self) -> "Environment":
        return _environments(self.folder, self.overlay)[0]

    @property
    def html_env(self) -> "Environment":
        return _environments(self.folder, self.overlay)[1]

    @property
    def docx_env(self) -> "Environment":
        return _environments(self.folder, self.overlay)[2]

    @property
    def letters_folder(self) -> Path:
        return self.folder / "letters"

    def _letter_file(self, name: str) -> Path:
        if self.overlay is not None and (self.overlay / "letters" / f"{name}.docx").is_file():
            return self.overlay / "letters" / f"{name}.docx"
        return self.letters_folder / f"{name}.docx"

    def letter_names(self) -> list[str]:
        """Communications with a Word letter (Word's "~$" lock files are not templates)."""
        if not self.letters_folder.is_dir():
            return []
        return sorted(p.stem for p in self.letters_folder.glob("*.docx") if not p.name.startswith("~$"))

    def render_letter(self, name: str, context: dict[str, Any]) -> bytes:
        """The Word letter for ``name``, as .docx bytes. Raises TemplateProblem naming the paragraph."""
        from .word_documents import LetterProblem, render_docx

        try:
            return render_docx(self._letter_file(name), context, self.docx_env,
                               f"letters/{name}.docx")
        except LetterProblem as exc:
            raise TemplateProblem(f"{exc} (see mail_templates/VARIABLES.md for what each template may use)") from None

    def names(self) -> list[str]:
        return sorted(p.name for p in self.folder.iterdir() if p.is_dir() and (p / "subject.txt").exists())

    def render(self, name: str, context: dict[str, Any]) -> Rendered:
        from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError, UndefinedError

        parts = {}
        for part, env in (("subject.txt", self.text_env), ("body.txt", self.text_env), ("body.html", self.html_env)):
            path = f"{name}/{part}"
            try:
                parts[part] = env.get_template(path).render(**context)
            except TemplateNotFound:
                where = f"{self.overlay} or {self.folder}" if self.overlay is not None else str(self.folder)
                raise TemplateProblem(f"template {path} is missing from {where}") from None
            except TemplateSyntaxError as exc:
                raise TemplateProblem(f"template {path}, line {exc.lineno}: {exc.message}") from None
            except UndefinedError as exc:
                raise TemplateProblem(f"template {path}, line {_line(exc)}: {exc.message} "
                                      f"(see mail_templates/VARIABLES.md for what each template may use)") from None
            except TemplateError as exc:
                raise TemplateProblem(f"template {path}, line {_line(exc)}: {exc}") from None
        subject = " ".join(parts["subject.txt"].split())
        return Rendered(subject=subject, text=parts["body.txt"].strip() + "\n", html=parts["body.html"])

    def render_correction(self, context: dict[str, Any]) -> tuple[str, str]:
        """The first paragraph of a correction (``_correction.txt``, ``_correction.html``): (text, html)."""
        from jinja2 import TemplateError, TemplateNotFound

        out = []
        for part, env in (("_correction.txt", self.text_env), ("_correction.html", self.html_env)):
            try:
                out.append(env.get_template(part).render(**context))
            except TemplateNotFound:
                raise TemplateProblem(f"template {part} is missing from {self.folder}") from None
            except TemplateError as exc:
                raise TemplateProblem(f"template {part}, line {_line(exc)}: {exc}") from None
        return out[0], out[1]

    def check_all(self, contexts: dict[str, dict[str, Any]],
                  letters: dict[str, dict[str, Any]] | None = None, elsewhere: frozenset[str] = frozenset()) -> None:
        """Render every template against its sample context; raise on the first problem.

        ``letters`` maps each communication with a Word letter to the letter's
        context; by default it is ``contexts.letters`` when the samples carry one
        (:func:`service.letters.samples.sample_contexts` does). ``elsewhere``: templates of other
        procedure packs (checked with their own packs), which the board's folder may hold too.
        """
        for name in self.names():
            if name not in contexts:
                if name in elsewhere:  # another pack's: checked with that pack
                    continue
                raise TemplateProblem(f"template folder {name}/ is not a communication this version sends")
            self.render(name, contexts[name])
        self.render_correction({"what_changed": "The meeting has moved: it was Monday 12 May 2014, 09:00 to 11:00; "
                                                "it is now Monday 12 May 2014, 13:00 to 15:00.",
                                "original_subject": "[ESCB-2014-001] Extraordinary panel meeting",
                                "sent_on": date(2014, 5, 9)})
        for name in contexts:
            if not any((folder / name / "subject.txt").exists() for folder in (self.overlay, self.folder) if folder):
                raise TemplateProblem(f"template {name}/subject.txt is missing from {self.folder}")
        letters = letters if letters is not None else getattr(contexts, "letters", {})
        for name in self.letter_names():
            if name not in letters and name not in elsewhere:
                raise TemplateProblem(f"letter template letters/{name}.docx is not a letter this version sends")
        for name, ctx in letters.items():
            path = self._letter_file(name)
            try:
                st = path.stat()
            except OSError:
                self.render_letter(name, ctx)  # raises: the letter is missing
                continue
            # Rendering a .docx takes ~25 ms; the same file with the same sample renders the same.
            seen = (str(path), st.st_mtime_ns, st.st_size, hashlib.sha256(repr(ctx).encode()).hexdigest())
            if seen not in _CHECKED:
                self.render_letter(name, ctx)
                _CHECKED.add(seen)


    def fingerprint(self, settings_json: str = "") -> str:
        """What the check depends on: every file in the template folder, the code that renders them and
        makes their samples (this package), and the settings (as JSON; secrets are masked)."""
        h = hashlib.sha256(str(self.folder).encode() + b"\0" + settings_json.encode())
        files = sorted(p for folder in (self.folder, *self.packs.values()) for p in folder.rglob("*")
                       if p.is_file() and not p.name.startswith("~$"))
        for path in files + sorted(Path(__file__).parent.glob("*.py")):
            h.update(b"\0" + str(path).encode() + b"\0")
            h.update(path.read_bytes())
        return h.hexdigest()

    def check_once(self, contexts: Callable[[], dict[str, dict[str, Any]]], stamp: Path | None = None,
                   settings_json: str = "",
                   elsewhere: "frozenset[str] | Callable[[], frozenset[str]]" = frozenset()) -> bool:
        """:meth:`check_all`, once for each state of the templates, their code and the settings.

        A check that passed is remembered in this process and in ``stamp`` (a file holding the
        fingerprint), so a command run after it renders nothing; a template edited since (or new
        code, or other settings) is checked again, so a broken one still stops the service with its
        name and line before anything is sent. Returns whether the templates were rendered.
        ``elsewhere`` may be a function giving it, called only when the templates are checked.
        """
        fp = self.fingerprint(settings_json)
        if fp in _VERIFIED:
            return False
        if stamp is not None:
            try:
                if stamp.read_text(encoding="ascii").strip() == fp:
                    _VERIFIED.add(fp)
                    return False
            except (OSError, UnicodeError):
                pass
        self.check_all(contexts(), elsewhere=elsewhere() if callable(elsewhere) else elsewhere)
        _VERIFIED.add(fp)
        if stamp is not None:
            from service.files import write_private

            try:
                write_private(stamp, (fp + "\n").encode("ascii"))  # owner-only, like all in the data folder
            except OSError:
                pass  # only a cache: the next command checks again
        return True


def _line(exc: Exception) -> str:
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith((".txt", ".html")) or "template" in tb.tb_frame.f_code.co_name:
            line = tb.tb_lineno
        tb = tb.tb_next
    return str(line) if line else "?"
