"""Writes and the executor against stubbed clients: batches, FailedRequests, creates that never duplicate."""

from __future__ import annotations

import botocore.exceptions
import pytest
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper

from ansible_collections.euc.workspaces.plugins.module_utils import actions
from ansible_collections.euc.workspaces.plugins.module_utils.actions import Executor, batch_action, create_workspaces
from ansible_collections.euc.workspaces.plugins.module_utils.client import RETRY
from ansible_collections.euc.workspaces.plugins.module_utils.planner import Item, plan_item
from ansible_collections.euc.workspaces.plugins.module_utils.waiter import ACTION_GRACE, Waiter

D = "d-1234567890"
B = "wsb-0123abcd4"


class Flaky:
    """A client whose next calls of some operations raise before reaching the stub (a lost connection)."""

    def __init__(self, client, **failures):
        self.client = client
        self.failures = {name: list(errors) for name, errors in failures.items()}
        self.raised: list[str] = []

    def __getattr__(self, name):
        method = getattr(self.client, name)

        def call(*args, **kwargs):
            if self.failures.get(name):
                self.raised.append(name)
                raise self.failures[name].pop(0)
            return method(*args, **kwargs)

        return call


def dropped() -> Exception:
    return botocore.exceptions.ReadTimeoutError(endpoint_url="https://workspaces.us-east-1.amazonaws.com/")


@pytest.fixture
def client(aws):
    return RetryingBotoClientWrapper(aws.client("workspaces"), RETRY)


def wid(number: int) -> str:
    return f"ws-{number:010d}"


def ws(number: int, state: str = "AVAILABLE", user: str | None = None, **extra) -> dict:
    return {
        "WorkspaceId": wid(number),
        "DirectoryId": D,
        "UserName": user or f"user{number}",
        "BundleId": B,
        "State": state,
        "WorkspaceProperties": {"RunningMode": "AUTO_STOP", "ComputeTypeName": "STANDARD", "UserVolumeSizeGib": 50},
        **extra,
    }


def request(number: int, user: str | None = None) -> dict:
    return {"DirectoryId": D, "UserName": user or f"user{number}", "BundleId": B}


def item(index=None, **values) -> Item:
    values.setdefault("directory_id", D)
    values.setdefault("bundle_id", B)
    return Item.from_values(index, values, explicit=tuple(values))


def executor(client, clock, wait=True, timeout=600, read_tags=None):
    waiter = Waiter(client, sleep=clock.sleep, clock=clock)
    return Executor(client, read_tags or (lambda ids: {i: {} for i in ids}), wait, timeout, waiter, clock.sleep)


# -- batched writes ---------------------------------------------------------------------------------------------


def test_batch_action_sends_25_a_call_and_reports_failed_requests(aws, client):
    ids = [wid(n) for n in range(60)]
    aws.add(
        "reboot_workspaces", {"FailedRequests": []}, {"RebootWorkspaceRequests": [{"WorkspaceId": i} for i in ids[:25]]}
    )
    failed = {"WorkspaceId": ids[30], "ErrorCode": "InvalidResourceState", "ErrorMessage": "STOPPED"}
    aws.add(
        "reboot_workspaces",
        {"FailedRequests": [failed]},
        {"RebootWorkspaceRequests": [{"WorkspaceId": i} for i in ids[25:50]]},
    )
    aws.add("reboot_workspaces", {}, {"RebootWorkspaceRequests": [{"WorkspaceId": i} for i in ids[50:]]})
    assert batch_action(client, "reboot", ids) == {ids[30]: ("InvalidResourceState", "STOPPED")}
    aws.assert_all_used()


def test_rebuild_is_one_per_call(aws, client):
    for n in range(3):
        aws.add("rebuild_workspaces", {}, {"RebuildWorkspaceRequests": [{"WorkspaceId": wid(n)}]})
    assert batch_action(client, "rebuild", [wid(n) for n in range(3)]) == {}
    assert aws.mutating_calls() == ["RebuildWorkspaces"] * 3


def test_a_failed_call_fails_its_chunk_only(aws, client):
    ids = [wid(n) for n in range(30)]
    aws.add_error("terminate_workspaces", "AccessDeniedException", "not allowed")
    aws.add("terminate_workspaces", {}, {"TerminateWorkspaceRequests": [{"WorkspaceId": i} for i in ids[25:]]})
    failed = batch_action(client, "terminate", ids)
    assert sorted(failed) == ids[:25] and failed[ids[0]] == ("AccessDeniedException", "not allowed")


