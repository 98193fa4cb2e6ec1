# Copyright: (c) 2026, euc.workspaces contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Desired + current -> what to do for each WorkSpace. Pure functions: no API calls, fully testable.

The same plan is what check mode reports, what diff mode prints, and what a real run executes:
check mode never has its own logic.

- build_items: the task's options as one Item per WorkSpace (batch items merged with the top-level defaults),
  and every problem found in them, before any API call.
- find_current: which listed WorkSpace an item names (user names compared without case).
- plan_item: an Item and the WorkSpace as DescribeWorkspaces returns it -> a Plan: ordered Steps, warnings,
  the predicted result, the diff, or a refusal that names the item and the reason.
- Outcome, item_result, summarize, failure_message: the result contract (docs/architecture.md).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from ansible_collections.euc.workspaces.plugins.module_utils.common import (
    ACTION_ALLOWED_STATES,
    MODIFICATION_IN_PROGRESS,
    SETTLES_TO,
    STOPPABLE_RUNNING_MODES,
    TRANSITIONAL_STATES,
    WORKSPACE_NAME_PATTERN,
    id_problem,
    modifications,
    user_name_problem,
)

STATES = ("present", "absent", "rebooted", "rebuilt", "started", "stopped")

# Property options and their WorkspaceProperties keys.
PROPERTY_KEYS = {
    "running_mode": "RunningMode",
    "running_mode_auto_stop_timeout": "RunningModeAutoStopTimeoutInMinutes",
    "compute_type": "ComputeTypeName",
    "root_volume_size": "RootVolumeSizeGib",
    "user_volume_size": "UserVolumeSizeGib",
    "protocols": "Protocols",
}
# The service refuses compute type with a volume, or both volumes, in one request: one call per group, in order.
MODIFY_GROUPS = (
    ("running_mode", "running_mode_auto_stop_timeout"),
    ("compute_type",),
    ("root_volume_size",),
    ("user_volume_size",),
    ("protocols",),
)
VOLUME_OPTIONS = ("root_volume_size", "user_volume_size")
ENCRYPTION_KEYS = {
    "volume_encryption_key": "VolumeEncryptionKey",
    "root_volume_encryption": "RootVolumeEncryptionEnabled",
    "user_volume_encryption": "UserVolumeEncryptionEnabled",
}
IDENTITY_OPTIONS = ("workspace_id", "directory_id", "user_name", "workspace_name")
ITEM_OPTIONS = (
    "state",
    *IDENTITY_OPTIONS,
    "bundle_id",
    *PROPERTY_KEYS,
    "admin_maintenance",
    *ENCRYPTION_KEYS,
    "tags",
    "purge_tags",
)
# Options that only state=present acts on.
PRESENT_ONLY_OPTIONS = (*PROPERTY_KEYS, "admin_maintenance", *ENCRYPTION_KEYS, "tags")

AUTO_STOP = "AUTO_STOP"
AUTO_STOP_STEP = 60
DEFAULT_AUTO_STOP_MINUTES = 60
AUTO_STOP_TIMEOUT_KEY = "RunningModeAutoStopTimeoutInMinutes"
MAX_TAGS = 50
TAG_KEY_MAX = 127
TAG_VALUE_MAX = 255
RESERVED_TAG_PREFIX = "aws:"

MAINTENANCE_STATE = "ADMIN_MAINTENANCE"
TERMINATED = "TERMINATED"  # as good as gone: the ID disappears soon, and the user may have a new WorkSpace
GONE_STATES = frozenset(["TERMINATING", TERMINATED])
RUNNING_STATES = frozenset(["AVAILABLE", "IMPAIRED", "UNHEALTHY"])
MODIFY_STATES = ACTION_ALLOWED_STATES["modify"]
# guessed (the API reference names no states): maintenance is entered from AVAILABLE or STOPPED, as the local
# endpoint models it; refusing others in the plan keeps check mode and the real run in agreement.
MAINTENANCE_ON_STATES = frozenset(["AVAILABLE", "STOPPED"])

# The state each waiter goal ends in (None: the WorkSpace is gone; absent key: the state does not change).
GOAL_END_STATES = {"created": "AVAILABLE", "available": "AVAILABLE", "stopped": "STOPPED", "gone": None}
# The state a WorkSpace shows right after each action when the task does not wait.
IN_PROGRESS_STATES = {
    "create": "PENDING",
    "terminate": "TERMINATING",
    "reboot": "REBOOTING",
    "rebuild": "REBUILDING",
    "start": "STARTING",
    "stop": "STOPPING",
}
# Steps that need a WorkSpace out of any transitional state before they are sent.
STEADY_KINDS = frozenset(["reboot", "rebuild", "start", "stop", "maintenance", "modify"])

ACTION_SUMMARY = {
    "create": "created",
    "terminate": "terminated",
    "modify": "modified",
    "tag": "tagged",
    "reboot": "rebooted",
    "rebuild": "rebuilt",
    "start": "started",
    "stop": "stopped",
    "maintenance": "maintenance",
}
SUMMARY_KEYS = (*ACTION_SUMMARY.values(), "unchanged", "failed")


