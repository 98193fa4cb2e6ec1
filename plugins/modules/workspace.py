#!/usr/bin/python

# Copyright: (c) 2026, euc.workspaces contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: workspace
short_description: Manage Amazon WorkSpaces, one or many
version_added: 0.1.0
description:
  - Creates, changes, reboots, rebuilds, starts, stops and terminates Amazon WorkSpaces, one per task or a whole
    list (O(workspaces)) in one task.
  - A WorkSpace is named by O(workspace_id), or by O(directory_id) and O(user_name) (one WorkSpace per user per
    directory; user names are compared without regard to case). O(workspace_name) narrows the choice for a user
    who has several. A C(TERMINATED) WorkSpace is taken as gone.
  - The module sends and compares only what the task sets. An option left out is never given a default and
    never reported as drift.
  - Every problem in the options (malformed IDs, user names, tags, a timeout that is not a multiple of 60, ...)
    fails the task before any API call, naming the option and the item.
  - Lookups read complete answers. For up to 5 users of a directory, one DescribeWorkspaces call per user (the
    service compares the user name without case); for more, one complete listing of the directory, not one call
    per user. A read that fails after retries fails the task; it is never taken as "no WorkSpace".
  - Writes are batched (25 WorkSpaces a call; RebuildWorkspaces takes one). A failure of one WorkSpace
    (including C(FailedRequests), which arrive inside a successful answer) is reported for that WorkSpace; what
    succeeded for the others is kept and reported, and the task then fails saying how many of each.
  - CreateWorkspaces is not idempotent. When its answer is C(ResourceExists.WorkSpace), or is lost (time-out,
    dropped connection, server error), the module looks the users up again and adopts what exists before it
    creates anything again, so a retry never makes a second WorkSpace for a user.
author:
  - euc.workspaces contributors (@euc-workspaces)
