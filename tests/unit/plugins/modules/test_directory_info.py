"""directory_info against a stubbed WorkSpaces client."""

from __future__ import annotations

import pytest
from info_return_doc import always_returned, missing_keys

from ansible_collections.euc.workspaces.plugins.modules import directory_info


def d_id(number: int) -> str:
    return f"d-{number:010x}"


def directory(number: int, **extra) -> dict:
    described = {
        "DirectoryId": d_id(number),
        "Alias": f"corp{number}",
        "DirectoryName": f"corp{number}.example.com",
        "RegistrationCode": f"SLiad+ABC{number}",
        "SubnetIds": ["subnet-0a1b2c3d", "subnet-4e5f6a7b"],
        "DnsIpAddresses": ["10.0.0.10", "10.0.1.10"],
        "CustomerUserName": "Administrator",
        "IamRoleId": "arn:aws:iam::123456789012:role/workspaces_DefaultRole",
        "DirectoryType": "SIMPLE_AD",
        "WorkspaceSecurityGroupId": "sg-0a1b2c3d4e5f",
        "State": "REGISTERED",
        "WorkspaceCreationProperties": {"EnableInternetAccess": False, "UserEnabledAsLocalAdministrator": True},
        "ipGroupIds": ["wsipg-abc12345"],
        "WorkspaceAccessProperties": {"DeviceTypeWindows": "ALLOW", "DeviceTypeWeb": "DENY"},
        "Tenancy": "SHARED",
        "SelfservicePermissions": {"RestartWorkspace": "ENABLED", "RebuildWorkspace": "DISABLED"},
    }
    described.update(extra)
    return described


def page(items, token=None) -> dict:
    response = {"Directories": items}
    if token:
        response["NextToken"] = token
    return response


def ids_of(result) -> list[str]:
    return [d["directory_id"] for d in result["directories"]]


def test_lists_every_registered_directory_over_all_pages(aws, run_module):
    aws.add("describe_workspace_directories", page([directory(1)], "t1"), {})
    aws.add("describe_workspace_directories", page([directory(2)], "t2"), {"NextToken": "t1"})
    aws.add("describe_workspace_directories", page([directory(3)]), {"NextToken": "t2"})

    result = run_module(directory_info, {})

    assert result["changed"] is False
    assert ids_of(result) == [d_id(1), d_id(2), d_id(3)]
    aws.assert_all_used()


def test_results_are_snake_case(aws, run_module):
    aws.add("describe_workspace_directories", page([directory(1)]), {})

    result = run_module(directory_info, {})

    (found,) = result["directories"]
    assert found["registration_code"] == "SLiad+ABC1"
    assert found["dns_ip_addresses"] == ["10.0.0.10", "10.0.1.10"]
    assert found["ip_group_ids"] == ["wsipg-abc12345"]
    assert found["iam_role_id"].endswith("workspaces_DefaultRole")
    assert found["workspace_creation_properties"] == {
        "enable_internet_access": False,
        "user_enabled_as_local_administrator": True,
    }
    assert found["selfservice_permissions"]["restart_workspace"] == "ENABLED"
    assert found["workspace_access_properties"]["device_type_web"] == "DENY"
    assert "tags" not in found


def test_directory_ids_are_read_25_per_call_in_the_given_order(aws, run_module):
    wanted = [d_id(n) for n in range(27, 0, -1)]
    ordered = sorted(wanted)
    aws.add(
        "describe_workspace_directories",
        page([directory(int(i[2:], 16)) for i in ordered[:25]]),
        {"DirectoryIds": ordered[:25]},
    )
    aws.add(
        "describe_workspace_directories", page([directory(int(ordered[25][2:], 16))]), {"DirectoryIds": ordered[25:]}
    )

    result = run_module(directory_info, {"directory_ids": wanted})

    assert ids_of(result) == [i for i in wanted if i != ordered[26]]  # the last one is not registered
    aws.assert_all_used()


def test_unknown_directory_ids_give_an_empty_list(aws, run_module):
    aws.add("describe_workspace_directories", page([]), {"DirectoryIds": [d_id(404)]})

    result = run_module(directory_info, {"directory_ids": [d_id(404)]})

    assert result["directories"] == []
    aws.assert_all_used()


