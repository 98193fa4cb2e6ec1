"""Amazon WorkSpaces behaviour added on top of moto's ``workspaces`` backend.

Written against moto 5.2.5 (``moto[server]==5.2.5``). In server mode moto dispatches a WorkSpaces action to the
method of the same snake_case name on ``WorkSpacesResponse``; ``install()`` adds or replaces those methods and a
few backend methods (tags, Resource Groups Tagging API) before the server starts.

State changes are lazy: an action records a ``Transition`` (target state and due time) on the WorkSpace and every
later request settles the transitions that are due, so no background thread is needed and ``delay=0`` means
"done at the next describe".

Each rule cites the AWS API reference (``# API ref ...``); behaviour the reference does not document is marked
``# guessed:``.
"""

from __future__ import annotations

import base64
import binascii
import copy
import itertools
import json
import re
import string
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import moto
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.exceptions import JsonRESTError
from moto.core.resource_tagging import iter_taggable_backends
from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.ds import ds_backends
from moto.ds.models import DirectoryServiceBackend
from moto.moto_api._internal import mock_random
from moto.resourcegroupstaggingapi.exceptions import ResourceGroupsTaggingAPIError
from moto.resourcegroupstaggingapi.responses import ResourceGroupsTaggingAPIResponse
from moto.workspaces.exceptions import (
    InvalidParameterValuesException,
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
    ValidationException,
)
from moto.workspaces.models import Workspace, WorkSpacesBackend, workspaces_backends
from moto.workspaces.responses import WorkSpacesResponse

MOTO_VERSION = "5.2.5"
ACCOUNT_ID = DEFAULT_ACCOUNT_ID

MAX_BATCH = 25
BUNDLES_PAGE_SIZE = 4
WORKSPACES_PAGE_SIZE = 25
CONNECTION_STATUS_PAGE_SIZE = 25
# guessed: the service's default page is not documented; small, so that tests (10 Simple AD per region) page.
DIRECTORIES_PAGE_SIZE = 5
MAX_TAGS_PER_RESOURCE = 50
DEFAULT_AUTO_STOP_MINUTES = 60

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

# Runtime knobs, changed by the server's control API.
SETTINGS: dict[str, Any] = {"delay": 0.0, "visibility_delay": 0.0, "unknown_users": frozenset()}


def set_delay(seconds: float) -> None:
    """Set how long state transitions started from now take."""
    SETTINGS["delay"] = max(0.0, float(seconds))


def set_visibility_delay(seconds: float) -> None:
    """Set how long WorkSpaces created from now stay missing from DescribeWorkspaces."""
    SETTINGS["visibility_delay"] = max(0.0, float(seconds))


def set_unknown_users(names: Iterable[str]) -> None:
    """Make CreateWorkspaces answer ResourceNotFound.User for these user names."""
    SETTINGS["unknown_users"] = frozenset(name.casefold() for name in names)


# ---------------------------------------------------------------------------------------------------------------
# Bundle catalogue
# ---------------------------------------------------------------------------------------------------------------

_CATALOGUE_CREATED = 1672531200.0  # 2023-01-01T00:00:00Z
_CATALOGUE_UPDATED = 1717200000.0  # 2024-06-01T00:00:00Z


def _bundle(bundle_id: str, name: str, compute: str, root: int, user: int, image_id: str, owner: str = "AMAZON"):
    """One DescribeWorkspaceBundles entry, shaped like botocore's WorkspaceBundle."""
    return {
        "BundleId": bundle_id,
        "Name": name,
        "Owner": owner,
        "Description": f"{name} Bundle" if owner == "AMAZON" else f"Custom bundle {name}",
        "ImageId": image_id,
        "RootStorage": {"Capacity": str(root)},
        "UserStorage": {"Capacity": str(user)},
        "ComputeType": {"Name": compute},
        "LastUpdatedTime": _CATALOGUE_UPDATED,
        "CreationTime": _CATALOGUE_CREATED,
        "State": "AVAILABLE",
        "BundleType": "REGULAR",
    }


_WIN = "with Windows 10 (Server 2022 based)"
AMAZON_BUNDLES: list[dict[str, Any]] = [
    _bundle("wsb-clj85qzj1", f"Value {_WIN} (PCoIP)", "VALUE", 80, 10, "wsi-b7k2p9d4q"),
    _bundle("wsb-gk1wpk43z", f"Standard {_WIN} (PCoIP)", "STANDARD", 80, 50, "wsi-b7k2p9d4q"),
    _bundle("wsb-8vbljg4r6", f"Standard {_WIN} (WSP)", "STANDARD", 80, 50, "wsi-h3n8w1c6z"),
    _bundle("wsb-1pzkp0bx4", f"Performance {_WIN} (PCoIP)", "PERFORMANCE", 80, 100, "wsi-b7k2p9d4q"),
    _bundle("wsb-g0s5r9h8m", f"Power {_WIN} (PCoIP)", "POWER", 175, 100, "wsi-b7k2p9d4q"),
    _bundle("wsb-5h7ck3m2w", f"PowerPro {_WIN} (PCoIP)", "POWERPRO", 175, 100, "wsi-b7k2p9d4q"),
    _bundle("wsb-3t36q0xfc", f"Graphics.g4dn {_WIN} (WSP)", "GRAPHICS_G4DN", 100, 100, "wsi-m5t0r2y8x"),
    _bundle("wsb-2bs6k5lgn", "Standard with Amazon Linux 2", "STANDARD", 80, 10, "wsi-q1v7f4j9s"),
    _bundle("wsb-9jvhtb24f", "Performance with Ubuntu 22.04", "PERFORMANCE", 80, 50, "wsi-z6c3k8n2w"),
    # API notes: bundle names are not unique across Amazon's catalogue (here: a language variant).
    _bundle("wsb-db0lnz8n5", f"Standard {_WIN} (PCoIP)", "STANDARD", 80, 50, "wsi-p4d9s2m7v"),
]
AMAZON_BUNDLES[-1]["Description"] = f"Standard {_WIN} (PCoIP) Bundle, Japanese language"

OWN_BUNDLES: list[dict[str, Any]] = [
    _bundle("wsb-k2m9x4q7p", "euc-standard-windows", "STANDARD", 80, 50, "wsi-e8r1t5u3i", owner=ACCOUNT_ID),
    _bundle("wsb-r8t3v6n1c", "euc-performance-linux", "PERFORMANCE", 80, 100, "wsi-o2p6a9s4d", owner=ACCOUNT_ID),
]

AMAZON_BUNDLE_IDS = [b["BundleId"] for b in AMAZON_BUNDLES]
OWN_BUNDLE_IDS = [b["BundleId"] for b in OWN_BUNDLES]
WINDOWS_BUNDLE_ID = "wsb-gk1wpk43z"  # Standard, Windows, PCoIP: a safe default for tests
LINUX_BUNDLE_ID = "wsb-2bs6k5lgn"  # Standard, Amazon Linux 2, WSP

_BUNDLE_OS = {
    "wsb-2bs6k5lgn": "AMAZON_LINUX_2",
    "wsb-9jvhtb24f": "UBUNTU_22_04",
    "wsb-r8t3v6n1c": "AMAZON_LINUX_2",
}


