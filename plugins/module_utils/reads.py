# Copyright: (c) 2026, euc.workspaces contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every read of the WorkSpaces API: complete listings, IDs in calls of 25, tags in bulk.

A read either returns everything or raises: a list cut short is never returned as complete.
"""

from __future__ import annotations

try:
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports a missing botocore.

from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.euc.workspaces.plugins.module_utils.client import (
    error_code,
    resource_arn_prefix,
    tagging_client,
)
from ansible_collections.euc.workspaces.plugins.module_utils.common import chunked

# Below this many WorkSpaces, one DescribeTags each is cheaper than paging the region's tagged resources.
PER_RESOURCE_TAG_LIMIT = 3
ARNS_PER_CALL = 100
TAGGING_DENIED_CODES = frozenset(["AccessDeniedException", "AccessDenied", "UnauthorizedOperation"])


def all_pages(call, result_key: str, token_key: str = "NextToken", **params) -> list:
    """Follow the pagination token to the end; each page retried on its own.

    token_key names the token in both request and response: NextToken for WorkSpaces,
    PaginationToken for the Resource Groups Tagging API (which ends with an empty one).
    """
    items: list = []
    while True:
        page = call(aws_retry=True, **params)
        items.extend(page.get(result_key, []))
        token = page.get(token_key)
        if not token:
            return items
        params[token_key] = token


def describe_workspaces(client, **filters) -> list[dict]:
    """DescribeWorkspaces with one filter family (DirectoryId[+UserName], BundleId or WorkspaceName)."""
    params = {key: value for key, value in filters.items() if value is not None}
    return all_pages(client.describe_workspaces, "Workspaces", **params)


def describe_workspaces_by_ids(client, workspace_ids: list[str]) -> list[dict]:
    """The WorkSpaces among these IDs that exist, 25 IDs a call; unknown IDs are simply missing."""
    found: list[dict] = []
    for chunk in chunked(sorted(set(workspace_ids))):
        found.extend(all_pages(client.describe_workspaces, "Workspaces", WorkspaceIds=chunk))
    return found


def describe_bundles(client, owner: str | None = None, bundle_ids: list[str] | None = None) -> list[dict]:
    """Bundles by ID (any owner), Amazon's public ones (owner AMAZON), or the account's own (no owner)."""
    if bundle_ids:
        found: list[dict] = []
        for chunk in chunked(sorted(set(bundle_ids))):
            found.extend(all_pages(client.describe_workspace_bundles, "Bundles", BundleIds=chunk))
        return found
    params = {"Owner": owner} if owner else {}
    return all_pages(client.describe_workspace_bundles, "Bundles", **params)


def describe_bundles_of_owners(client, owners: list[str | None]) -> list[dict]:
    """Bundles of several owners (AMAZON, None for the account's own), each bundle once, first owner first."""
    seen: set[str] = set()
    found: list[dict] = []
    for owner in owners:
        for bundle in describe_bundles(client, owner=owner):
            if bundle["BundleId"] not in seen:
                seen.add(bundle["BundleId"])
                found.append(bundle)
    return found


def describe_directories(client, directory_ids: list[str] | None = None) -> list[dict]:
    """Registered directories; all of them when no IDs are given."""
    if not directory_ids:
        return all_pages(client.describe_workspace_directories, "Directories")
    found: list[dict] = []
    for chunk in chunked(sorted(set(directory_ids))):
        found.extend(all_pages(client.describe_workspace_directories, "Directories", DirectoryIds=chunk))
    return found


def describe_connection_status(client, workspace_ids: list[str]) -> dict[str, dict]:
    """Connection status by WorkSpace ID; WorkSpaces the service has no status for are left out."""
    statuses: dict[str, dict] = {}
    for chunk in chunked(sorted(set(workspace_ids))):
        for status in all_pages(
            client.describe_workspaces_connection_status, "WorkspacesConnectionStatus", WorkspaceIds=chunk
        ):
            statuses[status["WorkspaceId"]] = status
    return statuses


def tags_per_resource(client, resource_ids: list[str]) -> dict[str, dict]:
    """DescribeTags, one call per resource (the API has no batch form)."""
    return {
        resource_id: boto3_tag_list_to_ansible_dict(
            client.describe_tags(aws_retry=True, ResourceId=resource_id).get("TagList", [])
        )
        for resource_id in resource_ids
    }


def tags_in_bulk(tagging, resource_type: str, resource_ids: list[str]) -> dict[str, dict]:
    """Tags from the Resource Groups Tagging API, 100 resources a page; untagged resources get {}."""
    wanted = set(resource_ids)
    tags = {resource_id: {} for resource_id in resource_ids}
    mappings = all_pages(
        tagging.get_resources,
        "ResourceTagMappingList",
        token_key="PaginationToken",
        ResourceTypeFilters=[f"workspaces:{resource_type}"],
        ResourcesPerPage=100,
    )
    for mapping in mappings:
        resource_id = mapping["ResourceARN"].rsplit("/", 1)[-1]
        if resource_id in wanted:
            tags[resource_id] = boto3_tag_list_to_ansible_dict(mapping.get("Tags", []))
    return tags


def tags_by_arn(tagging, arn_prefix: str, resource_ids: list[str]) -> dict[str, dict]:
    """Tags of just these resources, 100 ARNs a call: the cost follows the task, not the region's size.

    arn_prefix is "arn:<partition>:workspaces:<region>:<account>:<type>/"; resources without tags get {}.
    """
    tags = {resource_id: {} for resource_id in resource_ids}
    # API ref GetResources: ResourceARNList takes 1-100 ARNs and excludes the paging and filter parameters.
    for chunk in chunked(resource_ids, ARNS_PER_CALL):
        answer = tagging.get_resources(aws_retry=True, ResourceARNList=[arn_prefix + rid for rid in chunk])
        for mapping in answer.get("ResourceTagMappingList", []):
            resource_id = mapping["ResourceARN"].rsplit("/", 1)[-1]
            if resource_id in tags:
                tags[resource_id] = boto3_tag_list_to_ansible_dict(mapping.get("Tags", []))
    return tags


def resource_tags(
    client, tagging, resource_ids: list[str], resource_type: str = "workspace", warn=None, arn_prefix=None
):
    """Tags for many resources with as few calls as the API allows.

    With arn_prefix (the caller read only part of the region) the tagging API is asked for these resources by
    ARN; without it, the region's tagged resources of the type are paged (cheapest when reading all of them).
    Falls back to DescribeTags per resource when the caller may not use the tagging API.
    """
    if not resource_ids:
        return {}
    if tagging is None or len(resource_ids) <= PER_RESOURCE_TAG_LIMIT:
        return tags_per_resource(client, resource_ids)
    try:
        if arn_prefix:
            return tags_by_arn(tagging, arn_prefix, resource_ids)
        return tags_in_bulk(tagging, resource_type, resource_ids)
    except botocore.exceptions.ClientError as error:
        if error_code(error) not in TAGGING_DENIED_CODES:
            raise
        if warn:
            warn("tag:GetResources is not allowed; reading tags with one DescribeTags call per resource instead")
        return tags_per_resource(client, resource_ids)


class TagReader:
    """Tags of WorkSpaces for one module run, read the cheapest way resource_tags knows.

    targeted: the run reads part of the region (by ID, user or directory), so the tagging API is asked by ARN.
    The tagging client and the ARN prefix are made on first need: reading the tags of a few WorkSpaces
    (PER_RESOURCE_TAG_LIMIT or fewer) makes neither.
    """

    def __init__(self, module, client, targeted: bool = True):
        self.module, self.client, self.targeted = module, client, targeted
        self.tagging = None
        self.arn_prefix = None

    def __call__(self, workspace_ids: list) -> dict:
        if self.tagging is None and len(workspace_ids) > PER_RESOURCE_TAG_LIMIT:
            self.tagging = tagging_client(self.module)
            if self.targeted:
                self.arn_prefix = resource_arn_prefix(self.module, self.client.meta.region_name)
        return resource_tags(
            self.client, self.tagging, workspace_ids, warn=self.module.warn, arn_prefix=self.arn_prefix
        )
