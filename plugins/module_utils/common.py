# Copyright: (c) 2026, euc.workspaces contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Facts about the WorkSpaces API that every layer shares, and input checks made before any call."""

from __future__ import annotations

import re

# Create/Terminate/Reboot/Start/Stop and DescribeWorkspaces(WorkspaceIds) take at most 25 items.
BATCH_SIZE = 25

ID_PATTERNS = {
    "workspace": (re.compile(r"^ws-[0-9a-z]{8,63}$"), "ws- followed by 8 to 63 lowercase letters or digits"),
    "bundle": (re.compile(r"^wsb-[0-9a-z]{8,63}$"), "wsb- followed by 8 to 63 lowercase letters or digits"),
    "directory": (
        re.compile(r"^(d-[0-9a-f]{8,63}|wsd-[0-9a-z]{8,63})$"),
        "d- followed by 8 to 63 hex digits, or wsd- followed by 8 to 63 lowercase letters or digits",
    ),
}
USER_NAME_MAX = 63
WORKSPACE_NAME_PATTERN = re.compile(r"^[a-zA-Z0-9_()][a-zA-Z0-9_.()-]{1,63}$")

# States in which a WorkSpace is on its way somewhere (wait, do not judge), and the state each is expected to end
# in: a plan made before the WorkSpace settles assumes that end, and the real run plans again from the state it
# actually settles in.
SETTLES_TO = {
    "PENDING": "AVAILABLE",
    "STARTING": "AVAILABLE",
    "REBOOTING": "AVAILABLE",
    "REBUILDING": "AVAILABLE",
    "RESTORING": "AVAILABLE",
    "UPDATING": "AVAILABLE",
    "MAINTENANCE": "AVAILABLE",
    "STOPPING": "STOPPED",
    "TERMINATING": "TERMINATED",
}
TRANSITIONAL_STATES = frozenset(SETTLES_TO)

# ModificationStates (ModifyWorkspaceProperties in progress): {Resource, State}.
MODIFICATION_IN_PROGRESS = frozenset(["UPDATE_INITIATED", "UPDATE_IN_PROGRESS"])
MODIFICATION_FAILED = "UPDATE_FAILED"
# The ModificationStates resource each WorkspaceProperties key changes (the running mode has none).
PROPERTY_RESOURCES = {
    "ComputeTypeName": "COMPUTE_TYPE",
    "RootVolumeSizeGib": "ROOT_VOLUME",
    "UserVolumeSizeGib": "USER_VOLUME",
    "Protocols": "PROTOCOL",
}
ALL_STATES = frozenset(
    [
        "PENDING",
        "AVAILABLE",
        "IMPAIRED",
        "UNHEALTHY",
        "REBOOTING",
        "STARTING",
        "REBUILDING",
        "RESTORING",
        "MAINTENANCE",
        "ADMIN_MAINTENANCE",
        "TERMINATING",
        "TERMINATED",
        "SUSPENDED",
        "UPDATING",
        "STOPPING",
        "STOPPED",
        "ERROR",
    ]
)

# Which states each action accepts (AWS API reference for each action).
ACTION_ALLOWED_STATES = {
    "reboot": frozenset(["AVAILABLE", "UNHEALTHY", "REBOOTING"]),
    "rebuild": frozenset(["AVAILABLE", "ERROR", "UNHEALTHY", "STOPPED", "REBOOTING"]),
    "stop": frozenset(["AVAILABLE", "IMPAIRED", "UNHEALTHY", "ERROR"]),
    "start": frozenset(["STOPPED"]),
    "modify": frozenset(["AVAILABLE", "STOPPED"]),
}
# Start and stop apply only to WorkSpaces that can stop by themselves or on request.
STOPPABLE_RUNNING_MODES = frozenset(["AUTO_STOP", "MANUAL"])

# Error codes worth another attempt: throttling, and server-side failures (for reads, and writes that may repeat).
THROTTLING_CODES = frozenset(["ThrottlingException", "Throttling", "RequestLimitExceeded", "TooManyRequestsException"])
TRANSIENT_CODES = frozenset(
    ["InternalServerError", "InternalFailure", "InternalError", "ServiceUnavailable", "ServiceUnavailableException"]
)

# Actions whose calls change something: what check mode must never send.
MUTATING_OPERATIONS = frozenset(
    [
        "CreateWorkspaces",
        "TerminateWorkspaces",
        "RebootWorkspaces",
        "RebuildWorkspaces",
        "StartWorkspaces",
        "StopWorkspaces",
        "ModifyWorkspaceProperties",
        "ModifyWorkspaceState",
        "CreateTags",
        "DeleteTags",
        "RegisterWorkspaceDirectory",
        "DeregisterWorkspaceDirectory",
        "ModifySelfservicePermissions",
        "ModifyWorkspaceCreationProperties",
        "ModifyWorkspaceAccessProperties",
    ]
)


class WorkspacesError(Exception):
    """A failure the modules report as it is: a message, and the AWS error code when there is one."""

    def __init__(self, message: str, code: str | None = None, **details):
        super().__init__(message)
        self.message = message
        self.code = code
        self.details = details


def modifications(workspace: dict, states) -> list[str]:
    """The resources of a WorkSpace's ModificationStates that are in one of these states, in listed order."""
    return [
        change.get("Resource") or "UNKNOWN"
        for change in workspace.get("ModificationStates") or []
        if change.get("State") in states
    ]


def chunked(items: list, size: int = BATCH_SIZE) -> list[list]:
    """Split a list into consecutive pieces of at most size items."""
    return [items[start : start + size] for start in range(0, len(items), size)]


def id_problem(kind: str, value) -> str | None:
    """Why value is not a well-formed ID of this kind, or None when it is."""
    pattern, expected = ID_PATTERNS[kind]
    if not isinstance(value, str) or not pattern.match(value):
        return f"{value!r} is not a {kind} ID (expected {expected})"
    return None


def check_ids(option: str, kind: str, values) -> list[str]:
    """Messages for every malformed ID given to an option; empty when all are fine."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return [f"{option}: {problem}" for problem in (id_problem(kind, v) for v in values) if problem]


def user_name_problem(value) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return "user_name is empty"
    if len(value) > USER_NAME_MAX:
        return f"user_name {value!r} is longer than {USER_NAME_MAX} characters"
    return None
