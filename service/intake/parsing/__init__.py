"""Reading referral emails: find the form, split it into fields, normalise the values.

Public API::

    from service.intake.parsing import parse_message, extract_fields, Limits

    record = parse_message(raw_bytes)            # the whole message -> referral record
    answers = extract_fields(reply_bytes)        # only what a reply's new text gives
    lines = form_lines(raw_bytes)                # the text the referral was read from

Both never raise and never log. The record matches the shared
``referral.schema.json`` plus ``kind``, ``not_referral_reason``, ``layout``,
``unreadable``, ``needs_person`` and ``source``.

Where things are:

- :mod:`.pipeline` - the two entry points and the steps between them;
- :mod:`.mime_reader`, :mod:`.mail` - the message, decoded; :mod:`.document_readers` - Word
  .docx, OpenDocument .odt, PDF, Excel, RTF and Outlook .msg attachments, with
  expansion limits; :mod:`.msdoc` - legacy Word 97-2003 .doc files;
- :mod:`.candidates` - every text that may hold the form; :mod:`.quoting` -
  forwarded and quoted parts of a body; :mod:`.html_text`, :mod:`.blocks`,
  :mod:`.text` - HTML, tables and text as lines;
- :mod:`.labels` - the label vocabulary; :mod:`.fields` - lines into fields;
- :mod:`.form`, :mod:`.people`, :mod:`.dates`, :mod:`.referrer` - the values;
- :mod:`.classify` - auto-replies, bounces, meeting responses, lists;
- :mod:`.limits` - the work allowed; :mod:`.quiet` - keeping libraries' logs quiet.
"""

from .limits import Limits
from .pipeline import extract_fields, form_lines, parse_message

__all__ = ["Limits", "extract_fields", "form_lines", "parse_message"]
