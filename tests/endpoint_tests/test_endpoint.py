"""The local WorkSpaces endpoint behaves like the service where the collection's tests rely on it."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError
from moto.moto_api._internal import mock_random

from endpoint import MUTATING_ACTIONS, Endpoint
from endpoint.client import TESTS_DIR
from endpoint.extension import (
    ACCOUNT_ID,
    AMAZON_BUNDLE_IDS,
    BUNDLES_PAGE_SIZE,
    DIRECTORIES_PAGE_SIZE,
    LINUX_BUNDLE_ID,
    OWN_BUNDLE_IDS,
    WINDOWS_BUNDLE_ID,
    new_computer_name,
)

NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})
_users = itertools.count()


@pytest.fixture(scope="module")
def endpoint():
    with Endpoint.start(delay=0.0) as running:
        yield running


@pytest.fixture(scope="module")
def ws(endpoint):
    return endpoint.client("workspaces")


@pytest.fixture(scope="module")
def directory(endpoint):
    return endpoint.create_registered_directory(name="corp.example.com")


@pytest.fixture(autouse=True)
def _default_config(endpoint):
    """Every test starts with instant transitions and no faults."""
    endpoint.configure(
        delay=0,
        visibility_delay=0,
        latency=0,
        throttle_rate=0,
        error_rate=0,
        fault_actions=None,
        drop_response=None,
        unknown_users=[],
    )


@contextlib.contextmanager
def slow_transitions(endpoint, seconds=0.3):
    endpoint.configure(delay=seconds)
    try:
        yield seconds
    finally:
        endpoint.configure(delay=0)


def new_user():
    return f"user{next(_users):03d}"


def new_requests(directory, count):
    return [{"DirectoryId": directory, "UserName": new_user(), "BundleId": WINDOWS_BUNDLE_ID} for _n in range(count)]


def create(ws, directory, user=None, bundle=WINDOWS_BUNDLE_ID, **extra):
    """One CreateWorkspaces call for one user; returns the PendingRequest (asserts it was accepted)."""
    request = dict({"DirectoryId": directory, "UserName": user or new_user(), "BundleId": bundle}, **extra)
    answer = ws.create_workspaces(Workspaces=[request])
    assert answer["FailedRequests"] == []
    return answer["PendingRequests"][0]


def describe(ws, workspace_id):
    found = ws.describe_workspaces(WorkspaceIds=[workspace_id])["Workspaces"]
    return found[0] if found else None


def wait_state(ws, workspace_id, state, timeout=5.0):
    deadline = time.monotonic() + timeout
    while True:
        found = describe(ws, workspace_id)
        current = found["State"] if found else None
        if current == state:
            return found
        assert time.monotonic() < deadline, f"{workspace_id} is {current}, expected {state}"
        time.sleep(0.05)


def available(ws, directory, **extra):
    return wait_state(ws, create(ws, directory, **extra)["WorkspaceId"], "AVAILABLE")


def error_code(raised):
    return raised.value.response["Error"]["Code"]


def wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def described_directory(ws, directory_id):
    found = ws.describe_workspace_directories(DirectoryIds=[directory_id])["Directories"]
    return found[0] if found else None


def ds_stage(endpoint, directory_id):
    return endpoint.client("ds").describe_directories(DirectoryIds=[directory_id])["DirectoryDescriptions"][0]["Stage"]


# -- DescribeWorkspaceBundles ------------------------------------------------------------------------------------


def test_amazon_bundles_are_paginated(ws):
    first = ws.describe_workspace_bundles(Owner="AMAZON")
    assert len(first["Bundles"]) == BUNDLES_PAGE_SIZE
    assert first["NextToken"]
    pages = ws.get_paginator("describe_workspace_bundles").paginate(Owner="AMAZON")
    bundles = [bundle for page in pages for bundle in page["Bundles"]]
    assert [b["BundleId"] for b in bundles] == AMAZON_BUNDLE_IDS
    assert {b["Owner"] for b in bundles} == {"AMAZON"}
    assert {"VALUE", "STANDARD", "PERFORMANCE", "POWER", "POWERPRO", "GRAPHICS_G4DN"} <= {
        b["ComputeType"]["Name"] for b in bundles
    }
    standard = next(b for b in bundles if b["BundleId"] == WINDOWS_BUNDLE_ID)
    assert standard["RootStorage"] == {"Capacity": "80"}
    assert standard["State"] == "AVAILABLE"
    assert standard["BundleType"] == "REGULAR"


def test_bundles_without_owner_are_the_callers_own(ws):
    bundles = ws.describe_workspace_bundles()["Bundles"]
    assert [b["BundleId"] for b in bundles] == OWN_BUNDLE_IDS
    assert {b["Owner"] for b in bundles} == {ACCOUNT_ID}


def test_bundles_by_id_have_any_owner(ws):
    wanted = [AMAZON_BUNDLE_IDS[0], OWN_BUNDLE_IDS[0], "wsb-000000000"]
    bundles = ws.describe_workspace_bundles(BundleIds=wanted)["Bundles"]
    assert sorted(b["BundleId"] for b in bundles) == sorted(wanted[:2])


def test_bundle_ids_and_owner_cannot_be_combined(ws):
    with pytest.raises(ClientError) as raised:
        ws.describe_workspace_bundles(BundleIds=[AMAZON_BUNDLE_IDS[0]], Owner="AMAZON")
    assert error_code(raised) == "InvalidParameterValuesException"
    with pytest.raises(ClientError) as raised:
        ws.describe_workspace_bundles(BundleIds=[f"wsb-{n:09d}" for n in range(26)])
    assert error_code(raised) == "ValidationException"


# -- DescribeWorkspaces / connection status paging ---------------------------------------------------------------


def test_describe_workspaces_pages_and_limits(endpoint, ws):
    directory = endpoint.create_registered_directory(name="paging.example.com")
    for batch in (25, 5):
        requests = new_requests(directory, batch)
        assert ws.create_workspaces(Workspaces=requests)["FailedRequests"] == []
    first = ws.describe_workspaces(DirectoryId=directory)
    assert len(first["Workspaces"]) == 25 and first["NextToken"]
    limited = ws.describe_workspaces(DirectoryId=directory, Limit=7)
    assert len(limited["Workspaces"]) == 7
    pages = list(ws.get_paginator("describe_workspaces").paginate(DirectoryId=directory, Limit=7))
    ids = [w["WorkspaceId"] for page in pages for w in page["Workspaces"]]
    assert len(pages) == 5 and len(ids) == len(set(ids)) == 30
    statuses = ws.get_paginator("describe_workspaces_connection_status").paginate()
    status_ids = {s["WorkspaceId"] for page in statuses for s in page["WorkspacesConnectionStatus"]}
    assert set(ids) <= status_ids
    with pytest.raises(ClientError) as raised:
        ws.describe_workspaces(DirectoryId=directory, Limit=26)
    assert error_code(raised) == "ValidationException"
    with pytest.raises(ClientError) as raised:
        ws.describe_workspaces(WorkspaceIds=ids[:26])
    assert error_code(raised) == "ValidationException"


def test_the_set_up_listing_reads_every_page_and_leaves_out_what_is_leaving(endpoint, ws):
    directory = endpoint.create_registered_directory(name="listing.example.com")
    ids = []
    for batch in (25, 5):
        ids += [
            w["WorkspaceId"] for w in ws.create_workspaces(Workspaces=new_requests(directory, batch))["PendingRequests"]
        ]
    endpoint.configure(delay=30)
    ws.terminate_workspaces(TerminateWorkspaceRequests=[{"WorkspaceId": ids[0]}])
    endpoint.reset()

    staying = endpoint.workspaces(directory)

    assert sorted(w["WorkspaceId"] for w in staying) == sorted(ids[1:])
    assert len(endpoint.workspaces(directory, leaving=True)) == 30
    assert [entry["action"] for entry in endpoint.calls()["log"]] == ["DescribeWorkspaces"] * 4  # 2 pages each


def test_describe_filters_are_exclusive(ws, directory):
    with pytest.raises(ClientError) as raised:
        ws.describe_workspaces(DirectoryId=directory, BundleId=WINDOWS_BUNDLE_ID)
    assert error_code(raised) == "InvalidParameterValuesException"
    with pytest.raises(ClientError) as raised:
        ws.describe_workspaces(UserName="alice")
    assert error_code(raised) == "InvalidParameterValuesException"


def test_user_name_lookup_is_case_insensitive(ws, directory):
    pending = create(ws, directory, user="Mixed.Case")
    found = ws.describe_workspaces(DirectoryId=directory, UserName="mixed.CASE")["Workspaces"]
    assert [w["WorkspaceId"] for w in found] == [pending["WorkspaceId"]]


def test_connection_status(endpoint, ws, directory):
    ready = available(ws, directory)["WorkspaceId"]
    failed = available(ws, directory)["WorkspaceId"]
    endpoint.force_state(failed, "ERROR", "InternalError", "provisioning failed")
    with slow_transitions(endpoint):
        fresh = create(ws, directory)["WorkspaceId"]
        answer = ws.describe_workspaces_connection_status(WorkspaceIds=[ready, failed, fresh])
    assert [(s["WorkspaceId"], s["ConnectionState"]) for s in answer["WorkspacesConnectionStatus"]] == [
        (ready, "DISCONNECTED")
    ]
    assert describe(ws, failed)["ErrorCode"] == "InternalError"
    assert describe(ws, failed)["ErrorMessage"] == "provisioning failed"
    with pytest.raises(ClientError) as raised:
        ws.describe_workspaces_connection_status(WorkspaceIds=[f"ws-{n:09d}" for n in range(26)])
    assert error_code(raised) == "ValidationException"


# -- CreateWorkspaces --------------------------------------------------------------------------------------------


def test_create_is_pending_then_available(endpoint, ws, directory):
    with slow_transitions(endpoint, 0.3):
        pending = create(ws, directory)
        assert pending["State"] == "PENDING"
        assert describe(ws, pending["WorkspaceId"])["State"] == "PENDING"
        found = wait_state(ws, pending["WorkspaceId"], "AVAILABLE")
    assert found["IpAddress"] and found["SubnetId"] and found["ComputerName"]


def test_create_with_delay_zero_is_available_at_next_describe(ws, directory):
    pending = create(ws, directory)
    assert pending["State"] == "PENDING"
    assert describe(ws, pending["WorkspaceId"])["State"] == "AVAILABLE"


def test_create_refusals(endpoint, ws, directory):
    user = new_user()
    create(ws, directory, user=user)
    endpoint.configure(unknown_users=["ghost"])
    requests = [
        {"DirectoryId": directory, "UserName": user.upper(), "BundleId": WINDOWS_BUNDLE_ID},
        {"DirectoryId": directory, "UserName": new_user(), "BundleId": "wsb-000000000"},
        {"DirectoryId": "d-0000000000", "UserName": new_user(), "BundleId": WINDOWS_BUNDLE_ID},
        {"DirectoryId": directory, "UserName": "ghost", "BundleId": WINDOWS_BUNDLE_ID},
    ]
    answer = ws.create_workspaces(Workspaces=requests)
    assert answer["PendingRequests"] == []
    assert [f["ErrorCode"] for f in answer["FailedRequests"]] == [
        "ResourceExists.WorkSpace",
        "ResourceNotFound.Bundle",
        "ResourceNotFound.Directory",
        "ResourceNotFound.User",
    ]
    assert answer["FailedRequests"][0]["ErrorMessage"] == "A WorkSpace already exists for the specified user"


def test_new_workspace_is_not_visible_at_once(endpoint, ws, directory):
    endpoint.configure(visibility_delay=0.4)
    assert endpoint.config()["visibility_delay"] == 0.4
    user = new_user()
    pending = create(ws, directory, user=user)
    workspace_id = pending["WorkspaceId"]
    assert describe(ws, workspace_id) is None
    assert ws.describe_workspaces(DirectoryId=directory, UserName=user)["Workspaces"] == []
    listed = ws.describe_workspaces_connection_status()["WorkspacesConnectionStatus"]
    assert workspace_id not in {s["WorkspaceId"] for s in listed}
    again = ws.create_workspaces(
        Workspaces=[{"DirectoryId": directory, "UserName": user, "BundleId": WINDOWS_BUNDLE_ID}]
    )
    assert [f["ErrorCode"] for f in again["FailedRequests"]] == ["ResourceExists.WorkSpace"]
    found = wait_state(ws, workspace_id, "AVAILABLE")
    assert found["UserName"] == user
    endpoint.configure(visibility_delay=0)
    assert describe(ws, create(ws, directory)["WorkspaceId"]) is not None


def test_computer_names_are_realistic_and_unique(ws, directory):
    requests = new_requests(directory, 22)
    requests += [{"DirectoryId": directory, "UserName": new_user(), "BundleId": LINUX_BUNDLE_ID} for _n in range(2)]
    requests.append({"DirectoryId": directory, "UserName": new_user(), "BundleId": "wsb-9jvhtb24f"})  # Ubuntu
    pending = ws.create_workspaces(Workspaces=requests)["PendingRequests"]
    assert len(pending) == 25 and not any(p.get("ComputerName") for p in pending)  # named once provisioned
    found = ws.describe_workspaces(WorkspaceIds=[p["WorkspaceId"] for p in pending])["Workspaces"]
    names = {w["BundleId"]: [] for w in found}
    for workspace in found:
        names[workspace["BundleId"]].append(workspace["ComputerName"])
    assert all(re.fullmatch(r"WSAMZN-[A-Z0-9]{8}", name) for name in names[WINDOWS_BUNDLE_ID])
    assert all(re.fullmatch(r"A-[A-Z0-9]{13}", name) for name in names[LINUX_BUNDLE_ID])
    assert re.fullmatch(r"U-[A-Z0-9]{13}", names["wsb-9jvhtb24f"][0])
    every_name = [w["ComputerName"] for w in found]
    addresses = [w["IpAddress"] for w in found]
    assert len(set(every_name)) == len(every_name) == 25
    assert len(set(addresses)) == 25
    # The same random draw twice still gives two names: issued names are never handed out again.
    mock_random.seed(4711)
    first = new_computer_name("WINDOWS_SERVER_2022")
    mock_random.seed(4711)
    assert new_computer_name("WINDOWS_SERVER_2022") != first


def test_create_more_than_25_is_a_validation_error(ws, directory):
    requests = new_requests(directory, 26)
    with pytest.raises(ClientError) as raised:
        ws.create_workspaces(Workspaces=requests)
    assert error_code(raised) == "ValidationException"
    assert not ws.describe_workspaces(DirectoryId=directory, UserName=requests[0]["UserName"])["Workspaces"]


def test_create_stores_tags_and_properties(ws, directory):
    pending = create(
        ws,
        directory,
        bundle=LINUX_BUNDLE_ID,
        Tags=[{"Key": "team", "Value": "euc"}],
        WorkspaceProperties={"RunningMode": "AUTO_STOP"},
        WorkspaceName="dev_box",
    )
    found = describe(ws, pending["WorkspaceId"])
    assert found["WorkspaceName"] == "dev_box"
    properties = found["WorkspaceProperties"]
    assert properties["RunningMode"] == "AUTO_STOP"
    assert properties["RunningModeAutoStopTimeoutInMinutes"] == 60
    assert (properties["RootVolumeSizeGib"], properties["UserVolumeSizeGib"]) == (80, 10)
    assert properties["ComputeTypeName"] == "STANDARD"
    assert ws.describe_tags(ResourceId=pending["WorkspaceId"])["TagList"] == [{"Key": "team", "Value": "euc"}]
    by_name = ws.describe_workspaces(WorkspaceName="dev_box")["Workspaces"]
    assert [w["WorkspaceId"] for w in by_name] == [pending["WorkspaceId"]]
    assert create(ws, directory)["WorkspaceProperties"]["RunningMode"] == "ALWAYS_ON"


# -- Terminate / Reboot / Rebuild / Start / Stop -----------------------------------------------------------------


def test_terminate_is_asynchronous_and_frees_the_user(endpoint, ws, directory):
    user = new_user()
    workspace_id = available(ws, directory, user=user)["WorkspaceId"]
    with slow_transitions(endpoint, 0.3):
        assert (
            ws.terminate_workspaces(TerminateWorkspaceRequests=[{"WorkspaceId": workspace_id}])["FailedRequests"] == []
        )
        assert describe(ws, workspace_id)["State"] == "TERMINATING"
        again = ws.create_workspaces(
            Workspaces=[{"DirectoryId": directory, "UserName": user, "BundleId": WINDOWS_BUNDLE_ID}]
        )
        assert again["FailedRequests"][0]["ErrorCode"] == "ResourceExists.WorkSpace"
        deadline = time.monotonic() + 5
        while describe(ws, workspace_id) is not None:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    create(ws, directory, user=user)


def test_terminate_refuses_suspended_and_unknown(endpoint, ws, directory):
    workspace_id = available(ws, directory)["WorkspaceId"]
    endpoint.force_state(workspace_id, "SUSPENDED")
    requests = [{"WorkspaceId": workspace_id}, {"WorkspaceId": "ws-000000000"}]
    failed = ws.terminate_workspaces(TerminateWorkspaceRequests=requests)["FailedRequests"]
    assert [f["WorkspaceId"] for f in failed] == [workspace_id, "ws-000000000"]
    assert "SUSPENDED" in failed[0]["ErrorMessage"]
    assert describe(ws, workspace_id)["State"] == "SUSPENDED"


def test_reboot(endpoint, ws, directory):
    workspace_id = available(ws, directory)["WorkspaceId"]
    with slow_transitions(endpoint, 0.2):
        assert ws.reboot_workspaces(RebootWorkspaceRequests=[{"WorkspaceId": workspace_id}])["FailedRequests"] == []
        assert describe(ws, workspace_id)["State"] == "REBOOTING"
        wait_state(ws, workspace_id, "AVAILABLE")
    endpoint.force_state(workspace_id, "STOPPED")
    failed = ws.reboot_workspaces(RebootWorkspaceRequests=[{"WorkspaceId": workspace_id}])["FailedRequests"]
    assert failed[0]["ErrorCode"] and "STOPPED" in failed[0]["ErrorMessage"]


@pytest.mark.parametrize("action", ["reboot", "rebuild"])
def test_at_delay_zero_a_return_to_available_is_shown_to_one_describe(endpoint, ws, directory, action):
    """Reboot and rebuild end where they began: without one read of the interim state no waiter could tell."""
    workspace_id = available(ws, directory)["WorkspaceId"]
    other = available(ws, directory)["WorkspaceId"]
    member = f"{action.capitalize()}WorkspaceRequests"
    getattr(ws, f"{action}_workspaces")(**{member: [{"WorkspaceId": workspace_id}]})
    ws.describe_workspaces(WorkspaceIds=[other])  # a describe that does not show it settles nothing
    assert describe(ws, workspace_id)["State"] == {"reboot": "REBOOTING", "rebuild": "REBUILDING"}[action]
    assert describe(ws, workspace_id)["State"] == "AVAILABLE"


def test_at_delay_zero_a_change_of_state_is_done_at_the_next_describe(endpoint, ws, directory):
    workspace_id = available(ws, directory)["WorkspaceId"]
    endpoint.force_state(workspace_id, "STOPPED")
    ws.rebuild_workspaces(RebuildWorkspaceRequests=[{"WorkspaceId": workspace_id}])
    assert describe(ws, workspace_id)["State"] == "AVAILABLE"


def test_rebuild(endpoint, ws, directory):
    first = available(ws, directory)["WorkspaceId"]
    second = available(ws, directory)["WorkspaceId"]
    with pytest.raises(ClientError) as raised:
        ws.rebuild_workspaces(RebuildWorkspaceRequests=[{"WorkspaceId": first}, {"WorkspaceId": second}])
    assert error_code(raised) == "ValidationException"
    with slow_transitions(endpoint, 0.2):
        assert ws.rebuild_workspaces(RebuildWorkspaceRequests=[{"WorkspaceId": first}])["FailedRequests"] == []
        assert describe(ws, first)["State"] == "REBUILDING"
        pending = create(ws, directory)["WorkspaceId"]
        failed = ws.rebuild_workspaces(RebuildWorkspaceRequests=[{"WorkspaceId": pending}])["FailedRequests"]
        assert "PENDING" in failed[0]["ErrorMessage"]
        wait_state(ws, first, "AVAILABLE")


def test_start_and_stop_need_auto_stop_or_manual(endpoint, ws, directory):
    always_on = available(ws, directory)["WorkspaceId"]
    failed = ws.stop_workspaces(StopWorkspaceRequests=[{"WorkspaceId": always_on}])["FailedRequests"]
    assert "ALWAYS_ON" in failed[0]["ErrorMessage"]
    auto_stop = available(ws, directory, WorkspaceProperties={"RunningMode": "AUTO_STOP"})["WorkspaceId"]
    failed = ws.start_workspaces(StartWorkspaceRequests=[{"WorkspaceId": auto_stop}])["FailedRequests"]
    assert "AVAILABLE" in failed[0]["ErrorMessage"]
    with slow_transitions(endpoint, 0.2):
        assert ws.stop_workspaces(StopWorkspaceRequests=[{"WorkspaceId": auto_stop}])["FailedRequests"] == []
        assert describe(ws, auto_stop)["State"] == "STOPPING"
        wait_state(ws, auto_stop, "STOPPED")
        assert ws.start_workspaces(StartWorkspaceRequests=[{"WorkspaceId": auto_stop}])["FailedRequests"] == []
        assert describe(ws, auto_stop)["State"] == "STARTING"
        wait_state(ws, auto_stop, "AVAILABLE")


def test_admin_maintenance_refuses_reboot_stop_start_rebuild(ws, directory):
    workspace_id = available(ws, directory, WorkspaceProperties={"RunningMode": "AUTO_STOP"})["WorkspaceId"]
    ws.modify_workspace_state(WorkspaceId=workspace_id, WorkspaceState="ADMIN_MAINTENANCE")
    assert describe(ws, workspace_id)["State"] == "ADMIN_MAINTENANCE"
    request = [{"WorkspaceId": workspace_id}]
    for failed in (
        ws.reboot_workspaces(RebootWorkspaceRequests=request)["FailedRequests"],
        ws.stop_workspaces(StopWorkspaceRequests=request)["FailedRequests"],
        ws.start_workspaces(StartWorkspaceRequests=request)["FailedRequests"],
        ws.rebuild_workspaces(RebuildWorkspaceRequests=request)["FailedRequests"],
    ):
        assert "ADMIN_MAINTENANCE" in failed[0]["ErrorMessage"]
    ws.modify_workspace_state(WorkspaceId=workspace_id, WorkspaceState="AVAILABLE")
    assert describe(ws, workspace_id)["State"] == "AVAILABLE"
    with pytest.raises(ClientError) as raised:
        ws.modify_workspace_state(WorkspaceId="ws-000000000", WorkspaceState="AVAILABLE")
    assert error_code(raised) == "ResourceNotFoundException"


# -- ModifyWorkspaceProperties -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "properties, message",
    [
        ({"ComputeTypeName": "PERFORMANCE", "RootVolumeSizeGib": 175}, "compute type"),
        ({"RootVolumeSizeGib": 175, "UserVolumeSizeGib": 100}, "root and user"),
        ({"UserVolumeSizeGib": 10}, "increased"),
        ({"RunningMode": "ALWAYS_ON", "RunningModeAutoStopTimeoutInMinutes": 60}, "AutoStopTimeoutIsNotApplicable"),
    ],
)
def test_modify_properties_rejects(ws, directory, properties, message):
    workspace_id = available(ws, directory)["WorkspaceId"]
    with pytest.raises(ClientError) as raised:
        ws.modify_workspace_properties(WorkspaceId=workspace_id, WorkspaceProperties=properties)
    assert error_code(raised) == "InvalidParameterValuesException"
    assert message in raised.value.response["Error"]["Message"]


def test_modify_compute_type_is_asynchronous(endpoint, ws, directory):
    workspace_id = available(ws, directory)["WorkspaceId"]
    with slow_transitions(endpoint, 0.3):
        ws.modify_workspace_properties(WorkspaceId=workspace_id, WorkspaceProperties={"ComputeTypeName": "PERFORMANCE"})
        updating = describe(ws, workspace_id)
        assert updating["State"] == "UPDATING"
        assert updating["ModificationStates"] == [{"Resource": "COMPUTE_TYPE", "State": "UPDATE_IN_PROGRESS"}]
        assert updating["WorkspaceProperties"]["ComputeTypeName"] == "STANDARD"
        with pytest.raises(ClientError) as raised:
            ws.modify_workspace_properties(WorkspaceId=workspace_id, WorkspaceProperties={"UserVolumeSizeGib": 100})
        assert error_code(raised) == "OperationInProgressException"
        done = wait_state(ws, workspace_id, "AVAILABLE")
    assert done["WorkspaceProperties"]["ComputeTypeName"] == "PERFORMANCE"
    assert "ModificationStates" not in done


def test_modify_running_mode_and_protocols_apply_at_once(endpoint, ws, directory):
    workspace_id = available(ws, directory)["WorkspaceId"]
    with slow_transitions(endpoint, 5):
        ws.modify_workspace_properties(
            WorkspaceId=workspace_id, WorkspaceProperties={"RunningMode": "AUTO_STOP", "Protocols": ["WSP"]}
        )
        found = describe(ws, workspace_id)
    assert found["State"] == "AVAILABLE"
    assert found["WorkspaceProperties"]["RunningMode"] == "AUTO_STOP"
    assert found["WorkspaceProperties"]["RunningModeAutoStopTimeoutInMinutes"] == 60
    assert found["WorkspaceProperties"]["Protocols"] == ["WSP"]


def test_modify_needs_available_or_stopped(endpoint, ws, directory):
    with slow_transitions(endpoint, 5):
        workspace_id = create(ws, directory)["WorkspaceId"]
        with pytest.raises(ClientError) as raised:
            ws.modify_workspace_properties(WorkspaceId=workspace_id, WorkspaceProperties={"RunningMode": "AUTO_STOP"})
    assert error_code(raised) == "InvalidResourceStateException"


# -- Tags ---------------------------------------------------------------------------------------------------------


def test_tags_replace_delete_and_match_the_tagging_api(endpoint, ws, directory):
    workspace_id = available(ws, directory, Tags=[{"Key": "env", "Value": "dev"}])["WorkspaceId"]
    ws.create_tags(ResourceId=workspace_id, Tags=[{"Key": "env", "Value": "prod"}, {"Key": "owner", "Value": "x"}])
    assert ws.describe_tags(ResourceId=workspace_id)["TagList"] == [
        {"Key": "env", "Value": "prod"},
        {"Key": "owner", "Value": "x"},
    ]
    ws.delete_tags(ResourceId=workspace_id, TagKeys=["owner", "absent"])
    tagging = endpoint.client("resourcegroupstaggingapi")
    arn = f"arn:aws:workspaces:us-east-1:{ACCOUNT_ID}:workspace/{workspace_id}"
    tagging.tag_resources(ResourceARNList=[arn], Tags={"cost": "42"})
    tagging.untag_resources(ResourceARNList=[arn], TagKeys=["env"])
    assert ws.describe_tags(ResourceId=workspace_id)["TagList"] == [{"Key": "cost", "Value": "42"}]
    pages = tagging.get_paginator("get_resources").paginate(ResourceTypeFilters=["workspaces:workspace"])
    mapping = {m["ResourceARN"]: m["Tags"] for page in pages for m in page["ResourceTagMappingList"]}
    assert mapping[arn] == [{"Key": "cost", "Value": "42"}]
    ws.terminate_workspaces(TerminateWorkspaceRequests=[{"WorkspaceId": workspace_id}])
    describe(ws, workspace_id)
    pages = tagging.get_paginator("get_resources").paginate(ResourceTypeFilters=["workspaces:workspace"])
    assert arn not in {m["ResourceARN"] for page in pages for m in page["ResourceTagMappingList"]}


def test_get_resources_by_arn_answers_in_one_page_with_only_those_named(endpoint, ws, directory):
    prefix = f"arn:aws:workspaces:us-east-1:{ACCOUNT_ID}:workspace/"
    tagged = [available(ws, directory, Tags=[{"Key": "n", "Value": str(n)}])["WorkspaceId"] for n in range(60)]
    untagged = available(ws, directory)["WorkspaceId"]
    tagging = endpoint.client("resourcegroupstaggingapi")
    named = [prefix + i for i in tagged[:55]] + [prefix + untagged, prefix + "ws-0000000000"]

    answer = tagging.get_resources(ResourceARNList=named)

    assert sorted(m["ResourceARN"] for m in answer["ResourceTagMappingList"]) == sorted(named[:55])
    assert not answer.get("PaginationToken")  # moto alone would cut this at 50 and hand out a token
    for combined in ({"ResourcesPerPage": 50}, {"ResourceTypeFilters": ["workspaces:workspace"]}):
        with pytest.raises(ClientError) as raised:
            tagging.get_resources(ResourceARNList=named[:1], **combined)
        assert error_code(raised) == "InvalidParameterException"
    with pytest.raises(ClientError) as raised:
        tagging.get_resources(ResourceARNList=[prefix + f"ws-{n:010d}" for n in range(101)])
    assert error_code(raised) == "InvalidParameterException"


def test_tags_of_unknown_resources(ws):
    for call, kwargs in (
        (ws.describe_tags, {}),
        (ws.create_tags, {"Tags": [{"Key": "a", "Value": "b"}]}),
        (ws.delete_tags, {"TagKeys": ["a"]}),
    ):
        with pytest.raises(ClientError) as raised:
            call(ResourceId="ws-000000000", **kwargs)
        assert error_code(raised) == "ResourceNotFoundException"


# -- Directories --------------------------------------------------------------------------------------------------


def test_registering_twice_is_a_clean_error(ws, directory):
    with pytest.raises(ClientError) as raised:
        ws.register_workspace_directory(DirectoryId=directory)
    assert error_code(raised) == "ResourceAlreadyExistsException"


def test_deregistering_a_directory_with_workspaces_is_refused(ws, directory):
    create(ws, directory)
    with pytest.raises(ClientError) as raised:
        ws.deregister_workspace_directory(DirectoryId=directory)
    assert error_code(raised) == "OperationNotSupportedException"


def test_modify_workspace_access_properties_merges(endpoint, ws):
    directory_id = endpoint.create_registered_directory(name="access.example.com")
    before = described_directory(ws, directory_id)["WorkspaceAccessProperties"]
    assert before["DeviceTypeWeb"] == "DENY" and before["DeviceTypeWindows"] == "ALLOW"
    endpoint.reset()
    ws.modify_workspace_access_properties(
        ResourceId=directory_id, WorkspaceAccessProperties={"DeviceTypeWeb": "ALLOW", "DeviceTypeLinux": "ALLOW"}
    )
    ws.modify_workspace_access_properties(ResourceId=directory_id, WorkspaceAccessProperties={"DeviceTypeOsx": "DENY"})
    expected = dict(before, DeviceTypeWeb="ALLOW", DeviceTypeLinux="ALLOW", DeviceTypeOsx="DENY")
    assert described_directory(ws, directory_id)["WorkspaceAccessProperties"] == expected
    assert endpoint.count("ModifyWorkspaceAccessProperties") == endpoint.mutating_calls() == 2
    with pytest.raises(ClientError) as raised:
        ws.modify_workspace_access_properties(
            ResourceId=directory_id, WorkspaceAccessProperties={"DeviceTypeIos": "DENY", "DeviceTypeWeb": "MAYBE"}
        )
    assert error_code(raised) == "InvalidParameterValuesException"
    assert described_directory(ws, directory_id)["WorkspaceAccessProperties"] == expected
    with pytest.raises(ClientError) as raised:
        ws.modify_workspace_access_properties(
            ResourceId="d-0000000000", WorkspaceAccessProperties={"DeviceTypeWeb": "ALLOW"}
        )
    assert error_code(raised) == "ResourceNotFoundException"


def test_selfservice_permissions_and_creation_properties_merge(endpoint, ws):
    directory_id = endpoint.create_registered_directory(name="merge.example.com")
    before = described_directory(ws, directory_id)
    ws.modify_selfservice_permissions(ResourceId=directory_id, SelfservicePermissions={"RebuildWorkspace": "ENABLED"})
    ws.modify_selfservice_permissions(ResourceId=directory_id, SelfservicePermissions={"RestartWorkspace": "DISABLED"})
    ou = "OU=WorkSpaces,DC=merge,DC=example,DC=com"
    ws.modify_workspace_creation_properties(ResourceId=directory_id, WorkspaceCreationProperties={"DefaultOu": ou})
    ws.modify_workspace_creation_properties(
        ResourceId=directory_id, WorkspaceCreationProperties={"EnableInternetAccess": True}
    )
    after = described_directory(ws, directory_id)
    assert after["SelfservicePermissions"] == dict(
        before["SelfservicePermissions"], RebuildWorkspace="ENABLED", RestartWorkspace="DISABLED"
    )
    assert after["WorkspaceCreationProperties"] == dict(
        before["WorkspaceCreationProperties"], DefaultOu=ou, EnableInternetAccess=True
    )
    assert after["WorkspaceCreationProperties"]["EnableMaintenanceMode"] is True  # untouched key kept
    for call, kwargs in (
        (ws.modify_selfservice_permissions, {"SelfservicePermissions": {"ChangeComputeType": "YES"}}),
        (ws.modify_workspace_creation_properties, {"WorkspaceCreationProperties": {"DefaultOu": ""}}),
    ):
        with pytest.raises(ClientError) as raised:
            call(ResourceId=directory_id, **kwargs)
        assert error_code(raised) == "InvalidParameterValuesException"
        with pytest.raises(ClientError) as raised:
            call(ResourceId="d-0000000000", **kwargs)
        assert error_code(raised) == "ResourceNotFoundException"
    assert described_directory(ws, directory_id) == after


def test_create_directory_without_registering_it(endpoint, ws):
    directory_id = endpoint.create_directory(name="unregistered.example.com")
    description = endpoint.client("ds").describe_directories(DirectoryIds=[directory_id])["DirectoryDescriptions"][0]
    assert description["Stage"] == "Active" and description["Name"] == "unregistered.example.com"
    assert len(description["VpcSettings"]["SubnetIds"]) == 2
    assert described_directory(ws, directory_id) is None
    answer = ws.register_workspace_directory(
        DirectoryId=directory_id, SubnetIds=description["VpcSettings"]["SubnetIds"]
    )
    assert answer["State"] == "REGISTERING"
    wait_for(lambda: described_directory(ws, directory_id)["State"] == "REGISTERED")
    with pytest.raises(ValueError):
        endpoint.create_directory(name="never.example.com", register=True, stage="Creating")


def test_directory_in_creating_stage_is_registered_once_active(endpoint, ws):
    with slow_transitions(endpoint, 0.4):
        directory_id = endpoint.create_directory(name="creating.example.com", stage="Creating")
        assert ds_stage(endpoint, directory_id) == "Creating"
        with pytest.raises(ClientError) as raised:
            ws.register_workspace_directory(DirectoryId=directory_id)
        assert error_code(raised) == "InvalidResourceStateException"
        assert described_directory(ws, directory_id) is None
        wait_for(lambda: ds_stage(endpoint, directory_id) == "Active")
        ws.register_workspace_directory(DirectoryId=directory_id)
        wait_for(lambda: described_directory(ws, directory_id)["State"] == "REGISTERED")
        # An explicit active_after wins over the delay; lasting stages such as Impaired stay.
        quick = endpoint.create_directory(name="quick.example.com", stage="Creating", active_after=0)
        assert ds_stage(endpoint, quick) == "Active"
    endpoint.set_directory_stage(quick, "Impaired")
    assert ds_stage(endpoint, quick) == "Impaired"
    for body, status in (
        ({"directory_id": quick, "stage": "Sleeping"}, 400),
        ({"directory_id": "d-0", "stage": "Active"}, 404),
    ):
        request = urllib.request.Request(
            f"{endpoint.url}/_endpoint/directory_stage", data=json.dumps(body).encode(), method="POST"
        )
        with pytest.raises(urllib.error.HTTPError) as raised:
            urllib.request.urlopen(request, timeout=10)
        assert raised.value.code == status


def test_describe_directories_pages_and_limits(endpoint):
    region = "ap-southeast-2"  # a region of its own: no directory of the other tests shows here
    ws = endpoint.client("workspaces", region)
    created = [endpoint.create_registered_directory(region=region, name=f"d{n}.example.com") for n in range(7)]
    first = ws.describe_workspace_directories()
    assert len(first["Directories"]) == DIRECTORIES_PAGE_SIZE == 5 and first["NextToken"]
    second = ws.describe_workspace_directories(NextToken=first["NextToken"])
    assert "NextToken" not in second
    assert [d["DirectoryId"] for d in first["Directories"] + second["Directories"]] == created
    paginator = ws.get_paginator("describe_workspace_directories")
    pages = list(paginator.paginate(Limit=3))
    assert len(pages) == 3 and [d["DirectoryId"] for page in pages for d in page["Directories"]] == created
    # DirectoryIds: up to 25, unknown ones left out, answers paged like the full list.
    wanted = [f"d-{n:010x}" for n in range(18)] + created[::-1]
    pages = list(paginator.paginate(DirectoryIds=wanted))
    assert [len(page["Directories"]) for page in pages] == [5, 2]
    assert [d["DirectoryId"] for page in pages for d in page["Directories"]] == created
    for kwargs in ({"DirectoryIds": [*wanted, "d-ffffffffff"]}, {"Limit": 26}, {"DirectoryIds": ["not-a-directory"]}):
        with pytest.raises(ClientError) as raised:
            ws.describe_workspace_directories(**kwargs)
        assert error_code(raised) == "ValidationException"
    with pytest.raises(ClientError) as raised:
        ws.describe_workspace_directories(NextToken="not-a-token")
    assert error_code(raised) == "InvalidParameterValuesException"


# -- Counters and faults ------------------------------------------------------------------------------------------


def test_counters_and_log(endpoint, ws, directory):
    endpoint.reset()
    ws.describe_workspaces(DirectoryId=directory)
    requests = new_requests(directory, 3)
    ws.create_workspaces(Workspaces=requests)
    calls = endpoint.calls()
    assert calls["counts"] == {"workspaces:DescribeWorkspaces": 1, "workspaces:CreateWorkspaces": 1}
    assert calls["mutating"] == endpoint.mutating_calls() == 1
    assert calls["log"][-1] == {
        "service": "workspaces",
        "action": "CreateWorkspaces",
        "status": 200,
        "items": 3,
        "fault": None,
    }
    assert endpoint.count("CreateWorkspaces") == endpoint.count("workspaces:CreateWorkspaces") == 1
    assert "workspaces:CreateWorkspaces" in MUTATING_ACTIONS and "workspaces:DescribeWorkspaces" not in MUTATING_ACTIONS
    endpoint.reset()
    assert endpoint.calls() == {"counts": {}, "mutating": 0, "log": []}


def test_throttling_happens_before_the_backend(endpoint, directory):
    ws = endpoint.client("workspaces", config=NO_RETRIES)
    endpoint.reset()
    endpoint.configure(throttle_rate=1.0, seed=7)
    user = new_user()
    with pytest.raises(ClientError) as raised:
        ws.create_workspaces(Workspaces=[{"DirectoryId": directory, "UserName": user, "BundleId": WINDOWS_BUNDLE_ID}])
    assert error_code(raised) == "ThrottlingException"
    assert raised.value.response["Error"]["Message"] == "Rate exceeded"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    endpoint.client("ec2", config=NO_RETRIES).describe_vpcs()  # setup services are not faulted by default
    assert endpoint.config()["throttle_rate"] == 1.0  # nor is the control API
    endpoint.configure(throttle_rate=0)
    assert not ws.describe_workspaces(DirectoryId=directory, UserName=user)["Workspaces"]
    log = [(e["action"], e["status"], e["fault"]) for e in endpoint.calls()["log"]]
    assert log == [
        ("CreateWorkspaces", 400, "throttle"),
        ("DescribeVpcs", 200, None),
        ("DescribeWorkspaces", 200, None),
    ]


def test_server_errors_and_fault_actions(endpoint, directory):
    ws = endpoint.client("workspaces", config=NO_RETRIES)
    endpoint.configure(error_rate=1.0, fault_actions=["DescribeWorkspaces"])
    create(ws, directory)
    with pytest.raises(ClientError) as raised:
        ws.describe_workspaces(DirectoryId=directory)
    assert (error_code(raised), raised.value.response["ResponseMetadata"]["HTTPStatusCode"]) in {
        ("InternalFailure", 500),
        ("ServiceUnavailable", 503),
    }


def test_dropped_response_after_the_call_was_applied(endpoint, directory):
    ws = endpoint.client("workspaces", config=NO_RETRIES)
    endpoint.configure(drop_response={"action": "CreateWorkspaces", "count": 1})
    user = new_user()
    with pytest.raises((ConnectionClosedError, EndpointConnectionError)):
        ws.create_workspaces(Workspaces=[{"DirectoryId": directory, "UserName": user, "BundleId": WINDOWS_BUNDLE_ID}])
    assert ws.describe_workspaces(DirectoryId=directory, UserName=user)["Workspaces"]
    assert endpoint.config()["drop_response"] is None
    create(ws, directory)


def test_latency_is_added(endpoint, ws):
    endpoint.configure(latency=0.3)
    started = time.monotonic()
    ws.describe_workspace_bundles()
    assert time.monotonic() - started >= 0.3


def test_bad_config_is_refused(endpoint):
    for body in ({"error_rate": 2}, {"no_such_knob": 1}, {"visibility_delay": -1}):
        request = urllib.request.Request(
            f"{endpoint.url}/_endpoint/config", data=json.dumps(body).encode(), method="POST"
        )
        with pytest.raises(urllib.error.HTTPError) as raised:
            urllib.request.urlopen(request, timeout=10)
        assert raised.value.code == 400


# -- Process life cycle -------------------------------------------------------------------------------------------


def test_stop_leaves_no_process_behind():
    running = Endpoint.start()
    port, process = running.port, running.process
    assert running.running
    running.stop()
    assert process.poll() == 0  # SIGTERM is a clean exit
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    running.stop()  # idempotent


def test_main_prints_the_port_without_a_port_file():
    env = dict(os.environ, PYTHONPATH=str(TESTS_DIR))
    process = subprocess.Popen(
        [sys.executable, "-m", "endpoint", "--port", "0"], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("PORT=") and int(line.split("=")[1]) > 0
    finally:
        process.terminate()
        assert process.wait(10) == 0
        process.stdout.close()
