# Copyright: (c) 2026, euc.workspaces contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Directories registered with WorkSpaces: planning, and the calls that register, deregister and modify them.

Planning is pure (desired options + the directory as described -> a DirectoryPlan); check mode and diff mode
print the plan's prediction, a real run executes it through DirectoryService.
"""

from __future__ import annotations

import copy
import re
import time

try:
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports a missing botocore.

from ansible.module_utils.common.text.converters import to_text
from ansible_collections.amazon.aws.plugins.module_utils.tagging import (
    ansible_dict_to_boto3_tag_list,
    boto3_tag_list_to_ansible_dict,
    compare_aws_tags,
)

from ansible_collections.euc.workspaces.plugins.module_utils.client import error_code
from ansible_collections.euc.workspaces.plugins.module_utils.common import WorkspacesError, check_ids
from ansible_collections.euc.workspaces.plugins.module_utils.reads import describe_directories, describe_workspaces
from ansible_collections.euc.workspaces.plugins.module_utils.waiter import (
    DONE,
    FAILED,
    MISSING,
    PENDING,
    Goal,
    poll_delays,
    poll_until,
)

# Oldest botocore whose WorkSpaces model has every member this module sends (and amazon.aws's own floor).
MINIMUM_BOTOCORE = "1.34.0"

SUBNET_ID_PATTERN = re.compile(r"^subnet-([0-9a-f]{8}|[0-9a-f]{17})$")
SECURITY_GROUP_ID_PATTERN = re.compile(r"^sg-([0-9a-f]{8}|[0-9a-f]{17})$")
MAX_SUBNETS = 2  # RegisterWorkspaceDirectory's SubnetIds: at most 2 (botocore checks minimums only)

# Directory states (WorkspaceDirectoryState).
REGISTERING, REGISTERED, DEREGISTERING, DEREGISTERED, ERROR = (
    "REGISTERING",
    "REGISTERED",
    "DEREGISTERING",
    "DEREGISTERED",
    "ERROR",
)
TRANSITIONAL_DIRECTORY_STATES = frozenset([REGISTERING, DEREGISTERING])
# A directory described in one of these states is, for planning, not registered.
UNREGISTERED_STATES = frozenset([DEREGISTERED, DEREGISTERING])

DIRECTORY_GOALS = {
    # Just after RegisterWorkspaceDirectory the directory may not be listed yet, or still read DEREGISTERED.
    "registered": Goal("registered", [REGISTERED], [ERROR], PENDING),
    # DEREGISTERED shows only briefly; gone from DescribeWorkspaceDirectories is the end.
    "gone": Goal("gone", [DEREGISTERED], [], DONE),
    # Before planning: wait out REGISTERING / DEREGISTERING.
    "steady": Goal("steady", [REGISTERED, DEREGISTERED, ERROR], [], DONE),
}
GOAL_WORDS = {"registered": "REGISTERED", "gone": "deregistered", "steady": "out of REGISTERING/DEREGISTERING"}

NOT_READY_CODE = "InvalidResourceStateException"

# Directory Service stages (DirectoryStage). WorkSpaces registers only an Active directory.
# These end in Active by themselves: a registration refused as not Active yet is sent again.
PASSING_STAGES = frozenset(["Requested", "Creating", "Created", "Restoring", "Updating"])
# These do not become Active without someone acting (deleting and creating again, restoring a snapshot, fixing the
# network or the domain controllers): registering fails at once, before any call that changes something. A stage
# in neither set (or one that cannot be read) is treated as passing: retried until wait_timeout.
LASTING_STAGES = frozenset(["Failed", "Deleting", "Deleted", "RestoreFailed", "Inoperable", "Impaired"])
NOT_ACTIVE_CODE = "DirectoryNotActive"

# Reads of the directory after a register / deregister call that failed (its answer may have been lost and a
# retry refused): they decide, not the error code. More than one, since a listing may lag behind the change.
CONFIRM_READS = 3


class SettingsGroup:
    """One family of directory settings: the option, its sub-options and the API call that changes them."""

    def __init__(self, option: str, action: str, method: str, key: str, fields: dict, to_api=None):
        self.option = option  # module option (a dict of sub-options)
        self.action = action  # name in the plan's actions
        self.method = method  # boto3 client method
        self.key = key  # request member and WorkspaceDirectory member
        self.fields = fields  # sub-option -> API field
        self.to_api = to_api or (lambda value: value)

    def desired(self, params: dict) -> dict:
        """The API fields of the sub-options the task sets; unset ones are left out, never sent empty."""
        values = params.get(self.option) or {}
        return {
            field: self.to_api(values[option])
            for option, field in self.fields.items()
            if values.get(option) is not None
        }


def _enabled(value: bool) -> str:
    return "ENABLED" if value else "DISABLED"


SETTINGS_GROUPS = (
    SettingsGroup(
        "selfservice_permissions",
        "modify_selfservice_permissions",
        "modify_selfservice_permissions",
        "SelfservicePermissions",
        {
            "restart_workspace": "RestartWorkspace",
            "increase_volume_size": "IncreaseVolumeSize",
            "change_compute_type": "ChangeComputeType",
            "switch_running_mode": "SwitchRunningMode",
            "rebuild_workspace": "RebuildWorkspace",
        },
        to_api=_enabled,
    ),
    SettingsGroup(
        "workspace_creation_properties",
        "modify_workspace_creation_properties",
        "modify_workspace_creation_properties",
        "WorkspaceCreationProperties",
        {
            "enable_internet_access": "EnableInternetAccess",
            "default_ou": "DefaultOu",
            "custom_security_group_id": "CustomSecurityGroupId",
            "user_enabled_as_local_administrator": "UserEnabledAsLocalAdministrator",
            "enable_maintenance_mode": "EnableMaintenanceMode",
        },
    ),
    SettingsGroup(
        "workspace_access_properties",
        "modify_workspace_access_properties",
        "modify_workspace_access_properties",
        "WorkspaceAccessProperties",
        {
            "device_type_windows": "DeviceTypeWindows",
            "device_type_osx": "DeviceTypeOsx",
            "device_type_web": "DeviceTypeWeb",
            "device_type_ios": "DeviceTypeIos",
            "device_type_android": "DeviceTypeAndroid",
            "device_type_chromeos": "DeviceTypeChromeOs",
            "device_type_zeroclient": "DeviceTypeZeroClient",
            "device_type_linux": "DeviceTypeLinux",
        },
    ),
)

# Registration options -> RegisterWorkspaceDirectory members (besides DirectoryId and Tags).
REGISTER_FIELDS = {"subnet_ids": "SubnetIds", "enable_self_service": "EnableSelfService", "tenancy": "Tenancy"}


# --- input checks (before any call) --------------------------------------------------------------------------


def input_problems(params: dict) -> list[str]:
    """Every malformed value, each message naming its option."""
    problems = check_ids("directory_id", "directory", params["directory_id"])
    subnets = params.get("subnet_ids")
    if subnets is not None:
        if len(subnets) > MAX_SUBNETS:
            problems.append(f"subnet_ids: at most {MAX_SUBNETS} subnets can be given, got {len(subnets)}")
        problems += [
            f"subnet_ids: {subnet!r} is not a subnet ID (expected subnet- followed by 8 or 17 hex digits)"
            for subnet in subnets
            if not SUBNET_ID_PATTERN.match(subnet)
        ]
    creation = params.get("workspace_creation_properties") or {}
    for option in ("default_ou", "custom_security_group_id"):
        value = creation.get(option)
        if value is not None and not value.strip():
            problems.append(
                f"workspace_creation_properties.{option}: an empty value cannot be sent; leave the option out "
                "to keep the directory's current value"
            )
    group = creation.get("custom_security_group_id")
    if group and group.strip() and not SECURITY_GROUP_ID_PATTERN.match(group):
        problems.append(
            f"workspace_creation_properties.custom_security_group_id: {group!r} is not a security group ID "
            "(expected sg- followed by 8 or 17 hex digits)"
        )
    return problems


# --- planning (pure) -----------------------------------------------------------------------------------------


class DirectoryPlan:
    """What a run does to one directory, in order; what check mode and diff mode report."""

    def __init__(self, directory_id: str):
        self.directory_id = directory_id
        self.actions: list[str] = []
        # Option paths whose values change, e.g. selfservice_permissions.rebuild_workspace or tags.team.
        self.modified: list[str] = []
        self.register: dict | None = None  # RegisterWorkspaceDirectory parameters
        self.deregister = False
        self.settings: dict[str, dict] = {}  # settings group option -> API fields to send
        self.tags_to_set: dict = {}
        self.tags_to_unset: list[str] = []
        self.warnings: list[str] = []

    @property
    def changed(self) -> bool:
        return bool(self.actions)


def is_registered(directory: dict | None) -> bool:
    """Registered for planning: listed, and neither DEREGISTERED nor on its way there."""
    return directory is not None and directory.get("State") not in UNREGISTERED_STATES


def settings_changes(params: dict, directory: dict | None) -> tuple[dict, list[str]]:
    """(group option -> fields to send, changed option paths) for the settings the task sets.

    When any field of a group differs, every field the task sets in that group is sent, so the request
    states the whole desired group and not just the difference.
    """
    to_send: dict[str, dict] = {}
    modified: list[str] = []
    for group in SETTINGS_GROUPS:
        desired = group.desired(params)
        current = (directory or {}).get(group.key) or {}
        field_options = {field: option for option, field in group.fields.items()}
        changed = [field for field, value in desired.items() if current.get(field) != value]
        if changed:
            to_send[group.option] = desired
            modified += [f"{group.option}.{field_options[field]}" for field in changed]
    return to_send, modified


def tag_changes(params: dict, current_tags: dict | None) -> tuple[dict, list[str]]:
    """(tags to set, keys to remove); nothing when the task does not set tags."""
    if params.get("tags") is None:
        return {}, []
    to_set, to_unset = compare_aws_tags(current_tags or {}, params["tags"], params.get("purge_tags", True))
    return dict(sorted(to_set.items())), sorted(to_unset)  # sorted: the same requests on every run


def register_request(params: dict, members) -> dict:
    """RegisterWorkspaceDirectory parameters for the loaded service model (members: its input members).

    Options the task leaves unset are omitted. EnableWorkDocs, required by models before May 2025 and removed
    since (WorkDocs reached its end of support), is sent as false only where the model has it.
    """
    members = set(members)
    request = {"DirectoryId": params["directory_id"]}
    for option, member in REGISTER_FIELDS.items():
        if params.get(option) is None:
            continue
        if member not in members:
            raise WorkspacesError(
                f"{option} cannot be sent: this botocore's RegisterWorkspaceDirectory has no {member} member "
                f"(botocore >= {MINIMUM_BOTOCORE} needed)",
                code="UnsupportedBotocore",
            )
        request[member] = params[option]
    if params.get("tags") and "Tags" in members:
        request["Tags"] = ansible_dict_to_boto3_tag_list(params["tags"])
    if "EnableWorkDocs" in members:
        request["EnableWorkDocs"] = False
    return request


def _directory_problem(directory: dict) -> WorkspacesError:
    directory_id = directory.get("DirectoryId")
    message = directory.get("ErrorMessage")
    return WorkspacesError(
        f"directory {directory_id} is registered in state ERROR"
        + (f" ({message})" if message else "")
        + "; deregister it (state=absent) and register it again",
        code="DirectoryInErrorState",
        directory_state=ERROR,
    )


def plan_present(params: dict, directory: dict | None, tags: dict | None, register_members) -> DirectoryPlan:
    """Register if needed, then converge the settings and tags the task sets."""
    plan = DirectoryPlan(params["directory_id"])
    if not is_registered(directory):
        plan.register = register_request(params, register_members)
        plan.actions.append("register")
        plan.settings, plan.modified = settings_changes(params, None)
        plan.actions += [group.action for group in SETTINGS_GROUPS if group.option in plan.settings]
        if "Tags" not in plan.register:
            plan.tags_to_set, plan.tags_to_unset = tag_changes(params, {})
            _tag_actions(plan)
        return plan
    if directory.get("State") == ERROR:
        raise _directory_problem(directory)
    plan.warnings = registration_warnings(params, directory)
    plan.settings, plan.modified = settings_changes(params, directory)
    plan.actions += [group.action for group in SETTINGS_GROUPS if group.option in plan.settings]
    plan.tags_to_set, plan.tags_to_unset = tag_changes(params, tags)
    _tag_actions(plan)
    return plan


def _tag_actions(plan: DirectoryPlan):
    if plan.tags_to_set:
        plan.actions.append("tag")
        plan.modified += [f"tags.{key}" for key in sorted(plan.tags_to_set)]
    if plan.tags_to_unset:
        plan.actions.append("untag")
        plan.modified += [f"tags.{key}" for key in plan.tags_to_unset]


def registration_warnings(params: dict, directory: dict) -> list[str]:
    """Registration-only options that differ from the registered directory: they cannot change in place."""
    warnings = []
    subnets = params.get("subnet_ids")
    if subnets is not None and sorted(subnets) != sorted(directory.get("SubnetIds") or []):
        warnings.append(
            f"subnet_ids {sorted(subnets)} differ from the registered directory's "
            f"{sorted(directory.get('SubnetIds') or [])}; they apply only at registration "
            "(deregister with state=absent and register again to change them)"
        )
    tenancy = params.get("tenancy")
    if tenancy is not None and directory.get("Tenancy") and tenancy != directory.get("Tenancy"):
        warnings.append(
            f"tenancy {tenancy} differs from the registered directory's {directory['Tenancy']}; it applies only "
            "at registration (deregister with state=absent and register again to change it)"
        )
    return warnings


def plan_absent(directory_id: str, directory: dict | None, workspace_ids: list[str]) -> DirectoryPlan:
    """Deregister a registered directory; refused while it still has WorkSpaces."""
    plan = DirectoryPlan(directory_id)
    if not is_registered(directory):
        return plan
    if workspace_ids:
        shown = ", ".join(workspace_ids[:5]) + (", ..." if len(workspace_ids) > 5 else "")
        raise WorkspacesError(
            f"directory {directory_id} still has {len(workspace_ids)} WorkSpace"
            f"{'' if len(workspace_ids) == 1 else 's'} ({shown}); terminate "
            f"{'it' if len(workspace_ids) == 1 else 'them'} before deregistering the directory",
            code="DirectoryHasWorkspaces",
            workspace_count=len(workspace_ids),
            workspace_ids=workspace_ids,
        )
    plan.deregister = True
    plan.actions.append("deregister")
    return plan


def as_tag_values(tags: dict) -> dict:
    """Tag values as the service keeps them: text (5 -> "5", True -> "True", as the requests send them)."""
    return {key: to_text(value) for key, value in tags.items()}


def plan_after_registration(params: dict, planned: DirectoryPlan, tags: dict | None) -> DirectoryPlan:
    """What follows a registration: every settings group the task sets, as planned, whatever the new directory shows.

    The defaults a registration gives are not known before it, so check mode cannot tell which of them already
    match; sending every group the task sets keeps check mode's prediction exact (a later run compares them, and
    sends nothing). Tags are compared with those the directory has now.
    """
    plan = DirectoryPlan(planned.directory_id)
    plan.settings = dict(planned.settings)
    plan.actions = [group.action for group in SETTINGS_GROUPS if group.option in plan.settings]
    plan.modified = [path for path in planned.modified if not path.startswith("tags.")]
    plan.tags_to_set, plan.tags_to_unset = tag_changes(params, tags)
    _tag_actions(plan)
    return plan


def predict(params: dict, directory: dict | None, tags: dict | None, plan: DirectoryPlan):
    """(directory, tags) as they will be once the plan has run; (None, None) after a deregistration."""
    if plan.deregister:
        return None, None
    if plan.register is not None:
        directory = {"DirectoryId": plan.directory_id, "State": REGISTERED}
        for option, member in REGISTER_FIELDS.items():
            if member in plan.register and option != "enable_self_service":
                directory[member] = plan.register[member]
        tags = as_tag_values(params.get("tags") or {})
    else:
        directory = copy.deepcopy(directory)
        tags = dict(tags or {})
    for group in SETTINGS_GROUPS:
        if group.option in plan.settings:
            directory[group.key] = dict(directory.get(group.key) or {}, **plan.settings[group.option])
    tags.update(as_tag_values(plan.tags_to_set))
    for key in plan.tags_to_unset:
        tags.pop(key, None)
    return directory, tags


# --- calls ---------------------------------------------------------------------------------------------------


class Deadline:
    """One time budget (wait_timeout) for every wait and retry of a task."""

    def __init__(self, timeout: float, clock=None):
        self.timeout = timeout
        self.clock = clock or time.monotonic
        self.end = self.clock() + timeout

    def remaining(self) -> float:
        return max(0.0, self.end - self.clock())


class _RegisteredMeanwhile(Exception):
    """Ends the retries of a registration: the directory turned out to be registered already."""

    def __init__(self, refusal):
        super().__init__(str(refusal))
        self.refusal = refusal


class DirectoryService:
    """The WorkSpaces calls for one directory: reads, register/deregister (with their waits), modifications."""

    def __init__(self, client, ds_client=None, sleep=None, clock=None, delays=poll_delays):
        self.client = client
        self.ds_client = ds_client  # callable returning a Directory Service client; used only to explain failures
        self.sleep = sleep
        self.clock = clock
        self.delays = delays
        self.warnings: list[str] = []
        self.stage_failure: str | None = None  # why the stage could not be read, once it could not

    def register_members(self) -> frozenset:
        """RegisterWorkspaceDirectory's input members in the loaded service model."""
        operation = self.client.meta.service_model.operation_model("RegisterWorkspaceDirectory")
        return frozenset(operation.input_shape.members)

    def read(self, directory_id: str) -> dict | None:
        """The directory as DescribeWorkspaceDirectories lists it; None when it is not registered."""
        for directory in describe_directories(self.client, [directory_id]):
            if directory.get("DirectoryId") == directory_id:
                return directory
        return None

    def read_tags(self, directory_id: str) -> dict:
        response = self.client.describe_tags(aws_retry=True, ResourceId=directory_id)
        return boto3_tag_list_to_ansible_dict(response.get("TagList", []))

    def workspaces_in(self, directory_id: str) -> list[str]:
        """IDs of the WorkSpaces of the directory that still exist (TERMINATED ones are on their way out)."""
        workspaces = describe_workspaces(self.client, DirectoryId=directory_id)
        return sorted(ws["WorkspaceId"] for ws in workspaces if ws.get("State") != "TERMINATED")

    def _poll(self, read, judge, timeout: float):
        return poll_until(read, judge, timeout, sleep=self.sleep, clock=self.clock, delays=self.delays)

    def wait(self, directory_id: str, goal_name: str, deadline: Deadline) -> dict | None:
        """Poll until the directory reaches the goal; fails on a failed state or when time runs out."""
        goal = DIRECTORY_GOALS[goal_name]
        verdict, directory = self._poll(lambda: self.read(directory_id), goal.judge, deadline.remaining())
        if verdict == DONE:
            return directory
        state = (directory or {}).get("State", MISSING)
        if verdict == FAILED:
            if state == ERROR:
                raise _directory_problem(directory)
            raise WorkspacesError(
                f"directory {directory_id} went to state {state} while waiting for it to be {GOAL_WORDS[goal_name]}",
                code="DirectoryWaitFailed",
                directory_state=state,
            )
        raise WorkspacesError(
            f"directory {directory_id} was not {GOAL_WORDS[goal_name]} within {deadline.timeout} seconds "
            f"(last state: {state})",
            code="DirectoryWaitTimeout",
            directory_state=state,
        )

    def _until_ready(self, call, deadline: Deadline, on_refusal=None, **params):
        """Send a call, again while the service answers InvalidResourceStateException, within the deadline.

        Returns None once the call went through, or the last InvalidResourceStateException; any other error is
        raised. on_refusal(error), called after each refusal, may raise to stop the retries.
        """

        def attempt():
            try:
                call(aws_retry=True, **params)
            except botocore.exceptions.ClientError as error:
                if error_code(error) != NOT_READY_CODE:
                    raise
                if on_refusal is not None:
                    on_refusal(error)
                return error
            return None

        _verdict, error = self._poll(attempt, lambda err: PENDING if err is not None else DONE, deadline.remaining())
        return error

    def directory_service_stage(self, directory_id: str) -> str:
        """The Directory Service stage (Creating, Active, ...); 'unknown...' if unreadable (then not read again)."""
        if self.ds_client is None or not directory_id.startswith("d-"):
            return "unknown"
        if self.stage_failure is not None:
            return self.stage_failure
        try:
            response = self.ds_client().describe_directories(DirectoryIds=[directory_id])
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
            # ds:DescribeDirectories is optional (docs/iam): without it, registering goes on as before.
            self.stage_failure = f"unknown: {error_code(error) or error}"
            return self.stage_failure
        descriptions = response.get("DirectoryDescriptions") or []
        return descriptions[0].get("Stage", "unknown") if descriptions else "not found in Directory Service"

    def refuse_lasting_stage(self, directory_id: str) -> str:
        """Fail when the Directory Service directory is in a stage that never becomes Active by itself.

        Returns the stage otherwise (or why it could not be read).
        """
        stage = self.directory_service_stage(directory_id)
        if stage in LASTING_STAGES:
            raise WorkspacesError(
                f"directory {directory_id} cannot be registered: it is in Directory Service stage {stage}, which "
                "does not become Active by itself; repair or recreate the directory in Directory Service first",
                code=NOT_ACTIVE_CODE,
                directory_stage=stage,
            )
        return stage

    def look_again(self, directory_id: str, wanted, deadline: Deadline) -> tuple[bool, dict | None]:
        """After a call that failed: read the directory up to CONFIRM_READS times (within the deadline) until
        wanted(directory) holds. Returns (whether it did, the last read)."""
        reads = []

        def judge(directory):
            reads.append(directory)
            if wanted(directory):
                return DONE
            return FAILED if len(reads) >= CONFIRM_READS else PENDING

        verdict, directory = self._poll(lambda: self.read(directory_id), judge, deadline.remaining())
        return verdict == DONE, directory

    def _after_failed_call(self, call: str, error, directory_id: str, wanted, outcome: str, deadline, not_ready):
        """After register / deregister failed: the directory as read again when it is as wanted (adopted, with a
        warning). Otherwise the call's own error, or not_ready(last read) for a refusal as not ready."""
        found, directory = self.look_again(directory_id, wanted, deadline)
        if not found:
            if error_code(error) != NOT_READY_CODE:
                raise error
            raise not_ready(directory)
        self._adopted(call, error, outcome)
        return directory

    def _adopted(self, call: str, error, outcome: str) -> None:
        code = error_code(error) or type(error).__name__
        self.warnings.append(
            f"{call} failed ({code}), but the directory is {outcome} now: taken as {outcome} by this task "
            "(the answer to an earlier attempt was probably lost)"
        )

    def register(self, request: dict, deadline: Deadline) -> dict:
        """Register, retrying while the directory is not Active yet, then wait until REGISTERED.

        A refusal while the Directory Service stage is lasting ends the retries at once. After any error the
        directory is read again: registered (an earlier attempt went through, its answer lost) is adopted.
        """
        directory_id = request["DirectoryId"]
        stages = []

        def on_refusal(refusal):
            stage = self.refuse_lasting_stage(directory_id)
            stages.append(stage)
            # Active, yet refused as not ready: an earlier attempt may have registered it (its answer lost).
            if stage == "Active" and is_registered(self.read(directory_id)):
                raise _RegisteredMeanwhile(refusal)

        try:
            error = self._until_ready(
                self.client.register_workspace_directory, deadline, on_refusal=on_refusal, **request
            )
        except _RegisteredMeanwhile as meanwhile:
            error = meanwhile.refusal
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as failure:
            error = failure
        if error is None:
            return self.wait(directory_id, "registered", deadline)

        def not_active(_directory):
            stage = stages[-1] if stages else self.directory_service_stage(directory_id)
            return WorkspacesError(
                f"directory {directory_id} could not be registered within {deadline.timeout} seconds: it is not "
                f"Active (Directory Service stage: {stage}): {error.response['Error'].get('Message', '')}",
                code=NOT_READY_CODE,
                directory_stage=stage,
            )

        directory = self._after_failed_call(
            "RegisterWorkspaceDirectory", error, directory_id, is_registered, "registered", deadline, not_active
        )
        if directory.get("State") == REGISTERED:
            return directory
        return self.wait(directory_id, "registered", deadline)

    def deregister(self, directory_id: str, deadline: Deadline) -> None:
        """Deregister, retrying while the service says the directory is busy, then wait until it is gone.

        After any error the directory is read again: gone or on its way (an earlier attempt went through, its
        answer lost) is adopted.
        """
        try:
            error = self._until_ready(self.client.deregister_workspace_directory, deadline, DirectoryId=directory_id)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as failure:
            error = failure
        if error is not None:

            def still_busy(directory):
                state = (directory or {}).get("State", MISSING)
                return WorkspacesError(
                    f"directory {directory_id} could not be deregistered within {deadline.timeout} seconds "
                    f"(state: {state}): {error.response['Error'].get('Message', '')}",
                    code=NOT_READY_CODE,
                    directory_state=state,
                )

            def gone(listed):
                return not is_registered(listed)

            directory = self._after_failed_call(
                "DeregisterWorkspaceDirectory", error, directory_id, gone, "deregistered", deadline, still_busy
            )
            if directory is None:
                return
        self.wait(directory_id, "gone", deadline)

    def modify_settings(self, directory_id: str, settings: dict) -> None:
        """One Modify* call per settings group, in SETTINGS_GROUPS order."""
        for group in SETTINGS_GROUPS:
            if group.option in settings:
                call = getattr(self.client, group.method)
                call(aws_retry=True, ResourceId=directory_id, **{group.key: settings[group.option]})

    def update_tags(self, directory_id: str, to_set: dict, to_unset: list[str]) -> None:
        if to_set:
            self.client.create_tags(
                aws_retry=True, ResourceId=directory_id, Tags=ansible_dict_to_boto3_tag_list(to_set)
            )
        if to_unset:
            self.client.delete_tags(aws_retry=True, ResourceId=directory_id, TagKeys=to_unset)

    def apply(self, plan: DirectoryPlan) -> None:
        """The settings and tag changes of a plan on a registered directory."""
        self.modify_settings(plan.directory_id, plan.settings)
        self.update_tags(plan.directory_id, plan.tags_to_set, plan.tags_to_unset)
