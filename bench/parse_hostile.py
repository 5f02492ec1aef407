"""How long the parser takes on hostile bodies built to trip its rules (seconds each; all should stay small).

Each body is built to exercise one rule that scans text: label lines by the thousand, one 5 MB line,
question-mark labels, dotted leaders, nested brackets, long 'A and B and ...' name lists, bilingual
label soup, comma-separated job titles.

    .venv/bin/python bench/parse_hostile.py
"""

from __future__ import annotations

import sys
import time
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from service.intake.parsing import parse_message  # noqa: E402

CASES = {
    "20,000 label lines": "\n".join(f"Child's name: Name{i} Surname (DOB 03/02/2010), {i} Road" for i in range(20000)),
    "one 5 MB line": "Child's name: " + "a" * 5_000_000,
    "10,000 question labels": "What is the child's name? " * 10000,
    "200,000 dotted leaders": "Child's name " + "." * 200000 + " X",
    "50,000 nested brackets": "Mother: " + "(" * 50000 + "x" + ")" * 50000,
    "20,000 names joined by and": "Child(ren)'s full name(s): " + " and ".join(f"A{i}" for i in range(20000)) + " Jones",
    "20,000 bilingual labels": "Enw / Name: " * 20000,
    "20,000 job titles": "Referrer: " + ", ".join(["Team Manager"] * 20000),
}


def message(body: str) -> bytes:
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = "a@example.org", "b@example.org", "SCR referral"
    m.set_content(body)
    return bytes(m)


def main() -> None:
    print(f"{'input':28} {'seconds':>8}  outcome")
    for name, body in CASES.items():
        raw = message(body)
        t0 = time.perf_counter()
        r = parse_message(raw)
        took = time.perf_counter() - t0
        outcome = r.get("kind") + (" (needs a person)" if r.get("needs_person") else "")
        print(f"{name:28} {took:8.2f}  {outcome}")


if __name__ == "__main__":
    main()