def bundle_operating_system(bundle_id: str) -> str:
    """OperatingSystemName reported for WorkSpaces of a bundle."""
    return _BUNDLE_OS.get(bundle_id, "WINDOWS_SERVER_2022")


def bundle_protocol(bundle: dict[str, Any]) -> str:
    """Default streaming protocol of a bundle."""
    # API ref CreateWorkspaces: DCV (formerly WSP) is the default protocol for Linux bundles.
    if bundle_operating_system(bundle["BundleId"]) != "WINDOWS_SERVER_2022" or "(WSP)" in bundle["Name"]:
        return "WSP"
    return "PCOIP"


def find_bundle(bundle_id: str, account_id: str) -> dict[str, Any] | None:
    """The catalogue entry for bundle_id as seen by account_id, or None."""
    for bundle in AMAZON_BUNDLES:
        if bundle["BundleId"] == bundle_id:
            return bundle
    for bundle in own_bundles(account_id):
        if bundle["BundleId"] == bundle_id:
            return bundle
    return None


def own_bundles(account_id: str) -> list[dict[str, Any]]:
    """The caller-owned bundles, with Owner set to the caller's account."""
    return [dict(bundle, Owner=account_id) for bundle in OWN_BUNDLES]


# ---------------------------------------------------------------------------------------------------------------
# Errors moto does not define
# ---------------------------------------------------------------------------------------------------------------


class _WorkSpacesError(JsonRESTError):
    code = 400
    error_type = ""

    def __init__(self, message: str):
        super().__init__(self.error_type, message)


class InvalidResourceStateException(_WorkSpacesError):
    error_type = "InvalidResourceStateException"


class OperationInProgressException(_WorkSpacesError):
    error_type = "OperationInProgressException"


class OperationNotSupportedException(_WorkSpacesError):
    error_type = "OperationNotSupportedException"


class ResourceLimitExceededException(_WorkSpacesError):
    error_type = "ResourceLimitExceededException"


# ---------------------------------------------------------------------------------------------------------------
# Model state
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class Transition:
    """A state change in progress: at ``due`` (monotonic) the WorkSpace becomes ``final_state``."""

    due: float
    final_state: str | None  # None: the WorkSpace disappears (terminate)
    properties: dict[str, Any] = field(default_factory=dict)  # applied when due (compute / volume changes)
    # A change that ends in the state it started from (a reboot, a rebuild of an AVAILABLE WorkSpace) is only
    # observable through its interim state, so it settles only after one describe has shown that state.
    shown: bool = True


def _due() -> float:
    return time.monotonic() + SETTINGS["delay"]


@dataclass
class BackendExtras:
    """Endpoint state kept beside one moto WorkSpaces backend (one account and region)."""

    sequence: int = 0
    directory_registered_due: dict[str, float] = field(default_factory=dict)
    directory_sequence: dict[str, int] = field(default_factory=dict)  # registration order, for paging
    bundle_tags: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    def next_sequence(self) -> int:
        self.sequence += 1
        return self.sequence


def extras(backend: WorkSpacesBackend) -> BackendExtras:
    """The endpoint's state for a backend, created on first use."""
    found = getattr(backend, "endpoint_extras", None)
    if found is None:
        found = BackendExtras()
        backend.endpoint_extras = found  # type: ignore[attr-defined]
    return found


class SimulatedWorkspace(Workspace):
    """A moto Workspace with an asynchronous life cycle and the full property set."""

    def __init__(self, request: dict[str, Any], bundle: dict[str, Any], subnet_id: str, sequence: int):
        super().__init__(copy.deepcopy(request), "ALWAYS_ON", "", "")
        self.sequence = sequence
        self.workspace_name = request.get("WorkspaceName", "")
        self.subnet_id = subnet_id
        self.ip_address = ""
        self.encryption = {
            key: request[key]
            for key in ("VolumeEncryptionKey", "UserVolumeEncryptionEnabled", "RootVolumeEncryptionEnabled")
            if key in request
        }
        self.workspace_properties = initial_properties(request.get("WorkspaceProperties") or {}, bundle)
        self.tags = [dict(tag) for tag in request.get("Tags") or []]
        # API ref CreateWorkspaces: asynchronous, the WorkSpace starts PENDING.
        self.state = "PENDING"
        self.transition: Transition | None = Transition(_due(), "AVAILABLE")
        # API notes: a new WorkSpace may be missing from DescribeWorkspaces for a while after the create.
        self.visible_from = time.monotonic() + SETTINGS["visibility_delay"]

    def visible(self, now: float) -> bool:
        """False while a just-created WorkSpace is not listed by DescribeWorkspaces yet."""
        return now >= self.visible_from

    def start_transition(self, interim: str, final: str | None, properties: dict[str, Any] | None = None) -> None:
        # guessed: the service shows the interim state for minutes; even at delay=0 this endpoint shows it to at
        # least one DescribeWorkspaces when the WorkSpace returns to the state it started from.
        returns_to_start = final == self.state and interim != self.state
        self.state = interim
        self.transition = Transition(_due(), final, properties or {}, shown=not returns_to_start)

    def mark_shown(self) -> None:
        """A describe response has shown this WorkSpace's current (interim) state."""
        if self.transition is not None:
            self.transition.shown = True

    def settle(self, now: float) -> bool:
        """Finish a due transition; False when the WorkSpace is gone."""
        if self.transition is None or now < self.transition.due or not self.transition.shown:
            return True
        transition, self.transition = self.transition, None
        if transition.final_state is None:
            return False
        self.workspace_properties.update(transition.properties)
        self.modification_states = []
        self.state = transition.final_state
        # guessed: a successful rebuild, reboot or start clears the ErrorCode/ErrorMessage of an earlier failure.
        self.error_code = self.error_message = ""
        if self.state == "AVAILABLE" and not self.ip_address:
            self.provision_network_identity()
        return True

    def provision_network_identity(self) -> None:
        # guessed: IpAddress and ComputerName show once provisioning has finished.
        self.ip_address = new_ip_address()
        self.computer_name = new_computer_name(self.workspace_properties.get("OperatingSystemName", ""))

    def to_dict_pending(self) -> dict[str, Any]:
        described = {
            "WorkspaceId": self.workspace_id,
            "DirectoryId": self.directory_id,
            "UserName": self.user_name,
            "IpAddress": self.ip_address,
            "State": self.state,
            "BundleId": self.bundle_id,
            "SubnetId": self.subnet_id if self.state != "PENDING" else "",
            "ErrorMessage": self.error_message,
            "ErrorCode": self.error_code,
            "ComputerName": self.computer_name,
            "WorkspaceName": self.workspace_name,
            "WorkspaceProperties": copy.deepcopy(self.workspace_properties),
            "ModificationStates": [dict(state) for state in self.modification_states],
        }
        described = {key: value for key, value in described.items() if value}
        described.update(self.encryption)
        return described


# Names and addresses handed out by this endpoint process (all accounts and regions): never twice.
_ISSUED_COMPUTER_NAMES: set[str] = set()
_ADDRESSES = itertools.count()
_NAME_CHARACTERS = string.ascii_uppercase + string.digits
# API ref (admin guide, "Identify the computer name"): Windows WSAMZN-xxxxxxx, Amazon Linux A-xxxxxxxxxxxxx,
# Ubuntu U-xxxxxxxxxxxxx (guessed: 8 and 13 uppercase letters or digits after the prefix).
_COMPUTER_NAME_FORMS = {"AMAZON_LINUX_2": ("A-", 13), "UBUNTU_22_04": ("U-", 13)}
_WINDOWS_COMPUTER_NAME = ("WSAMZN-", 8)


