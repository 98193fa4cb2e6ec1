# Copyright: (c) 2026, euc.workspaces contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one waiting mechanism: poll many WorkSpaces together until each reaches a goal.

botocore has no WorkSpaces waiters. What counts as done, in progress or failed for each goal is data
(GOALS); the Waiter only polls, 25 IDs a call, with a delay that grows so a long wait does not hammer
the API. poll_until is the timing loop itself, shared with other resources (directories).
"""

from __future__ import annotations

import time

from ansible_collections.euc.workspaces.plugins.module_utils.common import TRANSITIONAL_STATES
from ansible_collections.euc.workspaces.plugins.module_utils.reads import describe_workspaces_by_ids

DONE, PENDING, FAILED = "done", "pending", "failed"
MISSING = "MISSING"  # the state we report for a WorkSpace that DescribeWorkspaces does not list
SETTLED_STATES = frozenset(["AVAILABLE", "STOPPED", "ADMIN_MAINTENANCE"])
BROKEN_STATES = frozenset(["ERROR", "SUSPENDED", "TERMINATED", "TERMINATING"])


class Goal:
    """Where a WorkSpace should end up, and how to read each state on the way."""

    def __init__(self, name, done, failed, when_missing, needs_settled_modifications=False):
        self.name = name
        self.done = frozenset(done)
        self.failed = frozenset(failed)
        self.when_missing = when_missing
        self.needs_settled_modifications = needs_settled_modifications

    def judge(self, workspace: dict | None) -> str:
        if workspace is None:
            return self.when_missing
        state = workspace.get("State")
        if state in self.done:
            if self.needs_settled_modifications and workspace.get("ModificationStates"):
                return PENDING
            return DONE
        if state in self.failed:
            return FAILED
        return PENDING


class SteadyGoal(Goal):
    """Before an action: wait out a transitional state; the caller then judges the state it settled in."""

    def __init__(self):
        super().__init__("steady", [], [], FAILED)

    def judge(self, workspace: dict | None) -> str:
        if workspace is None:
            return FAILED
        return PENDING if workspace.get("State") in TRANSITIONAL_STATES else DONE


GOALS = {
    # A new WorkSpace may not be listed at once after CreateWorkspaces: missing means "not visible yet".
    "created": Goal("created", ["AVAILABLE", "STOPPED"], BROKEN_STATES | {"UNHEALTHY", "IMPAIRED"}, PENDING),
    "available": Goal("available", ["AVAILABLE"], BROKEN_STATES | {"STOPPED"}, FAILED),
    "stopped": Goal("stopped", ["STOPPED"], BROKEN_STATES, FAILED),
    # Property changes: AVAILABLE may show before UPDATING does, so ModificationStates must be empty too.
    "settled": Goal("settled", SETTLED_STATES, BROKEN_STATES, FAILED, needs_settled_modifications=True),
    # TERMINATED shows only briefly; gone from DescribeWorkspaces is the reliable end.
    "gone": Goal("gone", ["TERMINATED"], [], DONE),
    "steady": SteadyGoal(),
}


def poll_delays(first: float = 2.0, factor: float = 1.5, longest: float = 15.0):
    """Seconds to sleep between polls: short at first (most changes are quick), then capped."""
    delay = first
    while True:
        yield delay
        delay = min(delay * factor, longest)


class WaitResult:
    """What a wait ended with, by WorkSpace ID: the last description (None when missing)."""

    def __init__(self):
        self.done: dict[str, dict | None] = {}
        self.failed: dict[str, dict | None] = {}
        self.pending: dict[str, dict | None] = {}

    @property
    def timed_out(self) -> bool:
        return bool(self.pending)

    def last_states(self, which: dict) -> dict[str, str]:
        return {wid: (ws or {}).get("State", MISSING) for wid, ws in sorted(which.items())}


def poll_until(read, judge, timeout: float, sleep=None, clock=None, delays=poll_delays):
    """Call read() until judge(value) is no longer PENDING or timeout seconds have passed.

    Returns (verdict, last value); the verdict is PENDING when time ran out. read is called at least once.
    """
    sleep = sleep or time.sleep
    clock = clock or time.monotonic
    deadline = clock() + timeout
    waits = delays()
    while True:
        value = read()
        verdict = judge(value)
        if verdict != PENDING:
            return verdict, value
        remaining = deadline - clock()
        if remaining <= 0:
            return verdict, value
        sleep(min(next(waits), remaining))


class Waiter:
    """Polls DescribeWorkspaces for many IDs at once until each one is done or failed, or time runs out."""

    def __init__(self, client, sleep=None, clock=None, delays=poll_delays):
        self.client = client
        self.sleep = sleep or time.sleep
        self.clock = clock or time.monotonic
        self.delays = delays

    def wait(self, workspace_ids, goal_name: str, timeout: float) -> WaitResult:
        goal = GOALS[goal_name]
        result = WaitResult()
        pending = sorted(set(workspace_ids))
        if not pending:
            return result

        def read() -> WaitResult:
            nonlocal pending
            described = {ws["WorkspaceId"]: ws for ws in describe_workspaces_by_ids(self.client, pending)}
            result.pending = {}
            for workspace_id in pending:
                workspace = described.get(workspace_id)
                verdict = goal.judge(workspace)
                if verdict == DONE:
                    result.done[workspace_id] = workspace
                elif verdict == FAILED:
                    result.failed[workspace_id] = workspace
                else:
                    result.pending[workspace_id] = workspace
            pending = sorted(result.pending)
            return result

        def judge(polled: WaitResult) -> str:
            return PENDING if polled.pending else DONE

        poll_until(read, judge, timeout, self.sleep, self.clock, self.delays)
        return result
