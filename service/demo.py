"""`review-clerk demo`: the service on sample referrals, through simulated time.

Everything happens in a fresh folder with the local mail backend: sample
emails are dropped into the inbox, the jobs run as of simulated dates, and
the output says what happened and where to look. The people in the samples
are invented.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.markup import escape

from .display import this_command

LONDON = ZoneInfo("Europe/London")
FORM_TEXT = """Meeting: SCR
Enfield Safeguarding Children Board
Referral of case for consideration under SCR processes

Child and adult names, dates of birth and address:
Child: {child}, DOB {child_dob}; Mother: {mother}, DOB {mother_dob}; Address: {address}

Date: {date}

Summary:
{summary}

Request/Recommendations to the LSCB:
We recommend that the Board undertakes a Serious Case Review. Our agency will contribute an IMR and chronology.

Please state how the case meets the criteria for an SCR using the criteria in Working Together 2013:
Abuse or neglect is suspected and the child has died (regulation 5(2)(a) and (b)(i)).

Name of SCR Panel Member of the referring agency: {referrer}

Telephone: {phone}

E-mail: {email}
"""


def _mail(sender: str, subject: str, when: datetime, body: str, msgid: str, **headers: str) -> EmailMessage:
    m = EmailMessage()
    m["From"] = sender
    m["To"] = "escb.business.manager@enfield.example.org"
    m["Subject"] = subject
    m["Date"] = format_datetime(when)
    m["Message-ID"] = msgid
    for k, v in headers.items():
        m[k.replace("_", "-")] = v
    m.set_content(body)
    return m


def _docx_form(fields: list[tuple[str, str]]) -> bytes:
    from docx import Document

    doc = Document()
    doc.add_paragraph("Meeting: SCR")
    doc.add_paragraph("Enfield Safeguarding Children Board")
    doc.add_paragraph("Referral of case for consideration under SCR processes")
    table = doc.add_table(rows=0, cols=2)
    for label, value in fields:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def sample_emails(day: datetime) -> dict[str, bytes]:
    """Invented referrals in several formats, with a duplicate, an auto-reply and an unknown sender."""
    text_form = FORM_TEXT.format(
        child="Amelia Demo", child_dob="03/02/2010", mother="Grace Demo", mother_dob="14 June 1988",
        address="1 Example Road, Enfield, EN1 1AA", date=day.strftime("%d/%m/%Y"),
        summary="Amelia (aged 4) was admitted to hospital with injuries that are not consistent with the "
                "explanation given.\nThe family was known to early help services.",
        referrer="Karen Sample", phone="020 8345 0000", email="karen.sample@met-police.example.org")
    police = _mail("Karen Sample <karen.sample@met-police.example.org>", "SCR referral - AD", day, text_form,
                   "<demo-1@met-police.example.org>")
    forwarded = _mail("Duty Desk <duty.desk@met-police.example.org>", "FW: SCR referral - AD", day + timedelta(hours=1),
                      "Forwarding in case this was not received.\n\n-----Original Message-----\n"
                      "From: Karen Sample <karen.sample@met-police.example.org>\nSent: today\nSubject: SCR referral - AD\n\n"
                      + text_form, "<demo-2@met-police.example.org>")
    council = _mail("Neil Example <neil.example@enfield.example.org>", "Referral to SCR Panel", day + timedelta(hours=2),
                    "Dear Business Manager,\n\nPlease find attached a referral.\n\nNeil Example\n"
                    "Enfield Council Children's Services\n", "<demo-3@enfield.example.org>")
    council.add_attachment(_docx_form([
        ("Child and adult names, dates of birth and address",
         "Child: Oscar Example, DOB 21/09/2011\nFather: Paul Example, DOB 02/03/1979\n"
         "Address: 2 Sample Lane, Enfield, EN2 2BB"),
        ("Date", day.strftime("%d %B %Y")),
        ("Summary", "Oscar (aged 2) was found alone at home in an unheated flat. He is now in foster care."),
        ("Request/Recommendations to the LSCB", "That the Chair considers whether an SCR is required."),
        ("Please state how the case meets the criteria for an SCR using the criteria in Working Together 2013",
         "The child was seriously harmed through neglect; agencies did not share concerns."),
        ("Name of SCR Panel Member of the referring agency", "Neil Example"),
        ("Telephone", ""),
        ("Email", "neil.example@enfield.example.org"),
    ]), maintype="application", subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
        filename="SCR_Referral.docx")
    auto = _mail("out.of.office@nhs.example.org", "Automatic reply: SCR panel", day + timedelta(hours=3),
                 "I am out of the office until Monday.", "<demo-4@nhs.example.org>", Auto_Submitted="auto-replied")
    unknown = _mail("someone@charity.example.org", "Referral for serious case review", day + timedelta(hours=4),
                    FORM_TEXT.format(child="Lily Invented", child_dob="01/01/2012", mother="Rose Invented",
                                     mother_dob="01/01/1990", address="3 Nowhere Street, Enfield, EN3 3CC",
                                     date=day.strftime("%d/%m/%Y"), summary="Lily (aged 2) was seriously injured.",
                                     referrer="Sam Someone", phone="07700 900000",
                                     email="someone@charity.example.org"), "<demo-5@charity.example.org>")
    return {"01-police-text.eml": bytes(police), "02-police-forwarded-again.eml": bytes(forwarded),
            "03-council-docx.eml": bytes(council), "04-auto-reply.eml": bytes(auto),
            "05-unknown-sender.eml": bytes(unknown)}


def run_demo(out: Console, folder: Path | None = None, keep: bool = False) -> Path:
    """The whole story on the local backend, in simulated time, in ``folder`` (else a temporary one).
    Returns the folder, which is removed at the end unless ``keep``."""
    made = folder is None
    folder = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="review-clerk-demo-"))
    try:
        return _story(out, folder, keep)
    finally:
        if made and not keep:
            shutil.rmtree(folder, ignore_errors=True)


def _story(out: Console, folder: Path, keep: bool) -> Path:
    from .bootstrap import build_app
    from .cases import add_agency, list_cases, record, show
    from .clock import FixedClock
    from .config import load_settings
    from .domain.model_types import EventKind
    from .jobs import read_inbox, run_once, send_outbox
    from .letters.commands import letters_of_case
    from .logs import setup
    from .meetings.demo import demo_meetings
    from .simulation import mark, trusting_local_mail

    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "review-clerk.toml"
    example = Path(__file__).resolve().parents[1] / "config" / "review-clerk.example.toml"
    config.write_text(trusting_local_mail(example.read_text(encoding="utf-8")), encoding="utf-8")
    settings = load_settings(config, environ={})
    setup("WARNING")
    clock = FixedClock(datetime(2014, 5, 12, 9, 0, tzinfo=LONDON))  # a Monday, as working hours start
    app = build_app(settings, clock, create=True)  # a new service in a new folder
    mark(app.db, clock.now())  # a simulation: simulated dates, and nothing leaves this machine
    mail = settings.data_dir / "mail"
    sent_before: set[str] = set()

    def show_sent() -> None:
        import email
        import email.policy

        for p in sorted((mail / "sent").glob("*.eml")):
            if p.name in sent_before:
                continue
            sent_before.add(p.name)
            m = email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            files = [a.get_filename() for a in m.iter_attachments()]
            extra = f"  [dim](attached: {escape(', '.join(files))})[/]" if files else ""
            out.print(f"  sent to {escape(str(m['To']))}: [green]{escape(str(m['Subject']))}[/]{extra}")

    def heading(text: str) -> None:
        out.print(f"\n[bold]{_when(clock)}[/]  {escape(text)}")

    out.rule("[bold]Review Clerk demo")
    out.print(f"Working in {folder} (local mail backend, SQLite). The people in it are invented.")

    heading("five emails arrive in the board mailbox")
    for name, raw in sample_emails(clock.now()).items():
        (mail / "inbox" / name).write_bytes(raw)
        out.print(f"  {escape(name)}")
    read_inbox(app)
    with app.db.unit_of_work() as uow:
        for r in uow.inbox.by_status(["processed", "duplicate", "not_referral", "held", "quarantined", "failed"]):
            out.print(f"  message {r['id']} from {escape(r['sender'] or '?')}: [cyan]{r['status']}[/] - "
                      f"{escape(r['outcome'] or '')}")
    cases = list_cases(app)[::-1]  # oldest first: the story follows the first referral
    for c in cases:
        out.print(f"  case [bold]{c['reference']}[/] opened; next deadline: {escape(c['next_deadline'] or '-')}, "
                  f"due {c['next_due']}")
    send_outbox(app)
    show_sent()
    first, second = cases[0]["reference"], cases[1]["reference"]

    heading(f"the extraordinary panel meeting for {first}")
    demo_meetings(app, out, first, read_inbox=read_inbox)
    run_once(app)
    show_sent()

    for day in (13, 14):
        clock.set(datetime(2014, 5, day, 9, 5, tzinfo=LONDON))
        heading("the service's morning run: reminders before deadlines, escalation after them")
        run_once(app)
        show_sent()

    clock.set(datetime(2014, 5, 14, 11, 0, tzinfo=LONDON))
    heading(f"the Business Manager records what happened on {first}")
    record(app, first, EventKind.CHAIR_SQAS_DISCUSSED, date(2014, 5, 13), "business manager")
    record(app, first, EventKind.OFSTED_NOTIFIED, date(2014, 5, 13), "business manager",
           "notified by the Chair through Ofsted's online form")
    add_agency(app, first, "enfield-ccg", "business manager")
    out.print("  Chair and Head of SQAS discussed it; Ofsted notified; the CCG added as an involved agency")

    clock.set(datetime(2014, 5, 21, 14, 0, tzinfo=LONDON))
    heading(f"the Chair decides {first} needs a serious case review, and says so in a reply")
    chair = app.settings.people.chair.email
    with app.db.unit_of_work() as uow:  # the last message the service sent the Chair about the case
        reminder = [m for m in uow.outbox.for_case(uow.cases.id_of(first))
                    if chair in m["to"] and m["status"] in ("sent", "combined")][-1]
        if reminder["status"] == "combined":  # it went in the Chair's one message of that morning
            reminder = uow.outbox.get(uow.outbox.id_of(uow.outbox.combined_into(reminder["key"])))
    subject = reminder["subject"] if f"[{first}]" in reminder["subject"] else f"[{first}] {reminder['subject']}"
    decision = _mail(chair, f"RE: {subject}", clock.now(),
                     "Decision: serious case review\n\nAbuse suspected and the child seriously harmed; concerns "
                     "about how agencies worked together.\n\nKind regards\nIndependent Chair\n",
                     "<demo-decision@enfield.example.org>", In_Reply_To=reminder["message_id"],
                     References=reminder["message_id"])
    (mail / "inbox" / "06-chair-decision.eml").write_bytes(bytes(decision))
    out.print('  "Decision: serious case review" and the reasons, in a reply to the service\'s reminder to the Chair')
    run_once(app)
    with app.db.unit_of_work() as uow:
        for r in uow.inbox.by_status(["reply", "refused"]):
            if r["kind"] == "decision" or r["status"] == "refused":
                out.print(f"  message {r['id']}: [cyan]{r['status']}[/] - {escape(r['outcome'] or '')}")
    shown = show(app, first)
    out.print(f"  {first} is at stage '{escape(shown['stage_label'])}' ({escape(shown['procedure_label'])}, "
              f"{shown['procedure']})")
    for d in shown["deadlines"]:
        if d["state"] not in ("met",):
            out.print(f"  {escape(d['what'])} ({d['key']}): due {d['due']} - {escape(d['rule'])}")
    show_sent()
    out.print("  the decision's letters wait two working hours, during which a reply \"Undo\" to the confirmation "
              "withdraws it")

    clock.set(datetime(2014, 5, 21, 16, 5, tzinfo=LONDON))
    heading("two working hours later the hold ends: the decision's letters go")
    run_once(app)
    show_sent()
    for m in letters_of_case(app, first, ("imr_letter",)):
        out.print(f"  the Chair's letter to {escape(m['to'][0])} is [green]{m['status']}[/]; open it in "
                  f"{mail / 'sent'}")

    for day in (22, 23, 27):
        clock.set(datetime(2014, 5, day, 9, 5, tzinfo=LONDON))
        heading("the service's morning run" + (" (Monday 26 May was a bank holiday: the weekly digest goes today)"
                                               if day == 27 else ""))
        run_once(app)
        show_sent()

    digest = sorted((mail / "sent").glob("digest*.eml"))
    if digest:
        import email
        import email.policy

        m = email.message_from_bytes(digest[-1].read_bytes(), policy=email.policy.default)
        out.rule("[bold]The weekly digest for the Business Manager")
        out.print(escape(m.get_body(("plain",)).get_content().split("\n\n", 2)[-1].split("--")[0].strip()))

    _show_forecast(out, app)

    if not keep:
        out.rule("[bold]Done")
        out.print(f"The demo's folder ({folder}) is removed now; run [bold]{escape(this_command())} demo --keep[/] to keep it "
                  f"and open the mail it sent and the invitations it made.")
        app.db.dispose()
        return folder
    out.rule("[bold]Where to look")
    out.print(f"Sent mail ({len(sent_before)} messages, Word letters attached): {mail / 'sent'}")
    out.print(f"Drafts left for the Chair to check: {mail / 'drafts'}")
    out.print(f"Invitations (.ics): {settings.data_dir / 'calendar'}")
    out.print(f"Filed mail: {mail / 'processed'}, {mail / 'quarantine'}, {mail / 'not-referral'}")
    cmd = this_command()  # `review-clerk` is not on PATH after `make demo`
    out.print(f"Try: {cmd} case show {first} --config {config}")
    for what in ("deadlines", "meeting list", "inbox list", "forecast"):
        out.print(f"     {cmd} {what} --config {config}")
    del second
    app.db.dispose()
    return folder


def _show_forecast(out: Console, app) -> None:
    """The next fortnight, as `review-clerk forecast` would show it: what would go if nobody did anything."""
    from .forecast import forecast

    until = app.today() + timedelta(days=14)
    actions = forecast(app, until)
    out.rule(f"[bold]The next fortnight if nobody did anything (review-clerk forecast --until {until.isoformat()})")
    for a in actions:
        to = f" -> {', '.join(a.to)}" if a.to else ""
        out.print(escape(f"  {a.at:%a %d %b %H:%M}  {a.reference or '':<14} {a.what}{to}"), highlight=False)
    out.print(f"  {len(actions)} actions; a forecast sends and records nothing.")


def _when(clock) -> str:
    return clock.now().astimezone(LONDON).strftime("%a %d %b %Y %H:%M")
