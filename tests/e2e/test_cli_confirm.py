"""`review-clerk case confirm`: what was read, with the reasons; --accept; --details corrects."""

from __future__ import annotations

import json
from email.message import EmailMessage

from service.demo import FORM_TEXT


def _drop_doubtful(cli) -> None:
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = "karen.sample@met-police.example.org", "escb@example.org", "SCR referral"
    m["Message-ID"], m["Date"] = "<cli-confirm@example.org>", "Mon, 12 May 2014 08:00:00 +0100"
    m.set_content(FORM_TEXT.format(child="Amelia Test", child_dob="not known", mother="Grace Test",
                                   mother_dob="14/06/1988", address="1 Example Road, Enfield, EN1 1AA",
                                   date="12/05/2014", summary="Amelia was admitted to hospital.", referrer="Karen",
                                   phone="020 8345 0000", email="karen.sample@met-police.example.org"))
    (cli.folder / "data" / "mail" / "inbox" / "doubtful.eml").write_bytes(bytes(m))


def test_case_confirm_shows_the_reading_then_takes_a_correction(cli, tmp_path):
    _drop_doubtful(cli)
    assert cli("run", "--once", "--now", "2014-05-12T09:30").exit_code == 0
    [case] = json.loads(cli("cases", "list", "--json").output)
    ref = case["reference"]
    shown = cli("case", "confirm", ref)
    assert shown.exit_code == 0 and "to confirm: subject 1 has no date of birth" in shown.output
    assert f"review-clerk case confirm {ref} --accept" in shown.output
    read = json.loads(cli("case", "confirm", ref, "--json").output)
    read["subjects"][0]["date_of_birth"] = "2010-02-03"
    details = tmp_path / "reading.json"
    details.write_text(json.dumps(read))
    done = cli("case", "confirm", ref, "--details", str(details))
    assert done.exit_code == 0 and "subjects corrected" in done.output
    assert "nothing left to confirm" in cli("case", "confirm", ref).output