def test_throttling_then_success(aws, client):
    aws.add_error("stop_workspaces", "ThrottlingException", "Rate exceeded")
    aws.add_error("stop_workspaces", "ThrottlingException", "Rate exceeded")
    aws.add("stop_workspaces", {})
    assert batch_action(client, "stop", [wid(1)], sleep=lambda s: None) == {}
    aws.assert_all_used()


def test_reboot_is_not_repeated_after_a_server_error(aws, client):
    aws.add_error("reboot_workspaces", "InternalFailure", "oops", status=500)
    assert batch_action(client, "reboot", [wid(1)], sleep=lambda s: None) == {wid(1): ("InternalFailure", "oops")}
    assert aws.mutating_calls() == ["RebootWorkspaces"]


def test_operation_in_progress_then_success(aws, client):
    aws.add_error("modify_workspace_properties", "OperationInProgressException", "busy")
    aws.add(
        "modify_workspace_properties",
        {},
        {"WorkspaceId": wid(1), "WorkspaceProperties": {"ComputeTypeName": "POWER"}},
    )
    sleeps = []
    actions.single_write(client, "modify", wid(1), {"WorkspaceProperties": {"ComputeTypeName": "POWER"}}, sleeps.append)
    assert len(sleeps) == 1
    aws.assert_all_used()


# -- create outcomes ------------------------------------------------------------------------------------------


def test_create_sends_25_a_call_and_matches_answers_without_case(aws, client):
    requests = [request(n) for n in range(30)]
    pending = [dict(ws(n, "PENDING"), UserName=f"USER{n}") for n in range(24)]
    exists = {"WorkspaceRequest": request(24), "ErrorCode": "ResourceExists.WorkSpace", "ErrorMessage": "exists"}
    aws.add(
        "create_workspaces", {"PendingRequests": pending, "FailedRequests": [exists]}, {"Workspaces": requests[:25]}
    )
    aws.add(
        "create_workspaces",
        {"PendingRequests": [ws(n, "PENDING") for n in range(25, 30)]},
        {"Workspaces": requests[25:]},
    )
    outcomes = create_workspaces(client, requests)
    assert [o.kind for o in outcomes] == ["pending"] * 24 + ["failed"] + ["pending"] * 5
    assert outcomes[24].code == "ResourceExists.WorkSpace" and not outcomes[24].retried
    assert outcomes[3].workspace["WorkspaceId"] == wid(3)


def test_create_request_left_out_of_the_answer_is_unknown(aws, client):
    aws.add("create_workspaces", {"PendingRequests": [ws(1, "PENDING")]})
    assert [o.kind for o in create_workspaces(client, [request(1), request(2)])] == ["pending", "unknown"]


def test_create_answer_after_botocore_retried_is_marked(aws, client):
    exists = {"WorkspaceRequest": request(1), "ErrorCode": "ResourceExists.WorkSpace", "ErrorMessage": "exists"}
    aws.add("create_workspaces", {"FailedRequests": [exists], "ResponseMetadata": {"RetryAttempts": 1}})
    assert create_workspaces(client, [request(1)])[0].retried


@pytest.mark.parametrize(
    ("code", "status", "kind"),
    [
        ("InternalFailure", 500, "unknown"),
        ("ServiceUnavailable", 503, "unknown"),
        ("ResourceLimitExceededException", 400, "failed"),
    ],
)
def test_create_errors(aws, client, code, status, kind):
    aws.add_error("create_workspaces", code, "message", status=status)
    outcomes = create_workspaces(client, [request(1), request(2)])
    assert [o.kind for o in outcomes] == [kind, kind] and outcomes[0].code == code
    assert aws.mutating_calls() == ["CreateWorkspaces"]  # a 5xx create is never simply repeated


def test_create_throttled_then_accepted_is_one_create(aws, client):
    aws.add_error("create_workspaces", "ThrottlingException", "Rate exceeded")
    aws.add("create_workspaces", {"PendingRequests": [ws(1, "PENDING")]})
    assert create_workspaces(client, [request(1)], sleep=lambda s: None)[0].kind == "pending"


def test_create_connection_lost_is_unknown(aws, client):
    flaky = Flaky(client, create_workspaces=[dropped()])
    assert create_workspaces(flaky, [request(1)])[0].kind == "unknown"


# -- the executor: creates that never duplicate -------------------------------------------------------------------------


LOOKUP = {"DirectoryId": D, "UserName": "user1"}  # looking user1 up again after an uncertain create


def create_plan(number: int, **values):
    return plan_item(item(user_name=f"user{number}", **values), None)


