"""The daily report to the Business Manager of mail needing a person: quarantined, held, failed or
refused messages, enquiries, and cases whose referral a person must confirm."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from service.letters.queueing import base_context, queue

if TYPE_CHECKING:
    from service.bootstrap import App


def daily_report(app: "App") -> bool:
    """One message a day to the Business Manager listing what was quarantined, held or unreadable."""
    today = app.today()
    key = f"intake-report/{today.isoformat()}"
    with app.db.unit_of_work() as uow:
        if uow.outbox.exists(key):
            return False
        last = uow.state.get("intake_report_until")
        since = datetime.fromisoformat(last) if last else None
        items = uow.inbox.by_status(["quarantined", "held", "failed", "refused"], since=since)
        # Enquiries need an answer from a person, and one may be a referral written as a letter.
        items += [r for r in uow.inbox.by_status(["not_referral"], since=since) if r["kind"] == "enquiry"]
        items.sort(key=lambda r: r["id"])
        # Cases opened from a referral whose reading a person must confirm: listed each day until confirmed.
        to_confirm = [{**c, "command": f"review-clerk case confirm {c['reference']}"} for c in uow.cases.to_confirm()]
        if not items and not to_confirm:
            return False
        bm = app.settings.people.business_manager
        from service.display import board_time

        # Each with its id: the Business Manager acts on one with `review-clerk inbox release ID` (or show/open).
        view = [{"id": i["id"], "stored_at": board_time(i["stored_at"], app.settings.tz, "%d/%m/%Y %H:%M"),
                 "sender": i["sender"], "status": "enquiry" if i["status"] == "not_referral" else i["status"],
                 "outcome": i["outcome"],
                 "message_id": i["internet_message_id"]} for i in items]
        ctx = base_context(app, bm.name, bm.email, items=view, quarantine_folder=app.quarantine_folder_name,
                           to_confirm=to_confirm)
        queue(uow, app, key=key, template="intake_report", to=[bm.email], context=ctx)
        uow.state.set("intake_report_until", app.clock.now().isoformat(), app.clock.now())
        uow.commit()
    return True