class Refusal(Exception):
    """The plan for one WorkSpace cannot be carried out; the message says why."""


# -- the task's items ----------------------------------------------------------------------------------------


@dataclass
class Item:
    """One WorkSpace as the task describes it. Options the task did not set are None (or absent)."""

    index: int | None
    state: str = "present"
    workspace_id: str | None = None
    directory_id: str | None = None
    user_name: str | None = None
    workspace_name: str | None = None
    bundle_id: str | None = None
    properties: dict = field(default_factory=dict)
    admin_maintenance: bool | None = None
    encryption: dict = field(default_factory=dict)
    tags: dict | None = None
    purge_tags: bool = True
    ignored: tuple = ()  # options set on this item that its state does not act on

    @classmethod
    def from_values(cls, index: int | None, values: dict, explicit=()) -> Item:
        tags = values.get("tags")
        return cls(
            index=index,
            state=values.get("state") or "present",
            workspace_id=values.get("workspace_id"),
            directory_id=values.get("directory_id"),
            user_name=values.get("user_name"),
            workspace_name=values.get("workspace_name"),
            bundle_id=values.get("bundle_id"),
            properties={key: values[key] for key in PROPERTY_KEYS if values.get(key) is not None},
            admin_maintenance=values.get("admin_maintenance"),
            encryption={key: values[key] for key in ENCRYPTION_KEYS if values.get(key) is not None},
            tags=None if tags is None else {str(key): tag_value(value) for key, value in tags.items()},
            purge_tags=True if values.get("purge_tags") is None else bool(values["purge_tags"]),
            ignored=tuple(
                key
                for key in PRESENT_ONLY_OPTIONS
                if (values.get("state") or "present") != "present" and key in explicit and values.get(key) is not None
            ),
        )

    @property
    def label(self) -> str:
        """How messages name the item: its place in workspaces and who it is; empty for a single task."""
        if self.index is None:
            return ""
        if self.user_name is not None:
            return f"workspaces[{self.index}] (user_name {self.user_name})"
        if self.workspace_id is not None:
            return f"workspaces[{self.index}] (workspace_id {self.workspace_id})"
        return f"workspaces[{self.index}]"

    def prefix(self, message: str) -> str:
        return f"{self.label}: {message}" if self.label else message

    @property
    def who(self) -> str:
        if self.user_name is not None:
            return f"user {self.user_name} in directory {self.directory_id}"
        return f"{self.workspace_id}"


def tag_value(value):
    """Tag values are strings; null becomes the empty string. A list or dict is left as it is: refused later."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return value
    return str(value)


def build_items(params: dict) -> tuple[list[Item], list[str]]:
    """One Item per WorkSpace, batch items merged with the top-level defaults, and every problem in them."""
    if params.get("workspaces") is None:
        items = [Item.from_values(None, {key: params.get(key) for key in ITEM_OPTIONS}, explicit=ITEM_OPTIONS)]
    else:
        items = [
            Item.from_values(
                index, merged(raw or {}, params), explicit=[k for k, v in (raw or {}).items() if v is not None]
            )
            for index, raw in enumerate(params["workspaces"])
        ]
    problems = [item.prefix(problem) for item in items for problem in item_problems(item)]
    return items, problems + duplicate_problems(items)


def merged(raw: dict, defaults: dict) -> dict:
    """An item's own values, and the top-level value for every option the item leaves unset."""
    return {key: raw[key] if raw.get(key) is not None else defaults.get(key) for key in ITEM_OPTIONS}


def item_problems(item: Item) -> list[str]:
    """What is wrong with an item's options on their own (no API needed), each naming the option."""
    return (
        identity_problems(item)
        + property_problems(item.properties)
        + encryption_problems(item.encryption)
        + (tag_problems(item.tags))
    )


def encryption_problems(encryption: dict) -> list[str]:
    key = encryption.get("volume_encryption_key")
    if key is not None and not str(key).strip():
        return ["volume_encryption_key must not be empty: give a KMS key ARN or alias, or leave it out"]
    return []


def identity_problems(item: Item) -> list[str]:
    problems = []
    if item.workspace_id is None and item.user_name is None:
        problems.append("workspace_id or user_name is required")
    if item.workspace_id is not None:
        problem = id_problem("workspace", item.workspace_id)
        problems += [f"workspace_id: {problem}"] if problem else []
    if item.user_name is not None:
        problem = user_name_problem(item.user_name) or user_name_form_problem(item.user_name)
        problems += [problem] if problem else []
        if item.directory_id is None and item.workspace_id is None:
            problems.append("directory_id is required with user_name")
    for option, kind in (("directory_id", "directory"), ("bundle_id", "bundle")):
        value = getattr(item, option)
        problem = id_problem(kind, value) if value is not None else None
        problems += [f"{option}: {problem}"] if problem else []
    if item.workspace_name is not None and not WORKSPACE_NAME_PATTERN.match(item.workspace_name):
        problems.append(
            f"workspace_name: {item.workspace_name!r} is not a WorkSpace name "
            "(2 to 64 letters, digits or _.()-, not starting with . or -)"
        )
    return problems