def new_computer_name(operating_system: str) -> str:
    """A computer name in the operating system's format, unique within this endpoint process."""
    prefix, length = _COMPUTER_NAME_FORMS.get(operating_system, _WINDOWS_COMPUTER_NAME)
    while True:
        name = prefix + "".join(mock_random.choice(_NAME_CHARACTERS) for _position in range(length))
        if name not in _ISSUED_COMPUTER_NAMES:
            _ISSUED_COMPUTER_NAMES.add(name)
            return name


def new_ip_address() -> str:
    """A private address in 10.0.0.0/8 not handed out before by this endpoint process."""
    number = next(_ADDRESSES)
    return f"10.{number // 62500 % 256}.{1 + number // 250 % 250}.{4 + number % 250}"


def initial_properties(requested: dict[str, Any], bundle: dict[str, Any]) -> dict[str, Any]:
    """WorkspaceProperties of a new WorkSpace: the request's, completed from the bundle."""
    properties = copy.deepcopy(requested)
    # guessed: ALWAYS_ON when the request names no running mode.
    properties.setdefault("RunningMode", "ALWAYS_ON")
    if properties["RunningMode"] == "AUTO_STOP":
        # API notes: the AUTO_STOP timeout defaults to 60 minutes (set in 60-minute steps).
        properties.setdefault("RunningModeAutoStopTimeoutInMinutes", DEFAULT_AUTO_STOP_MINUTES)
    # guessed: volume sizes, compute type, protocol and operating system default to the bundle's.
    properties.setdefault("RootVolumeSizeGib", int(bundle["RootStorage"]["Capacity"]))
    properties.setdefault("UserVolumeSizeGib", int(bundle["UserStorage"]["Capacity"]))
    properties.setdefault("ComputeTypeName", bundle["ComputeType"]["Name"])
    properties.setdefault("Protocols", [bundle_protocol(bundle)])
    properties.setdefault("OperatingSystemName", bundle_operating_system(bundle["BundleId"]))
    return properties


def refresh(backend: WorkSpacesBackend) -> None:
    """Settle every transition that is due (WorkSpaces and directory registrations)."""
    now = time.monotonic()
    for workspace_id, workspace in list(backend.workspaces.items()):
        if isinstance(workspace, SimulatedWorkspace) and not workspace.settle(now):
            del backend.workspaces[workspace_id]
    registering = extras(backend).directory_registered_due
    for directory_id, due in list(registering.items()):
        if now >= due:
            del registering[directory_id]
            directory = backend.workspace_directories.get(directory_id)
            if directory is not None:
                directory.state = "REGISTERED"


def force_workspace_state(
    workspace_id: str,
    state: str,
    error_code: str = "",
    error_message: str = "",
    account_id: str = ACCOUNT_ID,
    region: str = "us-east-1",
) -> dict[str, Any]:
    """Put a WorkSpace into any state at once (tests use it for ERROR, UNHEALTHY, SUSPENDED...)."""
    if state not in ALL_STATES:
        raise ValueError(f"unknown WorkSpace state {state!r}")
    backend = workspaces_backends[account_id][region]
    refresh(backend)
    workspace = backend.workspaces.get(workspace_id)
    if workspace is None:
        raise KeyError(workspace_id)
    workspace.state = state
    workspace.error_code = error_code
    workspace.error_message = error_message
    if isinstance(workspace, SimulatedWorkspace):
        workspace.transition = None
        workspace.modification_states = []
    return workspace.to_dict_pending()


# ---------------------------------------------------------------------------------------------------------------
# Request helpers
# ---------------------------------------------------------------------------------------------------------------


def _params(response: WorkSpacesResponse) -> dict[str, Any]:
    return json.loads(response.body or "{}")


def _backend(response: WorkSpacesResponse) -> WorkSpacesBackend:
    backend = response.workspaces_backend
    refresh(backend)
    return backend


def _check_length(values: list[Any] | None, member: str, maximum: int = MAX_BATCH) -> None:
    # API ref (all batch actions): lists hold at most 25 items; botocore only checks the minimum client-side.
    if values is not None and len(values) > maximum:
        raise ValidationException(
            f"1 validation error detected: Value at '{member}' failed to satisfy constraint: "
            f"Member must have length less than or equal to {maximum}"
        )


def _check_limit(limit: int | None, maximum: int = MAX_BATCH) -> None:
    # API ref DescribeWorkspaces: Limit is 1-25.
    if limit is not None and not 1 <= int(limit) <= maximum:
        raise ValidationException(
            f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: "
            f"Member must have value less than or equal to {maximum}"
        )


