"""Integration fixtures: every test gets its own local endpoint, stopped afterwards."""

from __future__ import annotations

import pytest

from endpoint import Endpoint


@pytest.fixture
def endpoint():
    with Endpoint.start(delay=0.0) as running:
        yield running
