"""What keeps fleet-sized batches cheap (docs/performance.md): the fixes the benchmark found, each pinned here.

- A directory listing is indexed by user name once, so finding the WorkSpace of each of N items is not a scan of
  the whole listing per item (N * N).
- A create answered with PendingRequests is not read again at once when the task does not wait.
- unique() keeps first-seen order without comparing every value with every other.
- API shapes become snake_case with each key name converted once, not once per key of every WorkSpace.
"""

from __future__ import annotations

import copy
import datetime

import pytest
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.amazon.aws.plugins.module_utils.transformation import boto3_resource_to_ansible_dict

from ansible_collections.euc.workspaces.plugins.module_utils import transformations
from ansible_collections.euc.workspaces.plugins.module_utils.actions import Executor, find_workspaces
from ansible_collections.euc.workspaces.plugins.module_utils.client import RETRY
from ansible_collections.euc.workspaces.plugins.module_utils.planner import (
    Item,
    Listing,
    Refusal,
    find_current,
    plan_item,
    unique,
    users_named,
)

D = "d-1234567890"
B = "wsb-0123abcd4"


def wid(number: int) -> str:
    return f"ws-{number:010d}"


def ws(number: int, user: str | None = None, state: str = "AVAILABLE", **extra) -> dict:
    return {
        "WorkspaceId": wid(number),
        "DirectoryId": D,
        "UserName": user or f"user{number}",
        "BundleId": B,
        "State": state,
        **extra,
    }


def item(index=None, **values) -> Item:
    values.setdefault("directory_id", D)
    values.setdefault("bundle_id", B)
    return Item.from_values(index, values, explicit=tuple(values))


class NoScan(Listing):
    """A Listing that fails when anything walks through it after it was indexed."""

    def __init__(self, workspaces):
        super().__init__(workspaces)
        self.indexed = True

    def __iter__(self):
        if getattr(self, "indexed", False):
            raise AssertionError("the listing was scanned instead of looked up")
        return super().__iter__()


@pytest.fixture
def client(aws):
    return RetryingBotoClientWrapper(aws.client("workspaces"), RETRY)


# -- the index ------------------------------------------------------------------------------------------------


def test_listing_is_a_list_and_indexes_users_without_case():
    listing = Listing([ws(1, "JDoe"), ws(2, "asmith"), ws(3, "jdoe", WorkspaceName="second")])
    assert listing == [ws(1, "JDoe"), ws(2, "asmith"), ws(3, "jdoe", WorkspaceName="second")]
    assert [w["WorkspaceId"] for w in users_named(listing, "jdoe")] == [wid(1), wid(3)]
    assert users_named(listing, "nobody") == []
    assert [w["WorkspaceId"] for w in users_named(list(listing), "jdoe")] == [wid(1), wid(3)]  # plain list: scanned


def test_find_current_uses_the_index_not_a_scan():
    listing = NoScan([ws(n) for n in range(500)] + [ws(900, "Mixed.Case")])
    assert find_current(item(user_name="user42"), {}, {D: listing})["WorkspaceId"] == wid(42)
    assert find_current(item(user_name="MIXED.case"), {}, {D: listing})["WorkspaceId"] == wid(900)
    assert find_current(item(user_name="absent"), {}, {D: listing}) is None


def test_the_index_gives_the_same_answers_as_a_scan_for_ambiguous_users():
    listing = [
        ws(1, "jdoe", WorkspaceName="one"),
        ws(2, "JDOE", WorkspaceName="two"),
        ws(3, "old", state="TERMINATED"),
        ws(4, "old"),
    ]
    for listed in (listing, Listing(listing)):
        assert find_current(item(user_name="jdoe", workspace_name="two"), {}, {D: listed})["WorkspaceId"] == wid(2)
        assert find_current(item(user_name="old"), {}, {D: listed})["WorkspaceId"] == wid(4)
        with pytest.raises(Refusal, match="has 2 WorkSpaces"):
            find_current(item(user_name="Jdoe"), {}, {D: listed})