def user_name_form_problem(value: str) -> str | None:
    if value != value.strip():
        return f"user_name {value!r} starts or ends with white space"
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        return f"user_name {value!r} contains a control character"
    return None


def property_problems(properties: dict) -> list[str]:
    problems = []
    timeout = properties.get("running_mode_auto_stop_timeout")
    if timeout is not None:
        if timeout <= 0 or timeout % AUTO_STOP_STEP:
            problems.append(
                f"running_mode_auto_stop_timeout must be a positive multiple of {AUTO_STOP_STEP} minutes, got {timeout}"
            )
        mode = properties.get("running_mode")
        if mode is not None and mode != AUTO_STOP:
            problems.append(
                f"running_mode_auto_stop_timeout applies to running_mode AUTO_STOP only, not to running_mode {mode}"
            )
    for option in VOLUME_OPTIONS:
        size = properties.get(option)
        if size is not None and size <= 0:
            problems.append(f"{option} must be a positive number of GiB, got {size}")
    if "protocols" in properties and not properties["protocols"]:
        problems.append("protocols must name at least one protocol")
    for protocol in sorted({p for p in properties.get("protocols") or [] if properties["protocols"].count(p) > 1}):
        problems.append(f"protocols names {protocol} twice")
    if "compute_type" in properties and not str(properties["compute_type"]).strip():
        problems.append("compute_type must not be empty")
    return problems


def tag_problems(tags: dict | None) -> list[str]:
    if tags is None:
        return []
    problems = []
    if len(tags) > MAX_TAGS:
        problems.append(f"tags: {len(tags)} tags given, a WorkSpace can have at most {MAX_TAGS}")
    for key, value in tags.items():
        if not 1 <= len(key) <= TAG_KEY_MAX:
            problems.append(f"tags: key {key!r} must be 1 to {TAG_KEY_MAX} characters long")
        if key.lower().startswith(RESERVED_TAG_PREFIX):
            problems.append(f"tags: key {key!r} starts with {RESERVED_TAG_PREFIX!r}, which AWS reserves")
        if not isinstance(value, str):
            problems.append(
                f"tags: the value of {key!r} must be a string, number or boolean, not a {type(value).__name__}"
            )
        elif len(value) > TAG_VALUE_MAX:
            problems.append(f"tags: the value of {key!r} is longer than {TAG_VALUE_MAX} characters")
    return problems


def same_workspace(one: Item, other: Item) -> bool:
    """Whether two items name the same WorkSpace: the same ID, or the same user (without case) in the same
    directory unless both give different workspace_name values (an item without a name takes the user's one)."""
    if one.workspace_id is not None or other.workspace_id is not None:
        return one.workspace_id == other.workspace_id
    if one.user_name is None or other.user_name is None:
        return False
    if (one.directory_id, one.user_name.lower()) != (other.directory_id, other.user_name.lower()):
        return False
    return one.workspace_name is None or other.workspace_name is None or one.workspace_name == other.workspace_name


def duplicate_problems(items: list[Item]) -> list[str]:
    """Two items that name the same WorkSpace would fight over it: refuse the batch."""
    by_identity: dict[tuple, list[Item]] = {}
    problems = []
    for item in items:
        if item.workspace_id is not None:
            key = ("id", item.workspace_id)
        else:
            key = ("user", item.directory_id, (item.user_name or "").lower())
        earlier = by_identity.setdefault(key, [])
        first = next((other for other in earlier if same_workspace(item, other)), None)
        if first is not None:
            problems.append(f"{item.label} and {first.label} name the same WorkSpace ({item.who})")
        earlier.append(item)
    return problems


# -- matching an item with what exists ------------------------------------------------------------------------


class Listing(list):
    """The WorkSpaces of one directory, indexed by user name (compared without case).

    A list like any listing; the index makes finding each item's WorkSpace one lookup instead of a scan of the
    whole directory per item (which made a batch of N users in a directory of N WorkSpaces cost N * N).
    """

    def __init__(self, workspaces=()):
        super().__init__(workspaces)
        self.by_user: dict[str, list[dict]] = {}
        for workspace in self:
            self.by_user.setdefault((workspace.get("UserName") or "").lower(), []).append(workspace)


def users_named(listing, wanted: str) -> list[dict]:
    """The WorkSpaces of a listing whose user is wanted (lowercase); a plain list is scanned."""
    by_user = getattr(listing, "by_user", None)
    if by_user is not None:
        return list(by_user.get(wanted, []))
    return [ws for ws in listing if (ws.get("UserName") or "").lower() == wanted]


