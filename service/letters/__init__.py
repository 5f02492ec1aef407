"""Letters and notifications: which communication each event calls for, rendering, the outbox.

* ``catalogue``   every communication of PROCESS.md "What gets sent": trigger, recipients, letter, deadline met
* ``triggers``    who gets what for which stage event (pure), and queueing it in the event's transaction
* ``compose``     a planned message made real: contexts, email, Word letter, chronology
* ``render``      the editable templates (mail_templates/), checked at start-up
* ``documents``   Word letters (docxtpl) and the chronology template (python-docx)
* ``outbox``      the queue and the sender job: exactly once, retries, review drafts
* ``after_send``  sending a letter records the event that meets its deadline
* ``samples``     the sample case every template is checked against
* ``commands``, ``cli``   `review-clerk letters list | preview | send | retry`
"""
