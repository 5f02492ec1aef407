"""A board running several packs side by side has a panel for each: a ``[[panel]]`` member with ``procedures``
sits only on those packs' panels (invited to their cases' meetings, chairing them, reading their cases in the
workspace); one without sits on every pack's. A pack named that is not in use stops the service at start."""

from __future__ import annotations

import shutil
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from service.config import load_settings
from service.domain.model import Case
from service.meetings.invitees import invitees, panel_chair, quorum_warnings
from service.meetings.kinds import kind_for
from service.procedure.pack import load_configured
from service.web.access import Role, may_read_case, person_of, sits_on_panel

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "config" / "review-clerk.example.toml"
AT = datetime(2014, 5, 12, 9, tzinfo=timezone.utc)
SCR, SAR = "enfield-scr-2013", "sar-care-act-2014"
SAR_CHAIR, ADULTS = "sar.chair@enfield.example.org", "adult.safeguarding@enfield.example.org"
SAR_PANEL = f"""
[[panel]]
name = "Chair of the SAR sub-group"
email = "{SAR_CHAIR}"
role = "chair"
procedures = ["{SAR}"]

[[panel]]
name = "Head of Adult Safeguarding"
email = "{ADULTS}"
role = "social-care"
procedures = ["{SAR}"]
"""


def config_text(sar_panel: str = SAR_PANEL) -> str:
    """The example board, its SCR panel's chair and education lead sitting for SCRs only, and a SAR panel."""
    text = EXAMPLE.read_text()
    for role in ("chair", "education"):
        text = text.replace(f'role = "{role}"\nstanding = true', f'role = "{role}"\nstanding = true\n'
                                                                 f'procedures = ["{SCR}"]', 1)
    return text + sar_panel


@pytest.fixture
def settings(tmp_path):
    cfg = tmp_path / "review-clerk.toml"
    cfg.write_text(config_text())
    return load_settings(cfg, environ={})


def meeting_of(settings, pack: str, *agencies: str):
    procedure = load_configured(pack)
    case = Case.open("ESCB-2014-007", date(2014, 5, 12), AT, "test", procedure=procedure)
    for a in agencies:
        case.add_agency(a, AT, "test")
    return case, kind_for(procedure.meetings[0].id, procedure, settings.meetings)


def test_each_packs_cases_invite_its_own_panel_and_the_members_who_sit_on_every_panel(settings):
    scr = [p.email for p in invitees(settings, *meeting_of(settings, SCR))]
    sar = [p.email for p in invitees(settings, *meeting_of(settings, SAR))]
    shared = ["designated.doctor@nhs.example.org", "designated.nurse@nhs.example.org",
              "public.protection@met-police.example.org"]
    assert scr == ["sqas.head@enfield.example.org", *shared, "education.safeguarding@enfield.example.org"]
    assert sar == [SAR_CHAIR, *shared, ADULTS]
    sar_people = invitees(settings, *meeting_of(settings, SAR))
    assert sar_people[0].roles == ("chair",) and sar_people[-1].roles == ("social-care",)


def test_each_pack_has_its_own_chair_and_without_a_pack_the_chair_who_sits_on_every_panel_comes_first(settings):
    assert panel_chair(settings, SAR)[0] == SAR_CHAIR
    assert panel_chair(settings, SCR)[0] == "sqas.head@enfield.example.org"
    assert panel_chair(settings, "cspr-wt2023")[0] == settings.people.chair.email  # no panel chair of its own


def test_a_member_of_one_packs_panel_reads_that_packs_cases_only(settings):
    chair = person_of(settings, SAR_CHAIR)
    assert chair is not None and chair.role is Role.PANEL
    assert sits_on_panel(settings, SAR_CHAIR, [], SAR) and not sits_on_panel(settings, SAR_CHAIR, [], SCR)
    assert may_read_case(settings, chair, [], SAR) and not may_read_case(settings, chair, ["met-police"], SCR)
    police = person_of(settings, "public.protection@met-police.example.org")
    assert may_read_case(settings, police, [], SAR) and may_read_case(settings, police, [], SCR)  # every panel


def test_the_quorum_of_each_packs_panel_is_checked_on_its_own(tmp_path):
    cfg = tmp_path / "review-clerk.toml"
    cfg.write_text(config_text(SAR_PANEL.split("\n[[panel]]\nname = \"Head of Adult")[0]))  # no adults' member
    settings = load_settings(cfg, environ={})
    warnings = quorum_warnings(settings, [SCR, SAR])
    assert [w for w in warnings if w.startswith(f"{SAR}: quorum role 'social-care' is held by no standing panel "
                                                f"member, only by the panel member of enfield-csc")]
    assert not [w for w in warnings if w.startswith(f"{SCR}:")]  # the SCR panel has every quorum role


def test_a_panel_member_for_a_pack_not_in_use_stops_the_service_at_start(tmp_path):
    from service.bootstrap import build_app
    from service.clock import FixedClock
    from service.procedure.problems import PackError

    shutil.copyfile(EXAMPLE, tmp_path / "review-clerk.toml")
    with (tmp_path / "review-clerk.toml").open("a") as f:
        f.write(SAR_PANEL)  # the example board runs the SCR pack only
    settings = load_settings(tmp_path / "review-clerk.toml", environ={})
    with pytest.raises(PackError, match=f"'{SAR}' is no pack in use \\(in use: {SCR}\\)"):
        build_app(settings, FixedClock(AT), create=True)
