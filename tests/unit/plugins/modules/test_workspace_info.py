"""workspace_info against stubbed WorkSpaces and tagging clients."""

from __future__ import annotations

import datetime

import pytest
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from info_return_doc import always_returned, missing_keys

from ansible_collections.euc.workspaces.plugins.modules import workspace_info

DIRECTORY = "d-1234567890"
OTHER_DIRECTORY = "d-abcdef0123"
BUNDLE = "wsb-0123abcd4"


def ws_id(number: int) -> str:
    return f"ws-{number:010d}"


def workspace(number: int, state: str = "AVAILABLE", directory: str = DIRECTORY, **extra) -> dict:
    described = {
        "WorkspaceId": ws_id(number),
        "DirectoryId": directory,
        "UserName": f"user{number}",
        "State": state,
        "BundleId": BUNDLE,
        "IpAddress": f"10.0.0.{number % 250}",
        "ComputerName": f"WS{number:05d}",
        "SubnetId": "subnet-0a1b2c3d",
        "WorkspaceProperties": {"RunningMode": "AUTO_STOP", "RunningModeAutoStopTimeoutInMinutes": 60},
    }
    described.update(extra)
    return described


def page(items, token=None) -> dict:
    response = {"Workspaces": items}
    if token:
        response["NextToken"] = token
    return response


def ids_of(result) -> list[str]:
    return [ws["workspace_id"] for ws in result["workspaces"]]


# --- listing, pagination, retries ---------------------------------------------------------------------------


def test_lists_every_page_to_the_end(aws, run_module):
    aws.add("describe_workspaces", page([workspace(1), workspace(2)], "t1"), {"DirectoryId": DIRECTORY})
    aws.add("describe_workspaces", page([workspace(3)], "t2"), {"DirectoryId": DIRECTORY, "NextToken": "t1"})
    aws.add("describe_workspaces", page([workspace(4), workspace(5)]), {"DirectoryId": DIRECTORY, "NextToken": "t2"})

    result = run_module(workspace_info, {"directory_id": DIRECTORY})

    assert result["changed"] is False
    assert ids_of(result) == [ws_id(n) for n in range(1, 6)]
    assert aws.sent.count(("workspaces", "DescribeWorkspaces")) == 3
    aws.assert_all_used()


def test_no_filter_lists_the_whole_region(aws, run_module):
    aws.add("describe_workspaces", page([workspace(1)], "t1"), {})
    aws.add("describe_workspaces", page([workspace(2, directory=OTHER_DIRECTORY)]), {"NextToken": "t1"})

    result = run_module(workspace_info, {})

    assert ids_of(result) == [ws_id(1), ws_id(2)]
    assert [ws["directory_id"] for ws in result["workspaces"]] == [DIRECTORY, OTHER_DIRECTORY]
    aws.assert_all_used()


def test_throttling_is_retried_then_succeeds(aws, run_module):
    aws.add("describe_workspaces", page([workspace(1)], "t1"), {"DirectoryId": DIRECTORY})
    aws.add_error("describe_workspaces", "ThrottlingException", "Rate exceeded")
    aws.add_error("describe_workspaces", "ThrottlingException", "Rate exceeded")
    aws.add("describe_workspaces", page([workspace(2)]), {"DirectoryId": DIRECTORY, "NextToken": "t1"})

    result = run_module(workspace_info, {"directory_id": DIRECTORY})

    assert not result.get("failed")
    assert ids_of(result) == [ws_id(1), ws_id(2)]
    assert aws.sent.count(("workspaces", "DescribeWorkspaces")) == 4
    aws.assert_all_used()


def test_failed_second_page_fails_the_task_with_the_error_code(aws, run_module):
    aws.add("describe_workspaces", page([workspace(1), workspace(2)], "t1"), {"DirectoryId": DIRECTORY})
    aws.add_error("describe_workspaces", "AccessDeniedException", "not allowed")

    result = run_module(workspace_info, {"directory_id": DIRECTORY})

    assert result["failed"] is True
    assert result["error"]["code"] == "AccessDeniedException"
    assert "workspaces" not in result
    assert "list WorkSpaces" in result["msg"]
    aws.assert_all_used()


