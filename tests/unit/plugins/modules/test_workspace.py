"""The workspace module end to end against stubbed clients: every state, batches, check and diff mode."""

from __future__ import annotations

import botocore.exceptions
import pytest
from ansible.module_utils.common import warnings
from info_return_doc import always_returned, missing_keys

from ansible_collections.euc.workspaces.plugins.module_utils import client as client_module
from ansible_collections.euc.workspaces.plugins.modules import workspace as module

D = "d-1234567890"
B = "wsb-0123abcd4"


@pytest.fixture(autouse=True)
def fresh_warnings(monkeypatch):
    """ansible-core keeps warnings in a process-wide list: start every test with none."""
    monkeypatch.setattr(warnings, "_global_warnings", {})


def warning_texts(result: dict) -> str:
    return " | ".join(w["event"]["msg"] if isinstance(w, dict) else w for w in result.get("warnings", []))


def wid(number: int) -> str:
    return f"ws-{number:010d}"


def ws(number: int = 1, state: str = "AVAILABLE", user: str | None = None, mode: str = "AUTO_STOP", **extra) -> dict:
    return {
        "WorkspaceId": wid(number),
        "DirectoryId": D,
        "UserName": user or ("jdoe" if number == 1 else f"user{number}"),
        "BundleId": B,
        "State": state,
        "WorkspaceProperties": {
            "RunningMode": mode,
            "ComputeTypeName": "STANDARD",
            "RootVolumeSizeGib": 80,
            "UserVolumeSizeGib": 50,
        },
        **extra,
    }


def listing(aws, *workspaces, directory=D, user="jdoe"):
    """The lookup of one user (a task with a few users looks each one up); user=None: the whole directory."""
    expected = {"DirectoryId": directory} if user is None else {"DirectoryId": directory, "UserName": user}
    aws.add("describe_workspaces", {"Workspaces": list(workspaces)}, expected)


def by_ids(aws, *workspaces, ids=None):
    ids = ids or sorted(w["WorkspaceId"] for w in workspaces)
    aws.add("describe_workspaces", {"Workspaces": list(workspaces)}, {"WorkspaceIds": ids})


def single(**args) -> dict:
    return {"directory_id": D, "user_name": "jdoe", **args}


def reads_only(aws) -> list[str]:
    return [name for _service, name in aws.sent if name not in aws.mutating_calls()]


TARGET_READS = ["DescribeWorkspaceDirectories", "DescribeWorkspaceBundles"]


def create_targets(aws, directories=(D,), bundles=(B,), missing=(), states=None):
    """The checks made before a create: the directories (REGISTERED unless states says otherwise) and bundles the
    creates name, as DescribeWorkspaceDirectories and DescribeWorkspaceBundles answer them; IDs in missing are
    asked for but not in the answer."""
    states = states or {}
    found_directories = [
        {"DirectoryId": d, "State": states.get(d, "REGISTERED")} for d in sorted(directories) if d not in missing
    ]
    aws.add("describe_workspace_directories", {"Directories": found_directories}, {"DirectoryIds": sorted(directories)})
    found_bundles = [{"BundleId": b, "Name": b} for b in sorted(bundles) if b not in missing]
    aws.add("describe_workspace_bundles", {"Bundles": found_bundles}, {"BundleIds": sorted(bundles)})


# -- validation ---------------------------------------------------------------------------------------------------


def test_bad_options_fail_before_any_call(aws, run_module):
    result = run_module(
        module, single(running_mode="ALWAYS_ON", running_mode_auto_stop_timeout=90, tags={"aws:x": "y"})
    )
    assert result["failed"]
    assert "running_mode_auto_stop_timeout must be a positive multiple of 60" in result["msg"]
    assert "applies to running_mode AUTO_STOP only" in result["msg"]
    assert "starts with 'aws:'" in result["msg"]
    assert aws.sent == []


def test_batch_problems_name_item_and_user_before_any_call(aws, run_module):
    result = run_module(
        module,
        {"directory_id": D, "workspaces": [{"user_name": "ok"}, {"user_name": "jdoe", "bundle_id": "nope"}]},
    )
    assert result["failed"] and "workspaces[1] (user_name jdoe): bundle_id: 'nope' is not a bundle ID" in result["msg"]
    assert aws.sent == []


def test_workspaces_and_single_options_are_exclusive(aws, run_module):
    result = run_module(module, {"directory_id": D, "user_name": "jdoe", "workspaces": [{"user_name": "a"}]})
    assert result["failed"] and "mutually exclusive" in result["msg"]
    assert aws.sent == []


def test_negative_wait_timeout(aws, run_module):
    result = run_module(module, single(wait_timeout=-1))
    assert result["failed"] and "wait_timeout must not be negative" in result["msg"]


# -- present ------------------------------------------------------------------------------------------------------


def create_stubs(aws, request, created=None):
    listing(aws)
    create_targets(aws)
    created = created or ws(1, "PENDING")
    aws.add("create_workspaces", {"PendingRequests": [created], "FailedRequests": []}, {"Workspaces": [request]})
    by_ids(aws, dict(created, State="AVAILABLE"))


def test_create_sends_only_what_the_task_sets(aws, run_module):
    create_stubs(aws, {"DirectoryId": D, "UserName": "jdoe", "BundleId": B})
    result = run_module(module, single(bundle_id=B))
    assert result["changed"] and result["actions"] == ["create"] and result["modified"] == []
    assert result["workspace"]["workspace_id"] == wid(1) and result["workspace"]["state"] == "AVAILABLE"
    assert "tags" not in result["workspace"] or result["workspace"]["tags"] == {}
    assert result["summary"]["created"] == 1 and result["summary"]["unchanged"] == 0
    assert aws.mutating_calls() == ["CreateWorkspaces"]
    aws.assert_all_used()


