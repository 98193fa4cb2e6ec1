#!/usr/bin/python

# Copyright: (c) 2026, euc.workspaces contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: workspace_info
short_description: List Amazon WorkSpaces
version_added: 0.1.0
description:
  - Lists Amazon WorkSpaces, all of them or those matching one filter, with their properties and,
    on request, their tags and connection status.
  - The DescribeWorkspaces API accepts one filter family per request. I(workspace_ids), I(directory_id)
    (with or without I(user_name)), I(bundle_id) and I(workspace_name) are therefore mutually exclusive.
    A wrong combination, or a malformed ID, fails before any API call is made.
  - WorkSpaces that match nothing, including well-formed IDs that do not exist, give an empty list.
author:
  - euc.workspaces contributors (@euc-workspaces)
options:
  workspace_ids:
    description:
      - IDs of the WorkSpaces to list, in the form C(ws-) followed by 8 to 63 lowercase letters or digits.
      - Any number of IDs may be given; they are read 25 per API call. IDs that do not exist are left out of the
        result.
      - An empty list matches no WorkSpace (and makes no API call).
      - Mutually exclusive with I(directory_id), I(user_name), I(bundle_id) and I(workspace_name).
    type: list
    elements: str
  directory_id:
    description:
      - List the WorkSpaces of this directory (C(d-) followed by hex digits, or C(wsd-) followed by lowercase
        letters or digits).
      - Mutually exclusive with I(workspace_ids), I(bundle_id) and I(workspace_name).
    type: str
  user_name:
    description:
      - List the WorkSpaces of this user in I(directory_id), which must be given too.
    type: str
  bundle_id:
    description:
      - List the WorkSpaces created from this bundle (C(wsb-) followed by 8 to 63 lowercase letters or digits).
      - Mutually exclusive with I(workspace_ids), I(directory_id) and I(workspace_name).
    type: str
  workspace_name:
    description:
      - List the WorkSpace with this name.
      - Mutually exclusive with I(workspace_ids), I(directory_id) and I(bundle_id).
    type: str
  states:
    description:
      - Keep only the WorkSpaces in one of these states.
      - The API has no such filter; WorkSpaces are filtered after they are read.
    type: list
    elements: str
    choices:
      - ADMIN_MAINTENANCE
      - AVAILABLE
      - ERROR
      - IMPAIRED
      - MAINTENANCE
      - PENDING
      - REBOOTING
      - REBUILDING
      - RESTORING
      - STARTING
      - STOPPED
      - STOPPING
      - SUSPENDED
      - TERMINATED
      - TERMINATING
      - UNHEALTHY
      - UPDATING
  include_tags:
    description:
      - Add the tags of every WorkSpace, as a dict, under C(tags).
      - Tags are read in bulk through the Resource Groups Tagging API (permission C(tag:GetResources)). Without
        that permission the module warns and reads them with one DescribeTags call per WorkSpace.
      - With a filter, the tags of just the WorkSpaces listed are asked for by ARN, 100 a call (the account comes
        from one C(sts:GetCallerIdentity) call, which needs no permission). Without one, the region's tagged
        WorkSpaces are paged.
    type: bool
    default: false
  include_connection_status:
    description:
      - Add C(connection_state), C(connection_state_check_timestamp) and C(last_known_user_connection_timestamp)
        from DescribeWorkspacesConnectionStatus.
      - A WorkSpace the service has no status for (just created, or in C(ERROR)) gets null values.
    type: bool
    default: false
extends_documentation_fragment:
  - euc.workspaces.info
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: List every WorkSpace in the region
  euc.workspaces.workspace_info:
  register: all_workspaces

- name: List some WorkSpaces by ID (any number; read 25 per call)
  euc.workspaces.workspace_info:
    workspace_ids:
      - ws-abcd1234ef
      - ws-5678ghij90
  register: some_workspaces

- name: List the WorkSpaces of a directory that are stopped or in error
  euc.workspaces.workspace_info:
    directory_id: d-1234567890
    states: [STOPPED, ERROR]
  register: directory_workspaces