def test_resource_exists_adopts_the_existing_workspace_unchanged(aws, client, clock):
    exists = {"WorkspaceRequest": request(1), "ErrorCode": "ResourceExists.WorkSpace", "ErrorMessage": "exists"}
    aws.add("create_workspaces", {"FailedRequests": [exists]})
    aws.add("describe_workspaces", {"Workspaces": [ws(1, user="USER1")]}, LOOKUP)
    [record] = executor(client, clock).run([create_plan(1)])
    assert record.failure is None and record.done == [] and not record.changed
    assert record.workspace["WorkspaceId"] == wid(1)
    assert "already exists for user user1" in record.warnings[0]
    assert aws.mutating_calls() == ["CreateWorkspaces"]
    aws.assert_all_used()


def test_adopted_workspace_is_converged(aws, client, clock):
    """Adopted, then planned like any existing WorkSpace: its tags are read and fixed."""
    exists = {"WorkspaceRequest": request(1), "ErrorCode": "ResourceExists.WorkSpace", "ErrorMessage": "exists"}
    aws.add("create_workspaces", {"FailedRequests": [exists]})
    aws.add("describe_workspaces", {"Workspaces": [ws(1)]}, LOOKUP)
    aws.add("create_tags", {}, {"ResourceId": wid(1), "Tags": [{"Key": "team", "Value": "a"}]})
    aws.add("describe_workspaces", {"Workspaces": [ws(1)]}, {"WorkspaceIds": [wid(1)]})
    read = []
    run = executor(client, clock, read_tags=lambda ids: read.append(ids) or {i: {"team": "b"} for i in ids})
    [record] = run.run([create_plan(1, tags={"team": "a"})])
    assert read == [[wid(1)]]
    assert record.done == ["tag"] and record.tags == {"team": "a"}
    assert aws.mutating_calls() == ["CreateWorkspaces", "CreateTags"]


def test_lost_answer_then_found_is_taken_as_created_never_created_twice(aws, client, clock):
    flaky = Flaky(client, create_workspaces=[dropped()])
    aws.add("describe_workspaces", {"Workspaces": [ws(1, "PENDING")]}, LOOKUP)
    aws.add("describe_workspaces", {"Workspaces": [ws(1)]}, {"WorkspaceIds": [wid(1)]})
    [record] = executor(flaky, clock).run([create_plan(1)])
    assert flaky.raised == ["create_workspaces"]
    assert aws.mutating_calls() == []  # the only create is the one whose answer was lost
    assert record.done == ["create"] and record.workspace["State"] == "AVAILABLE"
    assert "was lost" in record.warnings[0]


def test_lost_answer_and_nothing_listed_creates_again_after_looking_twice(aws, client, clock):
    flaky = Flaky(client, create_workspaces=[dropped()])
    aws.add("describe_workspaces", {"Workspaces": []}, LOOKUP)
    aws.add("describe_workspaces", {"Workspaces": []}, LOOKUP)
    aws.add("create_workspaces", {"PendingRequests": [ws(1, "PENDING")]}, {"Workspaces": [request(1)]})
    [record] = executor(flaky, clock, wait=False).run([create_plan(1)])
    aws.assert_all_used()
    assert record.done == ["create"] and record.failure is None
    assert aws.mutating_calls() == ["CreateWorkspaces"]
    assert actions.CONFIRM_DELAY in clock.sleeps


def test_server_error_then_resource_exists_after_our_own_attempt_counts_as_created(aws, client, clock):
    aws.add_error("create_workspaces", "InternalFailure", "oops", status=500)
    aws.add("describe_workspaces", {"Workspaces": []}, LOOKUP)
    aws.add("describe_workspaces", {"Workspaces": []}, LOOKUP)
    exists = {"WorkspaceRequest": request(1), "ErrorCode": "ResourceExists.WorkSpace", "ErrorMessage": "exists"}
    aws.add("create_workspaces", {"FailedRequests": [exists]})
    aws.add("describe_workspaces", {"Workspaces": [ws(1, "PENDING")]}, LOOKUP)
    aws.add("describe_workspaces", {"Workspaces": [ws(1)]}, {"WorkspaceIds": [wid(1)]})
    [record] = executor(client, clock).run([create_plan(1)])
    assert record.done == ["create"] and record.failure is None
    assert aws.mutating_calls() == ["CreateWorkspaces", "CreateWorkspaces"]
    aws.assert_all_used()


def test_resource_exists_but_nothing_listed_fails_without_creating_again(aws, client, clock):
    exists = {"WorkspaceRequest": request(1), "ErrorCode": "ResourceExists.WorkSpace", "ErrorMessage": "exists"}
    aws.add("create_workspaces", {"FailedRequests": [exists]})
    aws.add("describe_workspaces", {"Workspaces": []}, LOOKUP)
    aws.add("describe_workspaces", {"Workspaces": []}, LOOKUP)
    [record] = executor(client, clock).run([create_plan(1)])
    assert record.failure["stage"] == "create" and record.failure["error_code"] == "ResourceExists.WorkSpace"
    assert "none is listed; not creating another" in record.failure["error_message"]
    assert aws.mutating_calls() == ["CreateWorkspaces"]


