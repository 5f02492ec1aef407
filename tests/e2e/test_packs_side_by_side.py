"""One deployment runs several procedure packs: a referral opens under the pack its wording names, each pack
numbers its cases in its own series, writes with its own templates, and a person can choose the pack."""

from __future__ import annotations

import json
import shutil
from email.message import EmailMessage
from pathlib import Path

from test_cli import drop_samples

ROOT = Path(__file__).resolve().parents[2]


def rapid_review_pack(folder: Path) -> Path:
    """A second pack beside the shipped SCR one: its own id, phrases, reference series, and one template of its
    own (the incident notification's subject); every other template is the service's."""
    pack = folder / "our-rr"
    (pack / "templates" / "incident_notification").mkdir(parents=True)
    shipped = ROOT / "mail_templates" / "incident_notification"
    for part in ("body.txt", "body.html"):
        shutil.copy(shipped / part, pack / "templates" / "incident_notification" / part)
    (pack / "templates" / "incident_notification" / "subject.txt").write_text(
        "[{{ case.reference }}] Rapid review: serious incident notification ({{ case.procedure }})\n")
    text = (ROOT / "procedures" / "enfield-scr-2013" / "procedure.toml").read_text()
    head = 'id = "enfield-scr-2013"\nversion = "2"'
    assert head in text and 'templates = "../../mail_templates"' in text
    text = text.replace(head, 'id = "our-rr"\nversion = "1"\nreference_format = "RR-{year}-{seq:03d}"\n'
                              'referral_wordings = ["rapid review", "serious incident notification"]')
    text = text.replace('label = "Serious case review (Enfield LSCB procedure, Working Together 2013)"',
                        'label = "Rapid review (test pack)"')
    (pack / "procedure.toml").write_text(text.replace('templates = "../../mail_templates"', 'templates = "templates"'))
    return pack


def run_both(folder: Path) -> None:
    config = folder / "review-clerk.toml"
    text = config.read_text()
    assert 'pack = "enfield-scr-2013"\n' in text
    config.write_text(text.replace('pack = "enfield-scr-2013"\n',
                                   'pack = "enfield-scr-2013"\npacks = ["./our-rr"]\n', 1))


def rapid_review_email(when: str = "Mon, 12 May 2014 08:40:00 +0100") -> bytes:
    from service.demo import FORM_TEXT

    m = EmailMessage()
    m["From"] = "Karen Sample <karen.sample@met-police.example.org>"
    m["To"] = "escb.business.manager@enfield.example.org"
    m["Subject"] = "Rapid review referral"
    m["Date"] = when
    m["Message-ID"] = "<rr-1@met-police.example.org>"
    m.set_content(FORM_TEXT.format(
        child="Ruby Rapid", child_dob="03/02/2012", mother="Rose Rapid", mother_dob="14/06/1990",
        address="9 Example Road, Enfield, EN1 1AA", date="12/05/2014",
        summary="Ruby (aged 2) was admitted to hospital with a head injury.", referrer="Karen Sample",
        phone="020 8345 0000", email="karen.sample@met-police.example.org"))
    return bytes(m)


def outbox_subjects(cli) -> list[str]:
    """The subject of every message the service queued (sent, or waiting for a person to check it)."""
    from service.config import load_settings
    from service.store.db import Database
    from service.store import tables as t

    settings = load_settings(cli.folder / "review-clerk.toml", environ=cli.db_env)
    db = Database(settings.database_url)
    try:
        with db.engine.connect() as conn:
            return [r.subject for r in conn.execute(t.outbox.select().order_by(t.outbox.c.id))]
    finally:
        db.dispose()


def test_a_referral_opens_under_the_pack_its_wording_names_in_that_packs_own_series(cli):
    rapid_review_pack(cli.folder)
    run_both(cli.folder)
    drop_samples(cli.folder)  # SCR referrals: the default pack
    (cli.folder / "data" / "mail" / "inbox" / "rr.eml").write_bytes(rapid_review_email())
    run = cli("run", "--once", "--now", "2014-05-12T09:30")
    assert run.exit_code == 0, run.output

    listed = json.loads(cli("cases", "list", "--json").output)
    by_ref = {c["reference"]: c for c in listed}
    assert "RR-2014-001" in by_ref, sorted(by_ref)
    assert {r for r in by_ref if r.startswith("ESCB-")} == {"ESCB-2014-001", "ESCB-2014-002"}
    assert json.loads(cli("case", "show", "RR-2014-001", "--json").output)["procedure"] == "our-rr@1"
    assert json.loads(cli("case", "show", "ESCB-2014-001", "--json").output)["procedure"] == "enfield-scr-2013@2"

    # Each case is written with its pack's templates: the rapid review pack's own subject, the SCR's shipped one.
    subjects = outbox_subjects(cli)
    assert "[RR-2014-001] Rapid review: serious incident notification (Rapid review (test pack))" in subjects
    assert not [s for s in subjects if s.startswith("[ESCB-") and "Rapid review" in s]

    # A person sees each pack's letters, and a case's letter as its own pack writes it.
    listed = json.loads(cli("letters", "list", "--procedure", "our-rr", "--json").output)
    assert "incident_notification" in {r["name"] for r in listed}
    preview = cli("letters", "preview", "incident_notification", "--case", "RR-2014-001")
    assert preview.exit_code == 0 and "Rapid review: serious incident notification" in preview.output
    sample = cli("letters", "preview", "incident_notification", "--procedure", "our-rr")
    assert sample.exit_code == 0 and "Rapid review: serious incident notification" in sample.output
    scr = cli("letters", "preview", "incident_notification")
    assert scr.exit_code == 0 and "Rapid review" not in scr.output
    unknown = cli("letters", "list", "--procedure", "nope")
    assert unknown.exit_code == 1 and "'nope' is not a procedure this board runs" in unknown.output


