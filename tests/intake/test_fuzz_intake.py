"""Fuzzing the whole intake step: mutated mail through the running service's intake, not just the parser.

Every message of tests/intake/corpus, mutated (bytes flipped, cut short, headers duplicated or
dropped, MIME boundaries broken, charsets swapped, header lines of hundreds of kilobytes, forwards
nested in forwards), is dropped into the local inbox and taken through intake as the service does
it (store_new -> process_stored -> file_handled, on a real database). Whatever the input:

* no exception escapes intake;
* the message is stored once and gets exactly one recorded outcome: a status other than "new"
  and a non-empty reason, and its file is filed once (out of the inbox, into one folder);
* a good referral dropped after it is still handled (a case opened): the bad one stops nothing.

Inputs that once found a problem, and a few of the nastiest the generator makes, are kept in
tests/intake/fuzz_corpus/ and replayed by a plain test (tests/intake/fuzz_corpus/README.md).
"""

from __future__ import annotations

import itertools
import os
import re
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from service.demo import FORM_TEXT, _mail
from service.intake.processing import file_handled, process_stored, store_new
from service.store import tables as t

HERE = Path(__file__).resolve().parent
CORPUS = sorted((HERE / "corpus").glob("*.eml"))
SEEDS = {p.name: p.read_bytes() for p in CORPUS}
FUZZ_CORPUS = HERE / "fuzz_corpus"
FOLDERS = ("processed", "quarantine", "not-referral")
STATUSES = {"processed", "duplicate", "reply", "not_referral", "quarantined", "held", "failed"}
HEADERS = [b"From", b"To", b"Subject", b"Date", b"Message-ID", b"MIME-Version", b"Content-Type",
           b"Content-Transfer-Encoding", b"Content-Disposition", b"In-Reply-To", b"References",
           b"Auto-Submitted", b"X-Review-Clerk-Loop", b"List-Id", b"Return-Path"]
CHARSETS = [b"utf-8", b"us-ascii", b"iso-8859-1", b"windows-1252", b"utf-16", b"utf-16-be", b"utf-32",
            b"iso-2022-jp", b"cp500", b"x-unknown-charset", b"", b"utf-8\"; charset=\"latin1", b"utf-7",
            b"\xff\xfe"]
SENT = datetime(2014, 5, 12, 8, 0, tzinfo=ZoneInfo("Europe/London"))
_count = itertools.count()


# Mutations --------------------------------------------------------------------------------
def _split(raw: bytes) -> tuple[bytes, bytes, bytes]:
    """Header block, the blank line after it, and the body."""
    m = re.search(rb"\r?\n\r?\n", raw)
    if m is None:
        return raw, b"", b""
    return raw[:m.start()], raw[m.start():m.end()], raw[m.end():]


def _header_lines(head: bytes) -> list[bytes]:
    """Header fields with their folded continuation lines."""
    fields: list[bytes] = []
    for line in head.splitlines(keepends=True):
        if fields and line[:1] in (b" ", b"\t"):
            fields[-1] += line
        else:
            fields.append(line)
    return fields


def _nl(field: bytes) -> bytes:
    return field if field.endswith(b"\n") else field + b"\r\n"