def test_unknown_outcome_every_time_gives_up_after_the_attempts(aws, client, clock):
    flaky = Flaky(client, create_workspaces=[dropped() for _attempt in range(actions.CREATE_ATTEMPTS)])
    for _attempt in range(actions.CREATE_ATTEMPTS * actions.CONFIRM_LOOKUPS):
        aws.add("describe_workspaces", {"Workspaces": []}, LOOKUP)
    [record] = executor(flaky, clock).run([create_plan(1)])
    assert record.failure["error_code"] == "OutcomeUnknown"
    assert flaky.raised == ["create_workspaces"] * actions.CREATE_ATTEMPTS
    aws.assert_all_used()


def test_other_create_failures_are_per_item(aws, client, clock):
    bad = {"WorkspaceRequest": request(2), "ErrorCode": "ResourceNotFound.User", "ErrorMessage": "no such user"}
    aws.add("create_workspaces", {"PendingRequests": [ws(1, "PENDING")], "FailedRequests": [bad]})
    aws.add("describe_workspaces", {"Workspaces": [ws(1)]}, {"WorkspaceIds": [wid(1)]})
    first, second = executor(client, clock).run([create_plan(1), create_plan(2)])
    assert first.done == ["create"] and first.failure is None
    assert second.failure == {
        "stage": "create",
        "error_code": "ResourceNotFound.User",
        "error_message": f"creating a WorkSpace for user user2 in directory {D} failed: ResourceNotFound.User: "
        "no such user",
    }


def test_create_then_maintenance_waits_for_the_new_workspace_first(aws, client, clock):
    aws.add("create_workspaces", {"PendingRequests": [ws(1, "PENDING")]})
    aws.add("describe_workspaces", {"Workspaces": [ws(1, "PENDING")]}, {"WorkspaceIds": [wid(1)]})
    aws.add("describe_workspaces", {"Workspaces": [ws(1)]}, {"WorkspaceIds": [wid(1)]})
    aws.add("modify_workspace_state", {}, {"WorkspaceId": wid(1), "WorkspaceState": "ADMIN_MAINTENANCE"})
    aws.add("describe_workspaces", {"Workspaces": [ws(1, "ADMIN_MAINTENANCE")]}, {"WorkspaceIds": [wid(1)]})
    [record] = executor(client, clock).run([create_plan(1, admin_maintenance=True)])
    assert record.done == ["create", "maintenance"] and record.workspace["State"] == "ADMIN_MAINTENANCE"
    aws.assert_all_used()


# -- the executor: steps, waits, failures ------------------------------------------------------------------------------


def existing_plan(current, **values):
    values.setdefault("user_name", current["UserName"])
    return plan_item(item(**values), current)


def test_property_changes_wait_between_calls(aws, client, clock):
    current = ws(1)
    aws.add(
        "modify_workspace_properties", {}, {"WorkspaceId": wid(1), "WorkspaceProperties": {"ComputeTypeName": "POWER"}}
    )
    powered = {"RunningMode": "AUTO_STOP", "ComputeTypeName": "POWER", "UserVolumeSizeGib": 50}
    aws.add(
        "describe_workspaces",
        {"Workspaces": [ws(1, ModificationStates=[{"Resource": "COMPUTE_TYPE", "State": "UPDATE_IN_PROGRESS"}])]},
    )
    aws.add("describe_workspaces", {"Workspaces": [ws(1, WorkspaceProperties=powered)]})
    aws.add(
        "modify_workspace_properties", {}, {"WorkspaceId": wid(1), "WorkspaceProperties": {"UserVolumeSizeGib": 100}}
    )
    aws.add("describe_workspaces", {"Workspaces": [ws(1, "UPDATING")]})
    aws.add("describe_workspaces", {"Workspaces": [ws(1, WorkspaceProperties=dict(powered, UserVolumeSizeGib=100))]})
    [record] = executor(client, clock).run([existing_plan(current, compute_type="POWER", user_volume_size=100)])
    assert record.done == ["modify"] and record.modified == ["compute_type", "user_volume_size"]
    assert [name for _service, name in aws.sent] == [
        "ModifyWorkspaceProperties",
        "DescribeWorkspaces",
        "DescribeWorkspaces",
        "ModifyWorkspaceProperties",
        "DescribeWorkspaces",
        "DescribeWorkspaces",
    ]
    aws.assert_all_used()


