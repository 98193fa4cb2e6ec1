"""The shared read layer against stubbed clients: complete listings or an exception, never a short list."""

from __future__ import annotations

import botocore.exceptions
import botocore.parsers
import pytest
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper

from ansible_collections.euc.workspaces.plugins.module_utils import reads
from ansible_collections.euc.workspaces.plugins.module_utils.client import RETRY


@pytest.fixture
def workspaces(aws):
    return RetryingBotoClientWrapper(aws.client("workspaces"), RETRY)


@pytest.fixture
def tagging(aws):
    return RetryingBotoClientWrapper(aws.client("resourcegroupstaggingapi"), RETRY)


def ws(number: int) -> dict:
    return {"WorkspaceId": f"ws-{number:010d}", "State": "AVAILABLE"}


def wsb(number: int) -> dict:
    return {"BundleId": f"wsb-{number:09d}"}


def arn(number: int) -> str:
    return f"arn:aws:workspaces:us-east-1:123456789012:workspace/ws-{number:010d}"


# --- all_pages ------------------------------------------------------------------------------------------------


def test_all_pages_follows_next_token_to_the_end(aws, workspaces):
    aws.add("describe_workspaces", {"Workspaces": [ws(1)], "NextToken": "a"}, {"BundleId": "wsb-000000001"})
    aws.add(
        "describe_workspaces", {"Workspaces": [], "NextToken": "b"}, {"BundleId": "wsb-000000001", "NextToken": "a"}
    )
    aws.add("describe_workspaces", {"Workspaces": [ws(2)]}, {"BundleId": "wsb-000000001", "NextToken": "b"})

    found = reads.all_pages(workspaces.describe_workspaces, "Workspaces", BundleId="wsb-000000001")

    assert [w["WorkspaceId"] for w in found] == ["ws-0000000001", "ws-0000000002"]
    aws.assert_all_used()


def test_all_pages_with_another_token_name(aws, tagging):
    aws.add(
        "get_resources",
        {"ResourceTagMappingList": [{"ResourceARN": arn(1)}], "PaginationToken": "p"},
        {},
        "resourcegroupstaggingapi",
    )
    aws.add(
        "get_resources",
        {"ResourceTagMappingList": [{"ResourceARN": arn(2)}], "PaginationToken": ""},
        {"PaginationToken": "p"},
        "resourcegroupstaggingapi",
    )

    found = reads.all_pages(tagging.get_resources, "ResourceTagMappingList", token_key="PaginationToken")

    assert [m["ResourceARN"] for m in found] == [arn(1), arn(2)]
    aws.assert_all_used()


def test_all_pages_raises_when_a_later_page_fails(aws, workspaces):
    aws.add("describe_workspaces", {"Workspaces": [ws(1)], "NextToken": "a"}, {})
    aws.add_error("describe_workspaces", "AccessDeniedException")

    with pytest.raises(botocore.exceptions.ClientError) as raised:
        reads.all_pages(workspaces.describe_workspaces, "Workspaces")
    assert raised.value.response["Error"]["Code"] == "AccessDeniedException"


def test_each_page_is_retried_on_its_own(aws, workspaces):
    aws.add("describe_workspaces", {"Workspaces": [ws(1)], "NextToken": "a"}, {})
    aws.add_error("describe_workspaces", "ThrottlingException")
    aws.add_error("describe_workspaces", "InternalServerError", status=500)
    aws.add("describe_workspaces", {"Workspaces": [ws(2)]}, {"NextToken": "a"})

    found = reads.all_pages(workspaces.describe_workspaces, "Workspaces")

    assert len(found) == 2
    aws.assert_all_used()


# --- chunks of 25 ---------------------------------------------------------------------------------------------


def test_describe_workspaces_by_ids_splits_into_calls_of_25(aws, workspaces):
    ids = [f"ws-{n:010d}" for n in range(1, 52)]
    for chunk in (ids[:25], ids[25:50], ids[50:]):
        aws.add("describe_workspaces", {"Workspaces": [{"WorkspaceId": i} for i in chunk]}, {"WorkspaceIds": chunk})

    found = reads.describe_workspaces_by_ids(workspaces, list(reversed(ids)) + ids[:3])

    assert sorted(w["WorkspaceId"] for w in found) == ids
    aws.assert_all_used()


