"""The directory module end to end against stubbed WorkSpaces: every state and starting state, check mode,
settings sent only when set, feature detection of RegisterWorkspaceDirectory's members."""

from __future__ import annotations

import copy
import json

import botocore.session
import pytest
from ansible.module_utils.common import warnings as ansible_warnings
from botocore.stub import Stubber

from ansible_collections.euc.workspaces.plugins.modules import directory as directory_module

DIRECTORY_ID = "d-1234567890"
SUBNETS = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]


@pytest.fixture(autouse=True)
def fresh_warnings(monkeypatch):
    """ansible-core collects module warnings process-wide: each test starts with none, whatever ran before."""
    monkeypatch.setattr(ansible_warnings, "_global_warnings", {})


def described(state="REGISTERED", **changes) -> dict:
    """A directory as DescribeWorkspaceDirectories lists it (defaults as the service sets them)."""
    directory = {
        "DirectoryId": DIRECTORY_ID,
        "Alias": "corp",
        "DirectoryName": "corp.example.com",
        "RegistrationCode": "SLiad+ABCDEF",
        "SubnetIds": list(SUBNETS),
        "DnsIpAddresses": ["10.0.0.10", "10.0.1.10"],
        "CustomerUserName": "Administrator",
        "IamRoleId": "arn:aws:iam::123456789012:role/workspaces_DefaultRole",
        "DirectoryType": "SIMPLE_AD",
        "WorkspaceSecurityGroupId": "sg-0123456789abcdef0",
        "State": state,
        "Tenancy": "SHARED",
        "SelfservicePermissions": {
            "RestartWorkspace": "ENABLED",
            "IncreaseVolumeSize": "DISABLED",
            "ChangeComputeType": "DISABLED",
            "SwitchRunningMode": "DISABLED",
            "RebuildWorkspace": "DISABLED",
        },
        "WorkspaceCreationProperties": {
            "EnableInternetAccess": False,
            "UserEnabledAsLocalAdministrator": True,
            "EnableMaintenanceMode": True,
        },
        "WorkspaceAccessProperties": {
            "DeviceTypeWindows": "ALLOW",
            "DeviceTypeOsx": "ALLOW",
            "DeviceTypeWeb": "DENY",
            "DeviceTypeIos": "ALLOW",
            "DeviceTypeAndroid": "ALLOW",
            "DeviceTypeChromeOs": "ALLOW",
            "DeviceTypeZeroClient": "ALLOW",
            "DeviceTypeLinux": "DENY",
        },
    }
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(directory.get(key), dict):
            directory[key] = dict(directory[key], **value)
        else:
            directory[key] = value
    return directory


def args(**extra) -> dict:
    return {"directory_id": DIRECTORY_ID, **extra}


def add_describe(aws, *directories):
    aws.add(
        "describe_workspace_directories",
        {"Directories": [d for d in directories if d is not None]},
        {"DirectoryIds": [DIRECTORY_ID]},
    )


def add_tags(aws, tags: dict):
    aws.add(
        "describe_tags",
        {"TagList": [{"Key": k, "Value": v} for k, v in tags.items()]},
        {"ResourceId": DIRECTORY_ID},
    )


def add_stage(aws, stage: str = "Active"):
    """ds:DescribeDirectories: the Directory Service stage, read before registering and after each refusal."""
    aws.add(
        "describe_directories",
        {"DirectoryDescriptions": [{"DirectoryId": DIRECTORY_ID, "Stage": stage}]},
        {"DirectoryIds": [DIRECTORY_ID]},
        service="ds",
    )


def add_workspaces(aws, count: int):
    workspaces = [
        {
            "WorkspaceId": f"ws-{index:010d}",
            "DirectoryId": DIRECTORY_ID,
            "UserName": f"user{index}",
            "State": "AVAILABLE",
        }
        for index in range(count)
    ]
    aws.add("describe_workspaces", {"Workspaces": workspaces}, {"DirectoryId": DIRECTORY_ID})


def add_final_read(aws, directory, tags):
    add_describe(aws, directory)
    add_tags(aws, tags)


def mutating(aws) -> list[str]:
    return aws.mutating_calls()


# --- state=present on a directory that is not registered -----------------------------------------------------


