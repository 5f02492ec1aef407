"""Letters and notifications: which communication each event calls for, rendering, the outbox.

* ``catalogue``   every communication of PROCESS.md "What gets sent": trigger, recipients, letter, deadline met
* ``triggers``    who gets what for which stage event (pure), and queueing it in the event's transaction
* ``composed``    a planned message made real: contexts, email, Word letter, chronology
* ``render``      the editable templates (mail_templates/), checked at start-up
* ``word_documents``  Word letters (docxtpl) and the chronology template (python-docx)
* ``queueing``    putting a message on the outbox (exactly once, by key), the context templates get, hold, withdraw
* ``delivery``    the sender job: outbox rows to the mailbox, leases, retries, review drafts (knows no procedure)
* ``after_delivery``  what a sent letter meets (its case event) and telling the Business Manager of one not sent
* ``samples``     the sample case every template is checked against
* ``commands``, ``cli``   `review-clerk letters list | preview | send | retry`
"""