options:
  state:
    description:
      - V(present) creates the WorkSpace if it is missing and converges its properties, maintenance mode and tags.
      - V(absent) terminates it. It is done when the WorkSpace is gone from DescribeWorkspaces (C(TERMINATED)
        shows only briefly and is not the end). A missing or C(TERMINATED) WorkSpace is not a change. A
        C(SUSPENDED) WorkSpace cannot be terminated and fails the task.
      - V(rebooted) and V(rebuilt) send the action every time (a change each time). The WorkSpace must be in a
        state the action allows (reboot C(AVAILABLE), C(UNHEALTHY) or C(REBOOTING); rebuild also C(ERROR) and
        C(STOPPED)). C(REBOOTING) is acted on at once (a reboot that is stuck is what these actions are for);
        a WorkSpace in another transitional state is waited for first (up to O(wait_timeout)). Any other state
        fails, and the message names it. A rebuild recreates the system volume and restores the user volume from
        its last snapshot.
      - V(started) and V(stopped) are idempotent. They apply only to C(AUTO_STOP) and C(MANUAL) WorkSpaces. An
        C(ALWAYS_ON) WorkSpace fails the task, saying so.
      - Properties, O(admin_maintenance) and tags are acted on only with V(present).
      - In O(workspaces), the default for every item that sets no state of its own.
    type: str
    choices: [present, absent, rebooted, rebuilt, started, stopped]
    default: present
  workspace_id:
    description:
      - The ID of the WorkSpace (C(ws-) followed by 8 to 63 lowercase letters or digits).
      - A WorkSpace named by ID is never created; to create one give O(directory_id) and O(user_name).
      - Mutually exclusive with O(workspaces).
    type: str
  directory_id:
    description:
      - The directory of the WorkSpace's user (C(d-) followed by hex digits, or C(wsd-) followed by lowercase
        letters or digits). Required with O(user_name).
      - In O(workspaces), the default for every item.
    type: str
  user_name:
    description:
      - The user the WorkSpace belongs to, 1 to 63 characters. Compared without regard to case.
      - Mutually exclusive with O(workspaces).
    type: str
  workspace_name:
    description:
      - The name of the WorkSpace. It chooses among the WorkSpaces of a user who has several, and is given to a
        new WorkSpace.
      - A name that matches none of the user's WorkSpaces fails the task, listing the ones the user has (their IDs
        and names). No second WorkSpace is created for a user who has one. With O(state=absent) there is then
        nothing to terminate.
      - Mutually exclusive with O(workspaces).
    type: str
  bundle_id:
    description:
      - The bundle to create the WorkSpace from (C(wsb-) followed by 8 to 63 lowercase letters or digits).
      - Required to create a WorkSpace, ignored for one that exists. A WorkSpace created from another bundle gives
        a warning, and nothing is done about it (moving a WorkSpace to another bundle is a separate operation).
      - In O(workspaces), the default for every item.
    type: str
  running_mode:
    description:
      - The running mode. C(MANUAL) is for WorkSpaces Core accounts.
      - Property changes are made when the WorkSpace is C(AVAILABLE) or C(STOPPED). Compute type, root volume, user
        volume and protocols each go in a call of their own, in that order, after the running mode. Between the
        calls the module waits until the change before is finished (its new values read back and no change is in
        progress). A change in progress when the task starts is waited out first.
      - In O(workspaces), the default for every item.
    type: str
    choices: [AUTO_STOP, ALWAYS_ON, MANUAL]
  running_mode_auto_stop_timeout:
    description:
      - Minutes without a connection before an C(AUTO_STOP) WorkSpace stops; a multiple of 60.
      - Only with running mode C(AUTO_STOP) (set in O(running_mode), or the WorkSpace's own). To create a
        WorkSpace with it, set O(running_mode=AUTO_STOP) too.
      - In O(workspaces), the default for every item.
    type: int
  compute_type:
    description:
      - The compute type, for example C(STANDARD), C(PERFORMANCE), C(POWER) or C(GENERALPURPOSE_4XLARGE). Not
        empty.
      - The service allows a larger compute type once in 6 hours and a smaller one once in 30 days.
      - In O(workspaces), the default for every item.
    type: str
  root_volume_size:
    description:
      - Size of the root volume in GiB. Volumes only grow; a smaller size than the current one fails before any
        change is made.
      - In O(workspaces), the default for every item.
    type: int
  user_volume_size:
    description:
      - Size of the user volume in GiB. Volumes only grow; a smaller size than the current one fails before any
        change is made.
      - In O(workspaces), the default for every item.
    type: int
  protocols:
    description:
      - The streaming protocols of the WorkSpace. The order does not matter.
      - In O(workspaces), the default for every item.
    type: list
    elements: str
    choices: [PCOIP, WSP]
  admin_maintenance:
    description:
      - V(true) puts the WorkSpace in C(ADMIN_MAINTENANCE) (ModifyWorkspaceState); V(false) makes it
        C(AVAILABLE) again. Not set, maintenance mode is left alone.
      - A WorkSpace in C(ADMIN_MAINTENANCE) ignores reboot, rebuild, start and stop, and its properties are not
        changed until it leaves that mode.
      - On a new WorkSpace it needs O(wait=true), because the mode is set once the WorkSpace is C(AVAILABLE).
      - A WorkSpace enters the mode from C(AVAILABLE) or C(STOPPED); in another state the item is refused before
        any call.
      - In O(workspaces), the default for every item.
    type: bool
  volume_encryption_key:
    description:
      - The KMS key (ID, ARN or alias) the volumes of a new WorkSpace are encrypted with.
      - Encryption is fixed when a WorkSpace is created. A difference on an existing WorkSpace gives a warning; it
        is never a reason to terminate and create it again.
      - In O(workspaces), the default for every item.
    type: str
  root_volume_encryption:
    description:
      - Whether the root volume of a new WorkSpace is encrypted (needs O(volume_encryption_key)). See
        O(volume_encryption_key) for existing WorkSpaces.
      - In O(workspaces), the default for every item.
    type: bool
  user_volume_encryption:
    description:
      - Whether the user volume of a new WorkSpace is encrypted (needs O(volume_encryption_key)). See
        O(volume_encryption_key) for existing WorkSpaces.
      - In O(workspaces), the default for every item.
    type: bool
  wait:
    description:
      - Wait until each WorkSpace has reached the state the task asks for (C(AVAILABLE) after a create, reboot,
        rebuild or start, C(STOPPED) after a stop, gone from DescribeWorkspaces after a terminate, the new values
        read back after a property change, C(ADMIN_MAINTENANCE) or out of it after O(admin_maintenance)).
      - The first reads after a reboot, rebuild, start or stop may still show the state from before it. Such a
        read is not taken as the end (nor as a failure) until the WorkSpace has been seen in another state, or
        10 seconds have passed; then the state it shows is judged.
      - With V(false) the module returns as soon as the last call is sent, with the state each WorkSpace is in
        then. Waits the work itself needs are still made, whatever this option says. Such waits are for a
        WorkSpace in a transitional state (or a property change in progress) before an action, and between the
        steps of one WorkSpace (property changes, maintenance mode).
      - A WorkSpace that goes to C(ERROR) while the module waits fails with its error code and message; a property
        change that shows C(UPDATE_FAILED) fails naming the resource.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds each wait may take. A wait covers all the WorkSpaces that wait for the same thing, polled
        together, 25 IDs a call, at a pace that does not hammer the API.
      - When it runs out, the task fails naming the WorkSpaces still waited for and their last states.
    type: int
    default: 1800
  workspaces:
    description:
      - Many WorkSpaces in one task. Each item names one WorkSpace and may set any per-WorkSpace option.
        The top-level options are the defaults for every item (an item's O(workspaces[].tags) replaces the
        top-level O(tags)).
      - Mutually exclusive with O(workspace_id), O(user_name) and O(workspace_name).
      - The result has one entry per item, in the same order, under RV(workspaces), and counts under RV(summary).
    type: list
    elements: dict
    suboptions:
      state:
        description: As O(state). Default is the top-level O(state).
        type: str
        choices: [present, absent, rebooted, rebuilt, started, stopped]
      workspace_id:
        description: As O(workspace_id). Each item needs O(workspaces[].workspace_id) or O(workspaces[].user_name).
        type: str
      directory_id:
        description: As O(directory_id).
        type: str
      user_name:
        description: As O(user_name).
        type: str
      workspace_name:
        description: As O(workspace_name).
        type: str
      bundle_id:
        description: As O(bundle_id).
        type: str
      running_mode:
        description: As O(running_mode).
        type: str
        choices: [AUTO_STOP, ALWAYS_ON, MANUAL]
      running_mode_auto_stop_timeout:
        description: As O(running_mode_auto_stop_timeout).
        type: int
      compute_type:
        description: As O(compute_type).
        type: str
      root_volume_size:
        description: As O(root_volume_size).
        type: int
      user_volume_size:
        description: As O(user_volume_size).
        type: int
      protocols:
        description: As O(protocols).
        type: list
        elements: str
        choices: [PCOIP, WSP]
      admin_maintenance:
        description: As O(admin_maintenance).
        type: bool
      volume_encryption_key:
        description: As O(volume_encryption_key).
        type: str
      root_volume_encryption:
        description: As O(root_volume_encryption).
        type: bool
      user_volume_encryption:
        description: As O(user_volume_encryption).
        type: bool
      tags:
        description: As O(tags).
        type: dict
      purge_tags:
        description: As O(purge_tags). Default is the top-level O(purge_tags).
        type: bool
notes:
  - Supports check mode. Every lookup runs, no change is sent, and the result predicts what a real run would
    return (C(changed), the actions per WorkSpace, RV(summary)).
  - Supports diff mode. The diff shows, per WorkSpace, the properties, maintenance mode and tags that change,
    and whether the WorkSpace is created or terminated.
  - Tags are read only when the task sets O(tags). Tag keys starting with C(aws:) are never changed or removed.
    At most 50 tags per WorkSpace, not counting C(aws:) keys; keys of 1 to 127 characters, values of at most 255.
    Values are strings, numbers or booleans (a list or dict fails the task), sent as strings. The tags of a new
    WorkSpace are sent with CreateWorkspaces.
  - In O(workspaces), two items for the same user in the same directory name the same WorkSpace (and fail the
    task before any call) unless both give different O(workspaces[].workspace_name) values.
  - When WorkSpaces are to be created, the module first checks (also in check mode, before any change) that each
    directory they name is registered with WorkSpaces (state C(REGISTERED)) and each bundle exists, with one
    DescribeWorkspaceDirectories and one DescribeWorkspaceBundles call per 25 IDs. An item whose directory or
    bundle fails the check is refused, naming the item, the option and the value; the other items go on. A run
    that creates nothing makes neither call.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Make sure jdoe has a WorkSpace that stops after two idle hours
  euc.workspaces.workspace:
    directory_id: d-1234567890
    user_name: jdoe
    bundle_id: wsb-0123abcd4
    running_mode: AUTO_STOP
    running_mode_auto_stop_timeout: 120
    tags:
      team: finance
  register: jdoe

- name: Grow the user volume and move to a larger compute type (two calls, in the order the service takes)
  euc.workspaces.workspace:
    workspace_id: ws-abcd1234ef
    compute_type: PERFORMANCE
    user_volume_size: 100

- name: Put a WorkSpace in maintenance mode, leaving its tags alone
  euc.workspaces.workspace:
    workspace_id: ws-abcd1234ef
    admin_maintenance: true

- name: Reboot a WorkSpace without waiting for it to come back
  euc.workspaces.workspace:
    workspace_id: ws-abcd1234ef
    state: rebooted
    wait: false

- name: Stop every WorkSpace of a list (AUTO_STOP or MANUAL ones)
  euc.workspaces.workspace:
    directory_id: d-1234567890
    state: stopped
    workspaces:
      - user_name: jdoe
      - user_name: asmith
      - workspace_id: ws-5678ghij90

- name: Provision a team in one task, defaults at the top, exceptions per item
  euc.workspaces.workspace:
    directory_id: d-1234567890
    bundle_id: wsb-0123abcd4
    running_mode: AUTO_STOP
    tags:
      team: engineering
    workspaces:
      - user_name: jdoe
      - user_name: asmith
        compute_type: POWER
        tags:
          team: engineering
          gpu: "no"
      - user_name: leaver
        state: absent
  register: team

- name: Show what the task did
  ansible.builtin.debug:
    msg: "{{ team.summary }}"

- name: Terminate a WorkSpace and wait until it is gone
  euc.workspaces.workspace:
    directory_id: d-1234567890
    user_name: leaver
    state: absent
"""

RETURN = r"""
summary:
  description:
    - How many WorkSpaces had each action (in check mode, would have), how many were unchanged, and how many
      failed. A WorkSpace that failed after some actions counts for those actions and as failed.
    - In check mode, the prediction of the real run. The two agree unless something changes in between or
      during the run (a WorkSpace created meanwhile, or a transitional state that ends elsewhere than expected,
      after which the real run plans again).
  returned: always
  type: dict
  sample:
    created: 3
    terminated: 0
    modified: 1
    tagged: 2
    rebooted: 0
    rebuilt: 0
    started: 0
    stopped: 0
    maintenance: 0
    unchanged: 10
    failed: 0
workspace:
  description:
    - The WorkSpace as M(euc.workspaces.workspace_info) returns it (with C(tags) when the task sets O(tags)).
    - Null when there is none, after a terminate that was waited for, or when the WorkSpace to terminate is
      already gone or C(TERMINATED). With O(wait=false) a terminate returns the WorkSpace as last read (usually
      C(TERMINATING)).
    - In check mode, the WorkSpace as the real run is expected to leave it (a WorkSpace that would be created has
      a null RV(workspace.workspace_id)).
  returned: when O(workspaces) is not used
  type: dict
  sample:
    workspace_id: ws-abcd1234ef
    directory_id: d-1234567890
    user_name: jdoe
    state: AVAILABLE
    bundle_id: wsb-0123abcd4
    workspace_properties:
      running_mode: AUTO_STOP
      running_mode_auto_stop_timeout_in_minutes: 120
    tags:
      team: finance
  contains:
    workspace_id:
      description: The ID; null for a WorkSpace that check mode would create.
      returned: success
      type: str
      sample: ws-abcd1234ef
    state:
      description: The state of the WorkSpace.
      returned: success
      type: str
      sample: AVAILABLE
actions:
  description:
    - What was done to the WorkSpace, in order (in check mode, what would be done). Any of C(create),
      C(terminate), C(reboot), C(rebuild), C(start), C(stop), C(tag), C(maintenance), C(modify).
  returned: when O(workspaces) is not used
  type: list
  elements: str
  sample: [create, tag]
modified:
  description: The property options that were changed.
  returned: when O(workspaces) is not used
  type: list
  elements: str
  sample: [compute_type, user_volume_size]
failure:
  description: Why the WorkSpace failed; null when it did not.
  returned: when O(workspaces) is not used
  type: dict
  sample:
    stage: wait
    error_code: WaitTimeout
    error_message: timed out after 1800 s waiting for ws-abcd1234ef to be available; last state PENDING
workspaces:
  description: One entry per item of O(workspaces), in the same order.
  returned: when O(workspaces) is used
  type: list
  elements: dict
  contains:
    user_name:
      description: The user of the WorkSpace.
      returned: always
      type: str
      sample: jdoe
    directory_id:
      description: The directory of the WorkSpace.
      returned: always
      type: str
      sample: d-1234567890
    workspace_id:
      description:
        - The ID of the WorkSpace; null while none exists (absent, or a create in check mode).
        - After a terminate (in check mode too), the ID of the WorkSpace that was terminated.
      returned: always
      type: str
      sample: ws-abcd1234ef
    changed:
      description: Whether anything was done to this WorkSpace (in check mode, would be).
      returned: always
      type: bool
      sample: true
    actions:
      description: What was done, in order, as in RV(actions).
      returned: always
      type: list
      elements: str
      sample: [create, tag]
    modified:
      description: The property options that were changed.
      returned: always
      type: list
      elements: str
      sample: []
    failed:
      description: Whether this WorkSpace failed.
      returned: always
      type: bool
      sample: false
    failure:
      description:
        - Null, or why this WorkSpace failed. C(stage) is where (C(plan), C(create), C(wait), C(terminate),
          C(modify), ...). C(error_code) is the AWS code, the WorkSpace's own ErrorCode, or C(Refused),
          C(WaitTimeout), C(NotFound), C(UnexpectedState), C(UpdateFailed), C(OutcomeUnknown). C(error_message)
          names the WorkSpace and the reason.
      returned: always
      type: dict
      sample: null
    workspace:
      description: The WorkSpace as RV(workspace) describes it; null when there is none.
      returned: always
      type: dict
      sample: {"workspace_id": "ws-abcd1234ef", "state": "AVAILABLE"}
diff:
  description: Per WorkSpace that changes, before and after (a list with O(workspaces)).
  returned: in diff mode
  type: raw
  sample: {"before": {"compute_type": "STANDARD"}, "after": {"compute_type": "PERFORMANCE"}}
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.euc.workspaces.plugins.module_utils import planner, reads
from ansible_collections.euc.workspaces.plugins.module_utils.actions import (
    Executor,
    create_target_refusals,
    find_workspaces,
)
from ansible_collections.euc.workspaces.plugins.module_utils.client import (
    reported_failures,
    workspaces_client,
)
from ansible_collections.euc.workspaces.plugins.module_utils.transformations import normalize_workspace

STATE_CHOICES = list(planner.STATES)
RUNNING_MODES = ["AUTO_STOP", "ALWAYS_ON", "MANUAL"]
PROTOCOLS = ["PCOIP", "WSP"]

WORKSPACE_OPTIONS = {
    "directory_id": {"type": "str"},
    "bundle_id": {"type": "str"},
    "running_mode": {"type": "str", "choices": RUNNING_MODES},
    "running_mode_auto_stop_timeout": {"type": "int"},
    "compute_type": {"type": "str"},
    "root_volume_size": {"type": "int"},
    "user_volume_size": {"type": "int"},
    "protocols": {"type": "list", "elements": "str", "choices": PROTOCOLS},
    "admin_maintenance": {"type": "bool"},
    "volume_encryption_key": {"type": "str", "no_log": False},
    "root_volume_encryption": {"type": "bool"},
    "user_volume_encryption": {"type": "bool"},
}
IDENTITY = {"workspace_id": {"type": "str"}, "user_name": {"type": "str"}, "workspace_name": {"type": "str"}}
ITEM_SPEC = {
    "state": {"type": "str", "choices": STATE_CHOICES},
    **IDENTITY,
    **WORKSPACE_OPTIONS,
    "tags": {"type": "dict"},
    "purge_tags": {"type": "bool"},
}
ARGUMENT_SPEC = {
    "state": {"type": "str", "choices": STATE_CHOICES, "default": "present"},
    **IDENTITY,
    **WORKSPACE_OPTIONS,
    "tags": {"type": "dict", "aliases": ["resource_tags"]},
    "purge_tags": {"type": "bool", "default": True},
    "wait": {"type": "bool", "default": True},
    "wait_timeout": {"type": "int", "default": 1800},
    "workspaces": {"type": "list", "elements": "dict", "options": ITEM_SPEC},
}


def make_plans(module, client, items: list, read_tags) -> list:
    """Look every WorkSpace up (and its tags, when the task sets tags), then plan each one.

    When the plans create WorkSpaces, the directories and bundles they name are checked first (check mode too):
    a create that cannot succeed is refused like any other plan, and the other items go on.
    """
    currents, refusals = find_workspaces(client, items)
    tagged = [planner.needs_tags(item, current) for item, current in zip(items, currents)]
    wanted = [current["WorkspaceId"] for current, needed in zip(currents, tagged) if needed]
    tags = read_tags(wanted) if wanted else {}
    current_tags = [
        tags.get(current["WorkspaceId"], {}) if needed else None for current, needed in zip(currents, tagged)
    ]

    def plan_all():
        return [
            planner.plan_item(item, current, these_tags, module.params["wait"], refusal=refusal)
            for item, current, these_tags, refusal in zip(items, currents, current_tags, refusals)
        ]

    plans = plan_all()
    creating = [index for index, plan in enumerate(plans) if planner.creates(plan)]
    if not creating:
        return plans
    refusals = list(refusals)
    for index, refusal in zip(creating, create_target_refusals(client, [items[index] for index in creating])):
        refusals[index] = refusal
    return plan_all()


def execute(module, client, plans: list, read_tags) -> list:
    executor = Executor(client, read_tags, module.params["wait"], module.params["wait_timeout"])
    return executor.run(plans)


def report(module, outcomes: list) -> None:
    summary = planner.summarize(outcomes)
    for warning in planner.unique(w for outcome in outcomes for w in outcome.warnings):
        module.warn(warning)
    entries = [planner.item_result(outcome, normalize_workspace) for outcome in outcomes]
    result = {"changed": any(outcome.changed for outcome in outcomes), "summary": summary}
    batch = module.params["workspaces"] is not None
    if batch:
        result["workspaces"] = entries
    else:
        result.update({key: entries[0][key] for key in ("workspace", "actions", "modified", "failure")})
    if module._diff:
        diffs = [outcome.plan.diff for outcome in outcomes if outcome.changed and outcome.plan.diff]
        result["diff"] = diffs if batch else (diffs[0] if diffs else {"before": {}, "after": {}})
    failed = [outcome for outcome in outcomes if outcome.failure is not None]
    if failed:
        message = planner.failure_message(outcomes, summary) if batch else failed[0].failure["error_message"]
        module.fail_json(msg=message, **result)
    module.exit_json(**result)


def main():
    module = AnsibleAWSModule(
        argument_spec=ARGUMENT_SPEC,
        mutually_exclusive=[["workspaces", option] for option in IDENTITY],
        required_one_of=[["workspace_id", "user_name", "workspaces"]],
        supports_check_mode=True,
    )
    items, problems = planner.build_items(module.params)
    if module.params["wait_timeout"] < 0:
        problems.append(f"wait_timeout must not be negative, got {module.params['wait_timeout']}")
    if problems:
        module.fail_json(msg="; ".join(problems), problems=problems)

    client = workspaces_client(module)
    read_tags = reads.TagReader(module, client)
    with reported_failures(module, "manage WorkSpaces"):
        plans = make_plans(module, client, items, read_tags)
        if module.check_mode:
            outcomes = [planner.Outcome.predicted(plan) for plan in plans]
        else:
            outcomes = execute(module, client, plans, read_tags)
    report(module, outcomes)


if __name__ == "__main__":
    main()