def test_register_sends_only_set_options_waits_and_applies_every_group_the_task_sets(aws, run_module):
    add_describe(aws)  # not registered
    add_stage(aws)
    aws.add(
        "register_workspace_directory",
        {},
        {
            "DirectoryId": DIRECTORY_ID,
            "SubnetIds": SUBNETS,
            "Tenancy": "SHARED",
            "EnableSelfService": False,
            "Tags": [{"Key": "team", "Value": "desktops"}],
        },
    )
    add_describe(aws)  # not listed yet right after the call
    add_describe(aws, described("REGISTERING"))
    add_describe(aws, described())
    add_tags(aws, {"team": "desktops"})
    # After a registration every group the task sets is sent (with only the sub-options it sets), also one the
    # registration's defaults happen to match: check mode cannot know those defaults, and predicts these calls.
    aws.add(
        "modify_selfservice_permissions",
        {},
        {"ResourceId": DIRECTORY_ID, "SelfservicePermissions": {"RestartWorkspace": "ENABLED"}},
    )
    aws.add(
        "modify_workspace_access_properties",
        {},
        {"ResourceId": DIRECTORY_ID, "WorkspaceAccessProperties": {"DeviceTypeLinux": "ALLOW"}},
    )
    final = described(WorkspaceAccessProperties={"DeviceTypeLinux": "ALLOW"})
    add_final_read(aws, final, {"team": "desktops"})

    result = run_module(
        directory_module,
        args(
            subnet_ids=SUBNETS,
            tenancy="SHARED",
            enable_self_service=False,
            tags={"team": "desktops"},
            selfservice_permissions={"restart_workspace": True},  # already the default: sent all the same
            workspace_access_properties={"device_type_linux": "ALLOW"},
        ),
    )

    assert not result.get("failed"), result
    assert result["changed"] is True
    assert mutating(aws) == [
        "RegisterWorkspaceDirectory",
        "ModifySelfservicePermissions",
        "ModifyWorkspaceAccessProperties",
    ]
    assert result["actions"] == ["register", "modify_selfservice_permissions", "modify_workspace_access_properties"]
    assert result["modified"] == [
        "selfservice_permissions.restart_workspace",
        "workspace_access_properties.device_type_linux",
    ]
    assert result["directory"]["state"] == "REGISTERED"
    assert result["directory"]["workspace_access_properties"]["device_type_linux"] == "ALLOW"
    assert result["directory"]["tags"] == {"team": "desktops"}
    assert "diff" not in result
    aws.assert_all_used()


@pytest.mark.parametrize(
    "listings",
    [
        pytest.param([None], id="not-listed-registers-with-the-directory-id-only"),
        pytest.param([described("DEREGISTERED")], id="a-deregistered-listing-counts-as-not-registered"),
        pytest.param(
            [described("DEREGISTERING"), described("DEREGISTERING"), None],
            id="deregistering-is-waited-for-until-gone-then-registered-again",
        ),
    ],
)
def test_register_with_no_options_sends_the_directory_id_only(aws, run_module, listings):
    for listing in listings:  # None: the directory is not listed
        add_describe(aws, listing)
    add_stage(aws)
    aws.add("register_workspace_directory", {}, {"DirectoryId": DIRECTORY_ID})
    add_describe(aws, described())
    add_tags(aws, {})
    add_final_read(aws, described(), {})

    result = run_module(directory_module, args())

    assert result["changed"] is True
    assert mutating(aws) == ["RegisterWorkspaceDirectory"]
    assert result["actions"] == ["register"]
    aws.assert_all_used()


def test_register_in_check_mode_makes_no_mutating_call_and_predicts(aws, run_module):
    add_describe(aws)
    add_stage(aws)  # read in check mode too: a stage that never becomes Active fails there as well

    result = run_module(
        directory_module,
        args(
            tenancy="DEDICATED",
            tags={"team": "desktops"},
            selfservice_permissions={"rebuild_workspace": True},
        ),
        check_mode=True,
        diff=True,
    )

    assert mutating(aws) == []
    assert result["changed"] is True
    assert result["actions"] == ["register", "modify_selfservice_permissions"]
    assert result["directory"] is None
    assert result["diff"]["before"] == {}
    after = result["diff"]["after"]
    assert after["directory_id"] == DIRECTORY_ID
    assert after["state"] == "REGISTERED"
    assert after["tenancy"] == "DEDICATED"
    assert after["selfservice_permissions"] == {"rebuild_workspace": "ENABLED"}
    assert after["tags"] == {"team": "desktops"}
    # Only what is known before registering: no placeholders for what the service assigns.
    assert set(after) == {"directory_id", "state", "tenancy", "selfservice_permissions", "tags"}
    aws.assert_all_used()


def test_not_active_yet_is_retried_until_it_goes_through(aws, run_module):
    add_describe(aws)
    add_stage(aws, "Creating")
    for _refusal in range(2):
        aws.add_error("register_workspace_directory", "InvalidResourceStateException", "The directory is not Active")
        add_stage(aws, "Creating")  # a stage that turns Active by itself: tried again
    aws.add("register_workspace_directory", {}, {"DirectoryId": DIRECTORY_ID})
    add_describe(aws, described())
    add_tags(aws, {})
    add_final_read(aws, described(), {})

    result = run_module(directory_module, args(wait_timeout=600))

    assert not result.get("failed"), result
    assert mutating(aws) == ["RegisterWorkspaceDirectory"] * 3
    assert result["directory"]["state"] == "REGISTERED"
    aws.assert_all_used()


def test_not_active_when_time_runs_out_fails_with_the_directory_service_stage(aws, run_module):
    add_describe(aws)
    add_stage(aws, "Creating")
    aws.add_error("register_workspace_directory", "InvalidResourceStateException", "The directory is not Active")
    add_stage(aws, "Creating")
    add_describe(aws)  # read again after the refusal: still not registered

    result = run_module(directory_module, args(wait_timeout=0))

    assert result["failed"] is True
    assert "not Active" in result["msg"]
    assert "Creating" in result["msg"]
    assert result["error_code"] == "InvalidResourceStateException"
    assert result["directory_stage"] == "Creating"
    aws.assert_all_used()