- name: Find the WorkSpace of one user, with its tags and connection status
  euc.workspaces.workspace_info:
    directory_id: d-1234567890
    user_name: jdoe
    include_tags: true
    include_connection_status: true
  register: jdoe

- name: List the WorkSpaces created from a bundle
  euc.workspaces.workspace_info:
    bundle_id: wsb-0123abcd4
  register: bundle_workspaces

- name: Find a WorkSpace by its name
  euc.workspaces.workspace_info:
    workspace_name: finance-desk-01
  register: named
"""

RETURN = r"""
workspaces:
  description:
    - The WorkSpaces that match, in the order the API lists them (in the order of I(workspace_ids) when IDs
      were given). Empty when nothing matches.
    - Keys the API adds beyond those listed here (for example C(ipv6_address) or C(related_workspaces)) are
      returned in snake_case too.
  returned: always
  type: list
  elements: dict
  contains:
    workspace_id:
      description: The ID of the WorkSpace.
      returned: always
      type: str
      sample: ws-abcd1234ef
    directory_id:
      description: The directory the WorkSpace belongs to.
      returned: always
      type: str
      sample: d-1234567890
    user_name:
      description: The user the WorkSpace is assigned to.
      returned: always
      type: str
      sample: jdoe
    workspace_name:
      description: The name of the WorkSpace; null when it has none.
      returned: always
      type: str
      sample: finance-desk-01
    state:
      description: The state of the WorkSpace.
      returned: always
      type: str
      sample: AVAILABLE
    bundle_id:
      description: The bundle the WorkSpace was created from.
      returned: always
      type: str
      sample: wsb-0123abcd4
    ip_address:
      description: The IP address of the WorkSpace; null while it has none.
      returned: always
      type: str
      sample: 10.0.1.25
    computer_name:
      description: The computer name of the WorkSpace; null while it has none.
      returned: always
      type: str
      sample: IP-0A000119
    subnet_id:
      description: The subnet of the WorkSpace; null while it has none.
      returned: always
      type: str
      sample: subnet-0a1b2c3d
    error_code:
      description: The error code of a WorkSpace that failed; null otherwise.
      returned: always
      type: str
      sample: null
    error_message:
      description: The error message of a WorkSpace that failed; null otherwise.
      returned: always
      type: str
      sample: null
    volume_encryption_key:
      description: The ARN of the KMS key the volumes are encrypted with; null when they are not encrypted.
      returned: always
      type: str
      sample: null
    root_volume_encryption_enabled:
      description: Whether the root volume is encrypted; null when the API does not say.
      returned: always
      type: bool
      sample: false
    user_volume_encryption_enabled:
      description: Whether the user volume is encrypted; null when the API does not say.
      returned: always
      type: bool
      sample: false
    workspace_properties:
      description: Running mode, compute type, volume sizes and protocols of the WorkSpace.
      returned: always
      type: dict
      sample:
        running_mode: AUTO_STOP
        running_mode_auto_stop_timeout_in_minutes: 60
        root_volume_size_gib: 80
        user_volume_size_gib: 10
        compute_type_name: STANDARD
    modification_states:
      description: Property changes in progress, each with C(resource) and C(state); empty when there are none.
      returned: always
      type: list
      elements: dict
      sample: []
    tags:
      description: The tags of the WorkSpace.
      returned: when I(include_tags=true)
      type: dict
      sample: {"team": "finance"}
    connection_state:
      description: C(CONNECTED), C(DISCONNECTED) or C(UNKNOWN); null when the service has no status.
      returned: when I(include_connection_status=true)
      type: str
      sample: DISCONNECTED
    connection_state_check_timestamp:
      description: When the connection state was last checked (ISO 8601); null when unknown.
      returned: when I(include_connection_status=true)
      type: str
      sample: "2026-01-05T10:12:00+00:00"
    last_known_user_connection_timestamp:
      description: When a user last connected (ISO 8601); null when unknown.
      returned: when I(include_connection_status=true)
      type: str
      sample: "2026-01-04T17:40:00+00:00"
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.euc.workspaces.plugins.module_utils import reads
from ansible_collections.euc.workspaces.plugins.module_utils.client import (
    reported_failures,
    workspaces_client,
)
from ansible_collections.euc.workspaces.plugins.module_utils.common import (
    ALL_STATES,
    WORKSPACE_NAME_PATTERN,
    check_ids,
    user_name_problem,
)
from ansible_collections.euc.workspaces.plugins.module_utils.transformations import normalize_workspace