def test_describe_workspaces_drops_unset_filters(aws, workspaces):
    aws.add("describe_workspaces", {"Workspaces": []}, {"DirectoryId": "d-1234567890"})

    assert reads.describe_workspaces(workspaces, DirectoryId="d-1234567890", UserName=None, BundleId=None) == []
    aws.assert_all_used()


def test_describe_bundles_by_ids_in_chunks(aws, workspaces):
    ids = [f"wsb-{n:09d}" for n in range(1, 27)]
    aws.add("describe_workspace_bundles", {"Bundles": [wsb(1)]}, {"BundleIds": ids[:25]})
    aws.add("describe_workspace_bundles", {"Bundles": [wsb(26)]}, {"BundleIds": ids[25:]})

    found = reads.describe_bundles(workspaces, bundle_ids=ids)

    assert [b["BundleId"] for b in found] == [ids[0], ids[25]]
    aws.assert_all_used()


def test_describe_bundles_of_owners_lists_each_owner_and_deduplicates(aws, workspaces):
    aws.add("describe_workspace_bundles", {"Bundles": [wsb(1), wsb(2)], "NextToken": "n"}, {"Owner": "AMAZON"})
    aws.add("describe_workspace_bundles", {"Bundles": [wsb(3)]}, {"Owner": "AMAZON", "NextToken": "n"})
    aws.add("describe_workspace_bundles", {"Bundles": [wsb(2), wsb(4)]}, {})

    found = reads.describe_bundles_of_owners(workspaces, ["AMAZON", None])

    assert [b["BundleId"] for b in found] == [f"wsb-{n:09d}" for n in (1, 2, 3, 4)]
    aws.assert_all_used()


def test_describe_directories_all_or_by_id(aws, workspaces):
    aws.add("describe_workspace_directories", {"Directories": [{"DirectoryId": "d-1234567890"}]}, {})
    aws.add("describe_workspace_directories", {"Directories": []}, {"DirectoryIds": ["d-abcdef0123"]})

    assert len(reads.describe_directories(workspaces)) == 1
    assert reads.describe_directories(workspaces, ["d-abcdef0123"]) == []
    aws.assert_all_used()


def test_connection_status_by_id_leaves_out_unknown(aws, workspaces):
    ids = [f"ws-{n:010d}" for n in range(1, 4)]
    aws.add(
        "describe_workspaces_connection_status",
        {"WorkspacesConnectionStatus": [{"WorkspaceId": ids[0], "ConnectionState": "CONNECTED"}], "NextToken": "c"},
        {"WorkspaceIds": ids},
    )
    aws.add(
        "describe_workspaces_connection_status",
        {"WorkspacesConnectionStatus": [{"WorkspaceId": ids[2], "ConnectionState": "UNKNOWN"}]},
        {"WorkspaceIds": ids, "NextToken": "c"},
    )

    statuses = reads.describe_connection_status(workspaces, ids)

    assert set(statuses) == {ids[0], ids[2]}
    assert statuses[ids[2]]["ConnectionState"] == "UNKNOWN"
    aws.assert_all_used()


# --- tags -----------------------------------------------------------------------------------------------------

TAGGING_REQUEST = {"ResourceTypeFilters": ["workspaces:workspace"], "ResourcesPerPage": 100}


def test_tags_in_bulk_reads_every_page_and_keeps_only_the_wanted_resources(aws, tagging):
    aws.add(
        "get_resources",
        {
            "ResourceTagMappingList": [{"ResourceARN": arn(1), "Tags": [{"Key": "a", "Value": "1"}]}],
            "PaginationToken": "p1",
        },
        TAGGING_REQUEST,
        "resourcegroupstaggingapi",
    )
    aws.add(
        "get_resources",
        {
            "ResourceTagMappingList": [{"ResourceARN": arn(9), "Tags": [{"Key": "x", "Value": "y"}]}],
            "PaginationToken": "p2",
        },
        dict(TAGGING_REQUEST, PaginationToken="p1"),
        "resourcegroupstaggingapi",
    )
    aws.add(
        "get_resources",
        {"ResourceTagMappingList": [{"ResourceARN": arn(2), "Tags": [{"Key": "b", "Value": "2"}]}]},
        dict(TAGGING_REQUEST, PaginationToken="p2"),
        "resourcegroupstaggingapi",
    )

    tags = reads.tags_in_bulk(tagging, "workspace", ["ws-0000000001", "ws-0000000002", "ws-0000000003"])

    assert tags == {"ws-0000000001": {"a": "1"}, "ws-0000000002": {"b": "2"}, "ws-0000000003": {}}
    aws.assert_all_used()


