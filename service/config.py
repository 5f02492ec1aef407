"""Settings: a TOML file, overridden by environment variables, secrets from ``*_FILE``.

``load_settings(path)`` returns a validated :class:`Settings` or raises
:class:`ConfigError` with one line per problem, each naming the key, the
value found and what was expected. Nothing here is read at import time.

Environment overrides use the prefix ``REVIEW_CLERK_`` and ``__`` between
levels: ``REVIEW_CLERK_DATABASE__URL`` sets ``[database] url``.
``REVIEW_CLERK_GRAPH__CLIENT_SECRET_FILE=/run/secrets/x`` reads the secret
from that file (surrounding white space stripped). Secrets are never echoed
in error messages.
"""

from __future__ import annotations

import os
import re
import tomllib
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator

ENV_PREFIX = "REVIEW_CLERK_"
CONFIG_ENV = "REVIEW_CLERK_CONFIG"
DEFAULT_CONFIG_NAME = "review-clerk.toml"

_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


class ConfigError(Exception):
    """The configuration cannot be used. ``str()`` is ready to show a person."""

    def __init__(self, problems: list[str], source: str | None = None):
        self.problems = problems
        self.source = source
        where = f" in {source}" if source else ""
        super().__init__(f"configuration error{where}:\n" + "\n".join(f"  - {p}" for p in problems))


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _reference_format(v: str) -> str:
    from service.domain.procedure import reference_format_problem

    problem = reference_format_problem(v)
    if problem:
        raise ValueError(problem.replace("CSPR-", "ESCB-"))
    return v


