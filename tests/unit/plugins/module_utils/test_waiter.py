"""The waiter: many WorkSpaces polled together, 25 IDs a call, goals as data, time-outs with last states."""

from __future__ import annotations

import pytest
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper

from ansible_collections.euc.workspaces.plugins.module_utils.client import RETRY
from ansible_collections.euc.workspaces.plugins.module_utils.common import TRANSITIONAL_STATES
from ansible_collections.euc.workspaces.plugins.module_utils.waiter import (
    ACTION_GRACE,
    DONE,
    FAILED,
    GOALS,
    PENDING,
    Waiter,
    Watch,
    failed_modifications,
    poll_delays,
)


@pytest.fixture
def waiter(aws, clock):
    client = RetryingBotoClientWrapper(aws.client("workspaces"), RETRY)
    return Waiter(client, sleep=clock.sleep, clock=clock)


def wid(number: int) -> str:
    return f"ws-{number:010d}"


def ws(number: int, state: str = "AVAILABLE", **extra) -> dict:
    return {"WorkspaceId": wid(number), "State": state, **extra}


def test_polls_25_ids_a_call_and_only_those_still_pending(aws, waiter):
    ids = [wid(n) for n in range(30)]
    aws.add("describe_workspaces", {"Workspaces": [ws(n, "PENDING") for n in range(25)]}, {"WorkspaceIds": ids[:25]})
    aws.add("describe_workspaces", {"Workspaces": [ws(n) for n in range(25, 30)]}, {"WorkspaceIds": ids[25:]})
    aws.add("describe_workspaces", {"Workspaces": [ws(n) for n in range(25)]}, {"WorkspaceIds": ids[:25]})
    result = waiter.wait(ids, "available", timeout=600)
    assert sorted(result.done) == ids and not result.failed and not result.timed_out
    aws.assert_all_used()


def test_error_during_a_wait_is_a_failure_with_the_workspace_error(aws, waiter):
    error = ws(1, "ERROR", ErrorCode="InvalidUserName", ErrorMessage="The user does not exist")
    aws.add("describe_workspaces", {"Workspaces": [error, ws(2, "PENDING")]})
    aws.add("describe_workspaces", {"Workspaces": [ws(2)]}, {"WorkspaceIds": [wid(2)]})
    result = waiter.wait([wid(1), wid(2)], "created", timeout=600)
    assert result.failed == {wid(1): error}
    assert list(result.done) == [wid(2)]


def test_timeout_keeps_the_last_states(aws, waiter, clock):
    for _attempt in range(50):
        aws.add("describe_workspaces", {"Workspaces": [ws(1, "PENDING"), ws(2, "UPDATING")]})
    result = waiter.wait([wid(1), wid(2)], "available", timeout=60)
    assert result.timed_out
    assert result.last_states(result.pending) == {wid(1): "PENDING", wid(2): "UPDATING"}
    assert clock.now == pytest.approx(60)  # never sleeps past the deadline


def test_delays_grow_and_are_capped():
    delays = poll_delays()
    seen = [next(delays) for _attempt in range(12)]
    assert seen[0] == 2.0 and seen == sorted(seen) and max(seen) == 15.0


def test_a_new_workspace_not_listed_yet_is_pending(aws, waiter):
    aws.add("describe_workspaces", {"Workspaces": []})
    aws.add("describe_workspaces", {"Workspaces": [ws(1, "PENDING")]})
    aws.add("describe_workspaces", {"Workspaces": [ws(1)]})
    assert list(waiter.wait([wid(1)], "created", timeout=600).done) == [wid(1)]


def test_gone_is_done_when_missing(aws, waiter):
    aws.add("describe_workspaces", {"Workspaces": [ws(1, "TERMINATING")]})
    aws.add("describe_workspaces", {"Workspaces": []})
    assert waiter.wait([wid(1)], "gone", timeout=600).done == {wid(1): None}


def test_settled_needs_modification_states_to_be_empty(aws, waiter):
    changing = ws(1, ModificationStates=[{"Resource": "COMPUTE_TYPE", "State": "UPDATE_INITIATED"}])
    aws.add("describe_workspaces", {"Workspaces": [changing]})
    aws.add("describe_workspaces", {"Workspaces": [ws(1, "UPDATING")]})
    aws.add("describe_workspaces", {"Workspaces": [ws(1, "STOPPED")]})
    assert waiter.wait([wid(1)], "settled", timeout=600).done[wid(1)]["State"] == "STOPPED"