def test_error_during_a_wait_fails_with_the_workspace_error(aws, client, clock):
    aws.add("reboot_workspaces", {})
    broken = ws(1, "ERROR", ErrorCode="HostFailure", ErrorMessage="the host failed")
    aws.add("describe_workspaces", {"Workspaces": [broken]})
    [record] = executor(client, clock).run([existing_plan(ws(1), state="rebooted")])
    assert record.done == ["reboot"]
    assert record.failure == {
        "stage": "wait",
        "error_code": "HostFailure",
        "error_message": f"{wid(1)} went to ERROR while waiting for it to be available: HostFailure: the host failed",
    }
    assert record.workspace["State"] == "ERROR"


def test_wait_timeout_names_the_workspace_and_its_last_state(aws, client, clock):
    aws.add("stop_workspaces", {})
    for _attempt in range(20):
        aws.add("describe_workspaces", {"Workspaces": [ws(1, "STOPPING")]})
    [record] = executor(client, clock, timeout=30).run([existing_plan(ws(1), state="stopped")])
    assert record.failure["error_code"] == "WaitTimeout"
    assert (
        record.failure["error_message"]
        == f"timed out after 30 s waiting for {wid(1)} to be stopped; last state STOPPING"
    )


def test_partial_failure_keeps_what_succeeded(aws, client, clock):
    failed = {"WorkspaceId": wid(2), "ErrorCode": "InvalidResourceState", "ErrorMessage": "no"}
    aws.add("start_workspaces", {"FailedRequests": [failed]})
    aws.add("describe_workspaces", {"Workspaces": [ws(1)]}, {"WorkspaceIds": [wid(1)]})
    aws.add("describe_workspaces", {"Workspaces": [ws(2, "STOPPED")]}, {"WorkspaceIds": [wid(2)]})
    plans = [existing_plan(ws(n, "STOPPED"), state="started") for n in (1, 2)]
    first, second = executor(client, clock).run(plans)
    assert first.done == ["start"] and first.failure is None
    assert second.done == [] and second.failure["error_message"] == f"start {wid(2)} failed: InvalidResourceState: no"
    assert second.workspace["State"] == "STOPPED"  # read again: a failed item reports its current state


def test_transitional_state_is_waited_out_then_planned_again(aws, client, clock):
    aws.add("describe_workspaces", {"Workspaces": [ws(1, "STARTING")]})
    aws.add("describe_workspaces", {"Workspaces": [ws(1, "STOPPED")]})
    [record] = executor(client, clock).run([existing_plan(ws(1, "STARTING"), state="rebooted")])
    assert record.failure["stage"] == "plan" and "it is STOPPED" in record.failure["error_message"]
    assert aws.mutating_calls() == []


@pytest.mark.parametrize(
    ("state", "action", "operation", "parameter"),
    [
        ("rebooted", "reboot", "reboot_workspaces", "RebootWorkspaceRequests"),
        ("rebuilt", "rebuild", "rebuild_workspaces", "RebuildWorkspaceRequests"),
    ],
)
def test_rebooting_is_accepted_as_it_is_without_waiting_it_out(aws, client, clock, state, action, operation, parameter):
    """REBOOTING is a state reboot and rebuild accept (a reboot stuck in it is what a reboot is for)."""
    aws.add(operation, {}, {parameter: [{"WorkspaceId": wid(1)}]})
    aws.add("describe_workspaces", {"Workspaces": [ws(1, "REBOOTING")]})
    aws.add("describe_workspaces", {"Workspaces": [ws(1)]})
    [record] = executor(client, clock).run([existing_plan(ws(1, "REBOOTING"), state=state)])
    assert record.failure is None and record.done == [action]
    assert aws.sent[0] == ("workspaces", operation.title().replace("_", ""))  # sent before any wait
    aws.assert_all_used()


def test_steady_wait_timeout_when_the_action_needs_a_settled_state(aws, client, clock):
    for _attempt in range(5):
        aws.add("describe_workspaces", {"Workspaces": [ws(1, "PENDING")]})
    [record] = executor(client, clock, timeout=10).run([existing_plan(ws(1, "PENDING"), state="rebooted")])
    assert record.failure["error_code"] == "WaitTimeout"
    assert f"waiting for {wid(1)} to leave PENDING" in record.failure["error_message"]
    assert aws.mutating_calls() == []