def test_create_with_everything_inline(aws, run_module):
    request = {
        "DirectoryId": D,
        "UserName": "jdoe",
        "BundleId": B,
        "WorkspaceName": "desk-01",
        "VolumeEncryptionKey": "alias/ws",
        "UserVolumeEncryptionEnabled": True,
        "WorkspaceProperties": {
            "RunningMode": "AUTO_STOP",
            "RunningModeAutoStopTimeoutInMinutes": 120,
            "ComputeTypeName": "POWER",
            "RootVolumeSizeGib": 175,
            "UserVolumeSizeGib": 100,
            "Protocols": ["WSP"],
        },
        "Tags": [{"Key": "team", "Value": "a"}, {"Key": "cost", "Value": "7"}],
    }
    create_stubs(aws, request)
    result = run_module(
        module,
        single(
            bundle_id=B,
            workspace_name="desk-01",
            volume_encryption_key="alias/ws",
            user_volume_encryption=True,
            running_mode="AUTO_STOP",
            running_mode_auto_stop_timeout=120,
            compute_type="POWER",
            root_volume_size=175,
            user_volume_size=100,
            protocols=["WSP"],
            tags={"team": "a", "cost": 7},
        ),
    )
    assert result["actions"] == ["create", "tag"] and result["workspace"]["tags"] == {"team": "a", "cost": "7"}
    assert aws.mutating_calls() == ["CreateWorkspaces"]  # tags inline: no CreateTags
    aws.assert_all_used()


def test_create_needs_a_bundle(aws, run_module):
    listing(aws)
    result = run_module(module, single())
    assert (
        result["failed"]
        and result["msg"] == f"bundle_id is required to create a WorkSpace for user jdoe in directory {D}"
    )
    assert result["failure"]["stage"] == "plan" and aws.mutating_calls() == []


def test_check_mode_create_predicts_the_real_run_with_zero_writes(aws, run_module):
    listing(aws)
    create_targets(aws)
    check = run_module(module, single(bundle_id=B, tags={"a": "1"}), check_mode=True)
    assert aws.mutating_calls() == [] and reads_only(aws) == ["DescribeWorkspaces", *TARGET_READS]
    assert check["changed"] and check["actions"] == ["create", "tag"]
    assert check["workspace"]["workspace_id"] is None and check["workspace"]["tags"] == {"a": "1"}
    aws.sent.clear()
    create_stubs(aws, {"DirectoryId": D, "UserName": "jdoe", "BundleId": B, "Tags": [{"Key": "a", "Value": "1"}]})
    real = run_module(module, single(bundle_id=B, tags={"a": "1"}))
    assert (real["changed"], real["actions"], real["summary"]) == (check["changed"], check["actions"], check["summary"])


# -- the directory and bundle of a create --------------------------------------------------------------------------

D2 = "d-abcdef0123"
B2 = "wsb-9999abcd9"


@pytest.mark.parametrize("check_mode", [False, True])
@pytest.mark.parametrize(
    ("states", "missing", "seen"),
    [({}, (D,), "not registered with WorkSpaces (register"), ({D: "DEREGISTERED"}, (), "it is DEREGISTERED")],
)
def test_a_create_into_an_unregistered_directory_is_refused_before_any_write(
    aws, run_module, check_mode, states, missing, seen
):
    listing(aws)
    create_targets(aws, missing=missing, states=states)
    result = run_module(module, single(bundle_id=B), check_mode=check_mode)
    assert result["failed"] and aws.mutating_calls() == []
    assert result["msg"].startswith(f"directory_id {D}: not registered with WorkSpaces")
    assert seen in result["msg"] and "euc.workspaces.directory" in result["msg"]
    assert result["failure"] == {"stage": "plan", "error_code": "Refused", "error_message": result["msg"]}
    assert result["actions"] == [] and not result["changed"]
    aws.assert_all_used()


@pytest.mark.parametrize("check_mode", [False, True])
def test_a_create_from_an_unknown_bundle_is_refused_before_any_write(aws, run_module, check_mode):
    listing(aws)
    create_targets(aws, missing=(B,))
    result = run_module(module, single(bundle_id=B), check_mode=check_mode)
    assert result["failed"] and aws.mutating_calls() == []
    assert result["msg"] == f"bundle_id {B}: no such bundle"
    aws.assert_all_used()


def test_a_batch_creates_the_good_items_and_refuses_the_bad_ones(aws, run_module):
    items = [
        {"user_name": "user100"},
        {"user_name": "user101", "directory_id": D2},
        {"user_name": "user102", "bundle_id": B2},
        {"user_name": "user103", "directory_id": D2, "bundle_id": B2},
    ]
    listing(aws, user="user100")
    listing(aws, user="user102")
    listing(aws, user="user101", directory=D2)
    listing(aws, user="user103", directory=D2)
    create_targets(aws, directories=(D, D2), bundles=(B, B2), missing=(D2, B2))
    request = {"DirectoryId": D, "UserName": "user100", "BundleId": B}
    aws.add("create_workspaces", {"PendingRequests": [ws(100, "PENDING", user="user100")]}, {"Workspaces": [request]})
    by_ids(aws, ws(100, user="user100"))
    result = run_module(module, {"directory_id": D, "bundle_id": B, "workspaces": items})
    assert result["failed"] and aws.mutating_calls() == ["CreateWorkspaces"]
    assert result["summary"]["created"] == 1 and result["summary"]["failed"] == 3
    entries = result["workspaces"]
    assert entries[0]["actions"] == ["create"] and entries[0]["workspace"]["workspace_id"] == wid(100)
    assert [entry["failed"] for entry in entries] == [False, True, True, True]
    unregistered = f"directory_id {D2}: not registered with WorkSpaces (register it with euc.workspaces.directory)"
    assert entries[1]["failure"]["error_message"] == f"workspaces[1] (user_name user101): {unregistered}"
    assert (
        entries[2]["failure"]["error_message"] == f"workspaces[2] (user_name user102): bundle_id {B2}: no such bundle"
    )
    assert entries[3]["failure"]["error_message"] == (
        f"workspaces[3] (user_name user103): {unregistered}; bundle_id {B2}: no such bundle"
    )
    assert result["msg"].startswith("3 of 4 WorkSpaces failed (created: 1, failed: 3): workspaces[1]")
    aws.assert_all_used()