def test_resource_tags_uses_describe_tags_for_a_few_resources(aws, workspaces, tagging):
    ids = ["ws-0000000001", "ws-0000000002"]
    for resource_id in ids:
        aws.add("describe_tags", {"TagList": [{"Key": "id", "Value": resource_id}]}, {"ResourceId": resource_id})

    tags = reads.resource_tags(workspaces, tagging, ids)

    assert tags == {i: {"id": i} for i in ids}
    assert ("resourcegroupstaggingapi", "GetResources") not in aws.sent
    aws.assert_all_used()


def test_resource_tags_falls_back_when_the_tagging_api_is_denied(aws, workspaces, tagging):
    ids = [f"ws-{n:010d}" for n in range(1, 6)]
    aws.add_error("get_resources", "AccessDeniedException", service="resourcegroupstaggingapi")
    for resource_id in ids:
        aws.add("describe_tags", {"TagList": []}, {"ResourceId": resource_id})
    warnings = []

    tags = reads.resource_tags(workspaces, tagging, ids, warn=warnings.append)

    assert tags == {i: {} for i in ids}
    assert len(warnings) == 1
    aws.assert_all_used()


def test_resource_tags_raises_other_tagging_errors(aws, workspaces, tagging):
    ids = [f"ws-{n:010d}" for n in range(1, 6)]
    aws.add_error("get_resources", "InvalidParameterException", service="resourcegroupstaggingapi")

    with pytest.raises(botocore.exceptions.ClientError):
        reads.resource_tags(workspaces, tagging, ids)
    assert ("workspaces", "DescribeTags") not in aws.sent


def test_resource_tags_of_nothing_makes_no_call(aws, workspaces, tagging):
    assert reads.resource_tags(workspaces, tagging, []) == {}
    assert aws.sent == []


ARN_PREFIX = "arn:aws:workspaces:us-east-1:123456789012:workspace/"


def tag_mapping(number: int) -> dict:
    return {"ResourceARN": arn(number), "Tags": [{"Key": "n", "Value": str(number)}]}


def test_tags_by_arn_asks_for_100_arns_a_call_and_nothing_else(aws, tagging):
    ids = [f"ws-{n:010d}" for n in range(1, 206)]
    for start in (0, 100, 200):
        chunk = ids[start : start + 100]
        aws.add(
            "get_resources",
            {"ResourceTagMappingList": [tag_mapping(int(i[3:])) for i in chunk if int(i[3:]) % 2]},
            {"ResourceARNList": [ARN_PREFIX + i for i in chunk]},
            "resourcegroupstaggingapi",
        )

    tags = reads.tags_by_arn(tagging, ARN_PREFIX, ids)

    assert tags["ws-0000000001"] == {"n": "1"} and tags["ws-0000000205"] == {"n": "205"}
    assert tags["ws-0000000002"] == {}  # untagged resources are not in the answer
    assert len(tags) == 205
    aws.assert_all_used()


def test_resource_tags_with_an_arn_prefix_asks_by_arn(aws, workspaces, tagging):
    ids = [f"ws-{n:010d}" for n in range(1, 5)]
    aws.add(
        "get_resources",
        {"ResourceTagMappingList": [tag_mapping(3)]},
        {"ResourceARNList": [ARN_PREFIX + i for i in ids]},
        "resourcegroupstaggingapi",
    )

    assert reads.resource_tags(workspaces, tagging, ids, arn_prefix=ARN_PREFIX)["ws-0000000003"] == {"n": "3"}
    aws.assert_all_used()


class FakeModule:
    """The two things TagReader uses of an AnsibleAWSModule: client() (the stubbed clients) and warn()."""

    def __init__(self, aws):
        self.aws, self.warnings = aws, []

    def client(self, service, retry_decorator=None, **_):
        return RetryingBotoClientWrapper(self.aws.client(service), retry_decorator or RETRY)

    def warn(self, message):
        self.warnings.append(message)


