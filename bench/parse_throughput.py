"""How fast the referral parser reads email: emails/second, ms per email by format, peak memory.

Usage::

    python bench/parse_throughput.py [--count 300] [--seed 1]
    python bench/parse_throughput.py --ocr [--rounds 3]

Generates ``--count`` referral emails spread over every format (plain text,
hard-wrapped text, HTML table, HTML paragraphs, Word table, Word paragraphs,
PDF, two-column PDF, Excel, RTF, inline forward, attached .eml) with varied
people and dates, writes them to a temporary directory, then times
``parse_message`` on each file's bytes. Peak memory is measured with
tracemalloc in a second pass (tracing slows parsing, so it is not timed).
Uses the corpus generator's renderers (tests/intake/corpus/make_corpus.py).

``--ocr`` measures scanned forms on their own (Tesseract runs as a process per page, so they are
slower by orders of magnitude and would drown the others): the scanned PDFs and photographed forms of
tests/intake/unseen4, each parsed ``--rounds`` times.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections import defaultdict
from email.mime.message import MIMEMessage
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from service.intake.parsing import parse_message


def _generator():
    path = REPO / "tests" / "intake" / "corpus" / "make_corpus.py"
    spec = importlib.util.spec_from_file_location("make_corpus", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_corpus"] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


# Names stay within Windows-1252: the hand-written PDFs use WinAnsiEncoding.
FORENAMES = ["Amara", "Jayden", "Chloé", "Oliver", "Aisha", "Tomasz", "Grace", "Kwame", "Zoë", "Ibrahim", "Ruby"]
SURNAMES = ["Okoro", "Hussain", "Müller", "Smith", "Nowak", "Brown", "Diallo", "O'Neill", "Taylor-Reid", "Yilmaz"]
ADULT_RELS = ["Mother", "Father", "Mother's partner", "Grandmother", "Carer"]


def _referral(mc, rnd: random.Random):
    surname = rnd.choice(SURNAMES)
    day, month = rnd.randint(1, 28), rnd.randint(1, 12)
    household = f"{rnd.randint(1, 200)} {rnd.choice(['High Road', 'Church Street', 'Green Lanes'])}, Enfield, EN{rnd.randint(1, 3)} {rnd.randint(1, 9)}AB"
    people = [mc.P(f"{rnd.choice(FORENAMES)} {surname}", "Child", f"{day:02d}/{month:02d}/{rnd.randint(2000, 2013)}", None, "child", household)]
    for rel in rnd.sample(ADULT_RELS, rnd.randint(1, 3)):
        people.append(mc.P(f"{rnd.choice(FORENAMES)} {rnd.choice(SURNAMES)}", rel, f"{rnd.randint(1, 28):02d}/{rnd.randint(1, 12):02d}/{rnd.randint(1960, 1995)}", None, "adult", household))
    summary = [" ".join(rnd.choice(mc.SUMMARY_A).split()[: rnd.randint(12, 30)]) + "." for _ in range(rnd.randint(1, 4))]
    return mc.R(people=people, household=household, date_text=f"{day} March 2014", date=None, summary=summary,
                request=mc.REQUEST_A, criteria=mc.CRITERIA_A, name="Helen Carter", agency=None, phone="020 7946 0311",
                email="helen.carter@example.nhs.uk")


def _email(mc, fmt: str, r, i: int) -> bytes:
    common = {"subject": f"SCR referral {i}", "sender": "helen.carter@example.nhs.uk",
              "date": "Wed, 05 Mar 2014 09:00:00 +0000", "mid": f"bench{i}"}
    cover = mc.text_part(mc.COVER.format(name="Helen Carter", org="North Middlesex University Hospital NHS Trust"))
    labels = mc.STANDARD_LABELS
    if fmt == "text_body":
        return mc.simple(mc.text_form(r, labels), **common)
    if fmt == "text_wrapped":
        text = "\n".join(w for line in mc.text_form(r, labels).split("\n") for w in (mc.wrap(line, 72) or [""]))
        return mc.simple(text, cte="7bit", **common)
    if fmt == "forward_text":
        return mc.simple("FYI\n\n-----Original Message-----\nFrom: A\nSent: 5 March 2014\nTo: B\nSubject: SCR\n\n" + mc.text_form(r, labels), **common)
    if fmt == "html_table":
        rows = "".join(f"<tr><td><b>{mc.html_escape(label)}</b></td><td>{mc.html_escape(value)}</td></tr>"
                       for label, value in [(labels["subjects"], mc.people_semicolon(r)), (labels["date"], r.date_text),
                                            (labels["summary"], " ".join(r.summary)), (labels["request"], r.request[0]),
                                            (labels["criteria"], r.criteria[0]), (labels["name"], r.name),
                                            (labels["phone"], r.phone), (labels["email"], r.email)])
        return mc.mixed([mc.text_part("See below.", cte="7bit"), mc.html_part(f"<table>{rows}</table>")], subtype="alternative", boundary=f"h{i}", **common)
    if fmt == "html_body":
        html = "".join(f"<p>{mc.html_escape(line)}</p>" for line in mc.text_form(r, labels).split("\n"))
        return mc.mixed([mc.html_part(html)], boundary=f"h{i}", **common)
    if fmt == "docx_table":
        return mc.mixed([cover, mc.attachment(mc.docx_table_form(r, labels), "referral.docx")], boundary=f"d{i}", **common)
    if fmt == "docx_paragraphs":
        return mc.mixed([cover, mc.attachment(mc.docx_paragraph_form(r, labels), "referral.docx")], boundary=f"d{i}", **common)
    if fmt == "pdf":
        return mc.mixed([cover, mc.attachment(mc.pdf_form(r, labels), "referral.pdf", "application/pdf")], boundary=f"p{i}", **common)
    if fmt == "pdf_two_columns":
        return mc.mixed([cover, mc.attachment(mc.pdf_two_columns(r), "referral.pdf", "application/pdf")], boundary=f"p{i}", **common)
    if fmt == "xlsx":
        return mc.mixed([cover, mc.attachment(mc.xlsx_form(r), "referral.xlsx")], boundary=f"x{i}", **common)
    if fmt == "rtf":
        return mc.mixed([cover, mc.attachment(mc.rtf_form(r), "referral.rtf", "application/rtf")], boundary=f"r{i}", **common)
    if fmt == "forward_eml":
        inner = mc.text_part(mc.text_form(r, labels))
        mc.headers(inner, subject="SCR referral", sender="helen.carter@example.nhs.uk", date="Wed, 05 Mar 2014 09:00:00 +0000", mid=f"in{i}")
        return mc.mixed([mc.text_part("Original attached."), MIMEMessage(inner)], boundary=f"e{i}", **common)
    raise ValueError(fmt)


FORMATS = ["text_body", "text_wrapped", "forward_text", "html_table", "html_body", "docx_table", "docx_paragraphs",
           "pdf", "pdf_two_columns", "xlsx", "rtf", "forward_eml"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--ocr", action="store_true", help="time the scanned forms (OCR) of tests/intake/unseen4 instead")
    parser.add_argument("--rounds", type=int, default=3, help="with --ocr: times each scanned form is parsed")
    args = parser.parse_args(argv)
    if args.ocr:
        return _ocr(args.rounds)
    mc = _generator()
    rnd = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="parse-throughput-") as tmp:
        files: list[tuple[str, Path]] = []
        for i in range(args.count):
            fmt = FORMATS[i % len(FORMATS)]
            path = Path(tmp) / f"{i:04d}-{fmt}.eml"
            path.write_bytes(_email(mc, fmt, _referral(mc, rnd), i))
            files.append((fmt, path))
        payloads = [(fmt, path.read_bytes()) for fmt, path in files]

        for fmt in FORMATS:  # warm up: the first PDF, Word file or .eml imports its library
            parse_message(next(raw for f, raw in payloads if f == fmt))
        times: dict[str, list[float]] = defaultdict(list)
        not_read = 0
        started = time.perf_counter()
        for fmt, raw in payloads:
            t0 = time.perf_counter()
            record = parse_message(raw)
            times[fmt].append(time.perf_counter() - t0)
            not_read += bool(record["missing"]) or record["kind"] != "referral"
        total = time.perf_counter() - started

        tracemalloc.start()
        for _, raw in payloads:
            parse_message(raw)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

    n = len(payloads)
    print(f"{n} emails in {total:.2f} s: {n / total:.1f} emails/second, {1000 * total / n:.1f} ms per email on average")
    print(f"{'format':18s} {'emails':>6s} {'mean ms':>8s} {'p95 ms':>8s} {'max ms':>8s}  bytes/email")
    sizes = defaultdict(list)
    for fmt, raw in payloads:
        sizes[fmt].append(len(raw))
    for fmt in FORMATS:
        ts = sorted(times[fmt])
        if not ts:
            continue
        p95 = ts[min(len(ts) - 1, int(0.95 * len(ts)))]
        print(f"{fmt:18s} {len(ts):6d} {1000 * statistics.mean(ts):8.1f} {1000 * p95:8.1f} {1000 * ts[-1]:8.1f}  {int(statistics.mean(sizes[fmt]))}")
    print(f"peak traced memory while parsing: {peak / 1024 / 1024:.1f} MiB")
    if not_read:
        print(f"note: {not_read} generated emails were not read completely (check the generator or the parser)")
    return 0


def _ocr(rounds: int) -> int:
    folder = REPO / "tests" / "intake" / "unseen4"
    scans = sorted(p for p in folder.glob("*.eml") if p.name.startswith(("scan-", "photo-")))
    times: dict[str, list[float]] = defaultdict(list)
    for _ in range(rounds):
        for path in scans:
            raw = path.read_bytes()
            t0 = time.perf_counter()
            record = parse_message(raw)
            times[path.stem].append(time.perf_counter() - t0)
            if record["layout"] not in ("pdf_ocr", "image_ocr"):
                print(f"note: {path.stem} was not read by OCR ({record['needs_person']})")
    print(f"{'scanned form':40s} {'pages':>5s} {'mean s':>7s} {'max s':>7s}  bytes")
    for path in scans:
        ts = times[path.stem]
        pages = 2 if "two-page" in path.stem else 1
        print(f"{path.stem:40s} {pages:5d} {statistics.mean(ts):7.2f} {max(ts):7.2f}  {path.stat().st_size}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