def test_a_run_that_creates_nothing_reads_no_directory_or_bundle(aws, run_module):
    listing(aws, ws(1))
    result = run_module(module, single(bundle_id=B, compute_type="STANDARD"))
    assert not result.get("failed") and not result["changed"]
    assert reads_only(aws) == ["DescribeWorkspaces"]
    aws.assert_all_used()


def test_existing_without_options_is_unchanged_and_reads_no_tags(aws, run_module):
    listing(aws, ws(1, user="JDoe"), ws(2))
    result = run_module(module, single(bundle_id=B))
    assert not result["changed"] and result["actions"] == []
    assert result["workspace"]["workspace_id"] == wid(1) and "tags" not in result["workspace"]
    assert result["summary"]["unchanged"] == 1
    assert aws.sent == [("workspaces", "DescribeWorkspaces")]


def test_no_drift_on_unset_options(aws, run_module):
    listing(aws, ws(1, mode="ALWAYS_ON"))
    result = run_module(module, single(compute_type="STANDARD"))
    assert not result["changed"] and aws.mutating_calls() == []


def test_modify_sends_only_the_changed_option(aws, run_module):
    listing(aws, ws(1))
    aws.add(
        "modify_workspace_properties", {}, {"WorkspaceId": wid(1), "WorkspaceProperties": {"ComputeTypeName": "POWER"}}
    )
    by_ids(aws, ws(1, ModificationStates=[{"Resource": "COMPUTE_TYPE", "State": "UPDATE_INITIATED"}]))
    by_ids(aws, ws(1, WorkspaceProperties={"RunningMode": "AUTO_STOP", "ComputeTypeName": "POWER"}))
    result = run_module(module, single(compute_type="POWER", root_volume_size=80))
    assert result["changed"] and result["actions"] == ["modify"] and result["modified"] == ["compute_type"]
    assert result["workspace"]["workspace_properties"]["compute_type_name"] == "POWER"
    aws.assert_all_used()


def test_operation_in_progress_then_success(aws, run_module):
    listing(aws, ws(1))
    aws.add_error("modify_workspace_properties", "OperationInProgressException", "another change is running")
    aws.add(
        "modify_workspace_properties", {}, {"WorkspaceId": wid(1), "WorkspaceProperties": {"UserVolumeSizeGib": 100}}
    )
    by_ids(aws, ws(1))
    result = run_module(module, single(user_volume_size=100))
    assert result["changed"] and result["modified"] == ["user_volume_size"]
    assert aws.mutating_calls() == ["ModifyWorkspaceProperties", "ModifyWorkspaceProperties"]
    aws.assert_all_used()


def test_shrink_fails_before_any_write(aws, run_module):
    listing(aws, ws(1))
    result = run_module(module, single(user_volume_size=10, compute_type="POWER"))
    assert result["failed"] and "user_volume_size 10 is smaller than the current 50 GiB" in result["msg"]
    assert aws.mutating_calls() == []


def test_tags_are_converged_and_aws_keys_left_alone(aws, run_module):
    listing(aws, ws(1))
    aws.add(
        "describe_tags",
        {"TagList": [{"Key": "old", "Value": "x"}, {"Key": "aws:owner", "Value": "o"}]},
        {"ResourceId": wid(1)},
    )
    aws.add("delete_tags", {}, {"ResourceId": wid(1), "TagKeys": ["old"]})
    aws.add("create_tags", {}, {"ResourceId": wid(1), "Tags": [{"Key": "team", "Value": "a"}]})
    by_ids(aws, ws(1))
    result = run_module(module, single(tags={"team": "a"}), diff=True)
    assert result["actions"] == ["tag"] and result["workspace"]["tags"] == {"team": "a", "aws:owner": "o"}
    assert result["diff"]["before"] == {"tags": {"old": "x", "aws:owner": "o"}}
    assert result["diff"]["after"] == {"tags": {"team": "a", "aws:owner": "o"}}
    aws.assert_all_used()


def test_bundle_and_encryption_differences_warn(aws, run_module):
    listing(aws, ws(1))
    result = run_module(module, single(bundle_id="wsb-99999999z", root_volume_encryption=True))
    assert not result["changed"] and aws.mutating_calls() == []
    warnings = warning_texts(result)
    assert "bundle_id wsb-99999999z is used only to create" in warnings and "RootVolumeEncryptionEnabled" in warnings


def test_maintenance_on_and_off(aws, run_module):
    listing(aws, ws(1))
    aws.add("modify_workspace_state", {}, {"WorkspaceId": wid(1), "WorkspaceState": "ADMIN_MAINTENANCE"})
    by_ids(aws, ws(1, "ADMIN_MAINTENANCE"))
    result = run_module(module, single(admin_maintenance=True))
    assert result["actions"] == ["maintenance"] and result["summary"]["maintenance"] == 1
    aws.sent.clear()
    listing(aws, ws(1, "ADMIN_MAINTENANCE"))
    result = run_module(module, single(admin_maintenance=True))
    assert not result["changed"] and aws.mutating_calls() == []


# -- absent -------------------------------------------------------------------------------------------------------


def test_absent_terminates_and_waits_until_gone(aws, run_module):
    listing(aws, ws(1))
    aws.add("terminate_workspaces", {}, {"TerminateWorkspaceRequests": [{"WorkspaceId": wid(1)}]})
    by_ids(aws, ws(1, "TERMINATING"))
    aws.add("describe_workspaces", {"Workspaces": []}, {"WorkspaceIds": [wid(1)]})
    result = run_module(module, single(state="absent"))
    assert result["changed"] and result["actions"] == ["terminate"] and result["workspace"] is None
    assert result["summary"]["terminated"] == 1
    aws.assert_all_used()