# One filter family per DescribeWorkspaces call (user_name goes with directory_id, see required_by).
FILTER_FAMILIES = ["workspace_ids", "directory_id", "bundle_id", "workspace_name"]

ARGUMENT_SPEC = {
    "workspace_ids": {"type": "list", "elements": "str"},
    "directory_id": {"type": "str"},
    "user_name": {"type": "str"},
    "bundle_id": {"type": "str"},
    "workspace_name": {"type": "str"},
    "states": {"type": "list", "elements": "str", "choices": sorted(ALL_STATES)},
    "include_tags": {"type": "bool", "default": False},
    "include_connection_status": {"type": "bool", "default": False},
}


def input_problems(params: dict) -> list[str]:
    """Every malformed value, each message naming its option; checked before any API call."""
    problems = []
    problems += check_ids("workspace_ids", "workspace", params["workspace_ids"])
    problems += check_ids("directory_id", "directory", params["directory_id"])
    problems += check_ids("bundle_id", "bundle", params["bundle_id"])
    if params["user_name"] is not None:
        problem = user_name_problem(params["user_name"])
        if problem:
            problems.append(problem)
    name = params["workspace_name"]
    if name is not None and not WORKSPACE_NAME_PATTERN.match(name):
        problems.append(
            f"workspace_name: {name!r} is not a WorkSpace name (expected 2 to 64 letters, digits or _.()-,"
            " not starting with . or -)"
        )
    return problems


# The options that leave part of the region: its tags are then asked for by ARN (states filters after the listing,
# but still before the tags are read).
LISTING_FILTERS = ("workspace_ids", "directory_id", "user_name", "bundle_id", "workspace_name", "states")


def list_workspaces(client, params: dict) -> list[dict]:
    """The WorkSpaces the filter selects, complete, as the API describes them."""
    if params["workspace_ids"] is not None:
        order: dict[str, int] = {}
        for workspace_id in params["workspace_ids"]:
            order.setdefault(workspace_id, len(order))
        found = reads.describe_workspaces_by_ids(client, params["workspace_ids"]) if order else []
        return sorted(found, key=lambda workspace: order.get(workspace["WorkspaceId"], len(order)))
    return reads.describe_workspaces(
        client,
        DirectoryId=params["directory_id"],
        UserName=params["user_name"],
        BundleId=params["bundle_id"],
        WorkspaceName=params["workspace_name"],
    )


def main():
    module = AnsibleAWSModule(
        argument_spec=ARGUMENT_SPEC,
        mutually_exclusive=[FILTER_FAMILIES],
        required_by={"user_name": "directory_id"},
        supports_check_mode=True,
    )
    params = module.params
    problems = input_problems(params)
    if problems:
        module.fail_json(msg="; ".join(problems))

    client = workspaces_client(module)
    with reported_failures(module, "list WorkSpaces"):
        found = list_workspaces(client, params)
        if params["states"]:
            wanted = set(params["states"])
            found = [workspace for workspace in found if workspace.get("State") in wanted]
        ids = [workspace["WorkspaceId"] for workspace in found]

        tags = {}
        if params["include_tags"] and ids:
            read_tags = reads.TagReader(module, client, targeted=any(params[name] for name in LISTING_FILTERS))
            tags = read_tags(ids)
        statuses = {}
        if params["include_connection_status"] and ids:
            statuses = reads.describe_connection_status(client, ids)

    workspaces = [
        normalize_workspace(
            workspace,
            tags=tags.get(workspace["WorkspaceId"], {}) if params["include_tags"] else None,
            connection=statuses.get(workspace["WorkspaceId"], {}) if params["include_connection_status"] else None,
        )
        for workspace in found
    ]
    module.exit_json(changed=False, workspaces=workspaces)


if __name__ == "__main__":
    main()