def find_current(item: Item, by_id: dict, listings: dict) -> dict | None:
    """The WorkSpace an item names, from DescribeWorkspaces by ID or the listing of its directory; None if none.

    listings maps directory IDs to their WorkSpaces (a Listing, or any list). Raises Refusal when the item names a
    WorkSpace ambiguously or inconsistently.
    """
    if item.workspace_id is not None:
        return check_identity(item, by_id.get(item.workspace_id))
    # A TERMINATED WorkSpace is gone (its ID disappears soon): never the one an item names.
    users = [ws for ws in users_named(listings.get(item.directory_id, []), item.user_name.lower()) if not gone(ws)]
    candidates = users
    if item.workspace_name is not None:
        candidates = [ws for ws in candidates if ws.get("WorkspaceName") == item.workspace_name]
        if not candidates and users and item.state != "absent":
            raise Refusal(unnamed_refusal(item, users))
    if len(candidates) > 1:
        candidates = [ws for ws in candidates if ws.get("State") not in GONE_STATES] or candidates[:1]
    if len(candidates) > 1:
        ids = ", ".join(sorted(ws["WorkspaceId"] for ws in candidates))
        raise Refusal(
            f"{item.who} has {len(candidates)} WorkSpaces ({ids}): set workspace_name or workspace_id to choose one"
        )
    return candidates[0] if candidates else None


def gone(workspace: dict | None) -> bool:
    return workspace is not None and workspace.get("State") == TERMINATED


def unnamed_refusal(item: Item, workspaces: list[dict]) -> str:
    """A workspace_name that matches none of the user's WorkSpaces: a typo must not create a second one."""
    listed = ", ".join(
        f"{ws['WorkspaceId']} ({'named ' + repr(ws['WorkspaceName']) if ws.get('WorkspaceName') else 'no name'})"
        for ws in sorted(workspaces, key=lambda ws: ws["WorkspaceId"])
    )
    return (
        f"{item.who} has no WorkSpace named {item.workspace_name!r}, but has {len(workspaces)} other "
        f"({listed}): set workspace_name to the name of the one to manage, or leave it out; a second WorkSpace "
        "for the user is not created"
    )


def check_identity(item: Item, workspace: dict | None) -> dict | None:
    if workspace is None or gone(workspace):
        return None
    mismatches = []
    if item.directory_id is not None and workspace.get("DirectoryId") != item.directory_id:
        mismatches.append(f"directory {workspace.get('DirectoryId')}")
    if item.user_name is not None and (workspace.get("UserName") or "").lower() != item.user_name.lower():
        mismatches.append(f"user {workspace.get('UserName')}")
    if item.workspace_name is not None and workspace.get("WorkspaceName") != item.workspace_name:
        mismatches.append(f"name {workspace.get('WorkspaceName')}")
    if mismatches:
        raise Refusal(f"{item.workspace_id} belongs to {', '.join(mismatches)}, not to what the task names")
    return workspace


def needs_tags(item: Item, current: dict | None) -> bool:
    """Only a task that manages tags pays for reading them."""
    return item.state == "present" and item.tags is not None and current is not None


# -- plans ----------------------------------------------------------------------------------------------------


@dataclass
class Step:
    """One write: kind names the API call, actions what the result reports for it."""

    kind: str
    actions: tuple
    params: dict = field(default_factory=dict)
    goal: str | None = None  # the waiter goal to reach before the next step (and at the end when waiting)
    options: tuple = ()  # the property options a modify step changes

    def waits_for(self, view: View) -> bool:
        """Whether the WorkSpace must settle before this step is sent: out of a transitional state the action
        does not accept (a reboot or rebuild accepts REBOOTING), and out of a property change for another one."""
        if self.kind == "modify" and view.modifying:
            return True
        allowed = ACTION_ALLOWED_STATES.get(self.kind, frozenset())
        return view.settling and self.kind in STEADY_KINDS and view.observed not in allowed


@dataclass
class Plan:
    item: Item
    current: dict | None
    current_tags: dict | None = None
    steps: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    error: str | None = None
    settle_first: bool = False  # wait for a transitional state to end, then plan again
    final_goal: str | None = None  # goal to wait for even when no step is sent
    after: dict | None = None  # the WorkSpace as a real run is expected to leave it
    after_tags: dict | None = None
    diff: dict | None = None

    @property
    def actions(self) -> list[str]:
        return unique(action for step in self.steps for action in step.actions)

    @property
    def modified(self) -> list[str]:
        return [option for step in self.steps for option in step.options]

    @property
    def workspace_id(self) -> str | None:
        return (self.current or {}).get("WorkspaceId")


def unique(values) -> list:
    """values in their first order, each once (values are strings: actions, option names, warnings)."""
    return list(dict.fromkeys(values))


class View:
    """The state a plan works from: before a transitional state ends, the state it is expected to end in."""

    def __init__(self, current: dict, settled: bool):
        self.observed = current.get("State")
        self.settling = not settled and self.observed in TRANSITIONAL_STATES
        self.state = SETTLES_TO.get(self.observed, self.observed) if self.settling else self.observed
        # ModificationStates in progress: the state may read AVAILABLE, but another change would be refused.
        self.modifying = not settled and bool(modifications(current, MODIFICATION_IN_PROGRESS))