def test_find_workspaces_reads_one_listing_and_matches_every_item(aws, client):
    listed = [ws(n) for n in range(60)]
    aws.add("describe_workspaces", {"Workspaces": listed[:25], "NextToken": "t1"}, {"DirectoryId": D})
    aws.add(
        "describe_workspaces", {"Workspaces": listed[25:50], "NextToken": "t2"}, {"DirectoryId": D, "NextToken": "t1"}
    )
    aws.add("describe_workspaces", {"Workspaces": listed[50:]}, {"DirectoryId": D, "NextToken": "t2"})
    items = [item(index, user_name=f"USER{index}") for index in range(0, 70, 3)]
    currents, refusals = find_workspaces(client, items)
    aws.assert_all_used()
    assert refusals == [None] * len(items)
    assert [c and c["WorkspaceId"] for c in currents] == [wid(i) if i < 60 else None for i in range(0, 70, 3)]


# -- creates that do not wait -----------------------------------------------------------------------------------


def test_creates_without_wait_are_not_read_again(aws, client):
    requests = [{"DirectoryId": D, "UserName": f"user{n}", "BundleId": B} for n in range(60)]
    for start in (0, 25, 50):
        chunk = requests[start : start + 25]
        pending = [ws(n, state="PENDING") for n in range(start, start + len(chunk))]
        aws.add("create_workspaces", {"PendingRequests": pending, "FailedRequests": []}, {"Workspaces": chunk})
    plans = [plan_item(item(n, user_name=f"user{n}"), None, wait=False) for n in range(60)]
    records = Executor(client, lambda ids: {}, wait=False, sleep=lambda seconds: None).run(plans)
    aws.assert_all_used()
    assert [name for _service, name in aws.sent] == ["CreateWorkspaces"] * 3  # no DescribeWorkspaces afterwards
    assert all(r.done == ["create"] and r.workspace["State"] == "PENDING" for r in records)
    assert [r.workspace_id for r in records] == [wid(n) for n in range(60)]


# -- unique ------------------------------------------------------------------------------------------------------


def test_unique_keeps_the_first_order():
    assert unique(["tag", "create", "tag", "modify", "create"]) == ["tag", "create", "modify"]
    assert unique(iter([])) == []
    warnings = [f"warning {n % 7}" for n in range(5000)]
    assert unique(warnings) == [f"warning {n}" for n in range(7)]


# -- API shapes to results --------------------------------------------------------------------------------------


def test_the_fast_conversion_gives_what_amazon_aws_gives():
    when = datetime.datetime(2026, 1, 5, 10, 12, 30, tzinfo=datetime.timezone.utc)
    resources = [
        {},
        {"WorkspaceId": "ws-0000000001", "State": "PENDING"},
        {
            "WorkspaceId": "ws-0000000001",
            "IpAddress": "10.0.0.7",
            "RootVolumeEncryptionEnabled": False,
            "WorkspaceProperties": {"RunningMode": "AUTO_STOP", "RootVolumeSizeGib": 80, "Protocols": ["PCOIP", "WSP"]},
            "ModificationStates": [{"Resource": "COMPUTE_TYPE", "State": "UPDATE_INITIATED"}],
            "DataReplicationSettings": {"DataReplication": "NO_REPLICATION", "RecoverySnapshotTime": when},
            "RelatedWorkspaces": [{"WorkspaceId": "ws-0000000002", "Type": "STANDBY", "Nested": [[{"ABCDef": 1}]]}],
            "TargetGroupARNs": ["arn:1"],
            "already_snake": None,
            "Tags": [{"Key": "CamelKey", "Value": "v"}],
        },
    ]
    for resource in resources:
        before = copy.deepcopy(resource)
        assert transformations.resource_to_snake_dict(resource) == boto3_resource_to_ansible_dict(
            resource, force_tags=False
        )
        assert resource == before  # the input is not changed


def test_normalize_workspace_converts_each_key_name_once():
    transformations.snake_key.cache_clear()
    fleet = [{"WorkspaceId": wid(n), "WorkspaceProperties": {"RunningMode": "AUTO_STOP"}} for n in range(300)]
    results = [transformations.normalize_workspace(workspace) for workspace in fleet]
    assert results[299]["workspace_id"] == wid(299)
    assert results[0]["workspace_properties"] == {"running_mode": "AUTO_STOP"}
    assert transformations.snake_key.cache_info().misses == 3  # WorkspaceId, WorkspaceProperties, RunningMode