def test_stage_that_cannot_be_read_still_fails_clearly(aws, run_module):
    add_describe(aws)
    aws.add_error("describe_directories", "AccessDeniedException", service="ds")  # read once, never again
    aws.add_error("register_workspace_directory", "InvalidResourceStateException", "not Active")
    add_describe(aws)

    result = run_module(directory_module, args(wait_timeout=0))

    assert result["failed"] is True
    assert "stage: unknown: AccessDeniedException" in result["msg"]
    aws.assert_all_used()


def test_other_register_errors_fail_when_the_directory_is_still_not_registered(aws, run_module):
    add_describe(aws)
    add_stage(aws)
    aws.add_error("register_workspace_directory", "ResourceNotFoundException", "no such directory")
    for _read in range(3):  # read again (reads may lag behind the call): never listed
        add_describe(aws)

    result = run_module(directory_module, args(wait_timeout=600))

    assert result["failed"] is True
    assert mutating(aws) == ["RegisterWorkspaceDirectory"]  # not sent again
    assert result["error"]["code"] == "ResourceNotFoundException"  # the call's own error
    aws.assert_all_used()


def test_registration_that_stays_registering_times_out_with_its_state(aws, run_module):
    add_describe(aws)
    add_stage(aws)
    aws.add("register_workspace_directory", {}, {"DirectoryId": DIRECTORY_ID})
    add_describe(aws, described("REGISTERING"))

    result = run_module(directory_module, args(wait_timeout=0))

    assert result["failed"] is True
    assert "was not REGISTERED within 0 seconds (last state: REGISTERING)" in result["msg"]
    assert result["directory_state"] == "REGISTERING"
    aws.assert_all_used()


def test_registration_that_ends_in_error_fails_with_its_message(aws, run_module):
    add_describe(aws)
    add_stage(aws)
    aws.add("register_workspace_directory", {}, {"DirectoryId": DIRECTORY_ID})
    add_describe(aws, described("ERROR", ErrorMessage="The subnets are in the same Availability Zone"))

    result = run_module(directory_module, args(wait_timeout=600))

    assert result["failed"] is True
    assert "state ERROR" in result["msg"]
    assert "same Availability Zone" in result["msg"]
    aws.assert_all_used()


# --- lost answers: read again, adopt what exists ------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, listings",
    [
        pytest.param("ResourceAlreadyExistsException", [described()], id="retry-says-already-registered"),
        # Not one error code: whatever the retry is told, the listing decides.
        pytest.param("InvalidParameterValuesException", [described()], id="any-other-error-code"),
        pytest.param(
            "ResourceAlreadyExistsException",
            [None, described("REGISTERING"), described()],
            id="listed-only-at-the-second-read-then-waited-for",
        ),
    ],
)
def test_a_register_error_after_which_the_directory_is_registered_is_adopted(aws, run_module, code, listings):
    add_describe(aws)
    add_stage(aws)
    aws.add_error("register_workspace_directory", code, "already registered")
    for listing in listings:
        add_describe(aws, listing)
    add_tags(aws, {"a": "b"})  # the registration that went through carried the tags
    aws.add(
        "modify_selfservice_permissions",
        {},
        {"ResourceId": DIRECTORY_ID, "SelfservicePermissions": {"RebuildWorkspace": "ENABLED"}},
    )
    add_final_read(aws, described(SelfservicePermissions={"RebuildWorkspace": "ENABLED"}), {"a": "b"})

    result = run_module(
        directory_module, args(tags={"a": "b"}, selfservice_permissions={"rebuild_workspace": True}, wait_timeout=600)
    )

    assert not result.get("failed"), result
    assert result["changed"] is True
    assert mutating(aws) == ["RegisterWorkspaceDirectory", "ModifySelfservicePermissions"]  # never sent twice
    assert result["actions"] == ["register", "modify_selfservice_permissions"]
    assert result["directory"]["state"] == "REGISTERED"
    warnings = json.dumps(result["warnings"])
    assert code in warnings and "taken as registered by this task" in warnings
    aws.assert_all_used()


def test_a_register_error_leaving_the_directory_deregistered_fails(aws, run_module):
    add_describe(aws, described("DEREGISTERED"))
    add_stage(aws)
    aws.add_error("register_workspace_directory", "AccessDeniedException", "not allowed")
    for _read in range(3):
        add_describe(aws, described("DEREGISTERED"))  # listed, but not registered

    result = run_module(directory_module, args(wait_timeout=600))

    assert result["failed"] is True
    assert result["error"]["code"] == "AccessDeniedException"
    assert mutating(aws) == ["RegisterWorkspaceDirectory"]
    aws.assert_all_used()


