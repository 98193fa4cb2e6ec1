#!/usr/bin/python

# Copyright: (c) 2026, euc.workspaces contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: directory
short_description: Register a directory with Amazon WorkSpaces and keep its settings
version_added: 0.1.0
description:
  - Registers an AWS Directory Service directory with Amazon WorkSpaces (O(state=present)) or deregisters it
    (O(state=absent)), and keeps the directory's WorkSpaces settings as the task states them, on every run.
  - Each setting is converged only when the task sets it. Sub-options left unset are omitted from every request
    (never sent as empty values) and keep whatever value the directory has.
  - A registration waits until the directory is C(REGISTERED); a deregistration waits until the directory is no
    longer listed. While Directory Service has not made the directory C(Active) yet, WorkSpaces answers
    C(InvalidResourceStateException); the module tries again until O(wait_timeout) runs out, then fails naming
    the directory's Directory Service stage.
  - A directory in a Directory Service stage that does not become C(Active) by itself (C(Failed), C(Deleting),
    C(Deleted), C(RestoreFailed), C(Inoperable), C(Impaired)) fails at once, before any change and in check mode
    too, naming the stage.
  - When RegisterWorkspaceDirectory or DeregisterWorkspaceDirectory fails (for example a retry refused after the
    answer to the first attempt was lost), the directory is read again; if it is registered (or gone) after all,
    the module takes that as its own change, warns, and goes on.
  - Right after a registration every settings group the task sets is sent, also one whose values the
    registration's defaults already match, so that check mode predicts exactly the calls the real run makes.
  - A directory that is C(REGISTERING) or C(DEREGISTERING) when the task starts is waited for first.
  - Deregistering a directory that still has WorkSpaces fails before any change, naming how many it has.
  - Malformed IDs and empty values fail before any API call, naming the option.
author:
  - euc.workspaces contributors (@euc-workspaces)
options:
  directory_id:
    description:
      - The ID of the Directory Service directory (C(d-) followed by hex digits).
    type: str
    required: true
  state:
    description:
      - V(present) registers the directory if needed, then converges the settings and tags the task sets.
      - V(absent) deregisters the directory. The other options are then ignored.
    type: str
    choices: [present, absent]
    default: present
  subnet_ids:
    description:
      - The subnets (at most two, in different Availability Zones) the WorkSpaces of the directory use.
      - Used only when the directory is registered. A registered directory whose subnets differ gets a warning,
        since subnets cannot change in place.
    type: list
    elements: str
  enable_self_service:
    description:
      - Whether users get the self-service capabilities. Used only when the directory is registered; afterwards
        use O(selfservice_permissions).
    type: bool
  tenancy:
    description:
      - V(DEDICATED) for Bring Your Own License images, V(SHARED) otherwise. Used only when the directory is
        registered; a registered directory whose tenancy differs gets a warning.
    type: str
    choices: [DEDICATED, SHARED]
  selfservice_permissions:
    description:
      - What users may do to their own WorkSpaces (ModifySelfservicePermissions). V(true) enables, V(false)
        disables; unset permissions keep their current value.
    type: dict
    suboptions:
      restart_workspace:
        description: Users may restart their WorkSpace.
        type: bool
      increase_volume_size:
        description: Users may increase the volume sizes of their WorkSpace.
        type: bool
      change_compute_type:
        description: Users may change the compute type (bundle) of their WorkSpace.
        type: bool
      switch_running_mode:
        description: Users may switch the running mode of their WorkSpace.
        type: bool
      rebuild_workspace:
        description: Users may rebuild the operating system of their WorkSpace.
        type: bool
  workspace_creation_properties:
    description:
      - Defaults for the WorkSpaces created in the directory (ModifyWorkspaceCreationProperties). Unset
        properties are not sent and keep their current value.
    type: dict
    suboptions:
      enable_internet_access:
        description: New WorkSpaces get direct internet access.
        type: bool
      default_ou:
        description:
          - The organizational unit new WorkSpace machine accounts are placed in, for example
            C(OU=WorkSpaces,DC=corp,DC=example,DC=com). An empty value fails, since the API cannot clear it.
        type: str
      custom_security_group_id:
        description:
          - A security group (C(sg-...)) added to new WorkSpaces. An empty value fails, since the API cannot clear
            it.
        type: str
      user_enabled_as_local_administrator:
        description: Users are local administrators of new WorkSpaces.
        type: bool
      enable_maintenance_mode:
        description: New WorkSpaces get maintenance mode (automatic updates during the maintenance window).
        type: bool
  workspace_access_properties:
    description:
      - Which client device types may connect to the WorkSpaces of the directory
        (ModifyWorkspaceAccessProperties). Unset device types keep their current value.
    type: dict
    suboptions:
      device_type_windows:
        description: Windows clients.
        type: str
        choices: [ALLOW, DENY]
      device_type_osx:
        description: macOS clients.
        type: str
        choices: [ALLOW, DENY]
      device_type_web:
        description: Web browser access.
        type: str
        choices: [ALLOW, DENY]
      device_type_ios:
        description: iOS clients.
        type: str
        choices: [ALLOW, DENY]
      device_type_android:
        description: Android clients.
        type: str
        choices: [ALLOW, DENY]
      device_type_chromeos:
        description: ChromeOS clients. The alias is the key C(directory.workspace_access_properties) shows.
        type: str
        choices: [ALLOW, DENY]
        aliases: [device_type_chrome_os]
      device_type_zeroclient:
        description: PCoIP zero clients. The alias is the key C(directory.workspace_access_properties) shows.
        type: str
        choices: [ALLOW, DENY]
        aliases: [device_type_zero_client]
      device_type_linux:
        description: Linux clients.
        type: str
        choices: [ALLOW, DENY]
  wait_timeout:
    description:
      - Seconds the task may spend in total waiting for the directory (to become C(Active) in Directory Service,
        C(REGISTERED), or gone).
    type: int
    default: 900
