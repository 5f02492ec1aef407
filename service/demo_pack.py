"""`review-clerk demo --procedure ID`: any pack's case from referral to its end, in simulated time.

The pack is the script. A referral in the pack's own words arrives; each morning the service runs; then
the people act as the pack expects them to: the deadline due next is met a working day before it falls
(the event that meets it recorded, the decision taken on the way to a review), an involved agency is
added so that the per-agency requests and chasing show, and where no deadline is open the next event a
person records in the present stage is recorded. The output is what the service sent and when, each
deadline with the rule that set it, until the case reaches a final stage. The people are invented.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.markup import escape

from .display import this_command

LONDON = ZoneInfo("Europe/London")
START = datetime(2025, 12, 1, 9, 0, tzinfo=LONDON)  # a Monday before Christmas: bank holidays in the arithmetic
ACTOR = "business manager (demo)"
MAX_STEPS = 60

FORM = """Referral: {wording}
{board}

Names, dates of birth and address:
{role}: {name}, DOB {dob}; Mother: Grace Demo, DOB 14/06/1988; Address: 1 Example Road, Enfield, EN1 1AA

Date: {date}

Summary:
{name_first} was admitted to hospital with injuries that are not consistent with the explanation given.
The family was known to several agencies.

Request/Recommendations:
We ask the partnership to consider a {wording}.

Please state how the case meets the criteria:
Abuse or neglect is known or suspected and the person has been seriously harmed.

Name of the referrer: Karen Sample

Telephone: 020 8345 0000

E-mail: karen.sample@met-police.example.org
"""


def run_pack_demo(out: Console, pack: str, folder: Path | None = None, keep: bool = False) -> Path:
    """The pack's story in ``folder`` (else a temporary one, removed at the end unless ``keep``)."""
    made = folder is None
    folder = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="review-clerk-demo-"))
    try:
        return _story(out, pack, folder, keep)
    finally:
        if made and not keep:
            shutil.rmtree(folder, ignore_errors=True)


def referral_email(app, wording: str, when: datetime) -> bytes:
    from email.message import EmailMessage
    from email.utils import format_datetime

    adults = "adult" in wording.lower() or "homicide" in wording.lower() or "domestic" in wording.lower()
    m = EmailMessage()
    m["From"] = "Karen Sample <karen.sample@met-police.example.org>"
    m["To"] = app.settings.board.mailbox
    m["Subject"] = f"{wording[:1].upper()}{wording[1:]} - referral"
    m["Date"] = format_datetime(when)
    m["Message-ID"] = "<demo-pack-1@met-police.example.org>"
    m.set_content(FORM.format(wording=wording, board=app.settings.board.name,
                              role="Adult" if adults else "Child", name="Alex Demo",
                              name_first="Alex", dob="03/02/1970" if adults else "03/02/2020",
                              date=when.strftime("%d/%m/%Y")))
    return bytes(m)