@pytest.mark.parametrize(
    "listings",
    [
        pytest.param([None], id="gone-at-once"),
        pytest.param([described("DEREGISTERING"), None], id="deregistering-then-waited-until-gone"),
        pytest.param([described(), described("DEREGISTERED"), None], id="still-listed-at-the-first-read"),
    ],
)
def test_a_deregister_error_after_which_the_directory_is_gone_is_adopted(aws, run_module, listings):
    add_describe(aws, described())
    add_tags(aws, {})
    add_workspaces(aws, 0)
    aws.add_error("deregister_workspace_directory", "ResourceNotFoundException", "not registered")
    for listing in listings:
        add_describe(aws, listing)

    result = run_module(directory_module, args(state="absent", wait_timeout=600))

    assert not result.get("failed"), result
    assert result["changed"] is True
    assert result["actions"] == ["deregister"]
    assert result["directory"] is None
    assert mutating(aws) == ["DeregisterWorkspaceDirectory"]
    assert "taken as deregistered by this task" in json.dumps(result["warnings"])
    aws.assert_all_used()


def test_a_deregister_error_with_the_directory_still_registered_fails(aws, run_module):
    add_describe(aws, described())
    add_tags(aws, {})
    add_workspaces(aws, 0)
    aws.add_error("deregister_workspace_directory", "AccessDeniedException", "not allowed")
    for _read in range(3):
        add_describe(aws, described())

    result = run_module(directory_module, args(state="absent", wait_timeout=600))

    assert result["failed"] is True
    assert result["error"]["code"] == "AccessDeniedException"
    assert mutating(aws) == ["DeregisterWorkspaceDirectory"]
    aws.assert_all_used()


# --- Directory Service stages that never become Active -------------------------------------------------------------


@pytest.mark.parametrize("stage", ["Failed", "Deleting", "Deleted", "RestoreFailed", "Inoperable", "Impaired"])
@pytest.mark.parametrize("check_mode", [False, True], ids=["run", "check"])
def test_a_stage_that_never_becomes_active_fails_before_any_mutating_call(aws, run_module, stage, check_mode):
    add_describe(aws)
    add_stage(aws, stage)

    result = run_module(directory_module, args(tags={"a": "b"}, wait_timeout=600), check_mode=check_mode)

    assert result["failed"] is True
    assert f"Directory Service stage {stage}" in result["msg"]
    assert result["directory_stage"] == stage
    assert result["error_code"] == "DirectoryNotActive"
    assert mutating(aws) == []
    aws.assert_all_used()


def test_a_stage_that_turns_failed_while_retrying_stops_the_retries(aws, run_module):
    add_describe(aws)
    add_stage(aws, "Creating")
    aws.add_error("register_workspace_directory", "InvalidResourceStateException", "The directory is not Active")
    add_stage(aws, "Failed")

    result = run_module(directory_module, args(wait_timeout=600))

    assert result["failed"] is True
    assert "Directory Service stage Failed" in result["msg"]
    assert mutating(aws) == ["RegisterWorkspaceDirectory"]  # not tried again
    aws.assert_all_used()


# --- check mode predicts the real run of the same task -------------------------------------------------------------

PREDICTED_TASK = {
    "selfservice_permissions": {"restart_workspace": True, "rebuild_workspace": False},
    "workspace_access_properties": {"device_type_web": "DENY", "device_type_chrome_os": "ALLOW"},
    "workspace_creation_properties": {"enable_internet_access": True, "default_ou": "OU=WS,DC=corp,DC=example,DC=com"},
    "tags": {"n": 5},
}


def contained(predicted, real) -> bool:
    """Every value the prediction states is the real one (the real result has more: what the service assigns)."""
    if isinstance(predicted, dict):
        return isinstance(real, dict) and all(key in real and contained(predicted[key], real[key]) for key in predicted)
    return predicted == real


def test_check_mode_and_the_real_run_of_a_registration_agree(aws, run_module):
    # The defaults of the registration already match some of the settings (restart, rebuild, web, chrome os).
    add_describe(aws)
    add_stage(aws)
    check = run_module(directory_module, args(**PREDICTED_TASK), check_mode=True, diff=True)
    assert mutating(aws) == []
    aws.assert_all_used()

    add_describe(aws)
    add_stage(aws)
    aws.add("register_workspace_directory", {}, {"DirectoryId": DIRECTORY_ID, "Tags": [{"Key": "n", "Value": "5"}]})
    add_describe(aws, described())
    add_tags(aws, {"n": "5"})
    aws.add(
        "modify_selfservice_permissions",
        {},
        {
            "ResourceId": DIRECTORY_ID,
            "SelfservicePermissions": {"RestartWorkspace": "ENABLED", "RebuildWorkspace": "DISABLED"},
        },
    )
    aws.add(
        "modify_workspace_creation_properties",
        {},
        {
            "ResourceId": DIRECTORY_ID,
            "WorkspaceCreationProperties": {
                "EnableInternetAccess": True,
                "DefaultOu": "OU=WS,DC=corp,DC=example,DC=com",
            },
        },
    )
    aws.add(
        "modify_workspace_access_properties",
        {},
        {
            "ResourceId": DIRECTORY_ID,
            "WorkspaceAccessProperties": {"DeviceTypeWeb": "DENY", "DeviceTypeChromeOs": "ALLOW"},
        },
    )
    final = described(
        WorkspaceCreationProperties={"EnableInternetAccess": True, "DefaultOu": "OU=WS,DC=corp,DC=example,DC=com"}
    )
    add_final_read(aws, final, {"n": "5"})
    real = run_module(directory_module, args(**PREDICTED_TASK), diff=True)

    assert not real.get("failed"), real
    assert (
        real["actions"]
        == check["actions"]
        == [
            "register",
            "modify_selfservice_permissions",
            "modify_workspace_creation_properties",
            "modify_workspace_access_properties",
        ]
    )
    assert real["modified"] == check["modified"]
    assert len(check["modified"]) == 6
    assert mutating(aws) == [
        "RegisterWorkspaceDirectory",
        "ModifySelfservicePermissions",
        "ModifyWorkspaceCreationProperties",
        "ModifyWorkspaceAccessProperties",
    ]
    assert check["diff"]["after"]["tags"] == {"n": "5"}  # text, as the service keeps tag values
    assert contained(check["diff"]["after"], real["diff"]["after"]), (check["diff"]["after"], real["diff"]["after"])
    aws.assert_all_used()