def test_no_ids_no_calls(aws, waiter):
    result = waiter.wait([], "available", timeout=600)
    assert not result.done and aws.sent == []


@pytest.mark.parametrize("state", sorted(TRANSITIONAL_STATES))
def test_steady_waits_out_every_transitional_state(state):
    assert GOALS["steady"].judge({"State": state}) == PENDING


@pytest.mark.parametrize("state", ["AVAILABLE", "STOPPED", "ERROR", "SUSPENDED", "ADMIN_MAINTENANCE", "UNHEALTHY"])
def test_steady_accepts_any_other_state(state):
    assert GOALS["steady"].judge({"State": state}) == DONE


@pytest.mark.parametrize(
    ("goal", "state", "verdict"),
    [
        ("created", "AVAILABLE", DONE),
        ("created", "STOPPED", DONE),
        ("created", "ERROR", FAILED),
        ("created", "PENDING", PENDING),
        ("available", "REBOOTING", PENDING),
        ("available", "STOPPED", FAILED),
        ("stopped", "STOPPING", PENDING),
        ("stopped", "STOPPED", DONE),
        ("stopped", "ERROR", FAILED),
        ("gone", "TERMINATING", PENDING),
        ("gone", "TERMINATED", PENDING),
        ("settled", "ADMIN_MAINTENANCE", DONE),
        ("settled", "SUSPENDED", FAILED),
    ],
)
def test_goal_verdicts(goal, state, verdict):
    assert GOALS[goal].judge({"State": state}) == verdict


def test_missing_means_failed_except_for_created_and_gone():
    assert GOALS["created"].judge(None) == PENDING
    assert GOALS["gone"].judge(None) == DONE
    for goal in ("available", "stopped", "settled", "steady"):
        assert GOALS[goal].judge(None) == FAILED


# -- waits that start right after an action ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("goal", "since", "end"),
    [
        ("available", "STOPPED", "AVAILABLE"),  # start
        ("available", "ERROR", "AVAILABLE"),  # rebuild of a broken WorkSpace
        ("stopped", "ERROR", "STOPPED"),  # stop of a broken WorkSpace
    ],
)
def test_first_poll_still_showing_the_state_before_the_action_is_pending(aws, waiter, goal, since, end):
    aws.add("describe_workspaces", {"Workspaces": [ws(1, since)]})
    aws.add("describe_workspaces", {"Workspaces": [ws(1, end)]})
    result = waiter.wait([wid(1)], goal, timeout=600, watches={wid(1): Watch(since=since)})
    assert list(result.done) == [wid(1)] and not result.failed
    aws.assert_all_used()


def test_reboot_wait_does_not_end_on_the_available_shown_before_rebooting(aws, waiter):
    for state in ("AVAILABLE", "REBOOTING", "AVAILABLE"):
        aws.add("describe_workspaces", {"Workspaces": [ws(1, state)]})
    result = waiter.wait([wid(1)], "available", timeout=600, watches={wid(1): Watch(since="AVAILABLE")})
    assert list(result.done) == [wid(1)]
    aws.assert_all_used()


def test_a_state_that_never_moves_is_judged_once_the_grace_period_is_over(aws, waiter, clock):
    for _poll in range(10):
        aws.add("describe_workspaces", {"Workspaces": [ws(1, "AVAILABLE"), ws(2, "STOPPED")]})
    watches = {wid(1): Watch(since="AVAILABLE"), wid(2): Watch(since="STOPPED")}
    result = waiter.wait([wid(1), wid(2)], "available", timeout=600, watches=watches)
    assert list(result.done) == [wid(1)] and list(result.failed) == [wid(2)]  # a reboot missed, a start that failed
    assert clock.now == pytest.approx(ACTION_GRACE)  # the last sleep ends with the grace period, not later


def test_a_state_seen_moving_is_judged_at_once(aws, waiter):
    aws.add("describe_workspaces", {"Workspaces": [ws(1, "STARTING")]})
    aws.add("describe_workspaces", {"Workspaces": [ws(1, "STOPPED")]})
    result = waiter.wait([wid(1)], "available", timeout=600, watches={wid(1): Watch(since="STOPPED")})
    assert list(result.failed) == [wid(1)]  # started, then stopped again: no grace for that