def test_absent_already_gone_is_unchanged(aws, run_module):
    listing(aws, ws(2))
    result = run_module(module, single(state="absent"))
    assert not result["changed"] and result["workspace"] is None and aws.mutating_calls() == []


def test_absent_suspended_fails_with_its_state(aws, run_module):
    listing(aws, ws(1, "SUSPENDED"))
    result = run_module(module, single(state="absent"))
    assert result["failed"] and result["msg"] == f"cannot terminate {wid(1)}: it is SUSPENDED"
    assert result["workspace"]["state"] == "SUSPENDED" and aws.mutating_calls() == []


def test_absent_by_id_without_wait(aws, run_module):
    by_ids(aws, ws(1))
    aws.add("terminate_workspaces", {}, {"TerminateWorkspaceRequests": [{"WorkspaceId": wid(1)}]})
    by_ids(aws, ws(1, "TERMINATING"))
    result = run_module(module, {"workspace_id": wid(1), "state": "absent", "wait": False})
    assert result["changed"] and result["workspace"]["state"] == "TERMINATING"
    aws.assert_all_used()


# -- rebooted / rebuilt / started / stopped -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "operation", "parameter", "start", "end"),
    [
        ("rebooted", "reboot_workspaces", "RebootWorkspaceRequests", "AVAILABLE", "AVAILABLE"),
        ("rebuilt", "rebuild_workspaces", "RebuildWorkspaceRequests", "ERROR", "AVAILABLE"),
        ("started", "start_workspaces", "StartWorkspaceRequests", "STOPPED", "AVAILABLE"),
        ("stopped", "stop_workspaces", "StopWorkspaceRequests", "AVAILABLE", "STOPPED"),
    ],
)
def test_actions_are_sent_and_waited_for(aws, run_module, state, operation, parameter, start, end):
    listing(aws, ws(1, start))
    aws.add(operation, {"FailedRequests": []}, {parameter: [{"WorkspaceId": wid(1)}]})
    if start == end:  # the reboot (or rebuild) is seen under way before it is over
        by_ids(aws, ws(1, {"rebooted": "REBOOTING", "rebuilt": "REBUILDING"}[state]))
    by_ids(aws, ws(1, end))
    result = run_module(module, single(state=state))
    assert not result.get("failed") and result["changed"] and result["workspace"]["state"] == end
    assert len(aws.mutating_calls()) == 1
    aws.assert_all_used()


@pytest.mark.parametrize(("state", "current"), [("started", "AVAILABLE"), ("stopped", "STOPPED")])
def test_start_and_stop_are_idempotent(aws, run_module, state, current):
    listing(aws, ws(1, current))
    result = run_module(module, single(state=state))
    assert not result["changed"] and aws.mutating_calls() == []


@pytest.mark.parametrize("state", ["started", "stopped"])
def test_always_on_cannot_start_or_stop(aws, run_module, state):
    listing(aws, ws(1, mode="ALWAYS_ON"))
    result = run_module(module, single(state=state))
    assert result["failed"] and "running mode is ALWAYS_ON" in result["msg"] and aws.mutating_calls() == []


@pytest.mark.parametrize("state", ["rebooted", "rebuilt"])
def test_reboot_and_rebuild_are_refused_in_maintenance(aws, run_module, state):
    listing(aws, ws(1, "ADMIN_MAINTENANCE"))
    result = run_module(module, single(state=state))
    assert result["failed"] and f"{wid(1)}: it is ADMIN_MAINTENANCE" in result["msg"]


def test_reboot_always_changes(aws, run_module):
    for _attempt in range(2):
        listing(aws, ws(1))
        aws.add("reboot_workspaces", {})
        by_ids(aws, ws(1, "REBOOTING"))
        by_ids(aws, ws(1))
        result = run_module(module, single(state="rebooted"))
        assert result["changed"] and not result.get("failed")
    assert aws.mutating_calls() == ["RebootWorkspaces", "RebootWorkspaces"]


def test_transitional_state_is_waited_out_before_a_reboot(aws, run_module):
    listing(aws, ws(1, "STARTING"))
    by_ids(aws, ws(1, "STARTING"))
    by_ids(aws, ws(1))
    aws.add("reboot_workspaces", {})
    by_ids(aws, ws(1, "REBOOTING"))
    by_ids(aws, ws(1))
    result = run_module(module, single(state="rebooted"))
    assert result["changed"] and not result.get("failed") and aws.mutating_calls() == ["RebootWorkspaces"]
    aws.assert_all_used()


def test_action_on_a_missing_workspace_fails(aws, run_module):
    listing(aws)
    result = run_module(module, single(state="rebooted"))
    assert result["failed"] and "no WorkSpace exists for user jdoe" in result["msg"]


# -- waits ---------------------------------------------------------------------------------------------------------


def test_error_during_the_wait_fails_with_the_workspace_error(aws, run_module):
    listing(aws)
    create_targets(aws)
    aws.add("create_workspaces", {"PendingRequests": [ws(1, "PENDING")]})
    by_ids(aws, ws(1, "ERROR", ErrorCode="ResourceLimitExceeded", ErrorMessage="No IP addresses left"))
    result = run_module(module, single(bundle_id=B))
    assert result["failed"] and result["actions"] == ["create"] and result["summary"]["created"] == 1
    assert result["failure"]["error_code"] == "ResourceLimitExceeded"
    assert "went to ERROR" in result["msg"] and "No IP addresses left" in result["msg"]


def test_wait_timeout_names_the_workspace_and_its_state(aws, run_module):
    listing(aws, ws(1))
    aws.add("stop_workspaces", {})
    by_ids(aws, ws(1, "STOPPING"))
    result = run_module(module, single(state="stopped", wait_timeout=0))
    assert result["failed"]
    assert result["msg"] == f"timed out after 0 s waiting for {wid(1)} to be stopped; last state STOPPING"


