"""doctor (and run's start-up) warn of configuration that cannot work as meant: a quorum role nobody can fill, a
template name that names no communication."""

from __future__ import annotations

from service.health import WARNING, check_configuration


def test_doctor_says_nothing_about_the_quorum_of_the_shipped_configuration(settings):
    assert not [f for f in check_configuration(settings) if f.check == "meetings quorum"]


def test_doctor_warns_of_a_quorum_role_nobody_configured_holds(settings):
    meetings = settings.meetings.model_copy(update={"quorum_roles": ("chair", "coroner")})
    found = [f for f in check_configuration(settings.model_copy(update={"meetings": meetings}))
             if f.check == "meetings quorum"]
    assert len(found) == 1 and found[0].state == WARNING and "'coroner' is held by nobody" in found[0].detail


def test_doctor_warns_of_a_template_name_in_the_settings_that_names_no_communication(settings):
    mail = settings.mail.model_copy(update={"send_outside_working_hours": ["acknowledgment"]})
    found = [f for f in check_configuration(settings.model_copy(update={"mail": mail}))
             if "send_outside_working_hours" in f.detail]
    assert len(found) == 1 and found[0].state == WARNING and "acknowledgment" in found[0].detail


def test_doctor_fails_a_pack_in_use_with_a_role_or_body_nobody_is_configured_for(settings):
    from service.health import FAILED, OK

    assert [f.state for f in check_configuration(settings) if f.check.startswith("procedure ")] == [OK]
    people = settings.people.model_copy(update={"head_of_sqas": None})
    notifications = settings.notifications.model_copy(update={"ofsted": None})
    found = [f for f in check_configuration(settings.model_copy(update={"people": people,
                                                                        "notifications": notifications}))
             if f.check == "procedure enfield-scr-2013"]
    assert len(found) == 1 and found[0].state == FAILED
    assert "[people.head_of_sqas]" in found[0].detail and "[notifications] ofsted" in found[0].detail