def test_a_reply_quoting_a_packs_reference_reaches_its_case(cli):
    rapid_review_pack(cli.folder)
    run_both(cli.folder)
    inbox = cli.folder / "data" / "mail" / "inbox"
    inbox.joinpath("rr.eml").write_bytes(rapid_review_email())
    assert cli("run", "--once", "--now", "2014-05-12T09:30").exit_code == 0
    m = EmailMessage()
    m["From"] = "karen.sample@met-police.example.org"
    m["To"] = "escb.business.manager@enfield.example.org"
    m["Subject"] = "Re: rr-2014-001 further information"
    m["Message-ID"] = "<rr-2@met-police.example.org>"
    m.set_content("Further information about the case.")
    inbox.joinpath("reply.eml").write_bytes(bytes(m))
    assert cli("run", "--once", "--now", "2014-05-12T10:30").exit_code == 0
    listed = json.loads(cli("inbox", "list", "--json").output)
    reply = next(r for r in listed if r["id"] == max(x["id"] for x in listed))
    assert reply["status"] == "reply" and reply["outcome"] == "reply filed against RR-2014-001", reply


def test_a_person_opens_a_case_by_hand_under_the_pack_they_choose(cli, tmp_path):
    rapid_review_pack(cli.folder)
    run_both(cli.folder)
    details = tmp_path / "referral.json"
    details.write_text(json.dumps({"referral": {
        "referral_date": "2014-05-09", "summary": "A telephone referral from the hospital.",
        "subjects": [{"name": "Pat Phone", "role": "child", "date_of_birth": "2013-01-01"}],
        "referrer": {"name": "Dr Example", "agency": "Hospital", "email": "dr.example@nhs.example.org"}}}))
    opened = cli("case", "open", "--details", str(details), "--procedure", "our-rr", "--received", "2014-05-09")
    assert opened.exit_code == 0, opened.output
    assert "RR-2014-001" in opened.output and "Rapid review (test pack)" in opened.output
    shown = json.loads(cli("case", "show", "RR-2014-001", "--json").output)
    assert shown["procedure"] == "our-rr@1"
    assert shown["events"]["referral_received"] == "2014-05-09"

    default = cli("case", "open", "--details", str(details))
    assert default.exit_code == 1 and "same referral" in default.output  # the same form again: refused

    unknown = cli("case", "open", "--details", str(details), "--procedure", "sar-nowhere")
    assert unknown.exit_code == 1
    assert "'sar-nowhere' is not a procedure this board runs" in unknown.output
    assert "enfield-scr-2013" in unknown.output and "our-rr" in unknown.output


def test_a_board_whose_default_is_another_pack_starts_and_opens_its_cases_under_it(cli):
    rapid_review_pack(cli.folder)
    config = cli.folder / "review-clerk.toml"
    config.write_text(config.read_text().replace('pack = "enfield-scr-2013"\n',
                                                 'pack = "./our-rr"\npacks = ["enfield-scr-2013"]\n', 1))
    drop_samples(cli.folder)  # "SCR referral": no phrase of the rapid review pack, so the default
    run = cli("run", "--once", "--now", "2014-05-12T09:30")
    assert run.exit_code == 0, run.output
    refs = {c["reference"] for c in json.loads(cli("cases", "list", "--json").output)}
    assert refs == {"RR-2014-001", "RR-2014-002"}


def test_a_pack_template_that_uses_what_it_is_not_given_stops_the_start_naming_it(cli):
    pack = rapid_review_pack(cli.folder)
    run_both(cli.folder)
    (pack / "templates" / "incident_notification" / "subject.txt").write_text("{{ case.child_name }}\n")
    run = cli("run", "--once", "--now", "2014-05-12T09:30")
    assert run.exit_code != 0
    assert "incident_notification/subject.txt" in run.output and "child_name" in run.output