def test_predicted_tag_values_are_text_on_a_registered_directory(aws, run_module):
    add_describe(aws, described())
    add_tags(aws, {})

    result = run_module(directory_module, args(tags={"n": 5, "on": True}), check_mode=True, diff=True)

    assert result["directory"]["tags"] == {"n": "5", "on": "True"}  # as CreateTags would store them
    assert result["diff"]["after"]["tags"] == {"n": "5", "on": "True"}
    aws.assert_all_used()


# --- state=present on a registered directory ------------------------------------------------------------------


def test_registered_and_matching_changes_nothing(aws, run_module):
    add_describe(aws, described())
    add_tags(aws, {"team": "desktops", "aws:cloudformation:stack-name": "corp"})

    result = run_module(
        directory_module,
        args(
            subnet_ids=list(reversed(SUBNETS)),
            tenancy="SHARED",
            selfservice_permissions={"restart_workspace": True, "rebuild_workspace": False},
            workspace_creation_properties={"enable_internet_access": False, "enable_maintenance_mode": True},
            workspace_access_properties={"device_type_web": "DENY", "device_type_windows": "ALLOW"},
            tags={"team": "desktops"},  # aws: tags are never purged
        ),
        diff=True,
    )

    assert result["changed"] is False
    assert mutating(aws) == []
    assert result["actions"] == []
    assert result["diff"]["before"] == result["diff"]["after"]
    assert result["directory"]["selfservice_permissions"]["restart_workspace"] == "ENABLED"
    assert "warnings" not in result
    aws.assert_all_used()


def test_settings_sent_only_for_what_the_task_sets(aws, run_module):
    add_describe(aws, described())
    add_tags(aws, {})
    aws.add(
        "modify_selfservice_permissions",
        {},
        {"ResourceId": DIRECTORY_ID, "SelfservicePermissions": {"RebuildWorkspace": "ENABLED"}},
    )
    aws.add(
        "modify_workspace_creation_properties",
        {},
        {
            "ResourceId": DIRECTORY_ID,
            "WorkspaceCreationProperties": {"DefaultOu": "OU=WorkSpaces,DC=corp,DC=example,DC=com"},
        },
    )
    final = described(
        SelfservicePermissions={"RebuildWorkspace": "ENABLED"},
        WorkspaceCreationProperties={"DefaultOu": "OU=WorkSpaces,DC=corp,DC=example,DC=com"},
    )
    add_final_read(aws, final, {})

    result = run_module(
        directory_module,
        args(
            selfservice_permissions={"rebuild_workspace": True},
            workspace_creation_properties={"default_ou": "OU=WorkSpaces,DC=corp,DC=example,DC=com"},
        ),
    )

    assert result["changed"] is True
    assert mutating(aws) == ["ModifySelfservicePermissions", "ModifyWorkspaceCreationProperties"]
    assert result["modified"] == [
        "selfservice_permissions.rebuild_workspace",
        "workspace_creation_properties.default_ou",
    ]
    assert result["directory"]["workspace_creation_properties"]["default_ou"].startswith("OU=WorkSpaces")
    aws.assert_all_used()


def test_a_changed_group_is_sent_whole_as_the_task_states_it(aws, run_module):
    add_describe(aws, described())
    add_tags(aws, {})
    aws.add(
        "modify_workspace_access_properties",
        {},
        {
            "ResourceId": DIRECTORY_ID,
            "WorkspaceAccessProperties": {"DeviceTypeWeb": "ALLOW", "DeviceTypeWindows": "ALLOW"},
        },
    )
    add_final_read(aws, described(WorkspaceAccessProperties={"DeviceTypeWeb": "ALLOW"}), {})

    result = run_module(
        directory_module,
        args(workspace_access_properties={"device_type_web": "ALLOW", "device_type_windows": "ALLOW"}),
    )

    assert mutating(aws) == ["ModifyWorkspaceAccessProperties"]
    assert result["modified"] == ["workspace_access_properties.device_type_web"]
    aws.assert_all_used()