def _encode_token(position: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": position}).encode()).decode()


def _decode_token(token: str | None) -> int:
    if not token:
        return 0
    try:
        return int(json.loads(base64.urlsafe_b64decode(token.encode()))["after"])
    except (ValueError, KeyError, TypeError, binascii.Error) as error:
        # guessed: the message for a NextToken the service did not issue.
        raise InvalidParameterValuesException("The specified NextToken is not valid.") from error


def _page(items: list[Any], token: str | None, size: int, position: Callable[[Any], int]) -> tuple[list[Any], str]:
    """Items after the token's position, at most size of them, and the token for the rest ('' at the end)."""
    after = _decode_token(token)
    remaining = [item for item in items if position(item) > after]
    page = remaining[:size]
    more = len(remaining) > size
    return page, _encode_token(position(page[-1])) if more else ""


def _with_token(body: dict[str, Any], token: str) -> str:
    if token:
        body["NextToken"] = token
    return json.dumps(body)


def _ordered_workspaces(backend: WorkSpacesBackend) -> list[Workspace]:
    return sorted(backend.workspaces.values(), key=lambda ws: getattr(ws, "sequence", 0))


def _sequence(workspace: Workspace) -> int:
    return getattr(workspace, "sequence", 0)


def _listed(workspaces: list[Workspace]) -> list[Workspace]:
    """The WorkSpaces the describe calls show: not those created less than visibility_delay ago."""
    now = time.monotonic()
    return [ws for ws in workspaces if not isinstance(ws, SimulatedWorkspace) or ws.visible(now)]


def _not_found_request(workspace_id: str) -> dict[str, str]:
    # guessed: the ErrorCode for an unknown WorkSpace id in a batch action.
    return {
        "WorkspaceId": workspace_id,
        "ErrorCode": "ResourceNotFound.Workspace",
        "ErrorMessage": f"The WorkSpace {workspace_id} could not be found.",
    }


def _refused_request(workspace_id: str, message: str) -> dict[str, str]:
    # guessed: the ErrorCode of a state refusal inside FailedRequests.
    return {"WorkspaceId": workspace_id, "ErrorCode": "InvalidResourceState", "ErrorMessage": message}


# ---------------------------------------------------------------------------------------------------------------
# DescribeWorkspaceBundles
# ---------------------------------------------------------------------------------------------------------------


def describe_workspace_bundles(self: WorkSpacesResponse) -> str:
    params = _params(self)
    bundle_ids, owner = params.get("BundleIds"), params.get("Owner")
    _check_length(bundle_ids, "bundleIds")
    # API ref DescribeWorkspaceBundles: filter by bundle ID or owner, but not both.
    if bundle_ids and owner:
        raise InvalidParameterValuesException("The BundleIds and Owner parameters cannot be combined.")
    account = self.current_account
    if bundle_ids:
        # API ref DescribeWorkspaceBundles: BundleIds return those bundles whoever owns them.
        catalogue = [b for b in AMAZON_BUNDLES + own_bundles(account) if b["BundleId"] in bundle_ids]
    elif owner == "AMAZON":
        # API ref DescribeWorkspaceBundles: Owner AMAZON returns the bundles provided by AWS.
        catalogue = AMAZON_BUNDLES
    elif owner in (None, "", account):
        # API ref DescribeWorkspaceBundles: no Owner returns the bundles that belong to your account.
        catalogue = own_bundles(account)
    else:
        # guessed: another account's id as Owner shows nothing.
        catalogue = []
    indexed = list(enumerate(catalogue, start=1))
    page, token = _page(indexed, params.get("NextToken"), BUNDLES_PAGE_SIZE, lambda item: item[0])
    return _with_token({"Bundles": [copy.deepcopy(item[1]) for item in page]}, token)


# ---------------------------------------------------------------------------------------------------------------
# DescribeWorkspaces / DescribeWorkspacesConnectionStatus
# ---------------------------------------------------------------------------------------------------------------


def _select_workspaces(backend: WorkSpacesBackend, params: dict[str, Any]) -> list[Workspace]:
    workspace_ids = params.get("WorkspaceIds")
    directory_id, user_name = params.get("DirectoryId"), params.get("UserName")
    bundle_id, workspace_name = params.get("BundleId"), params.get("WorkspaceName")
    # API ref DescribeWorkspaces: only one filter at a time (ids, directory [+ user], bundle, name).
    if len([f for f in (workspace_ids, directory_id, bundle_id, workspace_name) if f]) > 1:
        raise InvalidParameterValuesException(
            "An invalid number of parameters provided with DescribeWorkspaces. Only one of the following are "
            "allowed to be specified: BundleId, DirectoryId, WorkSpaceIds, WorkspaceName."
        )
    # API ref DescribeWorkspaces: UserName requires DirectoryId.
    if user_name and not directory_id:
        raise InvalidParameterValuesException("The DirectoryId parameter is required when UserName is used.")
    # API notes: right after a create the new WorkSpace may be missing from DescribeWorkspaces ("not visible yet").
    selected = _listed(_ordered_workspaces(backend))
    if workspace_ids:
        selected = [ws for ws in selected if ws.workspace_id in workspace_ids]
    if directory_id:
        selected = [ws for ws in selected if ws.directory_id == directory_id]
    if user_name:
        # API notes: user names are not case-sensitive on the service side.
        selected = [ws for ws in selected if ws.user_name.casefold() == user_name.casefold()]
    if bundle_id:
        selected = [ws for ws in selected if ws.bundle_id == bundle_id]
    if workspace_name:
        selected = [ws for ws in selected if getattr(ws, "workspace_name", "") == workspace_name]
    return selected


def describe_workspaces(self: WorkSpacesResponse) -> str:
    params = _params(self)
    backend = _backend(self)
    _check_length(params.get("WorkspaceIds"), "workspaceIds")
    _check_limit(params.get("Limit"))
    selected = _select_workspaces(backend, params)
    # API ref DescribeWorkspaces: NextToken paging, Limit (default and maximum 25) per page.
    size = int(params.get("Limit") or WORKSPACES_PAGE_SIZE)
    page, token = _page(selected, params.get("NextToken"), size, _sequence)
    described = [ws.to_dict_pending() for ws in page]
    for workspace in page:
        if isinstance(workspace, SimulatedWorkspace):
            workspace.mark_shown()
    return _with_token({"Workspaces": described}, token)


_CONNECTED_STATES = frozenset({"AVAILABLE", "IMPAIRED", "UNHEALTHY", "ADMIN_MAINTENANCE", "UPDATING"})
_NO_CONNECTION_STATUS = frozenset({"PENDING", "ERROR", "TERMINATING", "TERMINATED"})


def _connection_status(workspace: Workspace) -> dict[str, Any]:
    # guessed: never-used WorkSpaces read DISCONNECTED while running and UNKNOWN while stopped or in transition.
    state = "DISCONNECTED" if workspace.state in _CONNECTED_STATES else "UNKNOWN"
    return {
        "WorkspaceId": workspace.workspace_id,
        "ConnectionState": state,
        "ConnectionStateCheckTimestamp": time.time(),
    }


def describe_workspaces_connection_status(self: WorkSpacesResponse) -> str:
    params = _params(self)
    backend = _backend(self)
    workspace_ids = params.get("WorkspaceIds")
    # API ref DescribeWorkspacesConnectionStatus: WorkspaceIds 1-25.
    _check_length(workspace_ids, "workspaceIds")
    # guessed: a WorkSpace DescribeWorkspaces does not list yet has no connection status either.
    listed = _listed(_ordered_workspaces(backend))
    selected = [ws for ws in listed if not workspace_ids or ws.workspace_id in workspace_ids]
    # guessed: WorkSpaces still being created, failed or terminating have no connection status.
    selected = [ws for ws in selected if ws.state not in _NO_CONNECTION_STATUS]
    page, token = _page(selected, params.get("NextToken"), CONNECTION_STATUS_PAGE_SIZE, _sequence)
    return _with_token({"WorkspacesConnectionStatus": [_connection_status(ws) for ws in page]}, token)


# ---------------------------------------------------------------------------------------------------------------
# CreateWorkspaces
# ---------------------------------------------------------------------------------------------------------------


def _user_has_workspace(backend: WorkSpacesBackend, directory_id: str, user_name: str) -> bool:
    # API notes: one WorkSpace per user per directory, user names compared case-insensitively;
    # a terminating WorkSpace still counts until it is gone.
    wanted = user_name.casefold()
    return any(
        ws.directory_id == directory_id and ws.user_name.casefold() == wanted for ws in backend.workspaces.values()
    )


def _creation_error(backend: WorkSpacesBackend, request: dict[str, Any], account: str) -> tuple[str, str] | None:
    """(ErrorCode, ErrorMessage) for a WorkspaceRequest the service would refuse, else None."""
    directory_id, user_name = request.get("DirectoryId", ""), request.get("UserName", "")
    if directory_id not in backend.workspace_directories:
        # API notes: an unknown or unregistered directory fails with ResourceNotFound.Directory.
        return "ResourceNotFound.Directory", "The specified directory could not be found in the specified region."
    if find_bundle(request.get("BundleId", ""), account) is None:
        # API notes: an unknown bundle fails with ResourceNotFound.Bundle (guessed: message).
        return "ResourceNotFound.Bundle", "The specified bundle could not be found."
    if user_name.casefold() in SETTINGS["unknown_users"]:
        # API notes: a user missing from the directory fails with ResourceNotFound.User (guessed: message).
        return "ResourceNotFound.User", "The specified user could not be found in the directory."
    if _user_has_workspace(backend, directory_id, user_name):
        # API notes: ResourceExists.WorkSpace, "A WorkSpace already exists for the specified user".
        return "ResourceExists.WorkSpace", "A WorkSpace already exists for the specified user"
    properties = request.get("WorkspaceProperties") or {}
    mode = properties.get("RunningMode", "ALWAYS_ON")
    if mode == "ALWAYS_ON" and "RunningModeAutoStopTimeoutInMinutes" in properties:
        # API notes: ALWAYS_ON with a timeout is rejected (guessed: as a FailedRequest, like moto does).
        return (
            "AutoStopTimeoutIsNotApplicableForAnAlwaysOnWorkspace",
            "RunningModeAutoStopTimeoutInMinutes is not applicable for WorkSpace with running mode set to ALWAYS_ON.",
        )
    return None


def _subnet_for(backend: WorkSpacesBackend, directory_id: str, sequence: int) -> str:
    subnets = backend.workspace_directories[directory_id].subnet_ids or [""]
    return subnets[sequence % len(subnets)]


def create_workspaces(self: WorkSpacesResponse) -> str:
    params = _params(self)
    backend = _backend(self)
    requests = params.get("Workspaces") or []
    # API ref CreateWorkspaces: 1-25 WorkspaceRequests.
    _check_length(requests, "workspaces")
    pending, failed = [], []
    for request in requests:
        error = _creation_error(backend, request, self.current_account)
        if error:
            # API ref CreateWorkspaces: refusals come back inside HTTP 200 as FailedRequests.
            failed.append({"WorkspaceRequest": request, "ErrorCode": error[0], "ErrorMessage": error[1]})
            continue
        bundle = find_bundle(request["BundleId"], self.current_account) or {}
        sequence = extras(backend).next_sequence()
        workspace = SimulatedWorkspace(
            request, bundle, _subnet_for(backend, request["DirectoryId"], sequence), sequence
        )
        backend.workspaces[workspace.workspace_id] = workspace
        pending.append(workspace.to_dict_pending())
    return json.dumps({"FailedRequests": failed, "PendingRequests": pending})


# ---------------------------------------------------------------------------------------------------------------
# Terminate / Reboot / Rebuild / Start / Stop
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StateChange:
    """A batch action that moves WorkSpaces through an interim state to a final one."""

    action: str
    member: str
    allowed_states: frozenset[str]
    interim: str
    final: str | None
    running_modes: frozenset[str] | None = None
    honours_maintenance: bool = True
    max_items: int = MAX_BATCH


_SELF_MANAGED_MODES = frozenset({"AUTO_STOP", "MANUAL"})

# API ref TerminateWorkspaces: any state except SUSPENDED; asynchronous, then the id disappears.
TERMINATE = StateChange(
    "TerminateWorkspaces", "TerminateWorkspaceRequests", ALL_STATES - {"SUSPENDED"}, "TERMINATING", None, None, False
)
# API ref RebootWorkspaces: allowed in AVAILABLE, UNHEALTHY, REBOOTING.
REBOOT = StateChange(
    "RebootWorkspaces",
    "RebootWorkspaceRequests",
    frozenset({"AVAILABLE", "UNHEALTHY", "REBOOTING"}),
    "REBOOTING",
    "AVAILABLE",
)
# API ref RebuildWorkspaces: allowed in AVAILABLE, ERROR, UNHEALTHY, STOPPED, REBOOTING; exactly one per call.
REBUILD = StateChange(
    "RebuildWorkspaces",
    "RebuildWorkspaceRequests",
    frozenset({"AVAILABLE", "ERROR", "UNHEALTHY", "STOPPED", "REBOOTING"}),
    "REBUILDING",
    "AVAILABLE",
    max_items=1,
)
# API ref StartWorkspaces: running mode AUTO_STOP or MANUAL and state STOPPED.
START = StateChange(
    "StartWorkspaces", "StartWorkspaceRequests", frozenset({"STOPPED"}), "STARTING", "AVAILABLE", _SELF_MANAGED_MODES
)
# API ref StopWorkspaces: running mode AUTO_STOP or MANUAL and state AVAILABLE, IMPAIRED, UNHEALTHY or ERROR.
STOP = StateChange(
    "StopWorkspaces",
    "StopWorkspaceRequests",
    frozenset({"AVAILABLE", "IMPAIRED", "UNHEALTHY", "ERROR"}),
    "STOPPING",
    "STOPPED",
    _SELF_MANAGED_MODES,
)


def _refusal(change: StateChange, workspace: Workspace) -> str | None:
    """Why the service would refuse this change for this WorkSpace, or None."""
    state = workspace.state
    if change.honours_maintenance and state == "ADMIN_MAINTENANCE":
        # API ref ModifyWorkspaceState: ADMIN_MAINTENANCE WorkSpaces ignore reboot, stop, start, rebuild, restore.
        return f"The WorkSpace {workspace.workspace_id} is in ADMIN_MAINTENANCE state; {change.action} is refused."
    if state not in change.allowed_states:
        allowed = ", ".join(sorted(change.allowed_states))
        return f"The WorkSpace {workspace.workspace_id} is in state {state}; {change.action} requires one of {allowed}."
    mode = workspace.workspace_properties.get("RunningMode", "ALWAYS_ON")
    if change.running_modes is not None and mode not in change.running_modes:
        return f"The WorkSpace {workspace.workspace_id} has running mode {mode}; {change.action} requires AUTO_STOP or MANUAL."
    return None


def _apply_change(change: StateChange, workspace: SimulatedWorkspace) -> None:
    if change is TERMINATE and workspace.state == "TERMINATING":
        return  # already on its way out: keep the original schedule
    workspace.modification_states = []
    workspace.start_transition(change.interim, change.final)


def _run_state_change(self: WorkSpacesResponse, change: StateChange) -> str:
    params = _params(self)
    backend = _backend(self)
    requests = params.get(change.member) or []
    _check_length(requests, change.member[0].lower() + change.member[1:], change.max_items)
    failed = []
    for request in requests:
        workspace_id = request.get("WorkspaceId", "")
        workspace = backend.workspaces.get(workspace_id)
        refusal = None if workspace is None else _refusal(change, workspace)
        if workspace is None:
            failed.append(_not_found_request(workspace_id))
        elif refusal:
            failed.append(_refused_request(workspace_id, refusal))
        else:
            _apply_change(change, workspace)
    # API ref (batch actions): refusals come back inside HTTP 200 as FailedRequests.
    return json.dumps({"FailedRequests": failed})


def terminate_workspaces(self: WorkSpacesResponse) -> str:
    return _run_state_change(self, TERMINATE)


def reboot_workspaces(self: WorkSpacesResponse) -> str:
    return _run_state_change(self, REBOOT)


def rebuild_workspaces(self: WorkSpacesResponse) -> str:
    return _run_state_change(self, REBUILD)


def start_workspaces(self: WorkSpacesResponse) -> str:
    return _run_state_change(self, START)


def stop_workspaces(self: WorkSpacesResponse) -> str:
    return _run_state_change(self, STOP)


# ---------------------------------------------------------------------------------------------------------------
# ModifyWorkspaceProperties / ModifyWorkspaceState
# ---------------------------------------------------------------------------------------------------------------

_DEFERRED_RESOURCES = {
    "ComputeTypeName": "COMPUTE_TYPE",
    "RootVolumeSizeGib": "ROOT_VOLUME",
    "UserVolumeSizeGib": "USER_VOLUME",
}


def _workspace_or_not_found(backend: WorkSpacesBackend, workspace_id: str) -> Workspace:
    workspace = backend.workspaces.get(workspace_id)
    if workspace is None:
        # API ref ModifyWorkspaceProperties / ModifyWorkspaceState: ResourceNotFoundException.
        raise ResourceNotFoundException(f"The WorkSpace {workspace_id} could not be found.")
    return workspace


def _validate_running_mode(current: dict[str, Any], requested: dict[str, Any]) -> None:
    mode = requested.get("RunningMode", current.get("RunningMode"))
    timeout = requested.get("RunningModeAutoStopTimeoutInMinutes")
    if timeout is None:
        return
    if mode == "ALWAYS_ON":
        # API notes: ALWAYS_ON with a timeout is rejected (AutoStopTimeoutIsNotApplicableForAnAlwaysOnWorkspace).
        raise InvalidParameterValuesException(
            "AutoStopTimeoutIsNotApplicableForAnAlwaysOnWorkspace: RunningModeAutoStopTimeoutInMinutes is not "
            "applicable for WorkSpace with running mode set to ALWAYS_ON."
        )
    if int(timeout) < 60 or int(timeout) % 60:
        # API ref WorkspaceProperties: the AUTO_STOP timeout is set in 60-minute increments (guessed: message).
        raise InvalidParameterValuesException("RunningModeAutoStopTimeoutInMinutes must be a multiple of 60.")


def _validate_resize(current: dict[str, Any], changes: dict[str, Any]) -> None:
    volumes = [key for key in ("RootVolumeSizeGib", "UserVolumeSizeGib") if key in changes]
    if "ComputeTypeName" in changes and volumes:
        # API notes: compute type and volume size cannot change in the same request (guessed: message).
        raise InvalidParameterValuesException(
            "You can't change the compute type and the volume size of a WorkSpace in the same request."
        )
    if len(volumes) > 1:
        # API notes: root and user volumes cannot grow in the same request (guessed: message).
        raise InvalidParameterValuesException("You can't change the root and user volume sizes in the same request.")
    for key in volumes:
        if int(changes[key]) < int(current.get(key, 0)):
            # API notes: volumes only grow (guessed: message).
            raise InvalidParameterValuesException(f"{key} can only be increased; it is {current.get(key)} GiB.")


def _apply_running_mode(properties: dict[str, Any], changes: dict[str, Any]) -> None:
    properties.update(changes)
    if properties.get("RunningMode") == "ALWAYS_ON":
        properties.pop("RunningModeAutoStopTimeoutInMinutes", None)
    elif properties.get("RunningMode") == "AUTO_STOP":
        # API notes: the AUTO_STOP timeout defaults to 60 minutes (set in 60-minute steps).
        properties.setdefault("RunningModeAutoStopTimeoutInMinutes", DEFAULT_AUTO_STOP_MINUTES)


def modify_workspace_properties(self: WorkSpacesResponse) -> str:
    params = _params(self)
    backend = _backend(self)
    workspace = _workspace_or_not_found(backend, params.get("WorkspaceId", ""))
    requested = params.get("WorkspaceProperties") or {}
    if workspace.modification_states:
        # API notes: a second change while one is in progress gets OperationInProgressException.
        raise OperationInProgressException("The properties of this WorkSpace are already being modified.")
    if workspace.state not in ("AVAILABLE", "STOPPED"):
        # API notes: modify properties only in AVAILABLE or STOPPED.
        raise InvalidResourceStateException(
            f"The WorkSpace is in state {workspace.state}; it must be AVAILABLE or STOPPED."
        )
    current = workspace.workspace_properties
    changes = {key: value for key, value in requested.items() if current.get(key) != value}
    _validate_running_mode(current, requested)
    _validate_resize(current, changes)
    deferred = {key: value for key, value in changes.items() if key in _DEFERRED_RESOURCES}
    # guessed: running mode, timeout and protocol changes apply at once.
    _apply_running_mode(current, {key: value for key, value in changes.items() if key not in deferred})
    if deferred:
        # API notes: during a change ModificationStates lists the resource as UPDATE_IN_PROGRESS (state UPDATING).
        workspace.modification_states = [
            {"Resource": _DEFERRED_RESOURCES[key], "State": "UPDATE_IN_PROGRESS"} for key in deferred
        ]
        workspace.start_transition("UPDATING", workspace.state, deferred)
    return "{}"


def modify_workspace_state(self: WorkSpacesResponse) -> str:
    params = _params(self)
    backend = _backend(self)
    workspace = _workspace_or_not_found(backend, params.get("WorkspaceId", ""))
    target = params.get("WorkspaceState")
    # API ref ModifyWorkspaceState: WorkspaceState is AVAILABLE or ADMIN_MAINTENANCE.
    if target not in ("AVAILABLE", "ADMIN_MAINTENANCE"):
        raise InvalidParameterValuesException(f"The WorkspaceState {target} is not valid.")
    # guessed: maintenance can be entered from AVAILABLE or STOPPED and left to AVAILABLE; repeating is a no-op.
    allowed = {
        "ADMIN_MAINTENANCE": ("AVAILABLE", "STOPPED", "ADMIN_MAINTENANCE"),
        "AVAILABLE": ("ADMIN_MAINTENANCE", "AVAILABLE"),
    }
    if workspace.state not in allowed[target]:
        # API ref ModifyWorkspaceState: InvalidResourceStateException.
        raise InvalidResourceStateException(
            f"The WorkSpace is in state {workspace.state}; it cannot be set to {target}."
        )
    workspace.state = target
    return "{}"


# ---------------------------------------------------------------------------------------------------------------
# Tags (WorkSpaces API and the Resource Groups Tagging API share the same lists)
# ---------------------------------------------------------------------------------------------------------------


def _tag_list(backend: WorkSpacesBackend, resource_id: str) -> list[dict[str, str]]:
    """The stored tag list (mutable) of a WorkSpaces resource."""
    refresh(backend)
    holder: Any = None
    if resource_id.startswith("ws-"):
        holder = backend.workspaces.get(resource_id)
    elif resource_id.startswith(("d-", "wsd-")):
        holder = backend.workspace_directories.get(resource_id)
    elif resource_id.startswith("wsi-"):
        holder = backend.workspace_images.get(resource_id)
    elif resource_id in OWN_BUNDLE_IDS:
        return extras(backend).bundle_tags.setdefault(resource_id, [])
    if holder is None:
        # API ref CreateTags / DeleteTags / DescribeTags: ResourceNotFoundException.
        raise ResourceNotFoundException(f"The resource {resource_id} could not be found.")
    if holder.tags is None:
        holder.tags = []
    return holder.tags


def backend_create_tags(self: WorkSpacesBackend, resource_id: str, tags: list[dict[str, str]]) -> None:
    stored = _tag_list(self, resource_id)
    merged = {tag["Key"]: tag.get("Value", "") for tag in stored}
    # API ref CreateTags: tagging an existing key replaces its value.
    merged.update({tag["Key"]: tag.get("Value", "") for tag in tags or []})
    if len(merged) > MAX_TAGS_PER_RESOURCE:
        # API ref CreateTags: ResourceLimitExceededException past 50 tags per resource.
        raise ResourceLimitExceededException(f"A resource can have at most {MAX_TAGS_PER_RESOURCE} tags.")
    stored[:] = [{"Key": key, "Value": value} for key, value in merged.items()]


def backend_delete_tags(self: WorkSpacesBackend, resource_id: str, tag_keys: list[str]) -> None:
    stored = _tag_list(self, resource_id)
    stored[:] = [tag for tag in stored if tag["Key"] not in set(tag_keys or [])]


def backend_describe_tags(self: WorkSpacesBackend, resource_id: str) -> list[dict[str, str]]:
    return [dict(tag) for tag in _tag_list(self, resource_id)]


def backend_untag_resource(self: WorkSpacesBackend, arn: str, tag_keys: list[str]) -> None:
    backend_delete_tags(self, arn.split("/")[-1], tag_keys)


_ORIGINALS: dict[str, Callable[..., Any]] = {}


def backend_iter_tagged_resources(self: WorkSpacesBackend) -> Iterator[Any]:
    # Terminated WorkSpaces must leave tag:GetResources at the same moment they leave DescribeWorkspaces.
    refresh(self)
    yield from _ORIGINALS["iter_tagged_resources"](self)


# API ref GetResources: ResourceARNList (1-100 ARNs) cannot be combined with the filter or paging parameters,
# and the resources it names come back in one answer (moto pages them by 50 and allows the combinations).
_ARN_LIST_EXCLUSIVE = ("ResourceTypeFilters", "TagFilters", "ResourcesPerPage", "TagsPerPage", "PaginationToken")
MAX_RESOURCE_ARNS = 100


def tagging_get_resources(self: ResourceGroupsTaggingAPIResponse) -> Any:
    arns = self._get_param("ResourceARNList")
    if not arns:
        return _ORIGINALS["tagging_get_resources"](self)
    combined = [name for name in _ARN_LIST_EXCLUSIVE if self._get_param(name)]
    if combined:
        raise ResourceGroupsTaggingAPIError(
            "InvalidParameterException", f"ResourceARNList cannot be combined with {', '.join(combined)}."
        )
    if len(arns) > MAX_RESOURCE_ARNS:
        raise ResourceGroupsTaggingAPIError(
            "InvalidParameterException", f"ResourceARNList has {len(arns)} ARNs; at most {MAX_RESOURCE_ARNS}."
        )
    wanted = set(arns)
    found = [
        resource
        for backend in iter_taggable_backends(self.current_account, self.region)
        for resource in backend.iter_tagged_resources()
        if resource.arn in wanted and resource.tags
    ]
    mappings = [{"ResourceARN": r.arn, "Tags": [{"Key": k, "Value": v} for k, v in r.tags.items()]} for r in found]
    return ActionResult({"ResourceTagMappingList": mappings})


def delete_tags(self: WorkSpacesResponse) -> str:
    params = _params(self)
    self.workspaces_backend.delete_tags(params.get("ResourceId", ""), params.get("TagKeys") or [])
    return "{}"


# ---------------------------------------------------------------------------------------------------------------
# Directories
# ---------------------------------------------------------------------------------------------------------------


# Directory Service stages that end in Active on their own; the others stay until changed (guessed).
_PASSING_STAGES = frozenset({"Requested", "Creating", "Created", "Restoring", "Updating"})
DIRECTORY_STAGES = frozenset(
    {
        "Requested",
        "Creating",
        "Created",
        "Active",
        "Inoperable",
        "Impaired",
        "Restoring",
        "RestoreFailed",
        "Deleting",
        "Deleted",
        "Failed",
        "Updating",
    }
)


def set_directory_stage(
    directory_id: str,
    stage: str,
    active_after: float | None = None,
    account_id: str = ACCOUNT_ID,
    region: str = "us-east-1",
) -> dict[str, Any]:
    """Put a Directory Service directory into a stage; Creating and the like become Active after a delay.

    active_after: seconds until Active (default: the configured delay); ignored for Active and lasting stages.
    """
    if stage not in DIRECTORY_STAGES:
        raise ValueError(f"unknown directory stage {stage!r}")
    ds = ds_backends[account_id][region]
    directory = ds.directories.get(directory_id)
    if directory is None:
        raise KeyError(directory_id)
    _set_stage(directory, stage)
    directory.endpoint_active_due = None
    if stage in _PASSING_STAGES:
        wait = SETTINGS["delay"] if active_after is None else max(0.0, float(active_after))
        directory.endpoint_active_due = time.monotonic() + wait
    return {"directory_id": directory_id, "stage": directory.stage}


def _set_stage(directory: Any, stage: str) -> None:
    directory.stage = stage
    directory.stage_last_updated_date_time = utcnow()


def settle_directory_stages(ds: DirectoryServiceBackend) -> None:
    """Make Active the Directory Service directories whose creation (or the like) has finished."""
    now = time.monotonic()
    for directory in ds.directories.values():
        due = getattr(directory, "endpoint_active_due", None)
        if due is not None and now >= due:
            directory.endpoint_active_due = None
            _set_stage(directory, "Active")


def ds_describe_directories(self: DirectoryServiceBackend, *args: Any, **kwargs: Any) -> Any:
    settle_directory_stages(self)
    return _ORIGINALS["ds_describe_directories"](self, *args, **kwargs)


def register_workspace_directory(self: WorkSpacesResponse) -> str:
    params = _params(self)
    backend = _backend(self)
    directory_id = params.get("DirectoryId", "")
    if directory_id in backend.workspace_directories:
        # guessed: registering twice is ResourceAlreadyExistsException (moto leaked an EC2 security-group error).
        raise ResourceAlreadyExistsException(f"The directory {directory_id} is already registered with WorkSpaces.")
    ds = ds_backends[self.current_account][self.region]
    settle_directory_stages(ds)
    directory = ds.directories.get(directory_id)
    if directory is None:
        # API ref RegisterWorkspaceDirectory: ResourceNotFoundException.
        raise ResourceNotFoundException(f"The directory {directory_id} could not be found.")
    if directory.stage != "Active":
        # API notes: the Directory Service directory must be Active before registration.
        raise InvalidResourceStateException(f"The directory {directory_id} is in stage {directory.stage}.")
    _ORIGINALS["register_workspace_directory"](self)
    # API notes: registration goes REGISTERING -> REGISTERED (asynchronous).
    backend.workspace_directories[directory_id].state = "REGISTERING"
    registry = extras(backend)
    registry.directory_registered_due[directory_id] = _due()
    registry.directory_sequence[directory_id] = registry.next_sequence()
    return json.dumps({"DirectoryId": directory_id, "State": "REGISTERING"})


def deregister_workspace_directory(self: WorkSpacesResponse) -> str:
    params = _params(self)
    backend = _backend(self)
    directory_id = params.get("DirectoryId", "")
    if directory_id not in backend.workspace_directories:
        # API ref DeregisterWorkspaceDirectory: ResourceNotFoundException.
        raise ResourceNotFoundException(f"The directory {directory_id} is not registered with WorkSpaces.")
    if any(ws.directory_id == directory_id for ws in backend.workspaces.values()):
        # API notes: deregistering a directory that still has WorkSpaces is refused.
        raise OperationNotSupportedException(f"The directory {directory_id} still has WorkSpaces.")
    extras(backend).directory_registered_due.pop(directory_id, None)
    extras(backend).directory_sequence.pop(directory_id, None)
    return _ORIGINALS["deregister_workspace_directory"](self)


_DIRECTORY_ID = re.compile(r"^(d-[0-9a-f]{8,63}$)|(wsd-[0-9a-z]{8,63}$)")


def describe_workspace_directories(self: WorkSpacesResponse) -> str:
    params = _params(self)
    backend = _backend(self)
    directory_ids = params.get("DirectoryIds")
    # API ref DescribeWorkspaceDirectories: DirectoryIds 1-25, Limit 1-25.
    _check_length(directory_ids, "directoryIds")
    _check_limit(params.get("Limit"))
    for directory_id in directory_ids or []:
        if not _DIRECTORY_ID.match(directory_id):
            # API ref WorkspaceDirectory: DirectoryId matches ^(d-[0-9a-f]{8,63}$)|(wsd-[0-9a-z]{8,63}$).
            raise ValidationException(
                f"1 validation error detected: Value '{directory_id}' at 'directoryIds' failed to satisfy "
                "constraint: Member must satisfy regular expression pattern"
            )
    order = extras(backend).directory_sequence
    directories = sorted(backend.workspace_directories.values(), key=lambda d: order.get(d.directory_id, 0))
    if directory_ids:
        directories = [d for d in directories if d.directory_id in directory_ids]
    # API ref DescribeWorkspaceDirectories: NextToken paging, Limit per page (guessed: the default page size).
    size = int(params.get("Limit") or DIRECTORIES_PAGE_SIZE)
    page, token = _page(directories, params.get("NextToken"), size, lambda d: order.get(d.directory_id, 0))
    return _with_token({"Directories": [d.to_dict() for d in page]}, token)


def _registered_directory(backend: WorkSpacesBackend, directory_id: str) -> Any:
    directory = backend.workspace_directories.get(directory_id)
    if directory is None:
        # API ref ModifySelfservicePermissions / ModifyWorkspaceCreationProperties /
        # ModifyWorkspaceAccessProperties: ResourceNotFoundException (moto: a 500 or ValidationException).
        raise ResourceNotFoundException(f"The directory {directory_id} is not registered with WorkSpaces.")
    return directory


def _check_enum(settings: dict[str, Any], allowed: tuple[str, ...], skip: Iterable[str] = ()) -> None:
    for key, value in settings.items():
        if key not in skip and value not in allowed:
            # API ref (AccessPropertyValue / ReconnectEnum): the only values; botocore does not check enums.
            raise InvalidParameterValuesException(f"The value {value!r} of {key} is not one of {', '.join(allowed)}.")


def modify_selfservice_permissions(self: WorkSpacesResponse) -> str:
    params = _params(self)
    directory = _registered_directory(_backend(self), params.get("ResourceId", ""))
    changes = params.get("SelfservicePermissions") or {}
    _check_enum(changes, ("ENABLED", "DISABLED"))
    # API ref ModifySelfservicePermissions: only the permissions given change (moto replaced the whole set).
    directory.self_service_permissions = dict(directory.self_service_permissions or {}, **changes)
    return "{}"


def modify_workspace_creation_properties(self: WorkSpacesResponse) -> str:
    params = _params(self)
    directory = _registered_directory(_backend(self), params.get("ResourceId", ""))
    changes = params.get("WorkspaceCreationProperties") or {}
    for key in ("DefaultOu", "CustomSecurityGroupId", "InstanceIamRoleArn"):
        if key in changes and not str(changes[key]).strip():
            # API notes: optional creation properties must be omitted, not sent as empty strings (guessed: message).
            raise InvalidParameterValuesException(f"The value of {key} must not be empty.")
    # API ref ModifyWorkspaceCreationProperties: only the properties given change (moto replaced the whole set).
    directory.workspace_creation_properties = dict(directory.workspace_creation_properties or {}, **changes)
    return "{}"


def modify_workspace_access_properties(self: WorkSpacesResponse) -> str:
    params = _params(self)
    directory = _registered_directory(_backend(self), params.get("ResourceId", ""))
    changes = params.get("WorkspaceAccessProperties") or {}
    _check_enum(changes, ("ALLOW", "DENY"), skip=("AccessEndpointConfig",))
    # API ref ModifyWorkspaceAccessProperties: the device types given change, the others keep their access
    # (guessed: AccessEndpointConfig is replaced as a whole).
    directory.workspace_access_properties = dict(directory.workspace_access_properties or {}, **changes)
    return "{}"


# ---------------------------------------------------------------------------------------------------------------
# install()
# ---------------------------------------------------------------------------------------------------------------

_RESPONSE_METHODS: dict[str, Callable[..., str]] = {
    "describe_workspace_bundles": describe_workspace_bundles,
    "describe_workspaces": describe_workspaces,
    "describe_workspaces_connection_status": describe_workspaces_connection_status,
    "create_workspaces": create_workspaces,
    "terminate_workspaces": terminate_workspaces,
    "reboot_workspaces": reboot_workspaces,
    "rebuild_workspaces": rebuild_workspaces,
    "start_workspaces": start_workspaces,
    "stop_workspaces": stop_workspaces,
    "modify_workspace_properties": modify_workspace_properties,
    "modify_workspace_state": modify_workspace_state,
    "delete_tags": delete_tags,
    "register_workspace_directory": register_workspace_directory,
    "deregister_workspace_directory": deregister_workspace_directory,
    "describe_workspace_directories": describe_workspace_directories,
    "modify_selfservice_permissions": modify_selfservice_permissions,
    "modify_workspace_creation_properties": modify_workspace_creation_properties,
    "modify_workspace_access_properties": modify_workspace_access_properties,
}

_BACKEND_METHODS: dict[str, Callable[..., Any]] = {
    "create_tags": backend_create_tags,
    "delete_tags": backend_delete_tags,
    "describe_tags": backend_describe_tags,
    "untag_resource": backend_untag_resource,
    "iter_tagged_resources": backend_iter_tagged_resources,
}


def install() -> None:
    """Patch moto's WorkSpaces response and backend classes (idempotent)."""
    if _ORIGINALS:
        return
    if moto.__version__ != MOTO_VERSION:
        warnings.warn(
            f"endpoint.extension is written against moto {MOTO_VERSION}, found {moto.__version__}", stacklevel=2
        )
    for name, method in _RESPONSE_METHODS.items():
        if hasattr(WorkSpacesResponse, name):
            _ORIGINALS[name] = getattr(WorkSpacesResponse, name)
        setattr(WorkSpacesResponse, name, method)
    for name, method in _BACKEND_METHODS.items():
        if hasattr(WorkSpacesBackend, name):
            _ORIGINALS[name] = getattr(WorkSpacesBackend, name)
        setattr(WorkSpacesBackend, name, method)
    _ORIGINALS["tagging_get_resources"] = ResourceGroupsTaggingAPIResponse.get_resources
    ResourceGroupsTaggingAPIResponse.get_resources = tagging_get_resources
    # Directory Service: a directory created in stage Creating turns Active when its time has come.
    _ORIGINALS["ds_describe_directories"] = DirectoryServiceBackend.describe_directories
    DirectoryServiceBackend.describe_directories = ds_describe_directories