IDENTITY = {"Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/admin", "UserId": "AIDAEXAMPLE"}


def test_a_targeted_tag_reader_learns_the_account_once_and_asks_by_arn(aws, workspaces):
    first, second = [f"ws-{n:010d}" for n in range(1, 5)], [f"ws-{n:010d}" for n in range(5, 10)]
    aws.add("get_caller_identity", IDENTITY, {}, "sts")
    for ids in (first, second):
        aws.add(
            "get_resources",
            {"ResourceTagMappingList": []},
            {"ResourceARNList": [ARN_PREFIX + i for i in ids]},
            "resourcegroupstaggingapi",
        )
    read_tags = reads.TagReader(FakeModule(aws), workspaces)

    assert read_tags(first) == {i: {} for i in first}
    assert read_tags(second) == {i: {} for i in second}
    assert aws.sent.count(("sts", "GetCallerIdentity")) == 1
    aws.assert_all_used()


def test_the_arn_carries_the_partition_of_the_caller(aws, workspaces):
    ids = [f"ws-{n:010d}" for n in range(1, 5)]
    aws.add("get_caller_identity", dict(IDENTITY, Arn="arn:aws-us-gov:iam::123456789012:user/admin"), {}, "sts")
    expected = [f"arn:aws-us-gov:workspaces:us-east-1:123456789012:workspace/{i}" for i in ids]
    aws.add("get_resources", {"ResourceTagMappingList": []}, {"ResourceARNList": expected}, "resourcegroupstaggingapi")

    reads.TagReader(FakeModule(aws), workspaces)(ids)

    aws.assert_all_used()


def test_a_tag_reader_pages_by_type_when_sts_cannot_answer_or_the_read_is_the_whole_region(aws, workspaces):
    ids = [f"ws-{n:010d}" for n in range(1, 5)]
    aws.add_error("get_caller_identity", "InvalidClientTokenId", service="sts")
    aws.add("get_resources", {"ResourceTagMappingList": [tag_mapping(2)]}, TAGGING_REQUEST, "resourcegroupstaggingapi")
    aws.add("get_resources", {"ResourceTagMappingList": []}, TAGGING_REQUEST, "resourcegroupstaggingapi")

    assert reads.TagReader(FakeModule(aws), workspaces)(ids)["ws-0000000002"] == {"n": "2"}
    assert reads.TagReader(FakeModule(aws), workspaces, targeted=False)(ids) == {i: {} for i in ids}
    assert aws.sent.count(("sts", "GetCallerIdentity")) == 1
    aws.assert_all_used()


def test_a_tag_reader_for_a_few_workspaces_makes_neither_tagging_nor_sts_calls(aws, workspaces):
    ids = [f"ws-{n:010d}" for n in range(1, 4)]
    for resource_id in ids:
        aws.add("describe_tags", {"TagList": []}, {"ResourceId": resource_id})

    reads.TagReader(FakeModule(aws), workspaces)(ids)

    assert {service for service, _name in aws.sent} == {"workspaces"}
    aws.assert_all_used()


class UnreadableSts:
    """An STS client behind an endpoint_url that is not STS's: botocore cannot parse the answer."""

    def get_caller_identity(self, **_):
        raise botocore.parsers.ResponseParserError("Unable to parse response, invalid XML received")


def test_an_sts_answer_that_cannot_be_parsed_falls_back_to_paging_by_type(aws, workspaces):
    ids = [f"ws-{n:010d}" for n in range(1, 5)]
    module = FakeModule(aws)
    made = []

    def client(service, retry_decorator=None, **params):
        made.append((service, params))
        return UnreadableSts() if service == "sts" else FakeModule.client(module, service, retry_decorator)

    module.client = client
    aws.add("get_resources", {"ResourceTagMappingList": []}, TAGGING_REQUEST, "resourcegroupstaggingapi")

    assert reads.TagReader(module, workspaces)(ids) == {i: {} for i in ids}
    (sts_params,) = [params for service, params in made if service == "sts"]
    # A best-effort call: bounded, so an STS that cannot be reached costs seconds, not minutes.
    config = sts_params["config"]
    assert config.connect_timeout <= 5 and config.read_timeout <= 10 and config.retries["max_attempts"] <= 2
    aws.assert_all_used()