def test_device_type_aliases_match_the_returned_keys(aws, run_module):
    add_describe(aws, described())
    add_tags(aws, {})
    aws.add(
        "modify_workspace_access_properties",
        {},
        {
            "ResourceId": DIRECTORY_ID,
            "WorkspaceAccessProperties": {"DeviceTypeChromeOs": "DENY", "DeviceTypeZeroClient": "DENY"},
        },
    )
    add_final_read(
        aws, described(WorkspaceAccessProperties={"DeviceTypeChromeOs": "DENY", "DeviceTypeZeroClient": "DENY"}), {}
    )

    result = run_module(
        directory_module,
        args(workspace_access_properties={"device_type_chrome_os": "DENY", "device_type_zero_client": "DENY"}),
    )

    assert mutating(aws) == ["ModifyWorkspaceAccessProperties"]
    assert result["directory"]["workspace_access_properties"]["device_type_chrome_os"] == "DENY"
    assert result["directory"]["workspace_access_properties"]["device_type_zero_client"] == "DENY"
    aws.assert_all_used()


def test_settings_in_check_mode_predict_without_mutating(aws, run_module):
    add_describe(aws, described())
    add_tags(aws, {"old": "1"})

    result = run_module(
        directory_module,
        args(
            selfservice_permissions={"change_compute_type": True},
            workspace_creation_properties={"enable_internet_access": True},
            workspace_access_properties={"device_type_android": "DENY"},
            tags={"team": "desktops"},
        ),
        check_mode=True,
        diff=True,
    )

    assert mutating(aws) == []
    assert result["changed"] is True
    assert result["actions"] == [
        "modify_selfservice_permissions",
        "modify_workspace_creation_properties",
        "modify_workspace_access_properties",
        "tag",
        "untag",
    ]
    predicted = result["directory"]
    assert predicted["selfservice_permissions"]["change_compute_type"] == "ENABLED"
    assert predicted["selfservice_permissions"]["restart_workspace"] == "ENABLED"  # untouched
    assert predicted["workspace_creation_properties"]["enable_internet_access"] is True
    assert predicted["workspace_access_properties"]["device_type_android"] == "DENY"
    assert predicted["tags"] == {"team": "desktops"}
    assert result["diff"]["before"]["tags"] == {"old": "1"}
    assert result["diff"]["after"] == predicted
    aws.assert_all_used()


def test_tags_are_added_changed_and_purged(aws, run_module):
    add_describe(aws, described())
    add_tags(aws, {"team": "old", "keep": "x", "stale": "y"})
    aws.add(
        "create_tags",
        {},
        {"ResourceId": DIRECTORY_ID, "Tags": [{"Key": "new", "Value": "1"}, {"Key": "team", "Value": "desktops"}]},
    )
    aws.add("delete_tags", {}, {"ResourceId": DIRECTORY_ID, "TagKeys": ["stale"]})
    add_final_read(aws, described(), {"team": "desktops", "keep": "x", "new": "1"})

    result = run_module(directory_module, args(tags={"team": "desktops", "keep": "x", "new": "1"}))

    assert mutating(aws) == ["CreateTags", "DeleteTags"]
    assert result["actions"] == ["tag", "untag"]
    assert result["directory"]["tags"] == {"team": "desktops", "keep": "x", "new": "1"}
    aws.assert_all_used()


def test_purge_tags_false_only_adds(aws, run_module):
    add_describe(aws, described())
    add_tags(aws, {"stale": "y"})
    aws.add("create_tags", {}, {"ResourceId": DIRECTORY_ID, "Tags": [{"Key": "team", "Value": "desktops"}]})
    add_final_read(aws, described(), {"stale": "y", "team": "desktops"})

    run_module(directory_module, args(tags={"team": "desktops"}, purge_tags=False))

    assert mutating(aws) == ["CreateTags"]
    aws.assert_all_used()


def test_tags_unset_leave_tags_alone_even_with_purge(aws, run_module):
    add_describe(aws, described())
    add_tags(aws, {"stale": "y"})

    result = run_module(directory_module, args(purge_tags=True))

    assert result["changed"] is False
    assert mutating(aws) == []
    assert result["directory"]["tags"] == {"stale": "y"}
    aws.assert_all_used()


def test_registration_only_options_that_differ_warn_and_change_nothing(aws, run_module):
    add_describe(aws, described())
    add_tags(aws, {})

    result = run_module(
        directory_module, args(subnet_ids=["subnet-0123456789abcdef0", "subnet-01111111111111111"], tenancy="DEDICATED")
    )

    assert result["changed"] is False
    assert mutating(aws) == []
    warnings = json.dumps(result["warnings"])  # ansible-core 2.19 returns them as structured events
    assert "subnet_ids ['subnet-01111111111111111', 'subnet-0123456789abcdef0'] differ" in warnings
    assert "tenancy DEDICATED differs from the registered directory's SHARED" in warnings
    aws.assert_all_used()


def test_registering_directory_is_waited_for_then_converged(aws, run_module):
    add_describe(aws, described("REGISTERING"))
    add_describe(aws, described())
    add_tags(aws, {})
    aws.add(
        "modify_selfservice_permissions",
        {},
        {"ResourceId": DIRECTORY_ID, "SelfservicePermissions": {"SwitchRunningMode": "ENABLED"}},
    )
    add_final_read(aws, described(SelfservicePermissions={"SwitchRunningMode": "ENABLED"}), {})

    result = run_module(directory_module, args(selfservice_permissions={"switch_running_mode": True}))

    assert result["actions"] == ["modify_selfservice_permissions"]
    assert mutating(aws) == ["ModifySelfservicePermissions"]
    aws.assert_all_used()