def _check_email(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not _EMAIL.match(value):
        raise ValueError("an email address like name@example.org")
    return value.lower()


class Person(_Model):
    name: str
    email: str
    title: str | None = None

    _email = field_validator("email")(_check_email)


class PanelMember(_Model):
    name: str
    email: str
    agency: str | None = None
    role: str | None = Field(default=None, description="e.g. chair, police, health, education, social-care")
    standing: bool = True
    procedures: tuple[str, ...] = Field(default=(), description=(
        "the packs (their ids: cspr-wt2023, sar-care-act-2014, ...) whose cases' panel meetings this member sits "
        "on, for a board running several side by side; empty: every pack's"))

    _email = field_validator("email")(_check_email)

    def sits_for(self, procedure: str | None) -> bool:
        """Whether this member sits on the panel of cases of pack ``procedure`` (None: of any pack)."""
        return procedure is None or not self.procedures or procedure in self.procedures


class Agency(_Model):
    """An agency in the directory: who runs it, who sits on the panel, its mail domains."""

    key: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    domains: tuple[str, ...] = ()
    chief_executive: Person | None = None
    panel_member: Person | None = None

    @field_validator("domains")
    @classmethod
    def _lower(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(d.strip().lower().lstrip("@") for d in v)


class Board(_Model):
    name: str
    short_name: str = "LSCB"
    mailbox: str
    reference_format: str = "ESCB-{year}-{seq:03d}"
    time_zone: str = "Europe/London"
    address: str | None = None
    website: str | None = None

    _email = field_validator("mailbox")(_check_email)

    @field_validator("reference_format")
    @classmethod
    def _ref(cls, v: str) -> str:
        return _reference_format(v)

    @field_validator("time_zone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("an IANA time zone such as Europe/London") from exc
        return v


class People(_Model):
    """People by role (``[people.<role>]``): the Chair and the Business Manager always; any other role a
    procedure pack names (``head_of_sqas``, ``la_partner``, ``sab_chair``...) as the packs in use need."""

    model_config = ConfigDict(extra="allow", frozen=True)
    __pydantic_extra__: dict[str, Person] = Field(init=False)  # every other role, checked as a Person

    chair: Person
    business_manager: Person
    head_of_sqas: Person | None = None
    director_childrens_services: Person | None = None
    head_of_cin: Person | None = None

    def roles(self) -> dict[str, Person]:
        """Every configured role and its person."""
        fixed = {k: getattr(self, k) for k in type(self).model_fields}
        return {k: v for k, v in {**fixed, **(self.__pydantic_extra__ or {})}.items() if v is not None}


_Address = Annotated[str, AfterValidator(_check_email)]


class Notifications(_Model):
    """Addresses of the external bodies letters go to (``body:<id>`` in a pack): any body a pack names."""

    model_config = ConfigDict(extra="allow", frozen=True)
    __pydantic_extra__: dict[str, _Address] = Field(init=False)

    ofsted: str | None = None
    national_panel: str | None = None

    _email = field_validator("ofsted", "national_panel")(_check_email)


class WorkingHours(_Model):
    start: time = time(9, 0)
    end: time = time(17, 0)

    @model_validator(mode="after")
    def _order(self) -> "WorkingHours":
        if self.end <= self.start:
            raise ValueError("end after start, e.g. start = \"09:00\", end = \"17:00\"")
        return self


class Mail(_Model):
    backend: Literal["local", "graph"] = "local"
    # Instructions by email from mail on the local backend carry no proof of their sender: they are
    # carried out only with this on (the demo: `init --simulation` sets it). Ignored with "graph".
    trust_local_mail: bool = False
    # People-facing mail goes in working hours on working days; these templates may go at any time.
    send_outside_working_hours: list[str] = []


class Instructions(_Model):
    """Instructions given by email (see SECURITY.md, "Access by email")."""

    # A decision taken by email: its letters wait this many working hours (working_hours, Monday to
    # Friday, not bank holidays), during which "Undo" withdraws it.
    hold_working_hours: float = Field(default=2.0, ge=0.25, le=40)


class Database(_Model):
    url: str | None = None
    echo: bool = False


class Graph(_Model):
    tenant_id: str | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    certificate_path: str | None = Field(default=None, description="PEM private key")
    certificate_thumbprint: str | None = None
    certificate_pfx_path: str | None = None
    certificate_password: SecretStr | None = None
    endpoint: str = "https://graph.microsoft.com/v1.0/"
    authority: str = "https://login.microsoftonline.com"
    mailbox: str | None = None
    inbox_folder: str = "Inbox"
    send_as: str | None = None
    max_concurrency: int = Field(default=4, ge=1, le=4)
    timeout_seconds: float = Field(default=30.0, gt=0)
    secret_expires: str | None = Field(default=None, description="ISO date the client secret expires, for warnings")
    # Graph change notifications (docs/graph.md): the public HTTPS URL of this service's /graph/notify;
    # unset: the inbox is polled as before.
    notification_url: str | None = None

    @field_validator("endpoint", "authority")
    @classmethod
    def _https(cls, v: str) -> str:
        if not v.startswith("https://"):
            raise ValueError("an https:// URL")
        return v

    @field_validator("notification_url")
    @classmethod
    def _public_https(cls, v: str | None) -> str | None:
        if v and not (v.startswith("https://") and v.rstrip("/").endswith("/graph/notify")):
            raise ValueError("the public https:// URL of this service's /graph/notify")
        return v.rstrip("/") if v else v


class Intake(_Model):
    partner_domains: tuple[str, ...] = ()
    hold_unknown_senders: bool = True
    max_message_mb: float = Field(default=25.0, gt=0)
    max_expanded_mb: float = Field(default=100.0, gt=0)
    max_attachments: int = Field(default=20, ge=1)
    auto_replies_per_address_per_day: int = Field(default=5, ge=0)
    # How long one run of the inbox job may spend handling what is waiting, before it lets the other
    # jobs run (what is left is handled at the next run): a time, not a count, so a morning's backlog
    # goes in one run.
    seconds_per_run: float = Field(default=30.0, gt=0)

    @field_validator("partner_domains")
    @classmethod
    def _lower(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(d.strip().lower().lstrip("@") for d in v)


class Chasing(_Model):
    # Reminders and escalations due to one person in one run of the sweep go as one message listing each
    # case and deadline (each item still keyed on its own: nothing sent twice, nothing lost); the owner
    # answers each by a reply naming its case (service.chasing.replies).
    combine: bool = True


class Scheduler(_Model):
    inbox_every_seconds: int = Field(default=60, ge=5)
    outbox_every_seconds: int = Field(default=30, ge=5)
    sweep_every_seconds: int = Field(default=300, ge=30)
    digest_day: Literal["mon", "tue", "wed", "thu", "fri"] = "mon"
    digest_time: time = time(8, 0)


class Logging(_Model):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    json_lines: bool = False


class Retention(_Model):
    """How long personal data is kept; `review-clerk retention apply` removes what is past its period.

    A case under legal hold (`review-clerk case hold`) is never touched, nor its messages.
    The audit trail and each case's reference, dates, stages and deadlines are never removed.
    """

    # A case's personal data (names, dates of birth, addresses, the referral form, the emails
    # received about it, the bodies of its letters) is removed this many years after the case
    # closed: the `closed` event, or the decision for a case decided without an SCR and never
    # formally closed. 25 years after closing is at least the youngest child's 25th birthday.
    closed_cases_years: int = Field(default=25, ge=6, le=150)
    # Emails linked to no case (not a referral, quarantined, held and never released, failed,
    # meeting replies) are deleted this many days after they were received.
    unlinked_mail_days: int = Field(default=365, ge=30)
    # The text, HTML and attachments of a sent message are removed this many days after it was
    # sent; its key, template, recipients, subject, status and dates stay.
    sent_bodies_days: int = Field(default=730, ge=30)



class MeetingKindSettings(_Model):
    """Overrides for one kind of panel meeting (``[meetings.kinds.<kind>]``); unset keys keep the defaults."""

    within_working_days: int | None = Field(default=None, ge=1, le=120)
    required_roles: tuple[str, ...] | None = Field(
        default=None, description='roles whose members must attend; "*" for everybody invited')
    agencies_required: bool | None = None
    duration_minutes: int | None = Field(default=None, ge=15, le=480)
    agenda: tuple[str, ...] | None = None


class Meetings(_Model):
    """Panel meetings: when to look for a time, where, who makes a quorum, when to remind."""

    auto_schedule: bool = Field(default=True, description="schedule the extraordinary meeting when a case opens")
    online: bool = True  # a Teams meeting; false: meet in `location`
    location: str | None = None
    duration_minutes: int = Field(default=120, ge=15, le=480)
    notice_working_days: int = Field(default=2, ge=0, le=20)
    reminder_working_days: int = Field(default=2, ge=0, le=20)
    quorum_roles: tuple[str, ...] = ("chair", "police", "health", "social-care")
    chair: str | None = Field(default=None, description="who chairs the panel; default: the panel member with "
                                                         "role chair, else people.chair")
    agency_roles: dict[str, str] = Field(default_factory=dict, description="agency key -> the role its panel "
                                                                           "member fills, e.g. social-care")
    every_seconds: int = Field(default=300, ge=30)
    kinds: dict[str, MeetingKindSettings] = Field(default_factory=dict)

    _email = field_validator("chair")(_check_email)

    @field_validator("kinds")
    @classmethod
    def _known_kinds(cls, v: dict[str, MeetingKindSettings]) -> dict[str, MeetingKindSettings]:
        # The kinds are the procedure pack's [[meetings]]: those of the shipped pack (a board's own pack
        # changes a kind in its own procedure.toml).
        from service.meetings.kinds import default_kind_names

        known = default_kind_names()
        unknown = sorted(set(v) - set(known))
        if unknown:
            raise ValueError(f"meeting kinds from {', '.join(known)} (not {', '.join(unknown)})")
        return v

    @model_validator(mode="after")
    def _somewhere(self) -> "Meetings":
        if not self.online and not (self.location and self.location.strip()):
            raise ValueError("a location (the meeting room) when online = false")
        return self


class Letters(_Model):
    """Which communications a person checks and sends: template name -> reviewer's address, or "auto".

    ``templates_dir``: a folder holding the whole set of templates (a copy of mail_templates/,
    edited), used instead of the ones shipped with the service; relative to the configuration
    file's folder. REVIEW_CLERK_LETTERS__TEMPLATES_DIR sets it (the Docker image: /templates).
    """

    review: dict[str, str] = {}
    templates_dir: Path | None = None

    @field_validator("review")
    @classmethod
    def _reviewers(cls, v: dict[str, str]) -> dict[str, str]:
        out = {}
        for name, who in v.items():
            who = who.strip()
            if who.lower() == "auto":
                out[name] = "auto"
                continue
            if not _EMAIL.match(who):
                raise ValueError(f"for '{name}', \"auto\" or the address of the person who checks and sends it")
            out[name] = who.lower()
        return out


class Metrics(_Model):
    """Prometheus metrics served by `review-clerk run` (off unless ``listen`` is set)."""

    listen: str | None = Field(default=None, description="host:port, e.g. 127.0.0.1:9464")

    @field_validator("listen")
    @classmethod
    def _host_port(cls, v: str | None) -> str | None:
        if v is None or not v.strip():
            return None
        v = v.strip()
        host, sep, port = v.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
            raise ValueError('host:port, e.g. "127.0.0.1:9464" ("0.0.0.0:9464" inside a container)')
        return v

    @property
    def address(self) -> tuple[str, int]:
        """(host, port) of ``listen``; an IPv6 host loses its brackets."""
        host, _, port = (self.listen or "").rpartition(":")
        return host.strip("[]"), int(port)


class Security(_Model):
    """Encryption at rest of the personal data in the database (see SECURITY.md).

    The key comes from ``encryption_key`` (base64; best given as
    REVIEW_CLERK_SECURITY__ENCRYPTION_KEY_FILE) or from ``key_file`` (``init``
    writes one outside the data folder; unset, review-clerk.key in the data
    folder). Only ``init`` creates a key. ``previous_keys`` open data sealed
    before a rotation.
    """

    key_file: Path | None = None
    encryption_key: SecretStr | None = None
    previous_keys: tuple[SecretStr, ...] = ()


class ProcedureSettings(_Model):
    """Which review procedure new cases run under (``[procedure]``; see docs/procedures.md).

    ``pack``: the id of a pack shipped with the service (``enfield-scr-2013``) or the folder of the
    board's own pack (a copy of a shipped one, edited), relative to the configuration file's folder.
    A case keeps the version it was opened under (`review-clerk case migrate-procedure` moves one).

    ``packs``: every pack the board runs side by side (a partnership's children's and adults' reviews),
    each a shipped id or a folder; empty means ``pack`` alone. ``pack`` is the default: a referral that
    names no other pack's wording, and a case opened by hand without ``--procedure``, runs under it.
    ``references``: a case reference format per pack id, over the pack's own ``reference_format``
    (and the board's, ``[board] reference_format``, for a pack that gives none).
    """

    pack: str = "enfield-scr-2013"
    packs: tuple[str, ...] = ()
    references: dict[str, str] = {}

    @field_validator("references")
    @classmethod
    def _formats(cls, v: dict[str, str]) -> dict[str, str]:
        for fmt in v.values():
            _reference_format(fmt)
        return v

    def in_use(self) -> tuple[str, ...]:
        """The packs in use, the default first, each once."""
        return tuple(dict.fromkeys((self.pack, *self.packs)))


class Web(_Model):
    """The web workspace, `review-clerk web` (see docs/web.md).

    Who may sign in comes from the people already configured: the Business Manager and the Chair by
    their role, the panel members as panel members, and ``viewers`` (read only, subjects by initials).
    ``public_url`` is the address people use (behind a reverse proxy: its https:// address); sign-in
    links and the Entra ID redirect URI are made from it. Entra ID sign-in uses ``[graph]`` tenant_id,
    client_id and secret or certificate, and ``graph.authority``.
    """

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    public_url: str = "http://127.0.0.1:8080"
    viewers: tuple[str, ...] = ()
    idle_minutes: int = Field(default=30, ge=5, le=480)
    link_minutes: int = Field(default=10, ge=1, le=60)
    # The key that signs the session and CSRF cookies; unset: web-session.key in the data folder,
    # made owner-only at first start. REVIEW_CLERK_WEB__SESSION_KEY_FILE names another file.
    session_key_file: Path | None = None
    # Sign in with Entra ID (OpenID Connect, authorization code flow with PKCE); needs [graph]
    # tenant_id and client_id. Off: the single-use links of `review-clerk web login-link` only.
    entra_sign_in: bool = False
    # Entra app roles that grant a role, as they appear in the id token's "roles" claim.
    app_roles: dict[str, Literal["business_manager", "chair", "panel", "viewer"]] = Field(default_factory=dict)
    # Behind a reverse proxy: trust its X-Forwarded-For and X-Forwarded-Proto from these addresses.
    forwarded_allow_ips: tuple[str, ...] = ()
    # TLS served by uvicorn itself (else: a reverse proxy terminates TLS).
    tls_certificate: Path | None = None
    tls_private_key: Path | None = None
    sign_in_attempts_per_minute: int = Field(default=10, ge=1, le=1000)

    @field_validator("viewers")
    @classmethod
    def _addresses(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_check_email(e) for e in v)

    @field_validator("public_url")
    @classmethod
    def _url(cls, v: str) -> str:
        v = v.strip().rstrip("/")
        if not re.match(r"^https?://[^/\s]+(/[^\s]*)?$", v):
            raise ValueError("an http:// or https:// address, e.g. https://review-clerk.example.org")
        return v

    @model_validator(mode="after")
    def _tls_pair(self) -> "Web":
        if bool(self.tls_certificate) != bool(self.tls_private_key):
            raise ValueError("tls_certificate and tls_private_key together, or neither")
        return self

    @property
    def secure(self) -> bool:
        """Served over TLS (itself or behind a proxy): HSTS is sent."""
        return self.public_url.startswith("https://") or self.tls_certificate is not None


class Settings(_Model):
    board: Board
    people: People
    notifications: Notifications
    panel: tuple[PanelMember, ...] = ()
    agencies: tuple[Agency, ...] = ()
    board_members: tuple[Person, ...] = ()
    working_hours: WorkingHours = WorkingHours()
    data_dir: Path = Path("data")
    mail: Mail = Mail()
    database: Database = Database()
    graph: Graph = Graph()
    intake: Intake = Intake()
    scheduler: Scheduler = Scheduler()
    chasing: Chasing = Chasing()
    logging: Logging = Logging()
    retention: Retention = Retention()
    letters: Letters = Letters()
    meetings: Meetings = Meetings()
    security: Security = Security()
    instructions: Instructions = Instructions()
    metrics: Metrics = Metrics()
    procedure: ProcedureSettings = ProcedureSettings()
    web: Web = Web()

    @model_validator(mode="after")
    def _graph_complete(self) -> "Settings":
        if self.mail.backend == "graph":
            missing = [k for k in ("tenant_id", "client_id") if not getattr(self.graph, k)]
            if missing:
                raise ValueError(f"with mail.backend = \"graph\", graph.{missing[0]} is required")
            if not (self.graph.client_secret or self.graph.certificate_path or self.graph.certificate_pfx_path):
                raise ValueError(
                    "with mail.backend = \"graph\", one of graph.client_secret, graph.certificate_path "
                    "(with graph.certificate_thumbprint) or graph.certificate_pfx_path is required"
                )
            if self.graph.certificate_path and not self.graph.certificate_thumbprint:
                raise ValueError("graph.certificate_path needs graph.certificate_thumbprint")
        keys = [a.key for a in self.agencies]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValueError(f"agency keys must be unique; repeated: {', '.join(dupes)}")
        return self

    @model_validator(mode="after")
    def _web_sign_in(self) -> "Settings":
        if self.web.entra_sign_in:
            missing = [k for k in ("tenant_id", "client_id") if not getattr(self.graph, k)]
            if missing:
                raise ValueError(f"with web.entra_sign_in = true, graph.{missing[0]} is required (the app registration "
                                 f"people sign in through)")
            if not (self.graph.client_secret or self.graph.certificate_path or self.graph.certificate_pfx_path):
                raise ValueError("with web.entra_sign_in = true, one of graph.client_secret, graph.certificate_path "
                                 "or graph.certificate_pfx_path is required (the web workspace redeems codes with it)")
        return self

    # Derived values -----------------------------------------------------
    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.board.time_zone)

    @property
    def database_url(self) -> str:
        if self.database.url:
            return self.database.url
        return f"sqlite:///{(self.data_dir / 'review-clerk.db').as_posix()}"

    @property
    def graph_mailbox(self) -> str:
        return self.graph.mailbox or self.board.mailbox

    def agency(self, key_or_name: str) -> Agency | None:
        wanted = key_or_name.strip().lower()
        for a in self.agencies:
            if a.key == wanted or a.name.lower() == wanted:
                return a
        return None

    def agency_for_address(self, address: str) -> Agency | None:
        domain = address.rsplit("@", 1)[-1].lower()
        for a in self.agencies:
            if any(domain == d or domain.endswith("." + d) for d in a.domains):
                return a
        return None

    def is_partner_address(self, address: str) -> bool:
        domain = address.rsplit("@", 1)[-1].lower()
        domains = set(self.intake.partner_domains) | {d for a in self.agencies for d in a.domains}
        domains.add(self.board.mailbox.rsplit("@", 1)[-1])
        return any(domain == d or domain.endswith("." + d) for d in domains)

    def staff(self) -> list[Person]:
        """The board's staff on file: the Chair, the Business Manager, the Head of SQAS and the others named."""
        people = [self.people.chair, self.people.business_manager, self.people.head_of_sqas,
                  self.people.director_childrens_services, self.people.head_of_cin]
        return [p for p in people if p is not None]

    def staff_addresses(self) -> set[str]:
        return {p.email.lower() for p in self.staff()}

    def panel_packs(self) -> set[str]:
        """The packs some ``[[panel]]`` member sits for alone (``procedures``): each has a panel of its own."""
        return {pid for member in self.panel for pid in member.procedures}


SECRET_KEYS = {"client_secret", "certificate_password", "key", "encryption_key", "previous_keys"}


def _env_overrides(environ: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    """Nested dict from REVIEW_CLERK_A__B=value; *_FILE variants read files."""
    out: dict[str, Any] = {}
    problems: list[str] = []
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX) or name == CONFIG_ENV or name.startswith(ENV_PREFIX + "TEST_"):
            continue  # REVIEW_CLERK_TEST_* belong to the test suite, not to the settings
        path = name[len(ENV_PREFIX):].lower().split("__")
        if path[-1].endswith("_file") and not _is_setting(path):
            path[-1] = path[-1][: -len("_file")]
            try:
                value = Path(value).read_text(encoding="utf-8").strip()
            except OSError as exc:
                problems.append(f"{name}: cannot read the file {value!r} ({exc.strerror or exc})")
                continue
        node = out
        for part in path[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                break
        else:
            node[path[-1]] = _coerce_env(value)
    return out, problems


def _is_setting(path: list[str]) -> bool:
    """True when ``path`` names a setting itself: REVIEW_CLERK_SECURITY__KEY_FILE sets [security] key_file
    (a path), where REVIEW_CLERK_GRAPH__CLIENT_SECRET_FILE reads [graph] client_secret from a file."""
    model: Any = Settings
    for part in path:
        fields = getattr(model, "model_fields", None)
        if not fields or part not in fields:
            return False
        model = fields[part].annotation
    return True


def _coerce_env(value: str) -> Any:
    low = value.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    if value.strip().startswith("["):
        try:
            return tomllib.loads(f"v = {value}")["v"]
        except tomllib.TOMLDecodeError:
            return value
    return value


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(merged.get(k), dict):
            merged[k] = _merge(merged[k], v)
        else:
            merged[k] = v
    return merged


def _describe(error: dict[str, Any]) -> str:
    key = ".".join(str(p) for p in error["loc"]) or "(top level)"
    msg = error["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix):]
    if error["type"] == "missing":
        return f"{key}: missing; it is required"
    if error["type"] == "extra_forbidden":
        return f"{key}: not a setting this version knows (check the spelling against config/review-clerk.example.toml)"
    value = error.get("input")
    last = str(error["loc"][-1]) if error["loc"] else ""
    if last in SECRET_KEYS or "secret" in last or "password" in last:
        shown = "(hidden)"
    elif isinstance(value, (dict, list)):
        shown = "a table" if isinstance(value, dict) else "a list"
    else:
        shown = repr(value)
    expected = msg if msg[:1].islower() or " " in msg else msg
    return f"{key} = {shown}: expected {expected[0].lower() + expected[1:]}" if expected else f"{key} = {shown}"


def find_config(explicit: str | os.PathLike[str] | None) -> Path:
    if explicit:
        return Path(explicit)
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env)
    return Path.cwd() / DEFAULT_CONFIG_NAME


def load_settings(path: str | os.PathLike[str] | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Read, merge and validate. Raises ConfigError, never anything else."""
    environ = dict(os.environ) if environ is None else environ
    cfg_path = find_config(path)
    try:
        raw = tomllib.loads(cfg_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            [f"no configuration file at {cfg_path}; create one with `review-clerk init DIR`, "
             f"or name it with --config or ${CONFIG_ENV}"]
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"not valid TOML: {exc}"], str(cfg_path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"cannot read {cfg_path}: {exc}"]) from None
    overrides, problems = _env_overrides(environ)
    if problems:
        raise ConfigError(problems, "the environment")
    data = _merge(raw, overrides)
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError([_describe(e) for e in exc.errors()], str(cfg_path)) from None
    data_dir = settings.data_dir
    if not data_dir.is_absolute():
        data_dir = (cfg_path.parent / data_dir).resolve()
    key_file = settings.security.key_file or data_dir / "review-clerk.key"
    if not key_file.is_absolute():
        key_file = (cfg_path.parent / key_file).resolve()
    security = settings.security.model_copy(update={"key_file": key_file})
    letters = settings.letters
    if letters.templates_dir is not None and not letters.templates_dir.is_absolute():
        letters = letters.model_copy(update={"templates_dir": (cfg_path.parent / letters.templates_dir).resolve()})
    if letters.templates_dir is not None and not letters.templates_dir.is_dir():
        raise ConfigError([f"letters.templates_dir = {str(letters.templates_dir)!r}: expected a folder of templates "
                           f"(a copy of mail_templates/); it does not exist"], str(cfg_path))
    def pack_place(pack: str) -> str:
        pack = pack.strip()
        if "/" in pack or "\\" in pack or pack.startswith("."):  # a folder, not a shipped pack's id
            folder = Path(pack).expanduser()
            if not folder.is_absolute():
                folder = (cfg_path.parent / folder).resolve()
            return str(folder)
        return pack

    procedure = settings.procedure.model_copy(update={
        "pack": pack_place(settings.procedure.pack),
        "packs": tuple(pack_place(p) for p in settings.procedure.packs)})
    web = settings.web
    for name in ("session_key_file", "tls_certificate", "tls_private_key"):
        value = getattr(web, name)
        if value is not None and not value.is_absolute():
            web = web.model_copy(update={name: (cfg_path.parent / value).resolve()})
    if web.session_key_file is None:
        web = web.model_copy(update={"session_key_file": data_dir / "web-session.key"})
    return settings.model_copy(update={"data_dir": data_dir, "security": security, "letters": letters,
                                       "procedure": procedure, "web": web})