def plan_item(item: Item, current: dict | None, current_tags=None, wait=True, settled=False, refusal=None) -> Plan:
    """What to do for one WorkSpace. settled: current is what a wait for a steady state ended with."""
    plan = Plan(item=item, current=current, current_tags=current_tags)
    try:
        if refusal:
            raise Refusal(refusal)
        if current is None or gone(current):
            plan.current = None  # a TERMINATED WorkSpace is as good as gone
            plan_missing(plan, wait, current)
        else:
            view = View(current, settled)
            PLANNERS[item.state](plan, view, wait)
            plan.settle_first = any(step.waits_for(view) for step in plan.steps)
    except Refusal as error:
        plan.steps, plan.final_goal, plan.error = [], None, item.prefix(str(error))
    if item.ignored:
        plan.warnings.append(
            item.prefix(f"{', '.join(item.ignored)} only apply with state=present; ignored for state={item.state}")
        )
    predict(plan, wait)
    return plan


def creates(plan: Plan) -> bool:
    """Whether a plan sends CreateWorkspaces."""
    return any(step.kind == "create" for step in plan.steps)


def plan_missing(plan: Plan, wait: bool, terminated: dict | None = None) -> None:
    """No WorkSpace (or only a TERMINATED one, named in refusals): create one, or nothing to do."""
    item = plan.item
    if item.state == "absent":
        return
    try:
        if item.state != "present":
            verb = {"rebooted": "reboot", "rebuilt": "rebuild", "started": "start", "stopped": "stop"}[item.state]
            raise Refusal(f"no WorkSpace exists for {item.who}: nothing to {verb}")
        plan.steps = create_steps(item, wait)
    except Refusal as error:
        if terminated is None:
            raise
        raise Refusal(f"{error} ({terminated['WorkspaceId']} is TERMINATED)") from None


def create_steps(item: Item, wait: bool) -> list[Step]:
    if item.workspace_id is not None:
        raise Refusal(f"WorkSpace {item.workspace_id} does not exist; give directory_id and user_name to create one")
    if item.bundle_id is None:
        raise Refusal(f"bundle_id is required to create a WorkSpace for {item.who}")
    if "running_mode_auto_stop_timeout" in item.properties and item.properties.get("running_mode") != AUTO_STOP:
        raise Refusal("running_mode_auto_stop_timeout needs running_mode AUTO_STOP to create a WorkSpace")
    if (item.encryption.get("root_volume_encryption") or item.encryption.get("user_volume_encryption")) and not (
        item.encryption.get("volume_encryption_key")
    ):
        raise Refusal("volume_encryption_key is required to create a WorkSpace with encrypted volumes")
    if item.admin_maintenance and not wait:
        raise Refusal("admin_maintenance=true on a new WorkSpace needs wait=true: it must be AVAILABLE first")
    steps = [Step("create", ("create", "tag") if item.tags else ("create",), create_request(item), goal="created")]
    if item.admin_maintenance:
        steps.append(maintenance_step(True))
    return steps


def create_request(item: Item) -> dict:
    """One CreateWorkspaces request: only what the task set, tags inline."""
    request = {"DirectoryId": item.directory_id, "UserName": item.user_name, "BundleId": item.bundle_id}
    if item.workspace_name is not None:
        request["WorkspaceName"] = item.workspace_name
    request.update({ENCRYPTION_KEYS[key]: value for key, value in item.encryption.items()})
    if item.properties:
        request["WorkspaceProperties"] = {PROPERTY_KEYS[key]: value for key, value in item.properties.items()}
    if item.tags:
        request["Tags"] = [{"Key": key, "Value": value} for key, value in item.tags.items()]
    return request


def maintenance_step(on: bool) -> Step:
    params = {"WorkspaceState": MAINTENANCE_STATE if on else "AVAILABLE"}
    return Step("maintenance", ("maintenance",), params, "in_maintenance" if on else "out_of_maintenance")


def plan_present(plan: Plan, view: View, wait: bool) -> None:
    item, current = plan.item, plan.current
    workspace_id = current["WorkspaceId"]
    if view.observed in GONE_STATES:
        raise Refusal(f"{workspace_id} is {view.observed}: run again once it is gone to create a new one")
    plan.warnings += existing_warnings(item, current)
    modify = property_steps(item, current.get("WorkspaceProperties") or {}, workspace_id)
    maintenance = maintenance_change(item, view.state)
    check_present_state(workspace_id, view.state, modify, maintenance)
    steps = tag_steps(item, plan.current_tags or {}, workspace_id)
    if maintenance is False:
        steps.append(maintenance_step(False))
    steps += modify
    if maintenance is True:
        steps.append(maintenance_step(True))
    plan.steps = steps
    if view.observed == "PENDING" and not steps:
        plan.final_goal = "created"


# States in which an existing WorkSpace cannot be used: present leaves it as it is, and says so.
UNUSABLE_STATES = frozenset(["ERROR", "SUSPENDED", "UNHEALTHY", "IMPAIRED"])


