"""Integration fixtures: every test gets its own local endpoint, stopped afterwards."""

from __future__ import annotations

import pytest

from endpoint import Endpoint
from harness import registered_directories


@pytest.fixture
def endpoint():
    with Endpoint.start(delay=0.0) as running:
        yield running


@pytest.fixture
def directory_id(endpoint, tmp_path):
    """corp.example.com at the test's endpoint, registered with euc.workspaces.directory."""
    (corp,) = registered_directories(endpoint, tmp_path / "setup", "corp.example.com")
    return corp