def test_throttling_that_never_ends_fails_instead_of_returning_a_partial_list(aws, run_module):
    aws.add("describe_workspaces", page([workspace(1)], "t1"), {"DirectoryId": DIRECTORY})
    for _attempt in range(8):  # client.RETRY makes 8 attempts in all
        aws.add_error("describe_workspaces", "ThrottlingException", "Rate exceeded")

    result = run_module(workspace_info, {"directory_id": DIRECTORY})

    assert result["failed"] is True
    assert result["error"]["code"] == "ThrottlingException"
    assert "workspaces" not in result
    aws.assert_all_used()


def test_nothing_matching_gives_an_empty_list(aws, run_module):
    aws.add("describe_workspaces", page([]), {"BundleId": BUNDLE})

    result = run_module(workspace_info, {"bundle_id": BUNDLE})

    assert result["workspaces"] == []
    assert result["changed"] is False
    aws.assert_all_used()


def test_unknown_well_formed_ids_give_an_empty_list(aws, run_module):
    aws.add("describe_workspaces", page([]), {"WorkspaceIds": [ws_id(99)]})

    result = run_module(workspace_info, {"workspace_ids": [ws_id(99)]})

    assert result["workspaces"] == []
    aws.assert_all_used()


# --- workspace_ids --------------------------------------------------------------------------------------------


def test_more_than_25_ids_are_read_25_per_call_and_returned_in_the_given_order(aws, run_module):
    wanted = [ws_id(n) for n in range(60, 0, -1)]  # 60 IDs, deliberately not sorted
    chunks = [sorted(wanted)[0:25], sorted(wanted)[25:50], sorted(wanted)[50:60]]
    for chunk in chunks:
        found = [workspace(int(i[3:])) for i in chunk if i != ws_id(7)]  # ws 7 does not exist
        aws.add("describe_workspaces", page(found), {"WorkspaceIds": chunk})

    result = run_module(workspace_info, {"workspace_ids": wanted})

    assert ids_of(result) == [i for i in wanted if i != ws_id(7)]
    assert aws.sent.count(("workspaces", "DescribeWorkspaces")) == 3
    aws.assert_all_used()


def test_each_chunk_of_ids_follows_its_own_pages(aws, run_module):
    wanted = [ws_id(n) for n in range(1, 27)]
    aws.add("describe_workspaces", page([workspace(1)], "more"), {"WorkspaceIds": wanted[:25]})
    aws.add("describe_workspaces", page([workspace(2)]), {"WorkspaceIds": wanted[:25], "NextToken": "more"})
    aws.add("describe_workspaces", page([workspace(26)]), {"WorkspaceIds": wanted[25:]})

    result = run_module(workspace_info, {"workspace_ids": wanted})

    assert ids_of(result) == [ws_id(1), ws_id(2), ws_id(26)]
    aws.assert_all_used()


def test_duplicate_ids_are_read_once(aws, run_module):
    aws.add("describe_workspaces", page([workspace(1)]), {"WorkspaceIds": [ws_id(1)]})

    result = run_module(workspace_info, {"workspace_ids": [ws_id(1), ws_id(1)]})

    assert ids_of(result) == [ws_id(1)]
    aws.assert_all_used()


def test_an_empty_id_list_matches_nothing_without_a_call(aws, run_module):
    result = run_module(workspace_info, {"workspace_ids": []})

    assert result["workspaces"] == []
    assert aws.sent == []


# --- filter families ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"directory_id": DIRECTORY}, {"DirectoryId": DIRECTORY}),
        ({"directory_id": DIRECTORY, "user_name": "jdoe"}, {"DirectoryId": DIRECTORY, "UserName": "jdoe"}),
        ({"bundle_id": BUNDLE}, {"BundleId": BUNDLE}),
        ({"workspace_name": "finance-desk-01"}, {"WorkspaceName": "finance-desk-01"}),
        ({}, {}),
    ],
)
def test_each_filter_family_is_sent_as_the_api_expects(aws, run_module, args, expected):
    aws.add("describe_workspaces", page([workspace(1)]), expected)

    result = run_module(workspace_info, args)

    assert ids_of(result) == [ws_id(1)]
    aws.assert_all_used()