def test_directory_in_error_fails_before_any_change(aws, run_module):
    add_describe(aws, described("ERROR", ErrorMessage="role workspaces_DefaultRole missing"))
    add_tags(aws, {})

    result = run_module(directory_module, args(selfservice_permissions={"rebuild_workspace": True}))

    assert result["failed"] is True
    assert "state ERROR" in result["msg"] and "workspaces_DefaultRole" in result["msg"]
    assert mutating(aws) == []
    aws.assert_all_used()


# --- state=absent -------------------------------------------------------------------------------------------


def test_deregister_waits_until_gone(aws, run_module):
    add_describe(aws, described())
    add_tags(aws, {"team": "desktops"})
    add_workspaces(aws, 0)
    aws.add("deregister_workspace_directory", {}, {"DirectoryId": DIRECTORY_ID})
    add_describe(aws, described("DEREGISTERING"))
    add_describe(aws, described("DEREGISTERED"))

    result = run_module(directory_module, args(state="absent"), diff=True)

    assert result["changed"] is True
    assert mutating(aws) == ["DeregisterWorkspaceDirectory"]
    assert result["actions"] == ["deregister"]
    assert result["directory"] is None
    assert result["diff"]["before"]["directory_id"] == DIRECTORY_ID
    assert result["diff"]["after"] == {}
    aws.assert_all_used()


@pytest.mark.parametrize(
    "count, check_mode, expected",
    [
        pytest.param(3, False, "still has 3 WorkSpaces", id="fails-before-any-mutating-call"),
        pytest.param(1, True, "still has 1 WorkSpace ", id="fails-in-check-mode-too"),
    ],
)
def test_deregister_with_workspaces_fails(aws, run_module, count, check_mode, expected):
    add_describe(aws, described())
    add_tags(aws, {})
    add_workspaces(aws, count)

    result = run_module(directory_module, args(state="absent"), check_mode=check_mode)

    assert result["failed"] is True
    assert expected in result["msg"]
    assert result["workspace_count"] == count
    assert result["error_code"] == "DirectoryHasWorkspaces"
    assert mutating(aws) == []
    aws.assert_all_used()


def test_deregister_in_check_mode_makes_no_mutating_call(aws, run_module):
    add_describe(aws, described())
    add_tags(aws, {})
    add_workspaces(aws, 0)

    result = run_module(directory_module, args(state="absent"), check_mode=True)

    assert result["changed"] is True
    assert result["actions"] == ["deregister"]
    assert result["directory"] is None
    assert mutating(aws) == []
    aws.assert_all_used()


def test_absent_and_not_registered_changes_nothing(aws, run_module):
    add_describe(aws)

    result = run_module(directory_module, args(state="absent"))

    assert result["changed"] is False
    assert result["directory"] is None
    assert aws.sent == [("workspaces", "DescribeWorkspaceDirectories")]
    aws.assert_all_used()


def test_absent_while_deregistering_waits_and_reports_no_change(aws, run_module):
    add_describe(aws, described("DEREGISTERING"))
    add_describe(aws)

    result = run_module(directory_module, args(state="absent"))

    assert result["changed"] is False
    assert mutating(aws) == []
    aws.assert_all_used()


def test_deregister_of_a_busy_directory_is_retried(aws, run_module):
    add_describe(aws, described())
    add_tags(aws, {})
    add_workspaces(aws, 0)
    aws.add_error("deregister_workspace_directory", "InvalidResourceStateException", "busy")
    aws.add("deregister_workspace_directory", {}, {"DirectoryId": DIRECTORY_ID})
    add_describe(aws)

    result = run_module(directory_module, args(state="absent", wait_timeout=600))

    assert not result.get("failed"), result
    assert mutating(aws) == ["DeregisterWorkspaceDirectory"] * 2
    aws.assert_all_used()


def test_deregister_that_does_not_finish_times_out(aws, run_module):
    add_describe(aws, described())
    add_tags(aws, {})
    add_workspaces(aws, 0)
    aws.add("deregister_workspace_directory", {}, {"DirectoryId": DIRECTORY_ID})
    add_describe(aws, described("DEREGISTERING"))

    result = run_module(directory_module, args(state="absent", wait_timeout=0))

    assert result["failed"] is True
    assert "was not deregistered within 0 seconds (last state: DEREGISTERING)" in result["msg"]
    aws.assert_all_used()


# --- reads that fail, input checked before any call --------------------------------------------------------------


def test_failed_read_is_never_taken_for_not_registered(aws, run_module):
    aws.add_error("describe_workspace_directories", "AccessDeniedException", "not allowed")

    result = run_module(directory_module, args())

    assert result["failed"] is True
    assert mutating(aws) == []
    assert "AccessDeniedException" in json.dumps(result)


def test_throttled_read_is_retried(aws, run_module):
    aws.add_error("describe_workspace_directories", "ThrottlingException", "Rate exceeded")
    add_describe(aws, described())
    add_tags(aws, {})

    result = run_module(directory_module, args())

    assert result["changed"] is False
    assert not result.get("failed"), result
    aws.assert_all_used()