def test_throttled_lookup_then_success(aws, run_module):
    aws.add_error("describe_workspaces", "ThrottlingException", "Rate exceeded")
    listing(aws, ws(1))
    result = run_module(module, single())
    assert not result.get("failed") and not result["changed"]
    aws.assert_all_used()


def test_failed_lookup_fails_the_task_and_writes_nothing(aws, run_module):
    aws.add_error("describe_workspaces", "AccessDeniedException", "no")
    result = run_module(module, single(state="absent"))
    assert result["failed"] and aws.mutating_calls() == []


# -- the ambiguous create ------------------------------------------------------------------------------------------------


def test_lost_create_answer_never_makes_a_second_workspace(aws, run_module, monkeypatch):
    real = client_module.workspaces_client
    raised = []

    class LosesFirstCreate:
        def __init__(self, inner):
            self.inner = inner

        def __getattr__(self, name):
            method = getattr(self.inner, name)
            if name != "create_workspaces" or raised:
                return method

            def lost(**_params):
                raised.append(name)
                raise botocore.exceptions.ConnectionClosedError(endpoint_url="https://workspaces.example")

            return lost

    monkeypatch.setattr(module, "workspaces_client", lambda m: LosesFirstCreate(real(m)))
    listing(aws)
    create_targets(aws)
    listing(aws, ws(1, "PENDING"))  # looked up again: the lost create did happen
    by_ids(aws, ws(1))
    result = run_module(module, single(bundle_id=B))
    assert raised == ["create_workspaces"] and aws.mutating_calls() == []
    assert result["changed"] and result["actions"] == ["create"] and "was lost" in warning_texts(result)
    aws.assert_all_used()


def test_resource_exists_is_adopted_unchanged(aws, run_module):
    listing(aws)
    create_targets(aws)
    exists = {
        "WorkspaceRequest": {"DirectoryId": D, "UserName": "jdoe", "BundleId": B},
        "ErrorCode": "ResourceExists.WorkSpace",
        "ErrorMessage": "A WorkSpace already exists for the specified user",
    }
    aws.add("create_workspaces", {"FailedRequests": [exists]})
    listing(aws, ws(1, user="JDOE"))
    result = run_module(module, single(bundle_id=B))
    assert not result.get("failed") and not result["changed"] and result["workspace"]["workspace_id"] == wid(1)
    assert result["summary"]["unchanged"] == 1
    assert "already exists for user jdoe" in warning_texts(result)
    assert "could not read" not in warning_texts(result)
    assert aws.mutating_calls() == ["CreateWorkspaces"]
    aws.assert_all_used()


# -- batches ---------------------------------------------------------------------------------------------------------


def users(count: int) -> list[dict]:
    return [{"user_name": f"user{n}"} for n in range(100, 100 + count)]


def test_batch_create_looks_up_once_per_directory_and_creates_25_a_call(aws, run_module):
    items = users(30)
    pages = [ws(n, user=f"other{n}") for n in range(2, 5)]
    aws.add("describe_workspaces", {"Workspaces": pages[:2], "NextToken": "t"}, {"DirectoryId": D})
    aws.add("describe_workspaces", {"Workspaces": pages[2:]}, {"DirectoryId": D, "NextToken": "t"})
    create_targets(aws)
    requests = [{"DirectoryId": D, "UserName": i["user_name"], "BundleId": B} for i in items]
    created = [ws(n, "PENDING", user=f"user{n}") for n in range(100, 130)]
    aws.add("create_workspaces", {"PendingRequests": created[:25]}, {"Workspaces": requests[:25]})
    aws.add("create_workspaces", {"PendingRequests": created[25:]}, {"Workspaces": requests[25:]})
    ids = sorted(w["WorkspaceId"] for w in created)
    aws.add(
        "describe_workspaces",
        {"Workspaces": [dict(w, State="AVAILABLE") for w in created[:25]]},
        {"WorkspaceIds": ids[:25]},
    )
    aws.add(
        "describe_workspaces",
        {"Workspaces": [dict(w, State="AVAILABLE") for w in created[25:]]},
        {"WorkspaceIds": ids[25:]},
    )
    result = run_module(module, {"directory_id": D, "bundle_id": B, "workspaces": items})
    assert result["changed"] and result["summary"]["created"] == 30
    assert [entry["user_name"] for entry in result["workspaces"]] == [i["user_name"] for i in items]
    assert all(entry["workspace"]["state"] == "AVAILABLE" for entry in result["workspaces"])
    assert aws.mutating_calls() == ["CreateWorkspaces", "CreateWorkspaces"]
    aws.assert_all_used()


def test_batch_check_mode_predicts_the_same_summary_with_zero_writes(aws, run_module):
    existing = [ws(n, user=f"user{n}") for n in range(100, 110)]
    args = {
        "directory_id": D,
        "bundle_id": B,
        "workspaces": [*users(12), {"user_name": "user100", "state": "rebooted"}][1:],
    }
    listing(aws, *existing, user=None)
    create_targets(aws)
    check = run_module(module, args, check_mode=True)
    assert aws.mutating_calls() == []
    assert check["summary"]["created"] == 2 and check["summary"]["rebooted"] == 1 and check["summary"]["unchanged"] == 9
    aws.sent.clear()
    listing(aws, *existing, user=None)
    create_targets(aws)
    aws.add(
        "create_workspaces",
        {"PendingRequests": [ws(110, "PENDING", user="user110"), ws(111, "PENDING", user="user111")]},
    )
    aws.add("reboot_workspaces", {}, {"RebootWorkspaceRequests": [{"WorkspaceId": wid(100)}]})
    by_ids(aws, ws(110, user="user110"), ws(111, user="user111"))
    by_ids(aws, ws(100, "REBOOTING", user="user100"))
    by_ids(aws, ws(100, user="user100"))
    real = run_module(module, args)
    assert not real.get("failed")
    assert real["summary"] == check["summary"] and real["changed"] == check["changed"]
    assert [e["actions"] for e in real["workspaces"]] == [e["actions"] for e in check["workspaces"]]
    aws.assert_all_used()