def test_terminate_waits_until_gone_not_only_terminated(aws, client, clock):
    aws.add("terminate_workspaces", {}, {"TerminateWorkspaceRequests": [{"WorkspaceId": wid(1)}]})
    aws.add("describe_workspaces", {"Workspaces": [ws(1, "TERMINATING")]})
    aws.add("describe_workspaces", {"Workspaces": [ws(1, "TERMINATED")]})
    aws.add("describe_workspaces", {"Workspaces": []})
    [record] = executor(client, clock).run([existing_plan(ws(1), state="absent")])
    assert record.done == ["terminate"] and record.workspace is None and record.failure is None
    aws.assert_all_used()


def test_a_failed_read_during_a_wait_fails_the_waiting_items_not_the_run(aws, client, clock):
    aws.add("reboot_workspaces", {})
    aws.add_error("describe_workspaces", "AccessDeniedException", "no describe")
    [record] = executor(client, clock).run([existing_plan(ws(1), state="rebooted")])
    assert record.done == ["reboot"] and record.failure["error_code"] == "AccessDeniedException"


# -- waits after an action: the state before it, property values, maintenance, failed changes --------------------------


@pytest.mark.parametrize(
    ("state", "operation", "start", "end"),
    [
        ("started", "start_workspaces", "STOPPED", "AVAILABLE"),
        ("rebuilt", "rebuild_workspaces", "STOPPED", "AVAILABLE"),
        ("rebuilt", "rebuild_workspaces", "ERROR", "AVAILABLE"),
        ("stopped", "stop_workspaces", "ERROR", "STOPPED"),
        ("rebooted", "reboot_workspaces", "AVAILABLE", "AVAILABLE"),
    ],
)
def test_first_poll_showing_the_state_before_the_action_is_not_its_end(
    aws, client, clock, state, operation, start, end
):
    aws.add(operation, {})
    aws.add("describe_workspaces", {"Workspaces": [ws(1, start)]}, {"WorkspaceIds": [wid(1)]})  # not moved yet
    transitional = {"started": "STARTING", "rebuilt": "REBUILDING", "stopped": "STOPPING", "rebooted": "REBOOTING"}
    aws.add("describe_workspaces", {"Workspaces": [ws(1, transitional[state])]}, {"WorkspaceIds": [wid(1)]})
    aws.add("describe_workspaces", {"Workspaces": [ws(1, end)]}, {"WorkspaceIds": [wid(1)]})
    [record] = executor(client, clock).run([existing_plan(ws(1, start), state=state)])
    assert record.failure is None and record.workspace["State"] == end
    aws.assert_all_used()


def test_a_start_that_never_shows_fails_after_the_grace_period(aws, client, clock):
    aws.add("start_workspaces", {})
    for _poll in range(6):
        aws.add("describe_workspaces", {"Workspaces": [ws(1, "STOPPED")]})
    [record] = executor(client, clock).run([existing_plan(ws(1, "STOPPED"), state="started")])
    assert record.failure["error_code"] == "UnexpectedState"
    assert record.failure["error_message"] == f"{wid(1)} is STOPPED while waiting for it to be available"
    assert clock.now == pytest.approx(ACTION_GRACE)


def test_property_change_waits_until_the_new_value_reads_back(aws, client, clock):
    aws.add(
        "modify_workspace_properties", {}, {"WorkspaceId": wid(1), "WorkspaceProperties": {"ComputeTypeName": "POWER"}}
    )
    aws.add("describe_workspaces", {"Workspaces": [ws(1)]})  # AVAILABLE, no ModificationStates: not shown yet
    powered = ws(
        1, WorkspaceProperties={"RunningMode": "AUTO_STOP", "ComputeTypeName": "POWER", "UserVolumeSizeGib": 50}
    )
    aws.add("describe_workspaces", {"Workspaces": [powered]})
    aws.add(
        "modify_workspace_properties", {}, {"WorkspaceId": wid(1), "WorkspaceProperties": {"UserVolumeSizeGib": 100}}
    )
    grown = ws(
        1, WorkspaceProperties={"RunningMode": "AUTO_STOP", "ComputeTypeName": "POWER", "UserVolumeSizeGib": 100}
    )
    aws.add("describe_workspaces", {"Workspaces": [grown]})
    [record] = executor(client, clock).run([existing_plan(ws(1), compute_type="POWER", user_volume_size=100)])
    assert record.failure is None and record.modified == ["compute_type", "user_volume_size"]
    assert record.workspace["WorkspaceProperties"]["UserVolumeSizeGib"] == 100
    aws.assert_all_used()


def test_update_failed_fails_naming_the_resource(aws, client, clock):
    aws.add("modify_workspace_properties", {})
    failed = ws(1, ModificationStates=[{"Resource": "USER_VOLUME", "State": "UPDATE_FAILED"}])
    aws.add("describe_workspaces", {"Workspaces": [failed]})
    [record] = executor(client, clock).run([existing_plan(ws(1), user_volume_size=100)])
    assert record.failure == {
        "stage": "wait",
        "error_code": "UpdateFailed",
        "error_message": f"changing USER_VOLUME of {wid(1)} failed (UPDATE_FAILED in its ModificationStates)",
    }
    assert record.done == ["modify"] and record.workspace["ModificationStates"]
    aws.assert_all_used()