@pytest.mark.parametrize(
    "extra, expected",
    [
        ({"directory_id": "corp"}, "directory_id: 'corp' is not a directory ID"),
        ({"subnet_ids": ["subnet-1"]}, "subnet_ids: 'subnet-1' is not a subnet ID"),
        ({"subnet_ids": SUBNETS + ["subnet-0aaaaaaaaaaaaaaaa"]}, "at most 2 subnets"),
        ({"workspace_creation_properties": {"default_ou": ""}}, "workspace_creation_properties.default_ou: an empty"),
        (
            {"workspace_creation_properties": {"custom_security_group_id": "group"}},
            "'group' is not a security group ID",
        ),
    ],
)
def test_bad_input_fails_before_any_call(aws, run_module, extra, expected):
    result = run_module(directory_module, dict(args(), **extra))

    assert result["failed"] is True
    assert expected in result["msg"]
    assert aws.sent == []


# --- feature detection: RegisterWorkspaceDirectory members of the loaded model ------------------------------------


def client_with_register_model(tmp_path, change):
    """A WorkSpaces client whose service model's RegisterWorkspaceDirectoryRequest was changed by change()."""
    session = botocore.session.get_session()
    model = copy.deepcopy(session.get_component("data_loader").load_service_model("workspaces", "service-2"))
    change(model["shapes"]["RegisterWorkspaceDirectoryRequest"])
    folder = tmp_path / "workspaces" / model["metadata"]["apiVersion"]
    folder.mkdir(parents=True)
    (folder / "service-2.json").write_text(json.dumps(model))
    old = botocore.session.get_session()
    old.set_config_variable("data_path", str(tmp_path))
    return old.create_client(
        "workspaces", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )


def use_workspaces_client(aws, client):
    """Put this client behind the harness's Stubber in place of the default one."""
    client.meta.events.register("before-call.*.*", aws._record("workspaces"))
    aws.clients["workspaces"] = client
    stubber = Stubber(client)
    stubber.activate()
    aws.stubbers["workspaces"] = stubber


def old_model_with_workdocs(shape):
    """RegisterWorkspaceDirectory as botocore models before May 2025 have it (checked against 1.34.0)."""
    shape["members"]["EnableWorkDocs"] = {"shape": "BooleanObject"}
    shape["required"] = ["DirectoryId", "EnableWorkDocs"]


def test_enable_work_docs_is_sent_false_where_the_model_requires_it(aws, run_module, tmp_path):
    use_workspaces_client(aws, client_with_register_model(tmp_path, old_model_with_workdocs))
    add_describe(aws)
    add_stage(aws)
    # The Stubber validates against the loaded (old) model: leaving EnableWorkDocs out would fail here.
    aws.add("register_workspace_directory", {}, {"DirectoryId": DIRECTORY_ID, "EnableWorkDocs": False})
    add_describe(aws, described())
    add_tags(aws, {})
    add_final_read(aws, described(), {})

    result = run_module(directory_module, args())

    assert not result.get("failed"), result
    assert mutating(aws) == ["RegisterWorkspaceDirectory"]
    aws.assert_all_used()


def test_current_model_gets_no_enable_work_docs(aws, run_module):
    members = aws.client("workspaces").meta.service_model.operation_model("RegisterWorkspaceDirectory").input_shape
    assert "EnableWorkDocs" not in members.members  # the pinned botocore: the case the other tests cover
    add_describe(aws)
    add_stage(aws)
    aws.add("register_workspace_directory", {}, {"DirectoryId": DIRECTORY_ID, "Tenancy": "SHARED"})
    add_describe(aws, described())
    add_tags(aws, {})
    add_final_read(aws, described(), {})

    run_module(directory_module, args(tenancy="SHARED"))

    assert mutating(aws) == ["RegisterWorkspaceDirectory"]
    aws.assert_all_used()


def test_option_the_model_lacks_fails_before_any_mutating_call(aws, run_module, tmp_path):
    def without_tenancy(shape):
        del shape["members"]["Tenancy"]

    use_workspaces_client(aws, client_with_register_model(tmp_path, without_tenancy))
    add_describe(aws)

    result = run_module(directory_module, args(tenancy="DEDICATED"))

    assert result["failed"] is True
    assert "no Tenancy member" in result["msg"]
    assert "botocore >= 1.34.0" in result["msg"]
    assert mutating(aws) == []
    aws.assert_all_used()


def test_model_without_tags_member_tags_after_registering(aws, run_module, tmp_path):
    def without_tags(shape):
        del shape["members"]["Tags"]

    use_workspaces_client(aws, client_with_register_model(tmp_path, without_tags))
    add_describe(aws)
    add_stage(aws)
    aws.add("register_workspace_directory", {}, {"DirectoryId": DIRECTORY_ID})
    add_describe(aws, described())
    add_tags(aws, {})
    aws.add("create_tags", {}, {"ResourceId": DIRECTORY_ID, "Tags": [{"Key": "team", "Value": "desktops"}]})
    add_final_read(aws, described(), {"team": "desktops"})

    result = run_module(directory_module, args(tags={"team": "desktops"}))

    assert mutating(aws) == ["RegisterWorkspaceDirectory", "CreateTags"]
    assert result["actions"] == ["register", "tag"]
    aws.assert_all_used()