def test_gone_only_when_missing_not_at_terminated(aws, waiter):
    aws.add("describe_workspaces", {"Workspaces": [ws(1, "TERMINATED")]})
    aws.add("describe_workspaces", {"Workspaces": []})
    result = waiter.wait([wid(1)], "gone", timeout=600)
    assert result.done == {wid(1): None}
    aws.assert_all_used()


@pytest.mark.parametrize(
    ("goal", "state", "verdict"),
    [
        ("in_maintenance", "AVAILABLE", PENDING),
        ("in_maintenance", "STOPPED", PENDING),
        ("in_maintenance", "ADMIN_MAINTENANCE", DONE),
        ("in_maintenance", "SUSPENDED", FAILED),
        ("out_of_maintenance", "ADMIN_MAINTENANCE", PENDING),
        ("out_of_maintenance", "AVAILABLE", DONE),
        ("out_of_maintenance", "STOPPED", DONE),
        ("out_of_maintenance", "ERROR", FAILED),
    ],
)
def test_maintenance_has_a_goal_per_direction(goal, state, verdict):
    assert GOALS[goal].judge({"State": state}) == verdict


def props(**values) -> dict:
    return {"WorkspaceProperties": {"ComputeTypeName": "STANDARD", "UserVolumeSizeGib": 50, **values}}


def test_settled_fails_on_update_failed_naming_the_resource():
    failed = {"State": "AVAILABLE", "ModificationStates": [{"Resource": "USER_VOLUME", "State": "UPDATE_FAILED"}]}
    watch = Watch(since="AVAILABLE", properties={"UserVolumeSizeGib": 100})
    assert GOALS["settled"].judge(failed, watch) == FAILED
    assert failed_modifications(failed) == ["USER_VOLUME"]


def test_settled_ignores_an_update_failed_of_a_resource_it_did_not_change():
    other = {"State": "AVAILABLE", "ModificationStates": [{"Resource": "ROOT_VOLUME", "State": "UPDATE_FAILED"}]}
    assert (
        GOALS["settled"].judge(
            dict(other, **props(UserVolumeSizeGib=100)), Watch(properties={"UserVolumeSizeGib": 100})
        )
        == DONE
    )


def test_settled_ends_only_when_the_sent_properties_read_back():
    watch = Watch(since="AVAILABLE", properties={"ComputeTypeName": "POWER", "Protocols": ["WSP", "PCOIP"]})
    before = {"State": "AVAILABLE", **props(Protocols=["PCOIP"])}
    after = {"State": "AVAILABLE", **props(ComputeTypeName="POWER", Protocols=["PCOIP", "WSP"])}
    changing = dict(after, ModificationStates=[{"Resource": "COMPUTE_TYPE", "State": "UPDATE_IN_PROGRESS"}])
    assert GOALS["settled"].judge(before, watch) == PENDING
    assert GOALS["settled"].judge(changing, watch) == PENDING
    assert GOALS["settled"].judge(after, watch) == DONE


def test_settled_wait_polls_until_the_new_values_show(aws, waiter):
    aws.add("describe_workspaces", {"Workspaces": [ws(1, **props())]})  # AVAILABLE, nothing shown yet
    aws.add("describe_workspaces", {"Workspaces": [ws(1, **props(ComputeTypeName="POWER"))]})
    result = waiter.wait([wid(1)], "settled", 600, watches={wid(1): Watch("AVAILABLE", {"ComputeTypeName": "POWER"})})
    assert list(result.done) == [wid(1)]
    aws.assert_all_used()


def test_steady_waits_out_modifications_in_progress():
    busy = {"State": "AVAILABLE", "ModificationStates": [{"Resource": "ROOT_VOLUME", "State": "UPDATE_IN_PROGRESS"}]}
    assert GOALS["steady"].judge(busy) == PENDING
    assert GOALS["steady"].judge(dict(busy, ModificationStates=[])) == DONE


def test_steady_fails_on_terminated():
    assert GOALS["steady"].judge({"State": "TERMINATED"}) == FAILED
