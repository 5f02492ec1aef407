"""Fixtures for the Graph connector tests.

Every test builds a fresh backend (msal caches token answers per application,
and the connector caches folder ids). The clock is fake and ``sleep`` only
advances it, so nothing waits for real.
"""

from __future__ import annotations

import random
from typing import Any, Callable

import pytest
import responses
from graph_stubs import MAILBOX, BatchShim, FakeClock, TokenEndpoint, graph_settings

from service.m365 import build_graph_backend


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def batches(rsps: responses.RequestsMock) -> BatchShim:
    """``POST /$batch`` answered from the stubs of the requests inside it."""
    shim = BatchShim()
    shim.register(rsps)
    return shim


@pytest.fixture
def token_endpoint(rsps: responses.RequestsMock) -> TokenEndpoint:
    endpoint = TokenEndpoint()
    endpoint.register(rsps)
    return endpoint


@pytest.fixture
def make_backend(clock: FakeClock, token_endpoint: TokenEndpoint, batches: BatchShim) -> Callable[..., Any]:
    """A fresh (GraphMailbox, GraphCalendar) pair on the fake clock, for ``responses``."""

    def make(**overrides: Any):
        kwargs = {k: overrides.pop(k) for k in ("policy", "batch_limit") if k in overrides}
        return build_graph_backend(graph_settings(**overrides), MAILBOX, clock=clock, sleep=clock.sleep,
                                   rng=random.Random(7), **kwargs)

    return make
