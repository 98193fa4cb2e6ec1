"""bundle_info against a stubbed WorkSpaces client."""

from __future__ import annotations

import datetime

import pytest
from info_return_doc import always_returned, missing_keys

from ansible_collections.euc.workspaces.plugins.modules import bundle_info

CREATED = datetime.datetime(2024, 3, 1, 9, 0, tzinfo=datetime.timezone.utc)


def wsb(number: int) -> str:
    return f"wsb-{number:09d}"


def bundle(number: int, name: str | None = None, owner: str = "Amazon", **extra) -> dict:
    described = {
        "BundleId": wsb(number),
        "Name": name or f"Bundle {number}",
        "Owner": owner,
        "Description": f"bundle number {number}",
        "ImageId": f"wsi-{number:09d}",
        "RootStorage": {"Capacity": "80"},
        "UserStorage": {"Capacity": "50"},
        "ComputeType": {"Name": "STANDARD"},
        "State": "AVAILABLE",
        "BundleType": "REGULAR",
        "CreationTime": CREATED,
        "LastUpdatedTime": CREATED,
    }
    described.update(extra)
    return described


def page(items, token=None) -> dict:
    response = {"Bundles": items}
    if token:
        response["NextToken"] = token
    return response


def ids_of(result) -> list[str]:
    return [b["bundle_id"] for b in result["bundles"]]


def test_default_owner_any_lists_amazon_and_own_bundles_each_once(aws, run_module):
    aws.add("describe_workspace_bundles", page([bundle(1), bundle(2)], "a1"), {"Owner": "AMAZON"})
    aws.add("describe_workspace_bundles", page([bundle(3)]), {"Owner": "AMAZON", "NextToken": "a1"})
    # The account's own listing: one of its bundles is also in the public one (shared), listed once only.
    aws.add("describe_workspace_bundles", page([bundle(10, owner="123456789012"), bundle(2)]), {})

    result = run_module(bundle_info, {})

    assert result["changed"] is False
    assert ids_of(result) == [wsb(1), wsb(2), wsb(3), wsb(10)]
    assert aws.sent.count(("workspaces", "DescribeWorkspaceBundles")) == 3
    aws.assert_all_used()


def test_owner_amazon_follows_every_page(aws, run_module):
    aws.add("describe_workspace_bundles", page([bundle(1)], "t1"), {"Owner": "AMAZON"})
    aws.add("describe_workspace_bundles", page([bundle(2)], "t2"), {"Owner": "AMAZON", "NextToken": "t1"})
    aws.add("describe_workspace_bundles", page([bundle(3)]), {"Owner": "AMAZON", "NextToken": "t2"})

    result = run_module(bundle_info, {"owner": "amazon"})

    assert ids_of(result) == [wsb(1), wsb(2), wsb(3)]
    aws.assert_all_used()


def test_owner_self_sends_no_owner(aws, run_module):
    aws.add("describe_workspace_bundles", page([bundle(10, owner="123456789012")]), {})

    result = run_module(bundle_info, {"owner": "self"})

    assert ids_of(result) == [wsb(10)]
    aws.assert_all_used()


def test_bundle_ids_are_read_25_per_call_in_the_given_order(aws, run_module):
    wanted = [wsb(n) for n in range(30, 0, -1)]
    ordered = sorted(wanted)
    aws.add("describe_workspace_bundles", page([bundle(int(i[4:])) for i in ordered[:25]]), {"BundleIds": ordered[:25]})
    aws.add("describe_workspace_bundles", page([bundle(int(i[4:])) for i in ordered[25:]]), {"BundleIds": ordered[25:]})

    result = run_module(bundle_info, {"bundle_ids": wanted})

    assert ids_of(result) == wanted
    aws.assert_all_used()


def test_unknown_bundle_ids_give_an_empty_list(aws, run_module):
    aws.add("describe_workspace_bundles", page([]), {"BundleIds": [wsb(404)]})

    result = run_module(bundle_info, {"bundle_ids": [wsb(404)]})

    assert result["bundles"] == []
    aws.assert_all_used()


def test_an_empty_id_list_matches_nothing_without_a_call(aws, run_module):
    result = run_module(bundle_info, {"bundle_ids": []})

    assert result["bundles"] == []
    assert aws.sent == []


def test_name_keeps_exact_matches_only(aws, run_module):
    aws.add(
        "describe_workspace_bundles",
        page([bundle(1, "Standard"), bundle(2, "Standard with Office"), bundle(3, "standard"), bundle(4, "Standard")]),
        {"Owner": "AMAZON"},
    )

    result = run_module(bundle_info, {"owner": "amazon", "name": "Standard"})

    assert ids_of(result) == [wsb(1), wsb(4)]
    aws.assert_all_used()


