# Copyright: (c) 2026, euc.workspaces contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""API shapes to the snake_case results the modules return. Pure functions: no API calls."""

from __future__ import annotations

import functools

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.botocore import normalize_boto3_result
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.transformation import boto3_resource_to_ansible_dict

# Keys every returned WorkSpace has, present as null when the API left them out.
WORKSPACE_KEYS = (
    "workspace_id",
    "directory_id",
    "user_name",
    "workspace_name",
    "state",
    "bundle_id",
    "ip_address",
    "computer_name",
    "subnet_id",
    "error_code",
    "error_message",
    "volume_encryption_key",
    "root_volume_encryption_enabled",
    "user_volume_encryption_enabled",
)


@functools.lru_cache(maxsize=4096)
def snake_key(key: str) -> str:
    """One API key in snake_case, as camel_dict_to_snake_dict writes it; worked out once per key name."""
    return next(iter(camel_dict_to_snake_dict({key: None})))


def _snake_case(value):
    if isinstance(value, dict):
        return {snake_key(key): _snake_case(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_snake_case(item) for item in value]
    return value


def resource_to_snake_dict(resource: dict) -> dict:
    """What boto3_resource_to_ansible_dict(resource, force_tags=False) returns, at a fraction of its cost.

    Datetimes become ISO 8601 text (the JSON round trip also copies), keys become snake_case, a Tags list a dict.
    The key conversion is the same one, looked up instead of run through its regular expressions for every key
    of every WorkSpace: a fleet repeats the same few dozen key names thousands of times.
    """
    if not resource:
        return resource
    result = _snake_case(normalize_boto3_result(resource))
    if "Tags" in resource:
        result["tags"] = boto3_tag_list_to_ansible_dict(resource["Tags"])
    return result


def normalize_workspace(workspace: dict, tags: dict | None = None, connection: dict | None = None) -> dict:
    """One WorkSpace as a snake_case dict; tags as a dict when they were read."""
    result = resource_to_snake_dict(workspace)
    for key in WORKSPACE_KEYS:
        result.setdefault(key, None)
    result.setdefault("workspace_properties", {})
    result.setdefault("modification_states", [])
    if tags is not None:
        result["tags"] = tags
    if connection is not None:
        result.update(normalize_connection_status(connection))
    return result


def normalize_connection_status(status: dict | None) -> dict:
    """The three connection fields; nulls when the service has no status for the WorkSpace."""
    status = status or {}
    return {
        "connection_state": status.get("ConnectionState"),
        "connection_state_check_timestamp": _timestamp(status.get("ConnectionStateCheckTimestamp")),
        "last_known_user_connection_timestamp": _timestamp(status.get("LastKnownUserConnectionTimestamp")),
    }


def normalize_bundle(bundle: dict) -> dict:
    result = boto3_resource_to_ansible_dict(bundle, force_tags=False)
    result["compute_type"] = (bundle.get("ComputeType") or {}).get("Name")
    result["root_storage"] = (bundle.get("RootStorage") or {}).get("Capacity")
    result["user_storage"] = (bundle.get("UserStorage") or {}).get("Capacity")
    for key in ("bundle_id", "name", "owner", "description", "image_id", "state", "bundle_type"):
        result.setdefault(key, None)
    result.setdefault("creation_time", None)
    result.setdefault("last_updated_time", None)
    return result


def normalize_directory(directory: dict, tags: dict | None = None) -> dict:
    result = boto3_resource_to_ansible_dict(directory, force_tags=False)
    for key in (
        "directory_id",
        "alias",
        "directory_name",
        "registration_code",
        "directory_type",
        "state",
        "iam_role_id",
        "workspace_security_group_id",
        "tenancy",
    ):
        result.setdefault(key, None)
    for key in ("subnet_ids", "dns_ip_addresses", "ip_group_ids"):
        result.setdefault(key, [])
    for key in ("workspace_creation_properties", "selfservice_permissions", "workspace_access_properties"):
        result.setdefault(key, {})
    if tags is not None:
        result["tags"] = tags
    return result


def _timestamp(value):
    """Datetimes as ISO 8601 text, which is what a JSON result can carry."""
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()