notes:
  - Supports check mode (every read, no change; C(directory) is null when check mode predicts a registration)
    and diff mode (the directory before and after, as C(directory) shows it; a predicted registration shows only
    what is known before it, not what the service assigns, such as the registration code).
  - RegisterWorkspaceDirectory's members changed across botocore releases. The module reads them from the loaded
    service model. Models older than May 2025 require C(EnableWorkDocs), which is then sent as false (WorkDocs
    reached its end of support); newer models no longer have it. The oldest botocore whose model has every
    member this module sends is 1.34.0.
requirements:
  - botocore >= 1.34.0
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Register a directory, with self-service restart only, web access denied, and tags
  euc.workspaces.directory:
    directory_id: d-1234567890
    subnet_ids: [subnet-0123456789abcdef0, subnet-0fedcba9876543210]
    tenancy: SHARED
    selfservice_permissions:
      restart_workspace: true
      rebuild_workspace: false
    workspace_creation_properties:
      enable_internet_access: true
      default_ou: OU=WorkSpaces,DC=corp,DC=example,DC=com
    workspace_access_properties:
      device_type_web: DENY
      device_type_linux: ALLOW
    tags:
      team: desktops
  register: corp

- name: Only change one permission; everything else stays as it is
  euc.workspaces.directory:
    directory_id: d-1234567890
    selfservice_permissions:
      increase_volume_size: true
    purge_tags: false

- name: Deregister the directory (fails while it still has WorkSpaces)
  euc.workspaces.directory:
    directory_id: d-1234567890
    state: absent
