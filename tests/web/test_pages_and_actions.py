"""The pages and the actions on them: each runs the command line's use case with the signed-in person as actor."""

from __future__ import annotations

import html
import re

from conftest import BM, CHAIR, CHILD, MOTHER, VIEWER, csrf_of, sign_in

from service import cases

REF = "ESCB-2014-001"


def post(client, page_path: str, action: str, **data):
    token = csrf_of(client.get(page_path).text)
    return client.post(action, data={"csrf": token, **data}, follow_redirects=False)


def deadline(board, key: str) -> dict:
    return next(d for d in cases.show(board, REF)["deadlines"] if d["key"] == key)


def history(board) -> list[dict]:
    return cases.show(board, REF)["history"]


def test_the_dashboard_shows_what_is_due_and_what_needs_a_person(client, board, wall):
    sign_in(client, board, BM, now=wall)
    page = client.get("/").text
    due = page.split('id="week-h"')[1].split("</section>")[0]
    assert "Notify Ofsted of the serious incident" in due and "2014-05-19" in due
    attention = page.split('id="attention-h"')[1]
    assert "1 held message" in attention and "1 letter waiting for review" in attention
    assert 'href="/letters/1"' in attention


def test_the_dashboard_shows_overdue_deadlines(client, board, wall):
    board.clock.advance(days=10)  # Thursday 22 May: the Ofsted notification was due on the 19th
    sign_in(client, board, BM, now=wall)
    overdue = client.get("/").text.split('id="overdue-h"')[1].split("</section>")[0]
    assert "Notify Ofsted of the serious incident" in overdue and "missed" in overdue


def test_cases_filter_by_stage_and_overdue_and_search_by_reference(client, board, wall):
    sign_in(client, board, BM, now=wall)
    assert REF in client.get("/cases").text
    stage = cases.show(board, REF)["stage"]
    assert REF in client.get(f"/cases?stage={stage}").text
    assert REF not in client.get("/cases?stage=publication").text
    assert REF not in client.get("/cases?overdue=1").text
    assert REF in client.get("/cases?q=2014-001").text and REF not in client.get("/cases?q=2015").text
    assert client.get("/cases?stage=nonsense").status_code == 400
    assert REF in client.get("/cases?procedure=enfield-scr-2013@2").text  # the procedure each case runs under
    assert client.get("/cases?procedure=enfield-scr-2013@9").status_code == 400


def test_the_case_page_has_people_deadlines_with_rules_letters_and_the_audit_trail(client, board, wall):
    sign_in(client, board, BM, now=wall)
    page = client.get(f"/cases/{REF}").text
    assert CHILD in page and MOTHER in page and "2010-02-03" in page
    assert "within 5 working days of the local authority becoming aware of the incident (2014-05-12)" in page
    assert "Working Together" in page
    letters = page.split('id="letters-h"')[1].split("</section>")[0]
    assert "incident notification" in letters and "awaiting review" in letters
    audit = page.split('id="audit-h"')[1]
    assert "case opened" in audit
    assert "<title>Case ESCB-2014-001 – Review Clerk</title>" in page


def test_a_viewer_sees_initials_and_no_names_dates_of_birth_or_addresses(client, board, wall):
    sign_in(client, board, VIEWER, now=wall)
    page = client.get(f"/cases/{REF}").text
    for personal in (CHILD, MOTHER, "Amelia", "Grace", "2010-02-03", "Example Road", "Karen Sample"):
        assert personal not in page
    assert "<td>AT</td>" in page and "<td>GT</td>" in page
    letter = client.get("/letters/1").text
    assert "not shown to viewers" in letter and "Amelia" not in letter
    assert 'action="/cases/ESCB-2014-001/record"' not in page


def test_a_viewer_may_not_act_whatever_they_post(client, board, wall):
    sign_in(client, board, VIEWER, now=wall)
    for action, data in ((f"/cases/{REF}/record", {"event": "ofsted_notified", "date": "2014-05-13"}),
                         (f"/cases/{REF}/decide", {"outcome": "scr", "date": "2014-05-13", "reason": "x"}),
                         ("/letters/1/approve", {}), ("/mail/2/release", {}),
                         (f"/cases/{REF}/deadlines/ofsted_notification/pause", {"reason": "x"})):
        r = post(client, "/", action, **data)
        assert r.status_code == 403, action
    shown = cases.show(board, REF)
    assert "ofsted_notified" not in shown["events"] and shown["outcome"] is None