def test_an_empty_id_list_matches_nothing_without_a_call(aws, run_module):
    result = run_module(directory_info, {"directory_ids": []})

    assert result["directories"] == []
    assert aws.sent == []


def test_no_registered_directory_gives_an_empty_list(aws, run_module):
    aws.add("describe_workspace_directories", page([]), {})

    result = run_module(directory_info, {"include_tags": True})

    assert result["directories"] == []
    assert aws.sent == [("workspaces", "DescribeWorkspaceDirectories")]


@pytest.mark.parametrize("bad", ["d-123", "d-XYZXYZXYZX", "wsd-SHOUT12345", "sd-1234567890"])
def test_malformed_directory_ids_fail_before_any_call(aws, run_module, bad):
    result = run_module(directory_info, {"directory_ids": [d_id(1), bad]})

    assert result["failed"] is True
    assert "directory_ids" in result["msg"]
    assert repr(bad) in result["msg"]
    assert aws.sent == []


def test_wsd_ids_are_accepted(aws, run_module):
    aws.add("describe_workspace_directories", page([]), {"DirectoryIds": ["wsd-abc123xyz"]})

    result = run_module(directory_info, {"directory_ids": ["wsd-abc123xyz"]})

    assert result["directories"] == []
    aws.assert_all_used()


def test_tags_are_read_for_every_directory(aws, run_module):
    aws.add("describe_workspace_directories", page([directory(1), directory(2)]), {})
    aws.add("describe_tags", {"TagList": [{"Key": "site", "Value": "hq"}]}, {"ResourceId": d_id(1)})
    aws.add("describe_tags", {"TagList": []}, {"ResourceId": d_id(2)})

    result = run_module(directory_info, {"include_tags": True})

    assert [d["tags"] for d in result["directories"]] == [{"site": "hq"}, {}]
    aws.assert_all_used()


def test_throttled_tags_are_retried(aws, run_module):
    aws.add("describe_workspace_directories", page([directory(1)]), {})
    aws.add_error("describe_tags", "ThrottlingException", "Rate exceeded")
    aws.add("describe_tags", {"TagList": [{"Key": "site", "Value": "hq"}]}, {"ResourceId": d_id(1)})

    result = run_module(directory_info, {"include_tags": True})

    assert result["directories"][0]["tags"] == {"site": "hq"}
    aws.assert_all_used()


def test_throttling_is_retried_then_succeeds(aws, run_module):
    aws.add("describe_workspace_directories", page([directory(1)], "t1"), {})
    aws.add_error("describe_workspace_directories", "ThrottlingException", "Rate exceeded")
    aws.add("describe_workspace_directories", page([directory(2)]), {"NextToken": "t1"})

    result = run_module(directory_info, {})

    assert ids_of(result) == [d_id(1), d_id(2)]
    aws.assert_all_used()


def test_failed_second_page_fails_the_task(aws, run_module):
    aws.add("describe_workspace_directories", page([directory(1)], "t1"), {})
    aws.add_error("describe_workspace_directories", "AccessDeniedException", "no")

    result = run_module(directory_info, {})

    assert result["failed"] is True
    assert result["error"]["code"] == "AccessDeniedException"
    assert "directories" not in result


def test_a_failed_tag_read_fails_the_task(aws, run_module):
    aws.add("describe_workspace_directories", page([directory(1)]), {})
    aws.add_error("describe_tags", "AccessDeniedException", "no")

    result = run_module(directory_info, {"include_tags": True})

    assert result["failed"] is True
    assert result["error"]["code"] == "AccessDeniedException"


def test_check_mode_reads_the_same_and_changes_nothing(aws, run_module):
    for _run in range(2):
        aws.add("describe_workspace_directories", page([directory(1)]), {})

    normal = run_module(directory_info, {})
    checked = run_module(directory_info, {}, check_mode=True)

    assert checked["directories"] == normal["directories"]
    assert checked["changed"] is False
    assert aws.mutating_calls() == []


def test_keys_documented_as_always_returned_are_present(aws, run_module):
    promised = always_returned(directory_info)
    assert {"directory_id", "registration_code", "workspace_creation_properties"} <= set(promised["directories"])
    aws.add("describe_workspace_directories", page([directory(1), {"DirectoryId": d_id(2)}]), {})

    result = run_module(directory_info, {})

    assert missing_keys(result, promised) == []
