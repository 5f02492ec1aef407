"""The generated sets of referral emails (corpus, unseen, unseen2, unseen3): one way to check each.

Each set is a folder of ``<case>.eml`` + ``<case>.json`` written by a generator script beside
them (``make_*.py``, a ``cases()`` function). A ``.json`` holds exact values for the keys it
has; its optional ``_expect`` holds phrases that ``needs_person``, the ``unreadable`` reasons and
the ``confirm`` reasons must contain.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

from service.intake.parsing import parse_message


def load_script(path: Path) -> ModuleType:
    """A generator script (not a package module) loaded by its path."""
    name = path.stem
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the script runs
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(name, None)
    return module


def assert_parses_to_its_expected_record(eml: Path, *, needs_person_only_if_expected: bool = False) -> None:
    expected = json.loads(eml.with_suffix(".json").read_text(encoding="utf-8"))
    checks = expected.pop("_expect", {})
    got = parse_message(eml.read_bytes())
    for key, value in expected.items():
        assert got.get(key) == value, key
    if "needs_person" in checks:
        assert got["needs_person"] and checks["needs_person"] in got["needs_person"]
    elif needs_person_only_if_expected:
        assert got["needs_person"] is None
    if "confirm" in checks:
        assert any(checks["confirm"] in reason for reason in got.get("confirm") or []), got.get("confirm")
    for phrase in checks.get("unreadable", []):
        assert any(phrase in u["reason"] for u in got["unreadable"]), (phrase, got["unreadable"])


def assert_files_are_what_the_generator_makes(script: Path, *, compare_eml: bool = True) -> None:
    """The set's files are exactly what its generator writes now (nothing stale, nothing edited by hand)."""
    folder = script.parent
    cases = load_script(script).cases()
    assert sorted(c.name for c in cases) == sorted(p.stem for p in folder.glob("*.eml"))
    for case in cases:
        if compare_eml:
            assert (folder / f"{case.name}.eml").read_bytes() == case.eml, case.name
        assert json.loads((folder / f"{case.name}.json").read_text(encoding="utf-8")) == case.expected, case.name