def test_recording_an_event_meets_its_deadline_and_is_audited_with_the_person(client, board, wall):
    sign_in(client, board, BM, now=wall)
    key = next(d["key"] for d in cases.show(board, REF)["deadlines"] if d["what"].startswith("Notify Ofsted"))
    r = post(client, f"/cases/{REF}", f"/cases/{REF}/record", event="ofsted_notified", date="12/05/2014")
    assert r.status_code == 303 and r.headers["location"] == f"/cases/{REF}?done=recorded"
    page = client.get(r.headers["location"]).text
    assert "The event is recorded." in page
    assert deadline(board, key)["state"] == "met"
    row = page.split(f'id="deadline-{key}"')[1].split("</tr>")[0]
    assert "met" in row and "2014-05-12" in row
    assert any(h["actor"] == BM and h["action"] == "event recorded" for h in history(board))


def test_a_date_that_is_not_a_date_is_said_so_and_nothing_changes(client, board, wall):
    sign_in(client, board, BM, now=wall)
    r = post(client, f"/cases/{REF}", f"/cases/{REF}/record", event="ofsted_notified", date="next tuesday")
    assert r.status_code == 400 and "not a date" in r.text
    r = post(client, f"/cases/{REF}", f"/cases/{REF}/record", event="no_such_event", date="2014-05-13")
    assert r.status_code == 400
    assert "ofsted_notified" not in cases.show(board, REF)["events"]


def test_the_chair_gives_a_decision_with_reasons(client, board, wall):
    sign_in(client, board, CHAIR, now=wall)
    r = post(client, f"/cases/{REF}", f"/cases/{REF}/decide", outcome="scr", date="2014-05-12",
             reason="The criteria for a serious case review are met.")
    assert r.status_code == 303, r.text
    shown = cases.show(board, REF)
    assert shown["outcome"] == "scr" and shown["decision_reason"] == "The criteria for a serious case review are met."
    assert any(h["actor"] == CHAIR for h in shown["history"])
    page = client.get(f"/cases/{REF}").text
    assert "The criteria for a serious case review are met." in page and shown["stage_label"] in page


def test_the_chair_may_decide_but_not_record_events(client, board, wall):
    sign_in(client, board, CHAIR, now=wall)
    page = client.get(f"/cases/{REF}").text
    assert 'action="/cases/ESCB-2014-001/decide"' in page and 'action="/cases/ESCB-2014-001/record"' not in page
    r = post(client, f"/cases/{REF}", f"/cases/{REF}/record", event="ofsted_notified", date="2014-05-13")
    assert r.status_code == 403


def test_a_decision_needs_its_reasons(client, board, wall):
    sign_in(client, board, CHAIR, now=wall)
    r = post(client, f"/cases/{REF}", f"/cases/{REF}/decide", outcome="scr", date="2014-05-14", reason="  ")
    assert r.status_code == 400 and "reason" in r.text
    assert cases.show(board, REF)["outcome"] is None


def test_a_deadline_is_paused_resumed_and_extended_with_reasons(client, board, wall):
    sign_in(client, board, BM, now=wall)
    key = cases.show(board, REF)["deadlines"][-1]["key"]
    page = f"/cases/{REF}/deadlines/{key}"
    assert client.get(page).status_code == 200
    assert post(client, page, f"{page}/pause", reason="Court proceedings").status_code == 303
    assert deadline(board, key)["state"] == "paused"
    assert post(client, page, f"{page}/resume", reason="Proceedings over").status_code == 303
    assert deadline(board, key)["state"] != "paused"
    assert post(client, page, f"{page}/extend", to="2015-01-30", reason="Agreed with Ofsted").status_code == 303
    assert deadline(board, key)["due"] == "2015-01-30"
    actions = [h["action"] for h in history(board) if h["actor"] == BM]
    assert len(actions) >= 3