@pytest.mark.parametrize(
    ("args", "named"),
    [
        ({"workspace_ids": [ws_id(1)], "directory_id": DIRECTORY}, ["workspace_ids", "directory_id"]),
        ({"directory_id": DIRECTORY, "bundle_id": BUNDLE}, ["directory_id", "bundle_id"]),
        ({"bundle_id": BUNDLE, "workspace_name": "desk"}, ["bundle_id", "workspace_name"]),
        ({"workspace_ids": [ws_id(1)], "workspace_name": "desk"}, ["workspace_ids", "workspace_name"]),
        ({"directory_id": DIRECTORY, "user_name": "jdoe", "bundle_id": BUNDLE}, ["directory_id", "bundle_id"]),
        ({"workspace_ids": [], "bundle_id": BUNDLE}, ["workspace_ids", "bundle_id"]),
        ({"user_name": "jdoe"}, ["user_name", "directory_id"]),
        ({"user_name": "jdoe", "bundle_id": BUNDLE}, ["user_name", "directory_id"]),
    ],
)
def test_wrong_filter_combinations_fail_before_any_call(aws, run_module, args, named):
    result = run_module(workspace_info, args)

    assert result["failed"] is True
    for option in named:
        assert option in result["msg"]
    assert aws.sent == []


@pytest.mark.parametrize(
    ("args", "named", "expected"),
    [
        ({"workspace_ids": [ws_id(1), "ws-BAD"]}, "workspace_ids", "ws- followed by"),
        ({"workspace_ids": ["i-0123456789"]}, "workspace_ids", "ws- followed by"),
        ({"directory_id": "d-12345"}, "directory_id", "d- followed by"),
        ({"directory_id": "d-ZZZZZZZZZZ"}, "directory_id", "hex digits"),
        ({"bundle_id": "bundle-1"}, "bundle_id", "wsb- followed by"),
        ({"workspace_name": "-starts-with-dash"}, "workspace_name", "WorkSpace name"),
        ({"directory_id": DIRECTORY, "user_name": "u" * 64}, "user_name", "63 characters"),
        ({"directory_id": DIRECTORY, "user_name": "  "}, "user_name", "empty"),
    ],
)
def test_malformed_values_fail_before_any_call_naming_the_option(aws, run_module, args, named, expected):
    result = run_module(workspace_info, args)

    assert result["failed"] is True
    assert named in result["msg"]
    assert expected in result["msg"]
    assert aws.sent == []


def test_every_malformed_id_is_reported_at_once(aws, run_module):
    result = run_module(workspace_info, {"workspace_ids": ["ws-1", "ws-2", ws_id(3)]})

    assert "'ws-1'" in result["msg"]
    assert "'ws-2'" in result["msg"]
    assert ws_id(3) not in result["msg"]
    assert aws.sent == []


def test_unknown_state_is_refused_before_any_call(aws, run_module):
    result = run_module(workspace_info, {"states": ["RUNNING"]})

    assert result["failed"] is True
    assert "states" in result["msg"]
    assert aws.sent == []


# --- states ---------------------------------------------------------------------------------------------------


def test_states_keep_only_workspaces_in_those_states(aws, run_module):
    aws.add(
        "describe_workspaces",
        page([workspace(1, "AVAILABLE"), workspace(2, "STOPPED"), workspace(3, "ERROR"), workspace(4, "PENDING")]),
        {"DirectoryId": DIRECTORY},
    )

    result = run_module(workspace_info, {"directory_id": DIRECTORY, "states": ["STOPPED", "ERROR"]})

    assert ids_of(result) == [ws_id(2), ws_id(3)]
    assert [ws["state"] for ws in result["workspaces"]] == ["STOPPED", "ERROR"]
    aws.assert_all_used()