def test_batch_partial_failure_keeps_successes_and_counts_each(aws, run_module):
    for n in range(100, 103):
        listing(aws, ws(n, "STOPPED", user=f"user{n}"), user=f"user{n}")
    failed = {"WorkspaceId": wid(101), "ErrorCode": "InvalidResourceState", "ErrorMessage": "busy"}
    aws.add("start_workspaces", {"FailedRequests": [failed]})
    by_ids(aws, ws(100, user="user100"), ws(102, user="user102"))
    by_ids(aws, ws(101, "STOPPED", user="user101"))
    result = run_module(module, {"directory_id": D, "state": "started", "workspaces": users(3)})
    assert result["failed"] and result["changed"]
    assert result["msg"].startswith("1 of 3 WorkSpaces failed (started: 2, failed: 1)")
    assert f"start {wid(101)} failed: InvalidResourceState: busy" in result["msg"]
    entries = result["workspaces"]
    assert [e["failed"] for e in entries] == [False, True, False]
    assert entries[1]["failure"]["error_code"] == "InvalidResourceState"
    assert entries[1]["failure"]["error_message"].startswith("workspaces[1] (user_name user101): ")
    assert entries[0]["actions"] == ["start"] and entries[1]["actions"] == []


def test_batch_items_naming_the_same_workspace_are_refused(aws, run_module):
    by_ids(aws, ws(1))
    listing(aws, ws(1), user="JDOE")  # as the task spells it: the service compares user names without case
    result = run_module(
        module, {"directory_id": D, "state": "absent", "workspaces": [{"user_name": "JDOE"}, {"workspace_id": wid(1)}]}
    )
    assert result["failed"] and result["summary"]["failed"] == 2 and aws.mutating_calls() == []
    assert (
        "workspaces[0] (user_name JDOE) and workspaces[1] (workspace_id ws-0000000001) name the same WorkSpace"
        in (result["workspaces"][0]["failure"]["error_message"])
    )


def test_batch_diff_is_a_list(aws, run_module):
    listing(aws, ws(100, user="user100"), user="user100")
    listing(aws, ws(101, user="user101"), user="user101")
    result = run_module(
        module, {"directory_id": D, "compute_type": "STANDARD", "workspaces": users(2)}, check_mode=True, diff=True
    )
    assert result["diff"] == [] and not result["changed"]


def test_result_has_every_key_the_return_doc_promises(aws, run_module):
    listing(aws, ws(100, user="user100"), user="user100")
    listing(aws, user="user101")
    result = run_module(module, {"directory_id": D, "workspaces": users(2), "state": "absent"}, check_mode=True)
    assert missing_keys(result, always_returned(module)) == []
    for entry in result["workspaces"]:
        assert set(entry) == {
            "user_name",
            "directory_id",
            "workspace_id",
            "changed",
            "actions",
            "modified",
            "failed",
            "failure",
            "workspace",
        }


def test_batch_tags_are_read_in_bulk_and_only_when_set(aws, run_module):
    existing = [ws(n, user=f"user{n}") for n in range(100, 105)]
    for workspace in existing:
        listing(aws, workspace, user=workspace["UserName"])
    arn = "arn:aws:workspaces:us-east-1:123456789012:workspace/"
    mappings = [{"ResourceARN": arn + w["WorkspaceId"], "Tags": [{"Key": "team", "Value": "a"}]} for w in existing]
    mappings[2]["Tags"] = [{"Key": "team", "Value": "old"}]
    # Part of the region: the tagging API is asked for these five by ARN (the account from STS), not paged.
    aws.add("get_caller_identity", {"Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/a"}, {}, "sts")
    arns = {"ResourceARNList": [arn + w["WorkspaceId"] for w in existing]}
    aws.add("get_resources", {"ResourceTagMappingList": mappings}, arns, service="resourcegroupstaggingapi")
    aws.add("create_tags", {}, {"ResourceId": wid(102), "Tags": [{"Key": "team", "Value": "a"}]})
    by_ids(aws, existing[2])
    result = run_module(module, {"directory_id": D, "tags": {"team": "a"}, "workspaces": users(5)})
    assert result["summary"]["tagged"] == 1 and result["summary"]["unchanged"] == 4
    assert [e["actions"] for e in result["workspaces"]] == [[], [], ["tag"], [], []]
    assert ("workspaces", "DescribeTags") not in aws.sent
    aws.assert_all_used()


def test_check_mode_diff_of_a_create(aws, run_module):
    listing(aws)
    create_targets(aws)
    result = run_module(module, single(bundle_id=B, compute_type="VALUE"), check_mode=True, diff=True)
    assert result["diff"]["before"] == {"state": "absent"}
    assert result["diff"]["after"] == {"state": "present", "compute_type": "VALUE"}
    assert result["diff"]["after_header"] == f"user jdoe in directory {D}"
    assert aws.mutating_calls() == []


# -- review findings: waits after actions, lookups, names, tags -----------------------------------------------------


@pytest.mark.parametrize(
    ("state", "operation", "parameter", "start"),
    [
        ("started", "start_workspaces", "StartWorkspaceRequests", "STOPPED"),
        ("rebuilt", "rebuild_workspaces", "RebuildWorkspaceRequests", "STOPPED"),
        ("rebuilt", "rebuild_workspaces", "RebuildWorkspaceRequests", "ERROR"),
        ("stopped", "stop_workspaces", "StopWorkspaceRequests", "ERROR"),
    ],
)
def test_first_poll_still_showing_the_state_before_the_action_is_not_a_failure(
    aws, run_module, state, operation, parameter, start
):
    end = "STOPPED" if state == "stopped" else "AVAILABLE"
    listing(aws, ws(1, start))
    aws.add(operation, {"FailedRequests": []}, {parameter: [{"WorkspaceId": wid(1)}]})
    by_ids(aws, ws(1, start))  # the service has not moved yet
    by_ids(aws, ws(1, end))
    result = run_module(module, single(state=state))
    assert not result.get("failed"), result.get("msg")
    assert result["workspace"]["state"] == end
    aws.assert_all_used()


