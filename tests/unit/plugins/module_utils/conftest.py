"""Fixtures shared by the module_utils tests that wait: a clock that moves only when the code under test sleeps."""

from __future__ import annotations

import pytest


class FakeClock:
    """Call it for the time; give its sleep() to the code under test, which alone moves the time on."""

    def __init__(self):
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock():
    return FakeClock()
