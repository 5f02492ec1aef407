"""The procedure's vocabulary as the forms offer it: stages, events and decision outcomes.

The one place in the web workspace that names the procedure's types. Today they are the enums of
:mod:`service.domain.model_types`; when a case's stages, events and outcomes become ids from its
procedure pack, only this module changes (the pages use the ids and labels it gives, and the labels
the use cases' views give, such as ``stage_label``).
"""

from __future__ import annotations

from typing import Any

from service.domain.model import DomainError


def stages() -> list[tuple[str, str]]:
    from service.domain.model_types import Stage

    return [(s.value, s.label) for s in Stage]


def events() -> list[tuple[str, str]]:
    """Events a person records (not those the service records itself when it opens or decides a case)."""
    from service.domain.model_types import EventKind

    own = {EventKind.REFERRAL_RECEIVED, EventKind.DECIDED}
    return [(k.value, k.value.replace("_", " ").capitalize()) for k in EventKind if k not in own]


def outcomes() -> list[tuple[str, str]]:
    from service.domain.model_types import Outcome

    return [(o.value, o.label) for o in Outcome]


def stage(value: str | None) -> Any:
    from service.domain.model_types import Stage

    if not value:
        return None
    try:
        return Stage(value)
    except ValueError:
        raise DomainError(f"no stage {value!r}") from None


def event(value: str) -> Any:
    from service.domain.model_types import EventKind

    try:
        return EventKind(value)
    except ValueError:
        raise DomainError(f"no event {value!r}") from None


def outcome(value: str) -> Any:
    from service.domain.model_types import Outcome

    try:
        return Outcome(value)
    except ValueError:
        raise DomainError(f"no decision {value!r}") from None