def test_reboot_wait_does_not_end_on_the_available_shown_before_rebooting(aws, run_module):
    listing(aws, ws(1))
    aws.add("reboot_workspaces", {"FailedRequests": []})
    by_ids(aws, ws(1, "AVAILABLE"))  # not REBOOTING yet
    by_ids(aws, ws(1, "REBOOTING"))
    by_ids(aws, ws(1, "AVAILABLE"))
    result = run_module(module, single(state="rebooted"))
    assert result["changed"] and not result.get("failed")
    aws.assert_all_used()


def test_terminate_waits_until_gone_and_a_terminated_workspace_is_then_created_anew(aws, run_module):
    listing(aws, ws(1))
    aws.add("terminate_workspaces", {"FailedRequests": []})
    by_ids(aws, ws(1, "TERMINATED"))
    by_ids(aws, ids=[wid(1)])  # gone
    result = run_module(module, single(state="absent"))
    assert result["changed"] and result["workspace"] is None and not result.get("failed")
    aws.assert_all_used()
    listing(aws, ws(1, "TERMINATED"))
    create_targets(aws)
    aws.add(
        "create_workspaces",
        {"PendingRequests": [ws(2, "PENDING", user="jdoe")]},
        {"Workspaces": [{"DirectoryId": D, "UserName": "jdoe", "BundleId": B}]},
    )
    by_ids(aws, ws(2, user="jdoe"))
    again = run_module(module, single(bundle_id=B))
    assert not again.get("failed"), again.get("msg")
    assert again["actions"] == ["create"] and again["workspace"]["workspace_id"] == wid(2)
    aws.assert_all_used()


@pytest.mark.parametrize("check_mode", [False, True])
def test_a_batch_terminate_reports_the_id_it_terminated(aws, run_module, check_mode):
    listing(aws, ws(1))
    if not check_mode:
        aws.add("terminate_workspaces", {"FailedRequests": []})
        by_ids(aws, ids=[wid(1)])  # gone at once
    result = run_module(
        module, {"directory_id": D, "workspaces": [{"user_name": "jdoe", "state": "absent"}]}, check_mode=check_mode
    )
    (entry,) = result["workspaces"]
    assert entry["actions"] == ["terminate"] and entry["workspace"] is None
    assert entry["workspace_id"] == wid(1)  # what a change record needs: which WorkSpace went
    aws.assert_all_used()


def test_absent_on_a_terminated_workspace_is_unchanged(aws, run_module):
    listing(aws, ws(1, "TERMINATED"))
    result = run_module(module, single(state="absent"))
    assert not result["changed"] and result["workspace"] is None and aws.mutating_calls() == []


def test_leaving_maintenance_is_seen_before_properties_change(aws, run_module):
    listing(aws, ws(1, "ADMIN_MAINTENANCE"))
    aws.add("modify_workspace_state", {}, {"WorkspaceId": wid(1), "WorkspaceState": "AVAILABLE"})
    by_ids(aws, ws(1, "ADMIN_MAINTENANCE"))  # the change is not visible yet
    by_ids(aws, ws(1, "AVAILABLE"))
    aws.add("modify_workspace_properties", {})
    by_ids(aws, ws(1, WorkspaceProperties={"RunningMode": "AUTO_STOP", "ComputeTypeName": "POWER"}))
    result = run_module(module, single(admin_maintenance=False, compute_type="POWER"))
    assert not result.get("failed"), result.get("msg")
    sent = [name for _service, name in aws.sent]
    assert sent == [
        "DescribeWorkspaces",
        "ModifyWorkspaceState",
        "DescribeWorkspaces",
        "DescribeWorkspaces",
        "ModifyWorkspaceProperties",
        "DescribeWorkspaces",
    ]


def test_property_changes_wait_for_the_new_values_between_calls(aws, run_module):
    listing(aws, ws(1))
    aws.add(
        "modify_workspace_properties", {}, {"WorkspaceId": wid(1), "WorkspaceProperties": {"ComputeTypeName": "POWER"}}
    )
    by_ids(aws, ws(1))  # AVAILABLE, no ModificationStates yet, still STANDARD: the change is not through
    powered = {"RunningMode": "AUTO_STOP", "ComputeTypeName": "POWER", "RootVolumeSizeGib": 80, "UserVolumeSizeGib": 50}
    by_ids(aws, ws(1, WorkspaceProperties=powered))
    aws.add(
        "modify_workspace_properties", {}, {"WorkspaceId": wid(1), "WorkspaceProperties": {"UserVolumeSizeGib": 100}}
    )
    by_ids(aws, ws(1, WorkspaceProperties=dict(powered, UserVolumeSizeGib=100)))
    result = run_module(module, single(compute_type="POWER", user_volume_size=100))
    assert not result.get("failed"), result.get("msg")
    assert result["modified"] == ["compute_type", "user_volume_size"]
    assert aws.mutating_calls() == ["ModifyWorkspaceProperties", "ModifyWorkspaceProperties"]
    aws.assert_all_used()


def test_update_failed_fails_naming_the_resource_without_waiting_to_the_timeout(aws, run_module):
    listing(aws, ws(1))
    aws.add("modify_workspace_properties", {})
    by_ids(aws, ws(1, ModificationStates=[{"Resource": "USER_VOLUME", "State": "UPDATE_FAILED"}]))
    result = run_module(module, single(user_volume_size=100))
    assert result["failed"] and result["failure"]["error_code"] == "UpdateFailed"
    assert result["msg"] == f"changing USER_VOLUME of {wid(1)} failed (UPDATE_FAILED in its ModificationStates)"
    aws.assert_all_used()