def existing_warnings(item: Item, current: dict) -> list[str]:
    """Options that only act when a WorkSpace is created, and differ on this one."""
    workspace_id, warnings = current["WorkspaceId"], []
    if item.bundle_id is not None and item.bundle_id != current.get("BundleId"):
        warnings.append(
            f"{workspace_id} was created from bundle {current.get('BundleId')}; bundle_id {item.bundle_id} is used "
            "only to create a WorkSpace (moving a WorkSpace to another bundle is a separate operation)"
        )
    for option, key in ENCRYPTION_KEYS.items():
        if option in item.encryption and not encryption_matches(option, item.encryption[option], current.get(key)):
            warnings.append(
                f"{workspace_id} has {key} {current.get(key)!r}, the task asks for {item.encryption[option]!r}: "
                "volume encryption is fixed when a WorkSpace is created and is not changed"
            )
    if current.get("State") in UNUSABLE_STATES:
        warnings.append(
            f"{workspace_id} is in {current['State']}: {current.get('ErrorCode') or 'no error code'}: "
            f"{current.get('ErrorMessage') or 'no error message'}"
        )
    return [item.prefix(warning) for warning in warnings]


def encryption_matches(option: str, wanted, current) -> bool:
    if option != "volume_encryption_key":
        return bool(wanted) == bool(current)
    if not current:
        return False
    if wanted.startswith("alias/") or (wanted.startswith("arn:") and ":alias/" in wanted):
        return True  # the service reports the key's ARN, which an alias does not reveal: nothing to compare
    if wanted.startswith("arn:"):
        return wanted == current
    return current.endswith(f"key/{wanted}")


def property_steps(item: Item, current: dict, workspace_id: str) -> list[Step]:
    """ModifyWorkspaceProperties calls for the options the task set and that differ, in an order the service takes."""
    changes = property_changes(item.properties, current, workspace_id)
    timeout = "running_mode_auto_stop_timeout"  # sent with a new running mode even when its value is unchanged
    steps = []
    for group in MODIFY_GROUPS:
        options = tuple(option for option in group if option in changes)
        if options:
            if "running_mode" in options and timeout in item.properties:
                options_sent = (*options, timeout) if timeout not in options else options
            else:
                options_sent = options
            params = {PROPERTY_KEYS[option]: item.properties[option] for option in options_sent}
            steps.append(Step("modify", ("modify",), {"WorkspaceProperties": params}, "settled", options))
    return steps


def property_changes(wanted: dict, current: dict, workspace_id: str) -> set:
    changes = set()
    for option, value in wanted.items():
        have = current.get(PROPERTY_KEYS[option])
        if option == "protocols":
            differs = sorted(set(value)) != sorted(set(have or []))
        elif option in VOLUME_OPTIONS:
            if have is not None and value < have:
                raise Refusal(
                    f"{option} {value} is smaller than the current {have} GiB of {workspace_id}: volumes can only grow"
                )
            differs = value != have
        elif option == "running_mode_auto_stop_timeout":
            mode = wanted.get("running_mode") or current.get("RunningMode")
            if mode != AUTO_STOP:
                raise Refusal(f"running_mode_auto_stop_timeout applies to AUTO_STOP only; {workspace_id} is {mode}")
            differs = value != have
        else:
            differs = value != have
        if differs:
            changes.add(option)
    return changes


def maintenance_change(item: Item, state: str) -> bool | None:
    """True to enter ADMIN_MAINTENANCE, False to leave it, None for no change."""
    if item.admin_maintenance is None or item.admin_maintenance == (state == MAINTENANCE_STATE):
        return None
    return item.admin_maintenance


def check_present_state(workspace_id: str, state: str, modify: list, maintenance: bool | None) -> None:
    if modify:
        options = ", ".join(option for step in modify for option in step.options)
        if state == MAINTENANCE_STATE and maintenance is not False:
            raise Refusal(
                f"cannot change {options} while {workspace_id} is in ADMIN_MAINTENANCE: set admin_maintenance=false "
                "to change properties"
            )
        if state not in MODIFY_STATES and state != MAINTENANCE_STATE:
            raise Refusal(f"cannot change {options} while {workspace_id} is {state} (it must be AVAILABLE or STOPPED)")
    if maintenance is True and state not in MAINTENANCE_ON_STATES:
        raise Refusal(f"cannot put {workspace_id} in ADMIN_MAINTENANCE while it is {state}")


def reserved(key: str) -> bool:
    return key.lower().startswith(RESERVED_TAG_PREFIX)


