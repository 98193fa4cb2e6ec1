#!/usr/bin/python

# Copyright: (c) 2026, euc.workspaces contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: directory_info
short_description: List the directories registered with Amazon WorkSpaces
version_added: 0.1.0
description:
  - Lists the directories registered with Amazon WorkSpaces, all of them or some by ID, with their
    registration code, network settings, the properties new WorkSpaces get, and what users may do.
  - Well-formed IDs of directories that are not registered give no entry. A malformed ID fails before any API
    call is made.
author:
  - euc.workspaces contributors (@euc-workspaces)
options:
  directory_ids:
    description:
      - IDs of the directories to list (C(d-) followed by hex digits, or C(wsd-) followed by lowercase letters or
        digits). Any number may be given; they are read 25 per API call.
      - When not given, every registered directory is listed.
      - An empty list matches no directory (and makes no API call).
    type: list
    elements: str
  include_tags:
    description:
      - Add the tags of every directory, as a dict, under C(tags).
      - Tags are read with one DescribeTags call per directory.
    type: bool
    default: false
extends_documentation_fragment:
  - euc.workspaces.info
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: List every registered directory
  euc.workspaces.directory_info:
  register: all_directories

- name: Describe some directories by ID, with their tags
  euc.workspaces.directory_info:
    directory_ids:
      - d-1234567890
      - d-0987654321
    include_tags: true
  register: some_directories

- name: Show the registration code users need for the first directory
  ansible.builtin.debug:
    msg: "{{ some_directories.directories[0].registration_code }}"
  when: some_directories.directories | length > 0
"""

RETURN = r"""
directories:
  description:
    - The registered directories that match, in the order of I(directory_ids) when IDs were given. Empty when
      nothing matches.
    - Keys the API adds beyond those listed here (for example C(customer_user_name) or C(saml_properties)) are
      returned in snake_case too.
  returned: always
  type: list
  elements: dict
  contains:
    directory_id:
      description: The ID of the directory.
      returned: always
      type: str
      sample: d-1234567890
    alias:
      description: The alias of the directory.
      returned: always
      type: str
      sample: corp-example
    directory_name:
      description: The name of the directory.
      returned: always
      type: str
      sample: corp.example.com
    registration_code:
      description: The code users enter in the WorkSpaces client to reach this directory.
      returned: always
      type: str
      sample: SLiad+ABC123
    directory_type:
      description: C(SIMPLE_AD), C(AD_CONNECTOR), C(CUSTOMER_MANAGED), C(AWS_IAM_IDENTITY_CENTER) and so on.
      returned: always
      type: str
      sample: SIMPLE_AD
    state:
      description: C(REGISTERING), C(REGISTERED), C(DEREGISTERING), C(DEREGISTERED) or C(ERROR).
      returned: always
      type: str
      sample: REGISTERED
    iam_role_id:
      description: The ARN of the IAM role WorkSpaces uses for calls on the account's behalf.
      returned: always
      type: str
      sample: arn:aws:iam::123456789012:role/workspaces_DefaultRole
    workspace_security_group_id:
      description: The security group given to the WorkSpaces of this directory.
      returned: always
      type: str
      sample: sg-0a1b2c3d4e5f
    tenancy:
      description: C(DEDICATED) or C(SHARED); null when the API does not say.
      returned: always
      type: str
      sample: SHARED
    subnet_ids:
      description: The subnets WorkSpaces of this directory are placed in.
      returned: always
      type: list
      elements: str
      sample: [subnet-0a1b2c3d, subnet-4e5f6a7b]
    dns_ip_addresses:
      description: The IP addresses of the directory's DNS servers.
      returned: always
      type: list
      elements: str
      sample: [10.0.0.10, 10.0.1.10]
    ip_group_ids:
      description: The IP access control groups associated with the directory.
      returned: always
      type: list
      elements: str
      sample: []
    workspace_creation_properties:
      description: What new WorkSpaces of this directory get (internet access, default OU, security group...).
      returned: always
      type: dict
      sample:
        enable_internet_access: false
        user_enabled_as_local_administrator: false
        enable_maintenance_mode: true
    selfservice_permissions:
      description: What users may do to their own WorkSpaces (C(ENABLED) or C(DISABLED) for each).
      returned: always
      type: dict
      sample:
        restart_workspace: ENABLED
        increase_volume_size: DISABLED
        change_compute_type: DISABLED
        switch_running_mode: DISABLED
        rebuild_workspace: DISABLED
    workspace_access_properties:
      description: Which client device types may connect (C(ALLOW) or C(DENY) for each).
      returned: always
      type: dict
      sample:
        device_type_windows: ALLOW
        device_type_osx: ALLOW
        device_type_web: DENY
    tags:
      description: The tags of the directory.
      returned: when I(include_tags=true)
      type: dict
      sample: {"site": "hq"}
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.euc.workspaces.plugins.module_utils import reads
from ansible_collections.euc.workspaces.plugins.module_utils.client import reported_failures, workspaces_client
from ansible_collections.euc.workspaces.plugins.module_utils.common import check_ids
from ansible_collections.euc.workspaces.plugins.module_utils.transformations import normalize_directory

ARGUMENT_SPEC = {
    "directory_ids": {"type": "list", "elements": "str"},
    "include_tags": {"type": "bool", "default": False},
}


def list_directories(client, directory_ids: list[str] | None) -> list[dict]:
    """The registered directories asked for (all when directory_ids is None), complete."""
    if directory_ids is None:
        return reads.describe_directories(client)
    if not directory_ids:
        return []
    order: dict[str, int] = {}
    for directory_id in directory_ids:
        order.setdefault(directory_id, len(order))
    found = reads.describe_directories(client, directory_ids)
    return sorted(found, key=lambda directory: order.get(directory["DirectoryId"], len(order)))


def main():
    module = AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    params = module.params
    problems = check_ids("directory_ids", "directory", params["directory_ids"])
    if problems:
        module.fail_json(msg="; ".join(problems))

    client = workspaces_client(module)
    with reported_failures(module, "list WorkSpaces directories"):
        found = list_directories(client, params["directory_ids"])
        tags = None
        if params["include_tags"]:
            # An account has few directories, and the tagging API's resource type for them is not the same
            # everywhere: one DescribeTags per directory is both cheap and exact.
            tags = reads.tags_per_resource(client, [directory["DirectoryId"] for directory in found])
    directories = [
        normalize_directory(directory, tags=None if tags is None else tags.get(directory["DirectoryId"], {}))
        for directory in found
    ]
    module.exit_json(changed=False, directories=directories)


if __name__ == "__main__":
    main()