"""

RETURN = r"""
directory:
  description:
    - The registered directory, as P(euc.workspaces.directory_info#module) returns it, with its tags.
    - Null when the directory is not registered (after O(state=absent), or when check mode predicts a
      registration).
    - Keys the API adds beyond those listed here are returned in snake_case too.
  returned: always
  type: dict
  contains:
    directory_id:
      description: The ID of the directory.
      returned: always
      type: str
      sample: d-1234567890
    directory_name:
      description: The name of the directory.
      returned: always
      type: str
    alias:
      description: The directory's alias.
      returned: always
      type: str
    state:
      description: C(REGISTERING), C(REGISTERED), C(DEREGISTERING), C(DEREGISTERED) or C(ERROR).
      returned: always
      type: str
      sample: REGISTERED
    directory_type:
      description: C(SIMPLE_AD), C(AD_CONNECTOR), C(CUSTOMER_MANAGED) or C(AWS_IAM_IDENTITY_CENTER).
      returned: always
      type: str
    registration_code:
      description: The code users enter in their WorkSpaces client.
      returned: always
      type: str
    subnet_ids:
      description: The subnets of the directory's WorkSpaces.
      returned: always
      type: list
      elements: str
    dns_ip_addresses:
      description: The directory's DNS servers.
      returned: always
      type: list
      elements: str
    ip_group_ids:
      description: The IP access control groups of the directory.
      returned: always
      type: list
      elements: str
    iam_role_id:
      description: The IAM role WorkSpaces uses for the directory.
      returned: always
      type: str
    workspace_security_group_id:
      description: The security group WorkSpaces created for the directory.
      returned: always
      type: str
    tenancy:
      description: C(DEDICATED) or C(SHARED).
      returned: always
      type: str
    selfservice_permissions:
      description: The self-service permissions (C(ENABLED) or C(DISABLED) each), keys in snake_case.
      returned: always
      type: dict
      sample: {restart_workspace: ENABLED, rebuild_workspace: DISABLED}
    workspace_creation_properties:
      description: The defaults for new WorkSpaces, keys in snake_case.
      returned: always
      type: dict
      sample: {enable_internet_access: true, default_ou: "OU=WorkSpaces,DC=corp,DC=example,DC=com"}
    workspace_access_properties:
      description: Which device types may connect (C(ALLOW) or C(DENY) each), keys in snake_case.
      returned: always
      type: dict
      sample: {device_type_web: DENY, device_type_windows: ALLOW}
    tags:
      description: The tags of the directory.
      returned: always
      type: dict
      sample: {team: desktops}
actions:
  description:
    - What the task did, in order (in check mode, what it would do) among C(register), C(deregister),
      C(modify_selfservice_permissions), C(modify_workspace_creation_properties),
      C(modify_workspace_access_properties), C(tag) and C(untag). Empty when nothing changed.
  returned: always
  type: list
  elements: str
  sample: [register, modify_workspace_access_properties]
modified:
  description:
    - The settings whose values changed (in check mode, would change), as option paths such as
      C(selfservice_permissions.rebuild_workspace) or C(tags.team).
  returned: always
  type: list
  elements: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.euc.workspaces.plugins.module_utils import directories
from ansible_collections.euc.workspaces.plugins.module_utils.client import (
    directory_service_client,
    reported_failures,
    workspaces_client,
)
from ansible_collections.euc.workspaces.plugins.module_utils.transformations import normalize_directory

DEVICE_ACCESS = {"type": "str", "choices": ["ALLOW", "DENY"]}

ARGUMENT_SPEC = {
    "directory_id": {"type": "str", "required": True},
    "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
    "subnet_ids": {"type": "list", "elements": "str"},
    "enable_self_service": {"type": "bool"},
    "tenancy": {"type": "str", "choices": ["DEDICATED", "SHARED"]},
    "selfservice_permissions": {
        "type": "dict",
        "options": {
            "restart_workspace": {"type": "bool"},
            "increase_volume_size": {"type": "bool"},
            "change_compute_type": {"type": "bool"},
            "switch_running_mode": {"type": "bool"},
            "rebuild_workspace": {"type": "bool"},
        },
    },
    "workspace_creation_properties": {
        "type": "dict",
        "options": {
            "enable_internet_access": {"type": "bool"},
            "default_ou": {"type": "str"},
            "custom_security_group_id": {"type": "str"},
            "user_enabled_as_local_administrator": {"type": "bool"},
            "enable_maintenance_mode": {"type": "bool"},
        },
    },
    "workspace_access_properties": {
        "type": "dict",
        "options": {
            "device_type_windows": DEVICE_ACCESS,
            "device_type_osx": DEVICE_ACCESS,
            "device_type_web": DEVICE_ACCESS,
            "device_type_ios": DEVICE_ACCESS,
            "device_type_android": DEVICE_ACCESS,
            "device_type_chromeos": dict(DEVICE_ACCESS, aliases=["device_type_chrome_os"]),
            "device_type_zeroclient": dict(DEVICE_ACCESS, aliases=["device_type_zero_client"]),
            "device_type_linux": DEVICE_ACCESS,
        },
    },
    "tags": {"type": "dict", "aliases": ["resource_tags"]},
    "purge_tags": {"type": "bool", "default": True},
    "wait_timeout": {"type": "int", "default": 900},
}


def shown(directory, tags):
    """The directory as the module returns it; None when not registered."""
    return None if directory is None else normalize_directory(directory, tags)


def known_part(predicted: dict) -> dict:
    """A predicted registration without the placeholders for what only the registration assigns (name, alias,
    registration code, the settings the task leaves unset...): a prediction states only what it knows."""
    placeholders = normalize_directory({})
    return {key: value for key, value in predicted.items() if key not in placeholders or value != placeholders[key]}


def execute(service, params: dict, plan, deadline):
    """Run a plan; returns (directory, tags, actions, modified) as they are afterwards."""
    directory_id = plan.directory_id
    if plan.deregister:
        service.deregister(directory_id, deadline)
        return None, None, plan.actions, plan.modified
    actions, modified = [], []
    if plan.register is not None:
        service.register(plan.register, deadline)
        actions.append("register")
        # Every settings group the task sets, as check mode predicts it; tags as the directory has them now.
        plan = directories.plan_after_registration(params, plan, service.read_tags(directory_id))
    service.apply(plan)
    actions += plan.actions
    modified += plan.modified
    return service.read(directory_id), service.read_tags(directory_id), actions, modified


def run(service, params: dict, check_mode: bool) -> dict:
    """Read, plan, execute unless check mode; the module's result (warnings under 'warnings')."""
    directory_id = params["directory_id"]
    deadline = directories.Deadline(params["wait_timeout"], service.clock)
    directory = service.read(directory_id)
    if not check_mode and directory is not None and directory.get("State") in directories.TRANSITIONAL_DIRECTORY_STATES:
        directory = service.wait(directory_id, "steady", deadline)
    registered = directories.is_registered(directory)
    tags = service.read_tags(directory_id) if registered else None

    if params["state"] == "absent":
        workspace_ids = service.workspaces_in(directory_id) if registered else []
        plan = directories.plan_absent(directory_id, directory, workspace_ids)
    else:
        plan = directories.plan_present(params, directory, tags, service.register_members())
        if plan.register is not None:
            # In check mode too: a directory Directory Service will not make Active fails before any change.
            service.refuse_lasting_stage(directory_id)

    before = shown(directory, tags) if registered else None
    predicted = shown(*directories.predict(params, directory, tags, plan))
    if plan.register is not None:
        predicted = known_part(predicted)
    if check_mode or not plan.changed:
        after = predicted
        result_directory = None if plan.register is not None else predicted
        actions, modified = plan.actions, plan.modified
    else:
        final_directory, final_tags, actions, modified = execute(service, params, plan, deadline)
        after = result_directory = shown(final_directory, final_tags)

    return {
        "changed": bool(actions),
        "directory": result_directory,
        "actions": actions,
        "modified": modified,
        "diff": {"before": before or {}, "after": after or {}},
        "warnings": plan.warnings + service.warnings,
    }


def main():
    module = AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    params = module.params
    problems = directories.input_problems(params)
    if problems:
        module.fail_json(msg="; ".join(problems))

    service = directories.DirectoryService(
        workspaces_client(module), ds_client=lambda: directory_service_client(module)
    )
    with reported_failures(module, f"manage the WorkSpaces directory {params['directory_id']}"):
        result = run(service, params, module.check_mode)

    for warning in result.pop("warnings"):
        module.warn(warning)
    if not module._diff:
        result.pop("diff")
    module.exit_json(**result)


if __name__ == "__main__":
    main()