def tag_steps(item: Item, current: dict, workspace_id: str) -> list[Step]:
    """CreateTags for new or changed values, DeleteTags for keys to purge; aws: keys are never touched."""
    if item.tags is None:
        return []
    to_set = {key: value for key, value in item.tags.items() if current.get(key) != value}
    to_unset = []
    if item.purge_tags:
        to_unset = [key for key in current if key not in item.tags and not reserved(key)]
    # aws: tags do not count toward the limit of 50 a resource.
    resulting = len({key for key in set(current) - set(to_unset) | set(to_set) if not reserved(key)})
    if resulting > MAX_TAGS:
        raise Refusal(f"tags: {workspace_id} would have {resulting} tags, at most {MAX_TAGS} are allowed")
    steps = []
    if to_unset:
        steps.append(Step("unset_tags", ("tag",), {"TagKeys": sorted(to_unset)}))
    if to_set:
        steps.append(Step("set_tags", ("tag",), {"Tags": [{"Key": k, "Value": v} for k, v in to_set.items()]}))
    return steps


def plan_absent(plan: Plan, view: View, wait: bool) -> None:
    if view.observed == "SUSPENDED":
        raise Refusal(f"cannot terminate {plan.current['WorkspaceId']}: it is SUSPENDED")
    if view.observed in GONE_STATES:
        plan.final_goal = "gone"
        return
    plan.steps = [Step("terminate", ("terminate",), goal="gone")]


def plan_action(action: str, goal: str):
    """rebooted / rebuilt: sent whenever the state allows it, refused otherwise."""

    def plan_sent_every_time(plan: Plan, view: View, wait: bool) -> None:
        allowed = ACTION_ALLOWED_STATES[action]
        if view.state not in allowed:
            raise Refusal(
                f"cannot {action} {plan.current['WorkspaceId']}: it is {view.state}"
                f" ({action} needs one of {', '.join(sorted(allowed))}){maintenance_hint(view.state)}"
            )
        plan.steps = [Step(action, (action,), goal=goal)]

    return plan_sent_every_time


def maintenance_hint(state: str) -> str:
    if state == MAINTENANCE_STATE:
        return "; a WorkSpace in ADMIN_MAINTENANCE ignores reboot, rebuild, start and stop"
    return ""


def plan_power(action: str):
    """started / stopped: idempotent, only for WorkSpaces whose running mode lets them stop."""
    goal = "available" if action == "start" else "stopped"

    def plan_idempotent(plan: Plan, view: View, wait: bool) -> None:
        workspace_id = plan.current["WorkspaceId"]
        mode = (plan.current.get("WorkspaceProperties") or {}).get("RunningMode")
        if mode not in STOPPABLE_RUNNING_MODES:
            raise Refusal(
                f"cannot {action} {workspace_id}: its running mode is {mode}, and only AUTO_STOP or MANUAL WorkSpaces "
                "can be started and stopped (change running_mode with state=present first)"
            )
        already = RUNNING_STATES if action == "start" else {"STOPPED"}
        if view.state in already:
            plan.final_goal = goal if view.observed != view.state else None
            return
        if view.state not in ACTION_ALLOWED_STATES[action]:
            raise Refusal(f"cannot {action} {workspace_id}: it is {view.state}{maintenance_hint(view.state)}")
        plan.steps = [Step(action, (action,), goal=goal)]

    return plan_idempotent


PLANNERS = {
    "present": plan_present,
    "absent": plan_absent,
    "rebooted": plan_action("reboot", "available"),
    "rebuilt": plan_action("rebuild", "available"),
    "started": plan_power("start"),
    "stopped": plan_power("stop"),
}


# -- predictions and diffs ------------------------------------------------------------------------------------


def predict(plan: Plan, wait: bool) -> None:
    """The WorkSpace and tags a real run is expected to leave, and the diff of what changes."""
    after = copy.deepcopy(plan.current)
    tags = None if plan.current_tags is None else dict(plan.current_tags)
    if plan.settle_first and after is not None:
        after["State"] = View(after, settled=False).state
    last_goal = plan.final_goal
    for step in plan.steps:
        after, tags = apply_step(step, after, tags, plan.item)
        last_goal = step.goal
    if wait and last_goal in GOAL_END_STATES:
        after = None if GOAL_END_STATES[last_goal] is None else dict(after or {}, State=GOAL_END_STATES[last_goal])
    plan.after, plan.after_tags = after, tags
    plan.diff = plan_diff(plan) if plan.steps else None


def with_running_mode_rules(properties: dict) -> dict:
    """Properties as the service keeps them: no auto-stop timeout outside AUTO_STOP, and AUTO_STOP's default of
    DEFAULT_AUTO_STOP_MINUTES when none is set (API notes)."""
    if properties.get("RunningMode") == AUTO_STOP:
        properties.setdefault(AUTO_STOP_TIMEOUT_KEY, DEFAULT_AUTO_STOP_MINUTES)
    elif "RunningMode" in properties:
        properties.pop(AUTO_STOP_TIMEOUT_KEY, None)
    return properties