def test_a_property_change_in_progress_is_waited_out_before_the_next(aws, client, clock):
    busy = ws(1, ModificationStates=[{"Resource": "ROOT_VOLUME", "State": "UPDATE_IN_PROGRESS"}])
    aws.add("describe_workspaces", {"Workspaces": [busy]})
    aws.add("describe_workspaces", {"Workspaces": [ws(1)]})
    aws.add(
        "modify_workspace_properties", {}, {"WorkspaceId": wid(1), "WorkspaceProperties": {"UserVolumeSizeGib": 100}}
    )
    grown = ws(1, WorkspaceProperties={"RunningMode": "AUTO_STOP", "UserVolumeSizeGib": 100})
    aws.add("describe_workspaces", {"Workspaces": [grown]})
    [record] = executor(client, clock).run([existing_plan(busy, user_volume_size=100)])
    assert record.failure is None and record.modified == ["user_volume_size"]
    assert [name for _service, name in aws.sent][:2] == ["DescribeWorkspaces", "DescribeWorkspaces"]
    aws.assert_all_used()


def test_a_change_in_progress_that_never_ends_times_out_without_sending(aws, client, clock):
    busy = ws(1, ModificationStates=[{"Resource": "ROOT_VOLUME", "State": "UPDATE_IN_PROGRESS"}])
    for _poll in range(5):
        aws.add("describe_workspaces", {"Workspaces": [busy]})
    [record] = executor(client, clock, timeout=10).run([existing_plan(busy, user_volume_size=100)])
    assert record.failure["error_code"] == "WaitTimeout" and aws.mutating_calls() == []
    assert f"waiting for {wid(1)} to finish changing ROOT_VOLUME" in record.failure["error_message"]


def test_leaving_maintenance_waits_for_the_new_state_before_a_property_change(aws, client, clock):
    aws.add("modify_workspace_state", {}, {"WorkspaceId": wid(1), "WorkspaceState": "AVAILABLE"})
    aws.add("describe_workspaces", {"Workspaces": [ws(1, "ADMIN_MAINTENANCE")]})  # not visible yet
    aws.add("describe_workspaces", {"Workspaces": [ws(1)]})
    aws.add(
        "modify_workspace_properties", {}, {"WorkspaceId": wid(1), "WorkspaceProperties": {"ComputeTypeName": "POWER"}}
    )
    aws.add("describe_workspaces", {"Workspaces": [ws(1, WorkspaceProperties={"ComputeTypeName": "POWER"})]})
    plan = existing_plan(ws(1, "ADMIN_MAINTENANCE"), admin_maintenance=False, compute_type="POWER")
    [record] = executor(client, clock).run([plan])
    assert record.failure is None and record.done == ["maintenance", "modify"]
    assert [name for _service, name in aws.sent] == [
        "ModifyWorkspaceState",
        "DescribeWorkspaces",
        "DescribeWorkspaces",
        "ModifyWorkspaceProperties",
        "DescribeWorkspaces",
    ]


def test_entering_maintenance_is_not_done_while_still_available(aws, client, clock):
    aws.add("modify_workspace_state", {})
    aws.add("describe_workspaces", {"Workspaces": [ws(1)]})
    aws.add("describe_workspaces", {"Workspaces": [ws(1, "ADMIN_MAINTENANCE")]})
    [record] = executor(client, clock).run([existing_plan(ws(1), admin_maintenance=True)])
    assert record.failure is None and record.workspace["State"] == "ADMIN_MAINTENANCE"
    aws.assert_all_used()


# -- lookups: per user for a few users, one listing for many --------------------------------------------------------


def test_a_few_users_are_looked_up_one_call_each(aws, client):
    aws.add("describe_workspaces", {"Workspaces": [ws(1, user="USER1")]}, {"DirectoryId": D, "UserName": "user1"})
    aws.add("describe_workspaces", {"Workspaces": []}, {"DirectoryId": D, "UserName": "user2"})
    items = [item(0, user_name="user1"), item(1, user_name="user2"), item(2, user_name="User1", state="absent")]
    currents, refusals = actions.find_workspaces(client, items[:2])
    aws.assert_all_used()
    assert [c and c["WorkspaceId"] for c in currents] == [wid(1), None] and refusals == [None, None]