def test_an_agency_is_added_and_its_report_given_a_due_date(client, board, wall):
    sign_in(client, board, BM, now=wall)
    assert post(client, f"/cases/{REF}", f"/cases/{REF}/agencies", agency="beh-mht").status_code == 303
    assert "beh-mht" in cases.show(board, REF)["agencies"]
    r = post(client, f"/cases/{REF}", f"/cases/{REF}/due", kind="imr", agency="beh-mht", due="2014-07-01")
    assert r.status_code == 303, r.text
    assert any(d["agency"] == "beh-mht" and d["due"] == "2014-07-01" for d in cases.show(board, REF)["deadlines"])
    agencies = client.get(f"/cases/{REF}").text.split('id="agencies-h"')[1].split("<form")[0]
    assert "beh-mht" in agencies and "due 2014-07-01" in agencies


def test_the_chair_approves_the_draft_and_it_goes_once_meeting_its_deadline(client, board, wall):
    sign_in(client, board, CHAIR, now=wall)
    letter = client.get("/letters/1").text
    assert "Notification of a serious incident" in letter and "Approve and send" in letter
    r = post(client, "/letters/1", "/letters/1/approve")
    assert r.status_code == 303 and r.headers["location"] == f"/cases/{REF}?done=approved"
    sent = list((board.settings.data_dir / "mail" / "sent").glob("*incident_notification*.eml"))
    assert len(sent) == 1
    from service.letters.commands import letters_of_case

    [row] = letters_of_case(board, REF, ("incident_notification",))
    assert row["status"] == "sent"
    assert any(h["actor"] == CHAIR and h["action"] == "letter approved and sent" for h in history(board))
    assert "ofsted_notified" in cases.show(board, REF)["events"], "the letter meets the Ofsted notification"
    again = post(client, "/letters/1", "/letters/1/approve")
    assert again.status_code == 400 and "sent" in again.text


def test_a_held_message_opens_a_case_from_the_form_filled_with_what_was_read(client, board, wall):
    sign_in(client, board, BM, now=wall)
    mail = client.get("/mail").text
    assert 'href="/mail/2"' in mail and "held" in mail
    form = client.get("/mail/2").text
    assert 'value="Jamie Held"' in form and 'name="subject_0_date_of_birth"' in form
    fields = dict(re.findall(r'name="([a-z_0-9]+)"[^>]*value="([^"]*)"', form))
    fields.update({"subject_0_relationship": "child of the family", "acknowledge": "yes"})
    fields.pop("csrf")
    r = post(client, "/mail/2", "/mail/2/open", **fields)
    assert r.status_code == 303, r.text
    assert r.headers["location"] == "/cases/ESCB-2014-002?done=opened"
    opened = cases.show(board, "ESCB-2014-002")
    assert opened["subjects"][0]["name"] == "Jamie Held"
    assert opened["subjects"][0]["relationship"] == "child of the family"
    assert any(h["action"] == "case opened by hand from a message" and h["actor"] == BM for h in opened["history"])


def test_a_held_message_is_released_as_read(client, board, wall):
    sign_in(client, board, BM, now=wall)
    r = post(client, "/mail/2", "/mail/2/release")
    assert r.status_code == 303 and r.headers["location"] == "/cases/ESCB-2014-002?done=released"
    assert cases.show(board, "ESCB-2014-002")["subjects"][0]["name"] == "Jamie Held"


def test_the_forecast_page_lists_what_the_service_would_do(client, board, wall):
    sign_in(client, board, BM, now=wall)
    page = client.get("/forecast").text
    assert "Planned actions" in page and "reminder" in page.lower()


def test_the_chair_edits_the_draft_before_approving_it_and_the_edited_letter_goes(client, board, wall):
    sign_in(client, board, CHAIR, now=wall)
    page = client.get("/letters/1").text
    text = page.split('id="letter-text" name="text" rows="16" required>')[1].split("</textarea>")[0]
    r = post(client, "/letters/1", "/letters/1/edit", subject="[ESCB-2014-001] Notification of a serious incident",
             text=html.unescape(text) + "\nPlease call the Chair on 020 8379 0000.")
    assert r.status_code == 303 and r.headers["location"] == "/letters/1?done=edited"
    assert any(h["action"] == "letter edited before sending" and h["actor"] == CHAIR for h in history(board))
    assert post(client, "/letters/1", "/letters/1/approve").status_code == 303
    [sent] = (board.settings.data_dir / "mail" / "sent").glob("*incident_notification*.eml")
    assert b"020 8379 0000" in sent.read_bytes()