def test_states_filter_applies_before_tags_are_read(aws, run_module):
    aws.add("describe_workspaces", page([workspace(1, "AVAILABLE"), workspace(2, "STOPPED")]), {})
    aws.add("describe_tags", {"TagList": [{"Key": "team", "Value": "ops"}]}, {"ResourceId": ws_id(2)})

    result = run_module(workspace_info, {"states": ["STOPPED"], "include_tags": True})

    assert [(ws["workspace_id"], ws["tags"]) for ws in result["workspaces"]] == [(ws_id(2), {"team": "ops"})]
    aws.assert_all_used()


# --- tags -----------------------------------------------------------------------------------------------------


def tag_mapping(number: int, tags: dict) -> dict:
    return {
        "ResourceARN": f"arn:aws:workspaces:us-east-1:123456789012:workspace/{ws_id(number)}",
        "Tags": [{"Key": key, "Value": value} for key, value in tags.items()],
    }


def test_tags_are_off_by_default(aws, run_module):
    aws.add("describe_workspaces", page([workspace(1)]), {})

    result = run_module(workspace_info, {})

    assert "tags" not in result["workspaces"][0]
    assert ("workspaces", "DescribeTags") not in aws.sent


def test_tags_of_the_whole_region_come_from_the_tagging_api_in_pages(aws, run_module):
    aws.add("describe_workspaces", page([workspace(n) for n in range(1, 6)]), {})
    request = {"ResourceTypeFilters": ["workspaces:workspace"], "ResourcesPerPage": 100}
    aws.add(
        "get_resources",
        {
            "ResourceTagMappingList": [tag_mapping(1, {"team": "a"}), tag_mapping(77, {"x": "y"})],
            "PaginationToken": "p1",
        },
        request,
        service="resourcegroupstaggingapi",
    )
    aws.add(
        "get_resources",
        {"ResourceTagMappingList": [tag_mapping(2, {"team": "b"})], "PaginationToken": "p2"},
        dict(request, PaginationToken="p1"),
        service="resourcegroupstaggingapi",
    )
    aws.add(
        "get_resources",
        {"ResourceTagMappingList": [tag_mapping(5, {"team": "e", "cost": "1"})], "PaginationToken": ""},
        dict(request, PaginationToken="p2"),
        service="resourcegroupstaggingapi",
    )

    result = run_module(workspace_info, {"include_tags": True})

    assert {ws["workspace_id"]: ws["tags"] for ws in result["workspaces"]} == {
        ws_id(1): {"team": "a"},
        ws_id(2): {"team": "b"},
        ws_id(3): {},
        ws_id(4): {},
        ws_id(5): {"team": "e", "cost": "1"},
    }
    assert ("workspaces", "DescribeTags") not in aws.sent
    assert ("sts", "GetCallerIdentity") not in aws.sent  # a whole-region read needs no ARNs
    aws.assert_all_used()


@pytest.mark.parametrize(
    "listing, request_sent",
    [
        ({"directory_id": DIRECTORY}, {"DirectoryId": DIRECTORY}),
        ({"workspace_ids": [ws_id(n) for n in range(1, 6)]}, {"WorkspaceIds": [ws_id(n) for n in range(1, 6)]}),
        ({"bundle_id": "wsb-000000001"}, {"BundleId": "wsb-000000001"}),
        ({"states": ["AVAILABLE"]}, {}),
    ],
    ids=["directory", "ids", "bundle", "states"],
)
def test_tags_of_part_of_the_region_are_asked_for_by_arn(aws, run_module, listing, request_sent):
    aws.add("describe_workspaces", page([workspace(n) for n in range(1, 6)]), request_sent)
    aws.add("get_caller_identity", {"Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/a"}, {}, "sts")
    arns = [f"arn:aws:workspaces:us-east-1:123456789012:workspace/{ws_id(n)}" for n in range(1, 6)]
    aws.add(
        "get_resources",
        {"ResourceTagMappingList": [tag_mapping(2, {"team": "b"})]},
        {"ResourceARNList": arns},
        service="resourcegroupstaggingapi",
    )

    result = run_module(workspace_info, dict(listing, include_tags=True))

    assert [ws["tags"] for ws in result["workspaces"]] == [{}, {"team": "b"}, {}, {}, {}]
    aws.assert_all_used()