def test_a_change_in_progress_is_waited_out_before_a_modify(aws, run_module):
    busy = ws(1, ModificationStates=[{"Resource": "ROOT_VOLUME", "State": "UPDATE_IN_PROGRESS"}])
    listing(aws, busy)
    by_ids(aws, busy)
    by_ids(aws, ws(1))
    aws.add(
        "modify_workspace_properties", {}, {"WorkspaceId": wid(1), "WorkspaceProperties": {"UserVolumeSizeGib": 100}}
    )
    by_ids(aws, ws(1, WorkspaceProperties={"RunningMode": "AUTO_STOP", "UserVolumeSizeGib": 100}))
    result = run_module(module, single(user_volume_size=100))
    assert not result.get("failed"), result.get("msg")
    assert aws.mutating_calls() == ["ModifyWorkspaceProperties"]
    aws.assert_all_used()


def test_a_single_user_is_looked_up_with_one_call_not_the_whole_directory(aws, run_module):
    listing(aws, ws(1, user="JDoe"))  # DescribeWorkspaces(DirectoryId, UserName): the service ignores case
    result = run_module(module, single())
    assert not result["changed"] and result["workspace"]["workspace_id"] == wid(1)
    assert aws.sent == [("workspaces", "DescribeWorkspaces")]
    aws.assert_all_used()


def test_a_workspace_name_that_matches_nothing_is_refused_not_created(aws, run_module):
    listing(aws, ws(1), ws(2, user="jdoe", WorkspaceName="desk"))
    result = run_module(module, single(bundle_id=B, workspace_name="jdoe-ws"))
    assert result["failed"] and aws.mutating_calls() == []
    assert f"user jdoe in directory {D} has no WorkSpace named 'jdoe-ws'" in result["msg"]
    assert f"{wid(1)} (no name), {wid(2)} (named 'desk')" in result["msg"]


def test_same_user_with_and_without_a_workspace_name_is_refused_before_any_call(aws, run_module):
    result = run_module(
        module,
        {
            "directory_id": D,
            "bundle_id": B,
            "workspaces": [{"user_name": "jdoe"}, {"user_name": "JDOE", "workspace_name": "x1"}],
        },
    )
    assert result["failed"] and "name the same WorkSpace" in result["msg"] and aws.sent == []


def test_aws_tags_do_not_count_toward_the_tag_limit(aws, run_module):
    listing(aws, ws(1))
    tags = [{"Key": f"k{n}", "Value": "v"} for n in range(49)] + [{"Key": f"aws:x{n}", "Value": "v"} for n in range(3)]
    aws.add("describe_tags", {"TagList": tags})
    aws.add("create_tags", {}, {"ResourceId": wid(1), "Tags": [{"Key": "k49", "Value": "v"}]})
    by_ids(aws, ws(1))
    result = run_module(module, single(tags={f"k{n}": "v" for n in range(50)}))
    assert not result.get("failed"), result.get("msg")
    assert result["actions"] == ["tag"]


def test_an_alias_arn_encryption_key_gives_no_warning(aws, run_module):
    key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    listing(aws, ws(1, VolumeEncryptionKey=key))
    result = run_module(module, single(volume_encryption_key="arn:aws:kms:us-east-1:111122223333:alias/ws"))
    assert "fixed when a WorkSpace is created" not in warning_texts(result)


def test_a_rebooting_workspace_is_rebooted_at_once(aws, run_module):
    listing(aws, ws(1, "REBOOTING"))
    aws.add("reboot_workspaces", {"FailedRequests": []})
    by_ids(aws, ws(1, "REBOOTING"))
    by_ids(aws, ws(1, "AVAILABLE"))
    result = run_module(module, single(state="rebooted"))
    assert not result.get("failed") and result["changed"]
    assert [name for _service, name in aws.sent][:2] == ["DescribeWorkspaces", "RebootWorkspaces"]
    aws.assert_all_used()


def test_adopted_workspaces_have_their_tags_read_together(aws, run_module):
    names = [f"user{n}" for n in range(1, 6)]
    for name in names:
        listing(aws, user=name)
    create_targets(aws)
    exists = [
        {
            "WorkspaceRequest": {
                "DirectoryId": D,
                "UserName": name,
                "BundleId": B,
                "Tags": [{"Key": "team", "Value": "x"}],
            },
            "ErrorCode": "ResourceExists.WorkSpace",
            "ErrorMessage": "exists",
        }
        for name in names
    ]
    aws.add("create_workspaces", {"FailedRequests": exists})
    for n, name in enumerate(names, start=1):
        listing(aws, ws(n + 1, user=name), user=name)
    arn = "arn:aws:workspaces:us-east-1:123456789012:workspace/"
    mappings = [{"ResourceARN": arn + wid(n + 1), "Tags": [{"Key": "team", "Value": "x"}]} for n in range(1, 6)]
    aws.add("get_resources", {"ResourceTagMappingList": mappings}, service="resourcegroupstaggingapi")
    result = run_module(
        module,
        {"directory_id": D, "bundle_id": B, "tags": {"team": "x"}, "workspaces": [{"user_name": u} for u in names]},
    )
    assert not result.get("failed") and result["summary"]["unchanged"] == 5
    assert ("workspaces", "DescribeTags") not in aws.sent
    aws.assert_all_used()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"compute_type": ""}, "compute_type must not be empty"),
        ({"tags": {"team": ["a", "b"]}}, "tags: the value of 'team' must be a string, number or boolean, not a list"),
    ],
)
def test_empty_compute_type_and_list_tag_values_fail_before_any_call(aws, run_module, args, expected):
    result = run_module(module, single(**args))
    assert result["failed"] and expected in result["msg"] and aws.sent == []


def test_single_task_refusals_name_the_workspace(aws, run_module):
    listing(aws, ws(1, mode="ALWAYS_ON"))
    result = run_module(module, single(running_mode_auto_stop_timeout=120))
    assert result["failed"] and wid(1) in result["msg"]