def apply_step(step: Step, after: dict | None, tags: dict | None, item: Item):
    """The WorkSpace and tags right after one step is sent (before any wait)."""
    if step.kind == "create":
        created = {key: value for key, value in step.params.items() if key != "Tags"}
        if "WorkspaceProperties" in created:
            created["WorkspaceProperties"] = with_running_mode_rules(dict(created["WorkspaceProperties"]))
        return dict(created, WorkspaceId=None, State=IN_PROGRESS_STATES["create"]), dict(item.tags or {})
    after = dict(after)
    if step.kind == "set_tags":
        tags = dict(tags or {}, **{tag["Key"]: tag["Value"] for tag in step.params["Tags"]})
    elif step.kind == "unset_tags":
        tags = {key: value for key, value in (tags or {}).items() if key not in step.params["TagKeys"]}
    elif step.kind == "modify":
        after["WorkspaceProperties"] = with_running_mode_rules(
            dict(after.get("WorkspaceProperties") or {}, **step.params["WorkspaceProperties"])
        )
    elif step.kind == "maintenance":
        after["State"] = step.params["WorkspaceState"]
    else:
        after["State"] = IN_PROGRESS_STATES[step.kind]
    return after, tags


def plan_diff(plan: Plan) -> dict:
    """before / after of the properties, maintenance mode and tags that change (and of existence)."""
    item, kinds = plan.item, {step.kind for step in plan.steps}
    header = plan.workspace_id or item.who
    if "create" in kinds:
        before, after = {"state": "absent"}, {"state": "present", **item.properties}
        if item.admin_maintenance:
            after["admin_maintenance"] = True
        if item.tags:
            after["tags"] = dict(item.tags)
        return {"before": before, "after": after, "before_header": header, "after_header": header}
    if "terminate" in kinds:
        return {
            "before": {"state": "present"},
            "after": {"state": "absent"},
            "before_header": header,
            "after_header": header,
        }
    before, after = {}, {}
    properties = (plan.current or {}).get("WorkspaceProperties") or {}
    for option in plan.modified:
        before[option] = properties.get(PROPERTY_KEYS[option])
        after[option] = item.properties[option]
    if "maintenance" in kinds:
        before["admin_maintenance"] = (plan.current or {}).get("State") == MAINTENANCE_STATE
        after["admin_maintenance"] = bool(item.admin_maintenance)
    if kinds & {"set_tags", "unset_tags"}:
        before["tags"], after["tags"] = dict(plan.current_tags or {}), dict(plan.after_tags or {})
    return {"before": before, "after": after, "before_header": header, "after_header": header}


# -- outcomes and the result ----------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What happened to one WorkSpace (or, in check mode, what would)."""

    plan: Plan
    workspace: dict | None = None
    tags: dict | None = None
    done: list = field(default_factory=list)
    modified: list = field(default_factory=list)
    failure: dict | None = None
    warnings: list = field(default_factory=list)

    @classmethod
    def predicted(cls, plan: Plan) -> Outcome:
        outcome = cls(plan, plan.after, plan.after_tags, plan.actions, plan.modified, warnings=list(plan.warnings))
        if plan.error:
            outcome.workspace, outcome.tags, outcome.done, outcome.modified = plan.current, plan.current_tags, [], []
            outcome.failure = failure("plan", "Refused", plan.error)
        return outcome

    @property
    def item(self) -> Item:
        return self.plan.item

    @property
    def changed(self) -> bool:
        return bool(self.done)


def failure(stage: str, code: str | None, message: str) -> dict:
    return {"stage": stage, "error_code": code, "error_message": message}


def item_result(outcome: Outcome, normalize) -> dict:
    """One entry of the result's workspaces list (normalize: API shape -> snake_case)."""
    item, workspace = outcome.item, outcome.workspace
    known = workspace or outcome.plan.current or {}
    return {
        "user_name": known.get("UserName") or item.user_name,
        "directory_id": known.get("DirectoryId") or item.directory_id,
        # A terminated WorkSpace is gone, but which one went is what a change record needs.
        "workspace_id": (known if "terminate" in outcome.done else workspace or {}).get("WorkspaceId"),
        "changed": outcome.changed,
        "actions": list(outcome.done),
        "modified": list(outcome.modified),
        "failed": outcome.failure is not None,
        "failure": outcome.failure,
        "workspace": None if workspace is None else normalize(workspace, tags=outcome.tags),
    }


def summarize(outcomes: list[Outcome]) -> dict:
    """How many WorkSpaces had each action; unchanged ones; failed ones (a failed item may also count actions)."""
    summary = dict.fromkeys(SUMMARY_KEYS, 0)
    for outcome in outcomes:
        for action in outcome.done:
            summary[ACTION_SUMMARY[action]] += 1
        if outcome.failure is not None:
            summary["failed"] += 1
        elif not outcome.done:
            summary["unchanged"] += 1
    return summary


def failure_message(outcomes: list[Outcome], summary: dict, shown: int = 10) -> str:
    failed = [outcome for outcome in outcomes if outcome.failure is not None]
    counts = ", ".join(f"{key}: {value}" for key, value in summary.items() if value)
    details = [outcome.failure["error_message"] for outcome in failed[:shown]]
    if len(failed) > shown:
        details.append(f"and {len(failed) - shown} more")
    return f"{len(failed)} of {len(outcomes)} WorkSpaces failed ({counts}): " + "; ".join(details)