def test_without_tagging_permission_tags_are_read_per_workspace_with_a_warning(aws, run_module, monkeypatch):
    warned = []
    monkeypatch.setattr(AnsibleAWSModule, "warn", lambda self, message, *a, **k: warned.append(message))
    aws.add("describe_workspaces", page([workspace(n) for n in range(1, 5)]), {})
    aws.add_error("get_resources", "AccessDeniedException", "no tag:GetResources", service="resourcegroupstaggingapi")
    for n in range(1, 5):
        aws.add("describe_tags", {"TagList": [{"Key": "n", "Value": str(n)}]}, {"ResourceId": ws_id(n)})

    result = run_module(workspace_info, {"include_tags": True})

    assert [ws["tags"] for ws in result["workspaces"]] == [{"n": str(n)} for n in range(1, 5)]
    assert len(warned) == 1
    assert "tag:GetResources" in warned[0]
    aws.assert_all_used()


def test_a_tagging_failure_other_than_permission_fails_the_task(aws, run_module):
    aws.add("describe_workspaces", page([workspace(n) for n in range(1, 5)]), {})
    aws.add_error("get_resources", "InvalidParameterException", "bad", service="resourcegroupstaggingapi")

    result = run_module(workspace_info, {"include_tags": True})

    assert result["failed"] is True
    assert result["error"]["code"] == "InvalidParameterException"
    assert "workspaces" not in result


def test_tags_of_few_workspaces_use_describe_tags(aws, run_module):
    aws.add("describe_workspaces", page([workspace(1), workspace(2)]), {})
    aws.add("describe_tags", {"TagList": [{"Key": "a", "Value": "1"}]}, {"ResourceId": ws_id(1)})
    aws.add("describe_tags", {"TagList": []}, {"ResourceId": ws_id(2)})

    result = run_module(workspace_info, {"include_tags": True})

    assert [ws["tags"] for ws in result["workspaces"]] == [{"a": "1"}, {}]
    assert ("resourcegroupstaggingapi", "GetResources") not in aws.sent
    aws.assert_all_used()


def test_no_tag_call_when_nothing_matches(aws, run_module):
    aws.add("describe_workspaces", page([]), {})

    result = run_module(workspace_info, {"include_tags": True, "include_connection_status": True})

    assert result["workspaces"] == []
    assert aws.sent == [("workspaces", "DescribeWorkspaces")]


# --- connection status ----------------------------------------------------------------------------------------


def test_connection_status_is_added_and_missing_status_gives_nulls(aws, run_module):
    checked = datetime.datetime(2026, 1, 5, 10, 12, tzinfo=datetime.timezone.utc)
    aws.add("describe_workspaces", page([workspace(1), workspace(2, "ERROR", ErrorCode="X", ErrorMessage="y")]), {})
    aws.add(
        "describe_workspaces_connection_status",
        {
            "WorkspacesConnectionStatus": [
                {
                    "WorkspaceId": ws_id(1),
                    "ConnectionState": "DISCONNECTED",
                    "ConnectionStateCheckTimestamp": checked,
                    "LastKnownUserConnectionTimestamp": checked,
                }
            ]
        },
        {"WorkspaceIds": [ws_id(1), ws_id(2)]},
    )

    result = run_module(workspace_info, {"include_connection_status": True})

    first, second = result["workspaces"]
    assert first["connection_state"] == "DISCONNECTED"
    assert first["connection_state_check_timestamp"].startswith("2026-01-05T10:12:00")
    assert first["last_known_user_connection_timestamp"].startswith("2026-01-05T10:12:00")
    assert second["connection_state"] is None
    assert second["connection_state_check_timestamp"] is None
    assert second["last_known_user_connection_timestamp"] is None
    assert second["error_code"] == "X"
    aws.assert_all_used()


