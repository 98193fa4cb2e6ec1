# Copyright: (c) 2026, euc.workspaces contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one waiting mechanism: poll many WorkSpaces together until each reaches a goal.

botocore has no WorkSpaces waiters. What counts as done, in progress or failed for each goal is data
(GOALS); the Waiter only polls, 25 IDs a call, with a delay that grows so a long wait does not hammer
the API. poll_until is the timing loop itself, shared with other resources (directories).

A wait that starts right after an action is given each WorkSpace's Watch: the state it was in when the action
was sent (the first reads after an action may still show it), and the properties a change sent (which must read
back before the change is done).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ansible_collections.euc.workspaces.plugins.module_utils.common import (
    MODIFICATION_FAILED,
    MODIFICATION_IN_PROGRESS,
    PROPERTY_RESOURCES,
    TRANSITIONAL_STATES,
    modifications,
)
from ansible_collections.euc.workspaces.plugins.module_utils.reads import describe_workspaces_by_ids

DONE, PENDING, FAILED = "done", "pending", "failed"
MISSING = "MISSING"  # the state we report for a WorkSpace that DescribeWorkspaces does not list
SETTLED_STATES = frozenset(["AVAILABLE", "STOPPED", "ADMIN_MAINTENANCE"])
BROKEN_STATES = frozenset(["ERROR", "SUSPENDED", "TERMINATED", "TERMINATING"])
# Seconds after an action during which a WorkSpace may still show the state it had before it (reads lag behind
# writes): a wait that sees only that state so long holds its verdict, unless it sees the WorkSpace move first.
ACTION_GRACE = 10.0


@dataclass(frozen=True)
class Watch:
    """What a wait after an action knows of one WorkSpace."""

    since: str | None = None  # its state when the action was sent
    properties: dict | None = None  # the WorkspaceProperties a change sent: they must read back


class Goal:
    """Where a WorkSpace should end up, and how to read each state on the way."""

    def __init__(self, name, done, failed, when_missing, wording=None):
        self.name = name
        self.done = frozenset(done)
        self.failed = frozenset(failed)
        self.when_missing = when_missing
        self.wording = wording or name  # how messages say it: "waiting for ws-... to be <wording>"

    def judge(self, workspace: dict | None, watch: Watch | None = None) -> str:
        if workspace is None:
            return self.when_missing
        state = workspace.get("State")
        if state in self.done:
            return DONE
        if state in self.failed:
            return FAILED
        return PENDING


class SettledGoal(Goal):
    """After a property change: a settled state, no change in progress, and the sent values read back.

    The state may read AVAILABLE, with no ModificationStates, for a while before UPDATING shows: only the new
    values tell that the change is through. UPDATE_FAILED for a resource the change sent is a failure.
    """

    def __init__(self):
        super().__init__("settled", SETTLED_STATES, BROKEN_STATES, FAILED)

    def judge(self, workspace: dict | None, watch: Watch | None = None) -> str:
        if workspace is not None and failed_modifications(workspace, watch):
            return FAILED
        verdict = super().judge(workspace, watch)
        if verdict != DONE:
            return verdict
        if modifications(workspace, MODIFICATION_IN_PROGRESS) or not read_back(workspace, watch):
            return PENDING
        return DONE


class SteadyGoal(Goal):
    """Before an action: wait out a transitional state (and property changes in progress); the caller then
    judges the state it settled in."""

    def __init__(self):
        super().__init__("steady", [], [], FAILED)

    def judge(self, workspace: dict | None, watch: Watch | None = None) -> str:
        if workspace is None or workspace.get("State") == "TERMINATED":  # gone: nothing left to act on
            return FAILED
        if workspace.get("State") in TRANSITIONAL_STATES or modifications(workspace, MODIFICATION_IN_PROGRESS):
            return PENDING
        return DONE