def test_a_letter_cannot_be_emptied_or_edited_by_a_viewer_or_after_it_went(client, board, wall):
    sign_in(client, board, CHAIR, now=wall)
    assert post(client, "/letters/1", "/letters/1/edit", subject="x", text="  ").status_code == 400
    post(client, "/letters/1", "/letters/1/approve")
    r = post(client, "/letters/1", "/letters/1/edit", subject="Changed", text="Changed")
    assert r.status_code == 400 and "only a letter waiting for review" in r.text
    sign_in(client, board, VIEWER, now=wall)
    assert post(client, "/", "/letters/1/edit", subject="Changed", text="Changed").status_code == 403


def test_the_cases_list_is_paged_newest_first_keeping_the_filters(client, board, wall, monkeypatch):
    from service.web import routes

    real = routes.usecases.list_cases

    def many(app, stage=None, overdue=False):  # the board's case and 120 older ones like it
        rows = real(app, stage, overdue)
        return rows + [{**rows[0], "reference": f"ESCB-2013-{n:03d}"} for n in range(120, 0, -1)]

    monkeypatch.setattr(routes.usecases, "list_cases", many)
    sign_in(client, board, BM, now=wall)
    first = client.get("/cases").text
    assert "121 cases, newest first: 1 to 50 shown" in first and REF in first and "ESCB-2013-072" in first
    assert "ESCB-2013-071" not in first and "Page 1 of 3" in first and "Newer cases" not in first
    assert 'href="/cases?page=2" rel="next"' in first
    last = client.get("/cases?page=3").text
    assert "101 to 121 shown" in last and "ESCB-2013-001" in last and "Older cases" not in last
    assert "Page 3 of 3" in client.get("/cases?page=9").text  # past the last: the last
    assert client.get("/cases?page=x").status_code == 400
    filtered = client.get("/cases?q=2013&page=2").text
    assert "120 cases" in filtered and 'href="/cases?q=2013&amp;page=3"' in filtered and REF not in filtered


def test_a_held_agency_return_is_filed_from_its_page_against_the_case_a_person_gives(client, board, wall):
    import io
    from email.message import EmailMessage

    from docx import Document
    from conftest import drop

    from service.jobs import read_inbox

    doc = Document()
    doc.add_heading("Individual Management Review", 1)
    doc.add_paragraph("Prepared for the serious case review panel.")
    data = io.BytesIO()
    doc.save(data)
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = ("public.protection@met-police.example.org",
                                        "escb.business.manager@enfield.example.org", "Our IMR, as asked")
    m["Date"], m["Message-ID"] = "Tue, 13 May 2014 10:00:00 +0100", "<imr-1@met-police.example.org>"
    m.set_content("Attached.")
    m.add_attachment(data.getvalue(), maintype="application",
                     subtype="vnd.openxmlformats-officedocument.wordprocessingml.document", filename="IMR.docx")
    drop(board, "imr.eml", bytes(m))
    read_inbox(board)
    cases.add_agency(board, REF, "met-police", "bm")
    sign_in(client, board, BM, now=wall)
    mid = max(int(x) for x in re.findall(r'href="/mail/(\d+)"', client.get("/mail").text))
    page = client.get(f"/mail/{mid}").text
    assert "File it as the agency&#39;s return" in page or "File it as the agency's return" in page
    assert 'name="case"' in page and "Open a case from it" not in page

    unknown = post(client, f"/mail/{mid}", f"/mail/{mid}/release", case="ESCB-2014-099")
    assert unknown.status_code in (400, 404, 409) and "ESCB-2014-099" in unknown.text

    r = post(client, f"/mail/{mid}", f"/mail/{mid}/release", case=REF)
    assert r.status_code == 303 and r.headers["location"] == f"/cases/{REF}?done=released", r.text
    assert any(h["action"] == "agency return filed" for h in history(board)), [h["action"] for h in history(board)]