def test_connection_status_is_read_25_per_call_over_pages(aws, run_module):
    many = [workspace(n) for n in range(1, 31)]
    ids = sorted(ws_id(n) for n in range(1, 31))
    aws.add("describe_workspaces", page(many), {})
    status = {"ConnectionState": "CONNECTED"}
    aws.add(
        "describe_workspaces_connection_status",
        {"WorkspacesConnectionStatus": [dict(status, WorkspaceId=i) for i in ids[:10]], "NextToken": "c1"},
        {"WorkspaceIds": ids[:25]},
    )
    aws.add(
        "describe_workspaces_connection_status",
        {"WorkspacesConnectionStatus": [dict(status, WorkspaceId=i) for i in ids[10:25]]},
        {"WorkspaceIds": ids[:25], "NextToken": "c1"},
    )
    aws.add(
        "describe_workspaces_connection_status",
        {"WorkspacesConnectionStatus": [dict(status, WorkspaceId=i) for i in ids[25:]]},
        {"WorkspaceIds": ids[25:]},
    )

    result = run_module(workspace_info, {"include_connection_status": True})

    assert all(ws["connection_state"] == "CONNECTED" for ws in result["workspaces"])
    assert len(result["workspaces"]) == 30
    aws.assert_all_used()


def test_connection_status_off_by_default(aws, run_module):
    aws.add("describe_workspaces", page([workspace(1)]), {})

    result = run_module(workspace_info, {})

    assert "connection_state" not in result["workspaces"][0]
    assert ("workspaces", "DescribeWorkspacesConnectionStatus") not in aws.sent


# --- result shape, check mode ---------------------------------------------------------------------------------


def test_results_are_snake_case_with_nulls_for_what_the_api_left_out(aws, run_module):
    aws.add(
        "describe_workspaces",
        page(
            [
                {"WorkspaceId": ws_id(1), "DirectoryId": DIRECTORY, "UserName": "new", "State": "PENDING"},
                workspace(
                    2,
                    ModificationStates=[{"Resource": "ROOT_VOLUME", "State": "UPDATE_IN_PROGRESS"}],
                    WorkspaceName="desk-2",
                ),
            ]
        ),
        {},
    )

    result = run_module(workspace_info, {})

    pending, modified = result["workspaces"]
    assert pending["ip_address"] is None
    assert pending["bundle_id"] is None
    assert pending["workspace_properties"] == {}
    assert pending["modification_states"] == []
    assert modified["workspace_properties"]["running_mode_auto_stop_timeout_in_minutes"] == 60
    assert modified["modification_states"] == [{"resource": "ROOT_VOLUME", "state": "UPDATE_IN_PROGRESS"}]
    assert modified["workspace_name"] == "desk-2"
    for ws in result["workspaces"]:
        assert all(key == key.lower() for key in ws)


def test_check_mode_reads_the_same_and_changes_nothing(aws, run_module):
    for _run in range(2):
        aws.add("describe_workspaces", page([workspace(1), workspace(2)]), {"DirectoryId": DIRECTORY})

    normal = run_module(workspace_info, {"directory_id": DIRECTORY})
    checked = run_module(workspace_info, {"directory_id": DIRECTORY}, check_mode=True)

    assert checked["workspaces"] == normal["workspaces"]
    assert checked["changed"] is False
    assert aws.mutating_calls() == []
    aws.assert_all_used()


def test_keys_documented_as_always_returned_are_present(aws, run_module):
    promised = always_returned(workspace_info)
    assert "workspaces" in promised
    assert {"workspace_id", "state", "workspace_properties", "modification_states"} <= set(promised["workspaces"])
    bare = {"WorkspaceId": ws_id(9), "DirectoryId": DIRECTORY, "UserName": "new", "State": "PENDING"}
    aws.add("describe_workspaces", page([workspace(1), bare]), {})

    result = run_module(workspace_info, {})

    assert missing_keys(result, promised) == []


def test_documented_state_choices_are_every_workspace_state():
    import yaml

    from ansible_collections.euc.workspaces.plugins.module_utils.common import ALL_STATES

    documented = yaml.safe_load(workspace_info.DOCUMENTATION)["options"]["states"]["choices"]
    assert set(documented) == ALL_STATES
    assert workspace_info.ARGUMENT_SPEC["states"]["choices"] == documented