def test_name_with_bundle_ids(aws, run_module):
    aws.add("describe_workspace_bundles", page([bundle(1, "A"), bundle(2, "B")]), {"BundleIds": [wsb(1), wsb(2)]})

    result = run_module(bundle_info, {"bundle_ids": [wsb(1), wsb(2)], "name": "B"})

    assert ids_of(result) == [wsb(2)]


def test_name_matching_nothing_gives_an_empty_list(aws, run_module):
    aws.add("describe_workspace_bundles", page([bundle(1, "A")]), {})

    result = run_module(bundle_info, {"owner": "self", "name": "Z"})

    assert result["bundles"] == []


def test_bundle_ids_and_owner_are_mutually_exclusive(aws, run_module):
    result = run_module(bundle_info, {"bundle_ids": [wsb(1)], "owner": "amazon"})

    assert result["failed"] is True
    assert "bundle_ids" in result["msg"]
    assert "owner" in result["msg"]
    assert aws.sent == []


def test_unknown_owner_is_refused(aws, run_module):
    result = run_module(bundle_info, {"owner": "AMAZON"})

    assert result["failed"] is True
    assert "owner" in result["msg"]
    assert aws.sent == []


@pytest.mark.parametrize("bad", ["wsb-short", "WSB-0123456789", "ws-0123456789", ""])
def test_malformed_bundle_ids_fail_before_any_call(aws, run_module, bad):
    result = run_module(bundle_info, {"bundle_ids": [wsb(1), bad]})

    assert result["failed"] is True
    assert "bundle_ids" in result["msg"]
    assert "wsb- followed by" in result["msg"]
    assert aws.sent == []


def test_throttling_is_retried_then_succeeds(aws, run_module):
    aws.add_error("describe_workspace_bundles", "ThrottlingException", "Rate exceeded")
    aws.add("describe_workspace_bundles", page([bundle(1)]), {"Owner": "AMAZON"})

    result = run_module(bundle_info, {"owner": "amazon"})

    assert ids_of(result) == [wsb(1)]
    aws.assert_all_used()


def test_failed_second_query_of_any_fails_the_task(aws, run_module):
    aws.add("describe_workspace_bundles", page([bundle(1)]), {"Owner": "AMAZON"})
    aws.add_error("describe_workspace_bundles", "AccessDeniedException", "no")

    result = run_module(bundle_info, {})

    assert result["failed"] is True
    assert result["error"]["code"] == "AccessDeniedException"
    assert "bundles" not in result


def test_failed_second_page_fails_the_task(aws, run_module):
    aws.add("describe_workspace_bundles", page([bundle(1)], "t1"), {"Owner": "AMAZON"})
    aws.add_error("describe_workspace_bundles", "InvalidParameterValuesException", "bad token")

    result = run_module(bundle_info, {"owner": "amazon"})

    assert result["failed"] is True
    assert result["error"]["code"] == "InvalidParameterValuesException"
    assert "bundles" not in result


def test_results_are_flattened_snake_case(aws, run_module):
    aws.add("describe_workspace_bundles", page([bundle(1), {"BundleId": wsb(2)}]), {"Owner": "AMAZON"})

    result = run_module(bundle_info, {"owner": "amazon"})

    full, bare = result["bundles"]
    assert full["compute_type"] == "STANDARD"
    assert full["root_storage"] == "80"
    assert full["user_storage"] == "50"
    assert full["creation_time"].startswith("2024-03-01T09:00:00")
    assert full["owner"] == "Amazon"
    assert bare["compute_type"] is None
    assert bare["name"] is None
    assert bare["creation_time"] is None


def test_check_mode_reads_the_same_and_changes_nothing(aws, run_module):
    for _run in range(2):
        aws.add("describe_workspace_bundles", page([bundle(1)]), {"Owner": "AMAZON"})

    normal = run_module(bundle_info, {"owner": "amazon"})
    checked = run_module(bundle_info, {"owner": "amazon"}, check_mode=True)

    assert checked["bundles"] == normal["bundles"]
    assert checked["changed"] is False
    assert aws.mutating_calls() == []
    aws.assert_all_used()


def test_keys_documented_as_always_returned_are_present(aws, run_module):
    promised = always_returned(bundle_info)
    assert {"bundle_id", "compute_type", "root_storage", "creation_time"} <= set(promised["bundles"])
    aws.add("describe_workspace_bundles", page([bundle(1), {"BundleId": wsb(2)}]), {"Owner": "AMAZON"})

    result = run_module(bundle_info, {"owner": "amazon"})

    assert missing_keys(result, promised) == []
