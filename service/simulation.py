"""Simulated time is for simulations only.

A run acts for real: it sends mail, books meetings and takes the chase schedule's steps.
``run --once --now T`` with T later than the real clock would do tomorrow's work today,
and consume the schedule the real tomorrow needs, so it is refused unless:

* the database was created as a simulation (``review-clerk init --simulation``, which the
  demo and the tests use: marked in the database itself, so it travels with the data), or
* ``--simulate`` is given, which is allowed only with the local mail backend: a simulated
  run never hands anything to a real mailbox.

To see what would happen on a date without doing it, ``review-clerk forecast`` reads and
changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from service.config import Settings
    from service.store.db import Database

MARK = "simulation"
SLACK = timedelta(minutes=5)  # clocks differ a little; a few minutes ahead is still "now"


class SimulationRefused(Exception):
    """One line for a person: why a run at this time is not allowed, and what to do instead."""


def mark(db: "Database", now: datetime) -> None:
    """Record that this database is a simulation (``init --simulation``)."""
    with db.unit_of_work() as uow:
        uow.state.set(MARK, "true", now)
        uow.commit()


def is_simulation(db: "Database") -> bool:
    with db.unit_of_work() as uow:
        return uow.state.get(MARK) == "true"


def check_run_at(settings: "Settings", db: "Database", when: datetime, real_now: datetime,
                 simulate: bool) -> str | None:
    """Raise :class:`SimulationRefused` when a run may not act as of ``when``; return a line to show
    when it runs as a simulation, else None."""
    if simulate and settings.mail.backend != "local":
        raise SimulationRefused(
            f"--simulate works only with the local mail backend (this configuration uses "
            f"'{settings.mail.backend}'): a simulated run must never reach a real mailbox")
    if simulate:
        return "simulation: simulated time, local mail backend; nothing leaves this machine"
    if is_simulation(db):
        return None
    if when > real_now + SLACK:
        raise SimulationRefused(
            f"--now {when.isoformat(timespec='minutes')} is later than the real time: a run acts for real "
            f"(it sends mail, books meetings and uses up the reminders the real days need). To see what "
            f"would happen, run: review-clerk forecast --until {when.date().isoformat()}; to try the service "
            f"in simulated time, use a simulation (review-clerk init --simulation DIR) or add --simulate "
            f"(local mail backend only)")
    return None


def trusting_local_mail(config_text: str) -> str:
    """The configuration text with ``[mail] trust_local_mail = true``: in a simulation the local inbox's
    messages are taken to be from their senders (there is no mail system to vouch for them)."""
    import re

    line = "trust_local_mail = true  # a simulation (init --simulation): the local inbox is trusted\n"
    pattern = re.compile(r"^#?\s*trust_local_mail\s*=.*\n", re.MULTILINE)
    if pattern.search(config_text):
        return pattern.sub(line, config_text, count=1)
    header = re.search(r"^\[mail\]\s*\n", config_text, re.MULTILINE)
    if header is None:
        return config_text + "\n[mail]\n" + line
    return config_text[:header.end()] + line + config_text[header.end():]