def _story(out: Console, pack: str, folder: Path, keep: bool) -> Path:
    from .bootstrap import build_app
    from .clock import FixedClock
    from .config import load_settings
    from .jobs import run_once
    from .logs import setup
    from .simulation import mark, trusting_local_mail

    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "review-clerk.toml"
    example = Path(__file__).resolve().parents[1] / "config" / "review-clerk.example.toml"
    text = trusting_local_mail(example.read_text(encoding="utf-8"))
    text = text.replace('pack = "enfield-scr-2013"\n', f'pack = "{pack}"\n', 1)
    config.write_text(text, encoding="utf-8")
    settings = load_settings(config, environ={"REVIEW_CLERK_MEETINGS__AUTO_SCHEDULE": "false"})
    setup("WARNING")
    clock = FixedClock(START)
    app = build_app(settings, clock, create=True)
    mark(app.db, clock.now())
    p = app.procedure
    mail = settings.data_dir / "mail"
    seen: set[int] = set()

    def show_sent() -> None:
        with app.db.unit_of_work(read_only=True) as uow:
            rows = [m for m in uow.outbox.for_case(uow.cases.id_of(ref))] if ref else []
        for m in rows:
            if m["id"] in seen or m["status"] not in ("sent", "review", "queued", "held"):
                continue
            seen.add(m["id"])
            how = "" if m["status"] == "sent" else f" [yellow]({m['status']}: waiting for a person)[/]"
            out.print(f"  {escape(m['template'])} to {escape(', '.join(m['to']))}: "
                      f"[green]{escape(m['subject'])}[/]{how}", highlight=False)

    def heading(text: str) -> None:
        out.print(f"\n[bold]{clock.now().astimezone(LONDON):%a %d %b %Y %H:%M}[/]  {escape(text)}", highlight=False)

    out.rule(f"[bold]Review Clerk demo: {escape(p.label)}")
    out.print(f"Working in {folder} (local mail backend, SQLite). The people in it are invented.")
    ref = None
    wording = p.referral_wordings[0] if p.referral_wordings else "review"
    heading(f"a referral arrives: \"{wording}\"")
    (mail / "inbox" / "01-referral.eml").write_bytes(referral_email(app, wording, clock.now()))
    run_once(app)
    from .cases import list_cases

    opened = list_cases(app)
    if not opened:
        out.print("[red]the referral did not open a case[/]: see `review-clerk inbox list`")
        app.db.dispose()
        return folder
    ref = opened[0]["reference"]
    out.print(f"  case [bold]{ref}[/] opened under {escape(p.key)}")
    show_sent()
    if settings.agencies:
        from .cases import add_agency

        add_agency(app, ref, settings.agencies[0].key, ACTOR)
        out.print(f"  {escape(settings.agencies[0].name)} added as an involved agency")
        run_once(app)
        show_sent()

    done: set[str] = set()
    for _ in range(MAX_STEPS):
        case = _case(app, ref)
        if p.is_final(case.stage):
            break
        step = _next_step(app, case, done)
        if step is None:
            out.print("  nothing more a person is expected to do in this stage")
            break
        day, what, act = step
        morning = datetime.combine(day, time(9, 5), tzinfo=LONDON)
        if morning > clock.now():
            clock.set(morning)
            heading("the morning run")
            run_once(app)
            show_sent()
        clock.set(datetime.combine(day, time(11, 0), tzinfo=LONDON))
        heading(what)
        try:
            act()
        except Exception as exc:  # noqa: BLE001 - a step the pack refuses is shown and skipped, not fatal
            out.print(f"  [yellow]not done:[/] {escape(str(exc))}")
        clock.set(datetime.combine(day, time(16, 5), tzinfo=LONDON))
        run_once(app)
        show_sent()

    case = _case(app, ref)
    end = "its end" if p.is_final(case.stage) else "as far as the demo goes"
    out.rule(f"[bold]{ref}: {escape(p.stage_label(case.stage))} ({end})")
    for d in sorted(case.deadlines.values(), key=lambda d: d.due):
        out.print(f"  {d.what} ({d.key}): due {d.due:%a %d %b %Y}, {d.state(app.today())} - {escape(d.rule)}",
                  highlight=False, markup=False)
    cmd = this_command()
    if not keep:
        out.print(f"\nThe demo's folder is removed now; run [bold]{escape(cmd)} demo --procedure {escape(pack)} "
                  f"--keep[/] to keep it and open the mail it sent.")
    else:
        out.print(f"\nSent mail: {mail / 'sent'}; try: {cmd} case show {ref} --config {config}")
    app.db.dispose()
    return folder


def _case(app, ref: str):
    with app.db.unit_of_work(read_only=True) as uow:
        return uow.cases.get(ref)


def _next_step(app, case, done: set[str]):
    """(the day, what happens, how) for what a person does next, or None."""
    from . import cases

    p = case.procedure
    today = app.today()
    open_ = sorted((d for d in case.deadlines.values() if d.state(today) in ("open", "missed", "extended")
                    and d.key not in done), key=lambda d: (d.due, d.key))
    if open_:
        d = open_[0]
        done.add(d.key)
        day = max(_working_day_before(app, d.due), today + timedelta(days=1))
        rule = p.rule(d.kind)
        met_by = rule.met_by if rule is not None else None
        decision = p.decision_by_event(met_by) if met_by else None
        if decision is not None:
            outcome = next((o for o in decision.outcomes if not p.is_final(o.to)), decision.outcomes[0])
            criterion = outcome.criteria[0] if outcome.criteria else (decision.criteria[0].id if decision.criteria
                                                                       else None)
            return day, f"{p.role_label(decision.by)}: {decision.label} - {outcome.label}", \
                lambda: cases.decide(app, case.reference, outcome.id, day, "demo: the criteria are met", ACTOR,
                                     criterion)
        if met_by and not d.agency and met_by not in case.events:
            return day, f"{p.event_label(met_by)} (meets: {d.what})", \
                lambda: cases.record(app, case.reference, met_by, day, ACTOR)
        return day, f"done: {d.what}", lambda: cases.mark_done(app, case.reference, d.key, day, ACTOR, "demo")
    for e in p.recordable_events():
        if e.id in case.events or e.id in done:
            continue
        stages, _ = p.where_recordable(e.id)
        if stages is None or case.stage not in stages:
            continue
        done.add(e.id)
        day = _working_day_after(app, today)
        for q in e.requires:  # an event that must come some days after another: on the first day it may
            if q.event in case.events:
                day = max(day, case.events[q.event] + timedelta(days=q.days_before))
        on = day + timedelta(days=14) if e.planned else day
        return day, f"{e.label}" + (f" (planned for {on:%d %b %Y})" if e.planned else ""), \
            lambda: cases.record(app, case.reference, e.id, on, ACTOR)
    return None


def _working_day_before(app, day: date) -> date:
    from .domain.calendar import add_working_days

    return add_working_days(day, -1)


def _working_day_after(app, day: date) -> date:
    from .domain.calendar import add_working_days

    return add_working_days(day, 1)
