"""What the red-team generators (unseen*/make_unseen*.py) share: expected records, message builders, writing a set.

A set's cases that are one text or HTML message are data, ``<set>/cases.toml``, turned into messages
by :func:`table_cases`; the generator script builds the rest (Word, PDF, multipart) in code.
The MIME, Word, PDF and .msg builders themselves are the corpus generator's (``C``), one
implementation of each.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from email.mime.multipart import MIMEMultipart
from pathlib import Path

from generated_sets import load_script

HERE = Path(__file__).resolve().parent
C = load_script(HERE / "corpus" / "make_corpus.py")  # MIME, Word, PDF, .msg helpers

# ---------------------------------------------------------------------------
# Expected records
# ---------------------------------------------------------------------------

MISSING_ORDER = ("referral_date", "subjects", "summary", "request", "criteria_statement",
                 "referrer.name", "referrer.telephone", "referrer.email")


def S(name: str, role: str, rel: str | None, dob: str | None, address: str | None) -> dict:
    return {"name": name, "role": role, "relationship": rel, "date_of_birth": dob, "address": address}


def expect(layout: str, *, date: str | None, subjects: list[dict], summary: str | None, request: str | None,
           criteria: str | None, name: str | None, agency: str | None, phone: str | None, email: str | None) -> dict:
    rec = {
        "is_referral": True, "kind": "referral", "referral_date": date, "subjects": subjects, "summary": summary,
        "request": request, "criteria_statement": criteria,
        "referrer": {"name": name, "agency": agency, "telephone": phone, "email": email},
        "layout": layout,
    }
    have = {"referral_date": date, "subjects": subjects, "summary": summary, "request": request,
            "criteria_statement": criteria, "referrer.name": name, "referrer.telephone": phone, "referrer.email": email}
    rec["missing"] = [k for k in MISSING_ORDER if not have[k]]
    return rec


def not_referral(kind: str) -> dict:
    return {
        "is_referral": False, "kind": kind, "referral_date": None, "subjects": [], "summary": None, "request": None,
        "criteria_statement": None, "referrer": {"name": None, "agency": None, "telephone": None, "email": None},
        "missing": [], "layout": None,
    }


def needs_person(phrase: str) -> dict:
    return {
        "is_referral": True, "kind": "referral", "referral_date": None, "subjects": [], "summary": None,
        "request": None, "criteria_statement": None,
        "referrer": {"name": None, "agency": None, "telephone": None, "email": None},
        "missing": list(MISSING_ORDER), "layout": None, "_expect": {"needs_person": phrase},
    }


# ---------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------

_FIRST = ("From", "To", "Subject", "Date", "Message-ID")


def set_headers(msg, h: dict[str, str]) -> None:
    for key in _FIRST:
        if key in h:
            msg[key] = h[key]
    for key, value in h.items():
        if key not in _FIRST:
            msg[key] = value


def headers(board: str, domain: str, sender: str, subject: str, date: str, mid: str, **extra: str) -> dict[str, str]:
    """The headers of a message to ``board``, its Message-ID in ``domain``; ``extra`` with _ for -."""
    h = {"From": sender, "To": board, "Subject": subject, "Date": date, "Message-ID": f"<{mid}@{domain}>"}
    h.update({k.replace("_", "-"): v for k, v in extra.items()})
    return h


def plain(body: str, h: dict[str, str], *, charset: str = "utf-8", cte: str = "quoted-printable") -> bytes:
    msg = C.text_part(body, charset, cte)
    msg["MIME-Version"] = "1.0"
    set_headers(msg, h)
    return C.as_bytes(msg)


def html_only(html: str, h: dict[str, str], *, charset: str = "utf-8") -> bytes:
    msg = C.html_part(html, charset)
    msg["MIME-Version"] = "1.0"
    set_headers(msg, h)
    return C.as_bytes(msg)


def multipart(parts: list, h: dict[str, str], *, subtype: str = "mixed", boundary: str,
              mime_version: bool = True) -> bytes:
    msg = MIMEMultipart(subtype, boundary=boundary)
    for p in parts:
        msg.attach(p)
    if mime_version:
        msg["MIME-Version"] = "1.0"
    set_headers(msg, h)
    return C.as_bytes(msg)


def esc(s: str) -> str:
    return C.html_escape(s)


# ---------------------------------------------------------------------------
# A set
# ---------------------------------------------------------------------------

@dataclass
class Case:
    name: str
    eml: bytes
    expected: dict


def write_set(folder: Path, cases: list[Case]) -> int:
    """Write each case's .eml and .json into ``folder``, removing cases no longer made."""
    keep = set()
    for case in cases:
        (folder / f"{case.name}.eml").write_bytes(case.eml)
        (folder / f"{case.name}.json").write_text(json.dumps(case.expected, indent=2, ensure_ascii=False) + "\n",
                                                  encoding="utf-8")
        keep.update({f"{case.name}.eml", f"{case.name}.json"})
    for stale in folder.glob("*.eml"):
        if stale.name not in keep:
            stale.unlink()
            stale.with_suffix(".json").unlink(missing_ok=True)
    print(f"wrote {len(keep) // 2} cases to {folder}")
    return 0


# ---------------------------------------------------------------------------
# A set's table of text and HTML messages
# ---------------------------------------------------------------------------

def table_cases(path: Path, board: str, domain: str) -> list[Case]:
    """The cases of a ``cases.toml`` table: one text (``mail = "text"``) or HTML message each.

    Each ``[[case]]`` has ``name``, ``sender``, ``subject``, ``date``, ``mid`` (the Message-ID's
    local part, in ``domain``), optional ``headers`` after those, ``charset`` (utf-8) and ``cte``
    (quoted-printable, text only), the ``body``, and what it should read as: ``[case.expect]``
    (layout and the fields of :func:`expect`, a field left out being null),
    ``not_referral = "<kind>"`` or ``needs_person = "<phrase>"``.
    """
    out = []
    for row in tomllib.loads(path.read_text(encoding="utf-8"))["case"]:
        h = headers(board, domain, row["sender"], row["subject"], row["date"], row["mid"])
        h.update(row.get("headers", {}))
        charset = row.get("charset", "utf-8")
        if row["mail"] == "text":
            eml = plain(row["body"], h, charset=charset, cte=row.get("cte", "quoted-printable"))
        elif row["mail"] == "html":
            eml = html_only(row["body"], h, charset=charset)
        else:
            raise ValueError(f"{path}: {row['name']}: mail is 'text' or 'html', not {row['mail']!r}")
        if "not_referral" in row:
            expected = not_referral(row["not_referral"])
        elif "needs_person" in row:
            expected = needs_person(row["needs_person"])
        else:
            e = row["expect"]
            expected = expect(
                e["layout"], date=e.get("date"),
                subjects=[S(p["name"], p.get("role"), p.get("relationship"), p.get("date_of_birth"), p.get("address"))
                          for p in e.get("subjects", [])],
                summary=e.get("summary"), request=e.get("request"), criteria=e.get("criteria"), name=e.get("name"),
                agency=e.get("agency"), phone=e.get("phone"), email=e.get("email"))
        out.append(Case(row["name"], eml, expected))
    return out