@st.composite
def mutated(draw) -> tuple[str, bytes]:
    name = draw(st.sampled_from(sorted(SEEDS)))
    data = SEEDS[name]
    steps = []
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "truncate", "dup_header", "del_header", "boundary", "charset",
                                   "huge_header", "nested_forward", "encoding", "line_endings", "control_chars"]))
        steps.append(op)
        head, gap, body = _split(data)
        fields = _header_lines(head)
        if op == "flip" and data:
            buf = bytearray(data)
            for _ in range(draw(st.integers(1, 16))):
                buf[draw(st.integers(0, len(buf) - 1))] = draw(st.integers(0, 255))
            data = bytes(buf)
        elif op == "truncate" and data:
            data = data[:draw(st.integers(0, len(data) - 1))]
        elif op == "dup_header" and fields:
            field = fields[draw(st.integers(0, len(fields) - 1))]
            if draw(st.booleans()):  # the same header again with another value
                key = field.split(b":", 1)[0]
                field = key + b": " + draw(st.sampled_from([b"", b"text/html", b"multipart/mixed; boundary=zz",
                                                            b"<dup@example.org>", b"x" * 80, b"=?utf-8?b?////?="]))
            fields.insert(draw(st.integers(0, len(fields))), _nl(field))
            data = b"".join(fields) + gap + body
        elif op == "del_header" and fields:
            wanted = draw(st.sampled_from(HEADERS)).lower()
            kept = [f for f in fields if f.split(b":", 1)[0].strip().lower() != wanted]
            if len(kept) == len(fields):
                kept.pop(draw(st.integers(0, len(fields) - 1)))
            data = b"".join(kept) + gap + body
        elif op == "boundary":
            found = re.findall(rb'boundary="?([^";\r\n]+)"?', data, re.IGNORECASE)
            how = draw(st.sampled_from(["rename_declared", "drop_closing", "stray_line", "empty", "same_as_outer"]))
            if not found:
                data = data.replace(b"\n\n", b"\n\n--nothing\r\n", 1)
            elif how == "rename_declared":
                data = data.replace(b"boundary=\"" + found[0], b"boundary=\"" + found[0] + b"X", 1)
            elif how == "drop_closing":
                data = data.replace(b"--" + found[0] + b"--", b"", 1)
            elif how == "stray_line":
                at = draw(st.integers(0, len(data)))
                data = data[:at] + b"\r\n--" + found[-1] + b"\r\nContent-Type: text/plain\r\n\r\n" + data[at:]
            elif how == "empty":
                data = re.sub(rb'boundary="?[^";\r\n]+"?', b'boundary=""', data, count=1)
            else:
                for inner in found[1:]:
                    data = data.replace(inner, found[0])
        elif op == "charset":
            charset = draw(st.sampled_from(CHARSETS))
            if re.search(rb"charset=", data, re.IGNORECASE):
                data = re.sub(rb'charset="?[^";\s]*"?', b'charset="' + charset + b'"', data,
                              count=draw(st.integers(0, 3)), flags=re.IGNORECASE)
            else:
                data = b"Content-Type: text/plain; charset=\"" + charset + b"\"\r\n" + data
        elif op == "huge_header":
            size = draw(st.sampled_from([998, 20_000, 300_000]))
            key = draw(st.sampled_from([b"Subject", b"References", b"X-Long", b"From", b"Content-Type",
                                        b"Message-ID", b"In-Reply-To"]))
            if key == b"References":
                value = b"<m%d@example.org> " * (size // 18)
            elif key in (b"Message-ID", b"In-Reply-To"):
                value = b"<" + b"a" * size + b"@example.org>"
            else:
                value = b"A" * size
            data = key + b": " + value + b"\r\n" + data
        elif op == "nested_forward":
            tag = draw(st.integers(0, 10**6))
            for level in range(draw(st.sampled_from([1, 2, 5, 30]))):
                data = (b"From: duty.desk@nhs.example.org\r\nTo: escb.business.manager@enfield.example.org\r\n"
                        b"Subject: FW: referral\r\nMessage-ID: <fw-%d-%d@nhs.example.org>\r\nMIME-Version: 1.0\r\n"
                        b"Content-Type: multipart/mixed; boundary=\"fw%d\"\r\n\r\n--fw%d\r\n"
                        b"Content-Type: text/plain\r\n\r\nForwarded, see attached.\r\n--fw%d\r\n"
                        b"Content-Type: message/rfc822\r\n\r\n" % (tag, level, level, level, level)
                        + data + b"\r\n--fw%d--\r\n" % level)
        elif op == "encoding":
            cte = draw(st.sampled_from([b"base64", b"quoted-printable", b"x-uuencode", b"7bit", b"bogus"]))
            data = re.sub(rb"(?im)^content-transfer-encoding:[^\r\n]*", b"Content-Transfer-Encoding: " + cte,
                          data, count=draw(st.integers(0, 2)))
        elif op == "control_chars" and fields:  # NUL and friends inside a header value or a file name
            junk = draw(st.sampled_from([b"\x00", b"\x00\x00x", b"\x1b[31m", b"\x7f", b"\xc0\x80", b"\x0b\x0c"]))
            i = draw(st.integers(0, len(fields) - 1))
            key, _, value = fields[i].partition(b":")
            at = draw(st.integers(0, len(value)))
            fields[i] = key + b":" + value[:at] + junk + value[at:]
            data = b"".join(fields) + gap + body
            if draw(st.booleans()):
                data = re.sub(rb'(?i)(filename\*?="?)', rb"\g<1>" + junk, data, count=1)
        elif op == "line_endings":
            data = draw(st.sampled_from([data.replace(b"\r\n", b"\n").replace(b"\n", b"\r"),
                                         data.replace(b"\n", b"\r\n"), data.replace(b"\r\n", b"\n\x00")]))
    return f"{name} {'+'.join(steps)}", data


# The intake step, as the service runs it ------------------------------------------------------
def good_referral(n: int) -> bytes:
    """A well-formed referral nobody has sent before (a new case each time)."""
    body = FORM_TEXT.format(child=f"Poppy Fuzzcheck{n}", child_dob="03/02/2010", mother=f"Iris Fuzzcheck{n}",
                            mother_dob="14 June 1988", address=f"{n} Example Road, Enfield, EN1 1AA",
                            date="12/05/2014", summary=f"Poppy (aged 4) was admitted to hospital ({n}).",
                            referrer="Karen Sample", phone="020 8345 0000", email=f"referrer{n}@met-police.example.org")
    return bytes(_mail(f"referrer{n}@met-police.example.org", f"SCR referral {n}", SENT, body, f"<good-{n}@met-police.example.org>"))


def rows_by_file(app) -> dict[str, list[dict]]:
    c = t.inbound_messages.c
    out: dict[str, list[dict]] = {}
    with app.db.engine.connect() as conn:
        for r in conn.execute(select(c.id, c.backend_id, c.status, c.outcome, c.case_id, c.filed)).mappings():
            out.setdefault(r["backend_id"].split("#", 1)[0], []).append(dict(r))
    return out


def take_in(app, raw: bytes, label: str) -> dict:
    """Drop ``raw`` and then a good referral into the inbox, run intake, check both were handled.
    Returns the row of ``raw``."""
    n = next(_count)
    inbox = app.settings.data_dir / "mail" / "inbox"
    for left in inbox.glob("*"):  # what an earlier, failing example left: each example on its own
        left.unlink()
    bad, good = f"fuzz-{n}.eml", f"fuzz-{n}-then-good.eml"
    (inbox / bad).write_bytes(raw)
    (inbox / good).write_bytes(good_referral(n))
    now = time.time()
    os.utime(inbox / bad, (now - 2, now - 2))  # the bad one first: it must not hold up the good one
    os.utime(inbox / good, (now - 1, now - 1))

    store_new(app)  # the intake job (jobs.read_inbox) without its counting: nothing may escape
    outcomes = process_stored(app)
    file_handled(app)

    rows = rows_by_file(app)
    for file in (bad, good):
        assert len(rows.get(file, [])) == 1, f"{label}: {file} stored {len(rows.get(file, []))} times"
        [row] = rows[file]
        assert row["status"] in STATUSES and row["outcome"], \
            f"{label}: {file} has no outcome: {row['status']} {[o.reason for o in outcomes]}"
        assert row["filed"], f"{label}: {file} not filed"
        homes = [f for f in FOLDERS if (app.settings.data_dir / "mail" / f / file).exists()]
        assert len(homes) == 1, f"{label}: {file} filed in {homes}"
    assert rows[good][0]["status"] == "processed" and rows[good][0]["case_id"], \
        f"{label}: the good referral after it was not handled: {rows[good]}"
    assert list(inbox.glob("*")) == [], f"{label}: left in the inbox"
    assert not [r for same in rows.values() for r in same if r["status"] == "new"], f"{label}: left unhandled"
    return rows[bad][0]


@settings(max_examples=int(os.environ.get("RC_FUZZ_EXAMPLES", "60")), deadline=None,
          derandomize=not os.environ.get("RC_FUZZ_RANDOM"),  # RC_FUZZ_RANDOM=1: new examples on every run
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(case=mutated())
def test_mutated_mail_through_intake_gets_one_outcome_each_and_stops_nothing(app, case):
    label, raw = case
    take_in(app, raw, label)


@pytest.mark.parametrize("path", sorted(FUZZ_CORPUS.glob("*.eml")), ids=lambda p: p.stem)
def test_kept_fuzz_inputs_still_get_one_outcome_each(app, path):
    take_in(app, path.read_bytes(), path.name)


def test_a_referral_forwarded_five_levels_deep_is_not_filed_away_as_not_a_referral(app):
    row = take_in(app, (FUZZ_CORPUS / "nested-forward-5-deep.eml").read_bytes(), "five levels deep")
    assert row["status"] in ("processed", "quarantined"), row