def failed_modifications(workspace: dict, watch: Watch | None = None) -> list[str]:
    """The resources whose change failed (UPDATE_FAILED); with a watch, only those its change sent."""
    failed = modifications(workspace, [MODIFICATION_FAILED])
    if watch is None or watch.properties is None:
        return failed
    sent = {PROPERTY_RESOURCES.get(key) for key in watch.properties}
    return [resource for resource in failed if resource in sent]


def read_back(workspace: dict, watch: Watch | None) -> bool:
    """Whether the WorkSpace shows every property value the change sent (protocols in any order)."""
    if watch is None or not watch.properties:
        return True
    have = workspace.get("WorkspaceProperties") or {}
    for key, value in watch.properties.items():
        if isinstance(value, list):
            if sorted(value) != sorted(have.get(key) or []):
                return False
        elif have.get(key) != value:
            return False
    return True


GOALS = {
    # A new WorkSpace may not be listed at once after CreateWorkspaces: missing means "not visible yet".
    "created": Goal("created", ["AVAILABLE", "STOPPED"], BROKEN_STATES | {"UNHEALTHY", "IMPAIRED"}, PENDING),
    "available": Goal("available", ["AVAILABLE"], BROKEN_STATES | {"STOPPED"}, FAILED),
    "stopped": Goal("stopped", ["STOPPED"], BROKEN_STATES, FAILED),
    "settled": SettledGoal(),
    # ModifyWorkspaceState: one goal per direction, so the state from before the change is never taken as done.
    "in_maintenance": Goal("in_maintenance", ["ADMIN_MAINTENANCE"], BROKEN_STATES, FAILED, "in ADMIN_MAINTENANCE"),
    "out_of_maintenance": Goal(
        "out_of_maintenance", ["AVAILABLE", "STOPPED"], BROKEN_STATES, FAILED, "out of ADMIN_MAINTENANCE"
    ),
    # TERMINATED shows only briefly and is not the end: gone from DescribeWorkspaces is the only reliable one.
    "gone": Goal("gone", [], [], DONE),
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

    def __init__(self, client, sleep=None, clock=None, delays=poll_delays, grace: float = ACTION_GRACE):
        self.client = client
        self.sleep = sleep or time.sleep
        self.clock = clock or time.monotonic
        self.delays = delays
        self.grace = grace

    def wait(self, workspace_ids, goal_name: str, timeout: float, watches: dict | None = None) -> WaitResult:
        """Poll until every WorkSpace is done or failed, or timeout seconds have passed.

        watches: {workspace_id: Watch} for a wait right after an action. While a WorkSpace still shows the state
        it had when the action was sent, and has not been seen in another one, its verdict is held (pending) for
        the grace period: the first reads after an action often show the state from before it.
        """
        goal = GOALS[goal_name]
        watches = watches or {}
        result = WaitResult()
        pending = sorted(set(workspace_ids))
        if not pending:
            return result
        grace_ends = self.clock() + self.grace
        moved: set[str] = set()
        held = False

        def hold(workspace_id: str, workspace: dict | None, verdict: str) -> bool:
            watch = watches.get(workspace_id)
            # Properties that read back are evidence enough: only a verdict on the state alone is held.
            if watch is None or watch.since is None or watch.properties or workspace is None or workspace_id in moved:
                return False
            if workspace.get("State") != watch.since:
                moved.add(workspace_id)
                return False
            return verdict != PENDING and self.clock() < grace_ends

        def read() -> WaitResult:
            nonlocal pending, held
            described = {ws["WorkspaceId"]: ws for ws in describe_workspaces_by_ids(self.client, pending)}
            result.pending, held = {}, False
            for workspace_id in pending:
                workspace = described.get(workspace_id)
                verdict = goal.judge(workspace, watches.get(workspace_id))
                if hold(workspace_id, workspace, verdict):
                    verdict, held = PENDING, True
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

        def delays():
            # While a verdict is held, poll again when the grace period ends rather than after it.
            for delay in self.delays():
                left = grace_ends - self.clock()
                yield min(delay, left) if held and left > 0 else delay

        poll_until(read, judge, timeout, self.sleep, self.clock, delays)
        return result