def test_the_same_user_twice_is_looked_up_once(aws, client):
    aws.add("describe_workspaces", {"Workspaces": [ws(1)]}, {"DirectoryId": D, "UserName": "user1"})
    listings = actions.directory_listings(client, [item(0, user_name="user1"), item(1, user_name="USER1")])
    assert [w["WorkspaceId"] for w in listings[D]] == [wid(1)]
    aws.assert_all_used()


def test_more_users_than_the_limit_read_the_whole_directory(aws, client):
    count = actions.PER_USER_LOOKUP_LIMIT + 1
    aws.add("describe_workspaces", {"Workspaces": [ws(n) for n in range(count)]}, {"DirectoryId": D})
    currents, _refusals = actions.find_workspaces(client, [item(n, user_name=f"user{n}") for n in range(count)])
    assert [c["WorkspaceId"] for c in currents] == [wid(n) for n in range(count)]
    aws.assert_all_used()


def test_adopted_workspaces_have_their_tags_read_in_one_call(aws, client, clock):
    failed = [
        {"WorkspaceRequest": request(n), "ErrorCode": "ResourceExists.WorkSpace", "ErrorMessage": "exists"}
        for n in range(1, 6)
    ]
    aws.add("create_workspaces", {"FailedRequests": failed})
    for n in range(1, 6):
        aws.add("describe_workspaces", {"Workspaces": [ws(n)]}, {"DirectoryId": D, "UserName": f"user{n}"})
    read = []
    run = executor(client, clock, read_tags=lambda ids: read.append(ids) or {i: {"team": "a"} for i in ids})
    records = run.run([create_plan(n, tags={"team": "a"}) for n in range(1, 6)])
    assert read == [[wid(n) for n in range(1, 6)]]
    assert all(r.failure is None and r.done == [] for r in records)
    aws.assert_all_used()


def test_a_failed_request_without_a_workspace_id_fails_the_request(aws, client):
    unnamed = {"ErrorCode": "InternalError", "ErrorMessage": "something"}
    aws.add("stop_workspaces", {"FailedRequests": [unnamed]})
    failed = batch_action(client, "stop", [wid(1), wid(2)])
    assert None not in failed and sorted(failed) == [wid(1), wid(2)]
    assert failed[wid(1)][0] == "InternalError" and "did not say which WorkSpace" in failed[wid(1)][1]


def test_a_workspace_terminated_while_it_settles_fails_and_is_not_created_again(aws, client, clock):
    aws.add("describe_workspaces", {"Workspaces": [ws(1, "UPDATING")]})
    aws.add("describe_workspaces", {"Workspaces": [ws(1, "TERMINATED")]})
    [record] = executor(client, clock).run([existing_plan(ws(1, "UPDATING"), compute_type="POWER")])
    assert record.failure["stage"] == "wait" and aws.mutating_calls() == []
    assert record.failure["error_message"] == f"{wid(1)} is TERMINATED while waiting for it to settle"


def test_create_targets_are_read_25_ids_a_call_and_each_item_judged(aws, client):
    directories = [f"d-{n:010d}" for n in range(30)]
    bundles = [B, "wsb-9999abcd9"]
    items = [Item(index=n, directory_id=d, user_name=f"u{n}", bundle_id=B) for n, d in enumerate(directories)]
    items.append(Item(index=30, directory_id=directories[0], user_name="u30", bundle_id=bundles[1]))
    registered = [{"DirectoryId": d, "State": "REGISTERED"} for d in directories[1:25]]
    aws.add("describe_workspace_directories", {"Directories": registered}, {"DirectoryIds": directories[:25]})
    aws.add(
        "describe_workspace_directories",
        {"Directories": [{"DirectoryId": directories[25], "State": "ERROR"}]},
        {"DirectoryIds": directories[25:]},
    )
    aws.add("describe_workspace_bundles", {"Bundles": [{"BundleId": B}]}, {"BundleIds": bundles})
    refusals = actions.create_target_refusals(client, items)
    assert [name for _service, name in aws.sent] == ["DescribeWorkspaceDirectories"] * 2 + ["DescribeWorkspaceBundles"]
    assert refusals[0] == (
        f"directory_id {directories[0]}: not registered with WorkSpaces (register it with euc.workspaces.directory)"
    )
    assert refusals[1:25] == [None] * 24
    assert "it is ERROR" in refusals[25] and all("not registered" in r for r in refusals[26:30])
    assert refusals[30].startswith(f"directory_id {directories[0]}") and refusals[30].endswith(
        f"bundle_id {bundles[1]}: no such bundle"
    )
    assert actions.create_target_refusals(client, []) == [] and len(aws.sent) == 3
    aws.assert_all_used()
