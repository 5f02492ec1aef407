"""An audit event fits the audit trail it is written to."""

from __future__ import annotations

import pytest


def test_an_audit_action_too_long_for_the_audit_trail_is_refused_where_it_is_written():
    from datetime import datetime, timezone

    from service.domain.model import AuditEvent

    at = datetime(2014, 5, 12, tzinfo=timezone.utc)
    with pytest.raises(ValueError, match="longer than 64"):
        AuditEvent(at, "intake", "instruction by email not carried out: 'done' for chair_sqas_discussion", {})
    assert len(AuditEvent(at, "x" * 300, "reply filed", {}).actor) == 255
