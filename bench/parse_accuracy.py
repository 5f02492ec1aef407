"""How well the referral parser reads the sample emails: per-field and per-layout accuracy.

Usage::

    python bench/parse_accuracy.py [DIR ...] [--verbose]

Each DIR holds ``*.eml`` files with the expected ``*.json`` beside them
(default: the sample referrals tests/samples/referrals, tests/intake/corpus, tests/intake/unseen,
tests/intake/unseen2, tests/intake/unseen3, tests/intake/unseen4 and tests/intake/redteam5, each scored on its own line). For every email the
parser's record is compared with the expected one on the schema's fields plus
``kind`` and ``layout``, for the keys the expected file has. Exits 1 when the
sample referrals are not read perfectly.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "tests" / "samples" / "referrals"
CORPUS = REPO / "tests" / "intake" / "corpus"
UNSEEN = REPO / "tests" / "intake" / "unseen"  # red-team set: wordings and layouts unlike the two above
UNSEEN2 = REPO / "tests" / "intake" / "unseen2"  # second, independent red-team round
UNSEEN3 = REPO / "tests" / "intake" / "unseen3"  # third round: referrals written as letters
UNSEEN4 = REPO / "tests" / "intake" / "unseen4"  # fourth round: PDF forms, scans, other boards' wordings, people
REDTEAM5 = REPO / "tests" / "intake" / "redteam5"  # fifth round (issue 19 again): field hierarchies, grids, photos
sys.path.insert(0, str(REPO))

from service.intake.parsing import parse_message

FIELDS = [
    "is_referral", "kind", "layout", "referral_date", "subjects", "summary", "request", "criteria_statement",
    "referrer.name", "referrer.agency", "referrer.telephone", "referrer.email", "missing",
]


def _get(record: dict, key: str):
    if key.startswith("referrer."):
        return (record.get("referrer") or {}).get(key.split(".", 1)[1], None)
    return record.get(key)


def _has(record: dict, key: str) -> bool:
    if key.startswith("referrer."):
        return key.split(".", 1)[1] in (record.get("referrer") or {})
    return key in record


def evaluate(directory: Path, verbose: bool) -> tuple[dict[str, list[bool]], dict[str, list[bool]], int]:
    """Per-field and per-layout results (lists of match flags) for one directory; per-layout field
    results in ``evaluate.layout_fields`` (every compared field of every email of the layout)."""
    per_field: dict[str, list[bool]] = defaultdict(list)
    per_layout: dict[str, list[bool]] = defaultdict(list)
    layout_fields: dict[str, list[bool]] = defaultdict(list)
    evaluate.layout_fields = layout_fields
    count = 0
    for eml in sorted(directory.glob("*.eml")):
        expected_file = eml.with_suffix(".json")
        if not expected_file.is_file():
            continue
        expected = json.loads(expected_file.read_text(encoding="utf-8"))
        got = parse_message(eml.read_bytes())
        count += 1
        all_ok = True
        flags = []
        for key in FIELDS:
            if not _has(expected, key):
                continue
            ok = _get(got, key) == _get(expected, key)
            per_field[key].append(ok)
            flags.append(ok)
            all_ok &= ok
            if not ok and verbose:
                print(f"  {eml.name}: {key}\n    expected {json.dumps(_get(expected, key), ensure_ascii=False)}"
                      f"\n    got      {json.dumps(_get(got, key), ensure_ascii=False)}")
        needs_person = "needs_person" in expected.get("_expect", {})
        group = expected.get("layout") or ("needs person" if needs_person else expected.get("kind")) or "other"
        per_layout[group].append(all_ok)
        layout_fields[group].extend(flags)
    return per_field, per_layout, count


def _rate(flags: list[bool]) -> str:
    return f"{sum(flags) / len(flags):6.3f}  ({sum(flags)}/{len(flags)})" if flags else "   n/a"


def report(name: str, directory: Path, verbose: bool) -> float | None:
    if not directory.is_dir():
        print(f"{name}: {directory} not found, skipped")
        return None
    per_field, per_layout, count = evaluate(directory, verbose)
    print(f"\n{name}: {directory} ({count} emails)")
    print("  per field:")
    for key in FIELDS:
        if per_field.get(key):
            print(f"    {key:22s} {_rate(per_field[key])}")
    print("  per layout / kind (every compared field right):")
    for group in sorted(per_layout):
        print(f"    {group:22s} {_rate(per_layout[group])}")
    print("  per layout / kind (field accuracy):")
    for group in sorted(per_layout):
        print(f"    {group:22s} {_rate(evaluate.layout_fields[group])}")
    flags = [f for v in per_field.values() for f in v]
    overall = sum(flags) / len(flags) if flags else 1.0
    print(f"  overall field accuracy {overall:.3f}")
    return overall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dirs", nargs="*", type=Path,
                        help="directories of .eml + .json (default: samples, corpus, unseen, unseen2, unseen3, unseen4, "
                             "redteam5)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every mismatch")
    args = parser.parse_args(argv)
    dirs = args.dirs or [SAMPLES, CORPUS, UNSEEN, UNSEEN2, UNSEEN3, UNSEEN4, REDTEAM5]
    failed = False
    for directory in dirs:
        overall = report(directory.name, directory.resolve(), args.verbose)
        if directory.resolve() == SAMPLES.resolve() and overall is not None and overall < 1.0:
            failed = True
    if failed:
        print("\nsample referrals are below 1.0", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
