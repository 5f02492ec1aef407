"""The command line's one table helper and date-time formatter, at a given width."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from service.display import board_time

LONG = "Head of SQAS tasks: safety of other children, client index, police and designated doctor and nurse"


def render(monkeypatch, capsys, columns: int, rows, cols, **kw) -> list[str]:
    from service.cli.common import table

    monkeypatch.setenv("COLUMNS", str(columns))
    table("T", rows, cols, **kw)
    return capsys.readouterr().out.splitlines()


@pytest.mark.parametrize("columns", [60, 80, 100])
def test_identifier_columns_are_never_cut_and_descriptive_ones_wrap_within_the_width(monkeypatch, capsys,
                                                                                     columns):
    rows = [{"reference": "ESCB-2014-001", "key": "ofsted_incident_notification", "due": "2014-05-19",
             "what": LONG, "rule": LONG}]
    lines = render(monkeypatch, capsys, columns, rows, ["reference", "key", "due", "what", "rule"],
                   ids=["reference", "key", "due"])
    assert all(len(line) <= columns for line in lines), lines
    row = next(line for line in lines if "ESCB-2014-001" in line)
    assert "ofsted_incident_notification" in row and "2014-05-19" in row
    words = " ".join(lines).split()
    assert words.count("designated") == 2  # both descriptive texts are there in full, wrapped


def test_identifiers_wider_than_the_terminal_stay_whole_rather_than_cut(monkeypatch, capsys):
    rows = [{"reference": "ESCB-2014-001", "key": "ofsted_incident_notification", "due": "2014-05-19", "what": LONG}]
    lines = render(monkeypatch, capsys, 40, rows, ["reference", "key", "due", "what"], ids=["reference", "key", "due"])
    assert "ESCB-2014-001  ofsted_incident_notification  2014-05-19" in lines
    assert all(len(line) <= 40 for line in lines if "what" in line)


def test_a_long_address_in_a_wrapped_column_breaks_after_its_at_sign_or_a_dot(monkeypatch, capsys):
    rows = [{"template": "incident_notification", "sent_at": "2014-05-12 09:30", "to": "notifications@ofsted.example.org"}]
    lines = render(monkeypatch, capsys, 64, rows, ["template", "sent_at", "to"], ids=["template", "sent_at"])
    pieces = [line.split()[-1] for line in lines[3:]]
    assert len(pieces) > 1 and "".join(pieces) == "notifications@ofsted.example.org"
    assert all(piece.endswith(("@", ".")) for piece in pieces[:-1]), pieces


def test_a_table_that_fits_is_one_line_a_row(monkeypatch, capsys):
    rows = [{"reference": "ESCB-2014-001", "what": "short"}, {"reference": "ESCB-2014-002", "what": "short"}]
    lines = render(monkeypatch, capsys, 80, rows, ["reference", "what"], ids=["reference"])
    assert lines[3:] == ["ESCB-2014-001  short", "ESCB-2014-002  short"]


def test_date_times_are_shown_in_the_board_time_zone_to_the_minute():
    london = ZoneInfo("Europe/London")
    at = datetime(2014, 5, 12, 7, 30, 12, 345678, tzinfo=timezone.utc)
    assert board_time(at, london) == "2014-05-12 08:30"
    assert board_time(at.isoformat(), london) == "2014-05-12 08:30"
    assert board_time(at.replace(tzinfo=None), london) == "2014-05-12 08:30"  # the database's naive UTC
    assert board_time(datetime(2014, 1, 12, 7, 30, tzinfo=timezone.utc), london) == "2014-01-12 07:30"
    assert board_time("2014-05-12", london) == "2014-05-12"
    assert board_time(None, london) == ""


@pytest.mark.parametrize("wrapped", [False, True])
def test_a_long_table_written_in_pieces_has_every_row_once_in_order_and_spaced_alike(monkeypatch, capsys, wrapped):
    """Over a few thousand lines the table is written a piece at a time: nothing lost or repeated at a piece's
    edge, and the blank line between rows of several lines is there across the edges too."""
    from service.cli import common

    n = common._LINES_AT_ONCE + 700
    what = LONG if wrapped else "decision"
    rows = [{"reference": f"ESCB-2014-{i:05d}", "what": what} for i in range(n)]
    lines = render(monkeypatch, capsys, 60, rows, ["reference", "what"], ids=["reference"])
    refs = [line.split()[0] for line in lines if line.startswith("ESCB-")]
    assert refs == [f"ESCB-2014-{i:05d}" for i in range(n)]
    body = lines[3:]
    if wrapped:  # each row's lines, then one blank line; none after the last
        assert body.count("") == n - 1 and body[-1] != ""
        assert all(body[k + 1].startswith("ESCB-") for k, line in enumerate(body) if line == "")
    else:
        assert "" not in body and len(body) == n
