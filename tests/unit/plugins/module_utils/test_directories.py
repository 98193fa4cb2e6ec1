"""Directory planning (pure: no API), the poll loop shared with the WorkSpaces Waiter, and DirectoryService calls."""

from __future__ import annotations

import boto3
import botocore.exceptions
import pytest
from botocore.stub import Stubber

from ansible_collections.euc.workspaces.plugins.module_utils import directories
from ansible_collections.euc.workspaces.plugins.module_utils.common import WorkspacesError
from ansible_collections.euc.workspaces.plugins.module_utils.waiter import DONE, FAILED, PENDING, Waiter, poll_until

DIRECTORY_ID = "d-1234567890"
CURRENT_MEMBERS = frozenset(["DirectoryId", "SubnetIds", "EnableSelfService", "Tenancy", "Tags"])
OLD_MEMBERS = CURRENT_MEMBERS | {"EnableWorkDocs"}


def params(**given) -> dict:
    """Module parameters as AnsibleModule hands them over: every option present, unset ones None."""
    base = {
        "directory_id": DIRECTORY_ID,
        "state": "present",
        "subnet_ids": None,
        "enable_self_service": None,
        "tenancy": None,
        "selfservice_permissions": None,
        "workspace_creation_properties": None,
        "workspace_access_properties": None,
        "tags": None,
        "purge_tags": True,
        "wait_timeout": 900,
    }
    for group in directories.SETTINGS_GROUPS:
        if group.option in given:
            given[group.option] = {option: given[group.option].get(option) for option in group.fields}
    return dict(base, **given)


def registered(state="REGISTERED", **members) -> dict:
    directory = {
        "DirectoryId": DIRECTORY_ID,
        "State": state,
        "SubnetIds": ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
        "Tenancy": "SHARED",
        "SelfservicePermissions": {"RestartWorkspace": "ENABLED", "RebuildWorkspace": "DISABLED"},
        "WorkspaceCreationProperties": {"EnableInternetAccess": False, "DefaultOu": ""},
        "WorkspaceAccessProperties": {"DeviceTypeWeb": "DENY", "DeviceTypeLinux": "DENY"},
    }
    directory.update(members)
    return directory


# --- input checks ---------------------------------------------------------------------------------------------


def test_good_input_has_no_problems():
    assert (
        directories.input_problems(
            params(
                subnet_ids=["subnet-0123456789abcdef0", "subnet-01234567"],
                workspace_creation_properties={"default_ou": "OU=W,DC=corp", "custom_security_group_id": "sg-01234567"},
            )
        )
        == []
    )


def test_every_problem_is_reported_with_its_option():
    problems = directories.input_problems(
        params(
            directory_id="d-XYZ",
            subnet_ids=["subnet-1", "subnet-0123456789abcdef0", "subnet-01234567"],
            workspace_creation_properties={"default_ou": "  ", "custom_security_group_id": ""},
        )
    )
    text = "\n".join(problems)
    assert "directory_id: 'd-XYZ' is not a directory ID" in text
    assert "subnet_ids: at most 2 subnets can be given, got 3" in text
    assert "subnet_ids: 'subnet-1' is not a subnet ID" in text
    assert "workspace_creation_properties.default_ou: an empty value cannot be sent" in text
    assert "workspace_creation_properties.custom_security_group_id: an empty value cannot be sent" in text
    assert len(problems) == 5


# --- settings: only what the task sets ---------------------------------------------------------------------------


def test_unset_suboptions_are_left_out_and_booleans_become_enabled_disabled():
    given = params(
        selfservice_permissions={"rebuild_workspace": True, "restart_workspace": False},
        workspace_creation_properties={"enable_internet_access": False},
        workspace_access_properties={"device_type_linux": "ALLOW"},
    )
    groups = {group.option: group.desired(given) for group in directories.SETTINGS_GROUPS}
    assert groups == {
        "selfservice_permissions": {"RestartWorkspace": "DISABLED", "RebuildWorkspace": "ENABLED"},
        "workspace_creation_properties": {"EnableInternetAccess": False},
        "workspace_access_properties": {"DeviceTypeLinux": "ALLOW"},
    }


def test_no_settings_option_means_no_change_whatever_the_directory_says():
    assert directories.settings_changes(params(), registered()) == ({}, [])


def test_settings_matching_the_directory_need_nothing():
    given = params(
        selfservice_permissions={"restart_workspace": True},
        workspace_creation_properties={"enable_internet_access": False},
        workspace_access_properties={"device_type_web": "DENY"},
    )
    assert directories.settings_changes(given, registered()) == ({}, [])


def test_a_group_with_one_difference_is_sent_as_the_task_states_it():
    given = params(selfservice_permissions={"restart_workspace": True, "rebuild_workspace": True})
    to_send, modified = directories.settings_changes(given, registered())
    assert to_send == {"selfservice_permissions": {"RestartWorkspace": "ENABLED", "RebuildWorkspace": "ENABLED"}}
    assert modified == ["selfservice_permissions.rebuild_workspace"]


def test_a_field_the_directory_does_not_report_counts_as_different():
    given = params(workspace_creation_properties={"enable_maintenance_mode": False})
    to_send, modified = directories.settings_changes(given, registered())
    assert to_send == {"workspace_creation_properties": {"EnableMaintenanceMode": False}}
    assert modified == ["workspace_creation_properties.enable_maintenance_mode"]


# --- RegisterWorkspaceDirectory for the loaded model ---------------------------------------------------------------


def test_register_request_omits_unset_options():
    assert directories.register_request(params(), CURRENT_MEMBERS) == {"DirectoryId": DIRECTORY_ID}


def test_register_request_carries_the_set_options_and_tags():
    request = directories.register_request(
        params(subnet_ids=["subnet-01234567"], enable_self_service=True, tenancy="DEDICATED", tags={"a": "1"}),
        CURRENT_MEMBERS,
    )
    assert request == {
        "DirectoryId": DIRECTORY_ID,
        "SubnetIds": ["subnet-01234567"],
        "EnableSelfService": True,
        "Tenancy": "DEDICATED",
        "Tags": [{"Key": "a", "Value": "1"}],
    }


def test_empty_tags_are_not_sent():
    assert "Tags" not in directories.register_request(params(tags={}), CURRENT_MEMBERS)


def test_enable_work_docs_is_false_only_where_the_model_has_it():
    assert directories.register_request(params(), OLD_MEMBERS)["EnableWorkDocs"] is False
    assert "EnableWorkDocs" not in directories.register_request(params(), CURRENT_MEMBERS)


@pytest.mark.parametrize("option, member", [("subnet_ids", "SubnetIds"), ("tenancy", "Tenancy")])
def test_an_option_the_model_lacks_fails_naming_the_minimum_botocore(option, member):
    value = {"subnet_ids": ["subnet-01234567"], "tenancy": "SHARED"}[option]
    with pytest.raises(WorkspacesError) as raised:
        directories.register_request(params(**{option: value}), CURRENT_MEMBERS - {member})
    assert f"no {member} member" in raised.value.message
    assert f"botocore >= {directories.MINIMUM_BOTOCORE}" in raised.value.message


def test_an_unset_option_the_model_lacks_is_no_problem():
    assert directories.register_request(params(), {"DirectoryId"}) == {"DirectoryId": DIRECTORY_ID}


# --- plans for every starting state ------------------------------------------------------------------------------


@pytest.mark.parametrize("directory", [None, registered("DEREGISTERED"), registered("DEREGISTERING")])
def test_present_registers_what_is_not_registered(directory):
    plan = directories.plan_present(
        params(selfservice_permissions={"restart_workspace": True}, tags={"a": "1"}), directory, None, CURRENT_MEMBERS
    )
    assert plan.register == {"DirectoryId": DIRECTORY_ID, "Tags": [{"Key": "a", "Value": "1"}]}
    # Settings are compared with nothing: a new registration gets every setting the task states.
    assert plan.actions == ["register", "modify_selfservice_permissions"]
    assert plan.settings == {"selfservice_permissions": {"RestartWorkspace": "ENABLED"}}
    assert plan.tags_to_set == {}  # carried by the registration


def test_present_tags_after_registering_when_the_model_cannot_carry_them():
    plan = directories.plan_present(params(tags={"a": "1"}), None, None, CURRENT_MEMBERS - {"Tags"})
    assert plan.actions == ["register", "tag"]
    assert plan.tags_to_set == {"a": "1"}


@pytest.mark.parametrize("state", ["REGISTERED", "REGISTERING"])
def test_present_on_a_registered_directory_converges(state):
    plan = directories.plan_present(
        params(workspace_access_properties={"device_type_web": "ALLOW"}, tags={"a": "2", "b": "1"}),
        registered(state),
        {"a": "1", "c": "x", "aws:owner": "cfn"},
        CURRENT_MEMBERS,
    )
    assert plan.register is None
    assert plan.actions == ["modify_workspace_access_properties", "tag", "untag"]
    assert plan.tags_to_set == {"a": "2", "b": "1"}
    assert plan.tags_to_unset == ["c"]
    assert plan.modified == ["workspace_access_properties.device_type_web", "tags.a", "tags.b", "tags.c"]


def test_present_without_differences_plans_nothing():
    plan = directories.plan_present(params(tags={"a": "1"}), registered(), {"a": "1"}, CURRENT_MEMBERS)
    assert plan.actions == [] and not plan.changed


def test_present_on_a_directory_in_error_fails():
    with pytest.raises(WorkspacesError) as raised:
        directories.plan_present(params(), registered("ERROR", ErrorMessage="broken"), {}, CURRENT_MEMBERS)
    assert "state ERROR (broken)" in raised.value.message
    assert raised.value.details["directory_state"] == "ERROR"


def test_registration_options_that_differ_only_warn():
    plan = directories.plan_present(
        params(subnet_ids=["subnet-0fedcba9876543210", "subnet-0123456789abcdef0"], tenancy="DEDICATED"),
        registered(),
        {},
        CURRENT_MEMBERS,
    )
    assert plan.actions == []
    assert len(plan.warnings) == 1 and "tenancy DEDICATED" in plan.warnings[0]  # same subnets, other order


@pytest.mark.parametrize("directory", [None, registered("DEREGISTERED"), registered("DEREGISTERING")])
def test_absent_on_what_is_not_registered_plans_nothing(directory):
    assert directories.plan_absent(DIRECTORY_ID, directory, []).actions == []


@pytest.mark.parametrize("state", ["REGISTERED", "REGISTERING", "ERROR"])
def test_absent_deregisters(state):
    plan = directories.plan_absent(DIRECTORY_ID, registered(state), [])
    assert plan.deregister is True and plan.actions == ["deregister"]


def test_absent_with_workspaces_fails_naming_how_many():
    ids = [f"ws-{index:010d}" for index in range(7)]
    with pytest.raises(WorkspacesError) as raised:
        directories.plan_absent(DIRECTORY_ID, registered(), ids)
    assert (
        "still has 7 WorkSpaces (ws-0000000000, ws-0000000001, ws-0000000002, ws-0000000003, ws-0000000004, ...)"
        in (raised.value.message)
    )
    assert raised.value.details["workspace_count"] == 7


# --- predictions (check mode, diff) --------------------------------------------------------------------------------


def test_prediction_of_a_registration():
    given = params(tenancy="SHARED", workspace_access_properties={"device_type_web": "ALLOW"}, tags={"a": "1"})
    plan = directories.plan_present(given, None, None, CURRENT_MEMBERS)
    directory, tags = directories.predict(given, None, None, plan)
    assert directory == {
        "DirectoryId": DIRECTORY_ID,
        "State": "REGISTERED",
        "Tenancy": "SHARED",
        "WorkspaceAccessProperties": {"DeviceTypeWeb": "ALLOW"},
    }
    assert tags == {"a": "1"}


def test_prediction_of_changes_keeps_everything_else_and_leaves_the_input_alone():
    current = registered()
    given = params(selfservice_permissions={"rebuild_workspace": True}, tags={"b": "2"}, purge_tags=True)
    plan = directories.plan_present(given, current, {"a": "1"}, CURRENT_MEMBERS)
    directory, tags = directories.predict(given, current, {"a": "1"}, plan)
    assert directory["SelfservicePermissions"] == {"RestartWorkspace": "ENABLED", "RebuildWorkspace": "ENABLED"}
    assert directory["Tenancy"] == "SHARED"
    assert tags == {"b": "2"}
    assert current["SelfservicePermissions"]["RebuildWorkspace"] == "DISABLED"


def test_prediction_of_a_deregistration_is_nothing():
    plan = directories.plan_absent(DIRECTORY_ID, registered(), [])
    assert directories.predict(params(state="absent"), registered(), {}, plan) == (None, None)


# --- poll_until and the Waiter built on it ---------------------------------------------------------------------------


class FakeTime:
    def __init__(self):
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float):
        self.slept.append(seconds)
        self.now += seconds


def fixed_delays():
    while True:
        yield 10.0


def test_poll_until_returns_the_first_settled_verdict():
    time = FakeTime()
    values = iter([1, 2, 3, 4])
    verdict, value = poll_until(
        lambda: next(values),
        lambda v: DONE if v == 3 else PENDING,
        60,
        sleep=time.sleep,
        clock=time.clock,
        delays=fixed_delays,
    )
    assert (verdict, value) == (DONE, 3)
    assert time.slept == [10.0, 10.0]


def test_poll_until_stops_on_failed_at_once():
    time = FakeTime()
    verdict, value = poll_until(lambda: "x", lambda v: FAILED, 60, sleep=time.sleep, clock=time.clock)
    assert (verdict, value) == (FAILED, "x") and time.slept == []


def test_poll_until_never_sleeps_past_the_timeout_and_reports_pending():
    time = FakeTime()
    reads = []
    verdict, value = poll_until(
        lambda: reads.append(time.now) or len(reads),
        lambda v: PENDING,
        25,
        sleep=time.sleep,
        clock=time.clock,
        delays=fixed_delays,
    )
    assert verdict == PENDING and value == 4
    assert time.slept == [10.0, 10.0, 5.0]
    assert reads == [100.0, 110.0, 120.0, 125.0]


def test_poll_until_reads_once_with_no_time_at_all():
    time = FakeTime()
    verdict, value = poll_until(lambda: "once", lambda v: PENDING, 0, sleep=time.sleep, clock=time.clock)
    assert (verdict, value) == (PENDING, "once") and time.slept == []


def stubbed_workspaces():
    client = boto3.client(
        "workspaces", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    stubber = Stubber(client)
    stubber.activate()
    return client, stubber


class NoRetry:
    """A client whose calls accept aws_retry, as the RetryingBotoClientWrapper's do."""

    def __init__(self, client):
        self._client = client
        self.meta = client.meta

    def __getattr__(self, name):
        method = getattr(self._client, name)
        return lambda aws_retry=False, **kwargs: method(**kwargs)


def test_waiter_still_polls_only_the_pending_workspaces():
    client, stubber = stubbed_workspaces()
    first, second = "ws-aaaaaaaa01", "ws-bbbbbbbb02"
    stubber.add_response(
        "describe_workspaces",
        {"Workspaces": [{"WorkspaceId": first, "State": "AVAILABLE"}, {"WorkspaceId": second, "State": "PENDING"}]},
        {"WorkspaceIds": [first, second]},
    )
    stubber.add_response(
        "describe_workspaces",
        {"Workspaces": [{"WorkspaceId": second, "State": "ERROR"}]},
        {"WorkspaceIds": [second]},
    )
    time = FakeTime()
    result = Waiter(NoRetry(client), sleep=time.sleep, clock=time.clock).wait([second, first, first], "available", 60)
    assert sorted(result.done) == [first]
    assert sorted(result.failed) == [second]
    assert result.pending == {} and not result.timed_out
    assert time.slept == [2.0]
    stubber.assert_no_pending_responses()


def test_waiter_times_out_with_the_last_states():
    client, stubber = stubbed_workspaces()
    workspace = "ws-aaaaaaaa01"
    for _poll in range(2):
        stubber.add_response(
            "describe_workspaces",
            {"Workspaces": [{"WorkspaceId": workspace, "State": "PENDING"}]},
            {"WorkspaceIds": [workspace]},
        )
    time = FakeTime()
    result = Waiter(NoRetry(client), sleep=time.sleep, clock=time.clock).wait([workspace], "created", 1)
    assert result.timed_out and result.last_states(result.pending) == {workspace: "PENDING"}
    assert time.slept == [1.0]
    stubber.assert_no_pending_responses()


def test_waiter_with_no_ids_makes_no_call():
    client, stubber = stubbed_workspaces()
    result = Waiter(NoRetry(client)).wait([], "available", 60)
    assert not result.done and not result.timed_out


# --- DirectoryService ------------------------------------------------------------------------------------------------


def service_with(stubber_setup, ds_client=None):
    client, stubber = stubbed_workspaces()
    stubber_setup(stubber)
    time = FakeTime()
    service = directories.DirectoryService(NoRetry(client), ds_client=ds_client, sleep=time.sleep, clock=time.clock)
    return service, stubber, time


def test_register_members_come_from_the_loaded_model():
    service = service_with(lambda stubber: None)[0]
    members = service.register_members()
    assert {"DirectoryId", "SubnetIds", "EnableSelfService", "Tenancy", "Tags"} <= members


def test_register_retries_within_the_deadline_and_waits_for_registered():
    def setup(stubber):
        stubber.add_client_error("register_workspace_directory", "InvalidResourceStateException", "not Active")
        stubber.add_response("register_workspace_directory", {}, {"DirectoryId": DIRECTORY_ID})
        stubber.add_response("describe_workspace_directories", {"Directories": [registered("REGISTERING")]})
        stubber.add_response("describe_workspace_directories", {"Directories": [registered()]})

    service, stubber, time = service_with(setup)
    deadline = directories.Deadline(300, time.clock)
    directory = service.register({"DirectoryId": DIRECTORY_ID}, deadline)
    assert directory["State"] == "REGISTERED"
    assert time.slept == [2.0, 2.0]  # one retry of the call, one wait between two reads
    stubber.assert_no_pending_responses()


def test_one_deadline_covers_the_retries_and_the_wait():
    def setup(stubber):
        stubber.add_client_error("register_workspace_directory", "InvalidResourceStateException", "not Active")
        stubber.add_response("register_workspace_directory", {}, {"DirectoryId": DIRECTORY_ID})
        stubber.add_response("describe_workspace_directories", {"Directories": [registered("REGISTERING")]})

    service, stubber, time = service_with(setup)
    service.delays = fixed_delays
    deadline = directories.Deadline(10, time.clock)
    with pytest.raises(WorkspacesError) as raised:
        service.register({"DirectoryId": DIRECTORY_ID}, deadline)
    assert raised.value.code == "DirectoryWaitTimeout"
    assert "within 10 seconds" in raised.value.message
    assert time.now == 110.0  # 10 s of retries left no time for waiting
    stubber.assert_no_pending_responses()


def test_directory_service_stage_is_not_read_for_other_ids():
    service = service_with(lambda stubber: None, ds_client=lambda: pytest.fail("no ds call expected"))[0]
    assert service.directory_service_stage("wsd-abcdefgh12") == "unknown"


def test_deregister_waits_until_the_directory_is_no_longer_listed():
    def setup(stubber):
        stubber.add_response("deregister_workspace_directory", {}, {"DirectoryId": DIRECTORY_ID})
        stubber.add_response("describe_workspace_directories", {"Directories": [registered()]})
        stubber.add_response("describe_workspace_directories", {"Directories": [registered("DEREGISTERING")]})
        stubber.add_response("describe_workspace_directories", {"Directories": []})

    service, stubber, time = service_with(setup)
    service.deregister(DIRECTORY_ID, directories.Deadline(300, time.clock))
    assert len(time.slept) == 2
    stubber.assert_no_pending_responses()


def test_settings_are_modified_one_call_per_group_in_a_fixed_order():
    def setup(stubber):
        stubber.add_response(
            "modify_selfservice_permissions",
            {},
            {"ResourceId": DIRECTORY_ID, "SelfservicePermissions": {"RebuildWorkspace": "ENABLED"}},
        )
        stubber.add_response(
            "modify_workspace_access_properties",
            {},
            {"ResourceId": DIRECTORY_ID, "WorkspaceAccessProperties": {"DeviceTypeWeb": "ALLOW"}},
        )

    service, stubber = service_with(setup)[:2]
    service.modify_settings(
        DIRECTORY_ID,
        {
            "workspace_access_properties": {"DeviceTypeWeb": "ALLOW"},
            "selfservice_permissions": {"RebuildWorkspace": "ENABLED"},
        },
    )
    stubber.assert_no_pending_responses()


# --- after a registration: every group the task sets, tags against what the directory has -------------------------


def test_after_registration_every_group_the_task_sets_is_applied_as_planned():
    given = params(
        selfservice_permissions={"restart_workspace": True},
        workspace_access_properties={"device_type_web": "DENY"},
        tags={"a": "1", "b": "2"},
    )
    planned = directories.plan_present(given, None, None, CURRENT_MEMBERS)
    # The registration's defaults (registered()) already match both groups: they are applied all the same.
    after = directories.plan_after_registration(given, planned, {"a": "1"})
    assert (
        after.settings
        == planned.settings
        == {
            "selfservice_permissions": {"RestartWorkspace": "ENABLED"},
            "workspace_access_properties": {"DeviceTypeWeb": "DENY"},
        }
    )
    assert after.actions == ["modify_selfservice_permissions", "modify_workspace_access_properties", "tag"]
    assert after.modified == [
        "selfservice_permissions.restart_workspace",
        "workspace_access_properties.device_type_web",
        "tags.b",
    ]
    assert after.tags_to_set == {"b": "2"}


def test_after_registration_with_the_tags_it_carried_nothing_about_tags_is_left():
    given = params(workspace_creation_properties={"enable_internet_access": True}, tags={"n": 5})
    planned = directories.plan_present(given, None, None, CURRENT_MEMBERS)
    after = directories.plan_after_registration(given, planned, {"n": "5"})
    assert ["register"] + after.actions == planned.actions
    assert after.modified == planned.modified == ["workspace_creation_properties.enable_internet_access"]


def test_predicted_tags_are_text_as_the_service_keeps_them():
    given = params(tags={"n": 5, "on": True})
    plan = directories.plan_present(given, None, None, CURRENT_MEMBERS)
    assert directories.predict(given, None, None, plan)[1] == {"n": "5", "on": "True"}
    plan = directories.plan_present(given, registered(), {}, CURRENT_MEMBERS)
    assert directories.predict(given, registered(), {}, plan)[1] == {"n": "5", "on": "True"}


# --- Directory Service stages ----------------------------------------------------------------------------------------


class FakeDirectoryService:
    """A ds client whose DescribeDirectories answers the given stages in turn."""

    def __init__(self, *stages):
        self.stages = list(stages)
        self.calls = 0

    def describe_directories(self, DirectoryIds):  # noqa: N803 (boto3's parameter name)
        self.calls += 1
        return {"DirectoryDescriptions": [{"DirectoryId": DirectoryIds[0], "Stage": self.stages.pop(0)}]}


def test_the_endpoint_and_the_code_know_the_same_stages():
    assert directories.LASTING_STAGES.isdisjoint(directories.PASSING_STAGES)
    assert "Active" not in directories.LASTING_STAGES | directories.PASSING_STAGES


@pytest.mark.parametrize("stage", sorted(directories.LASTING_STAGES))
def test_a_lasting_stage_is_refused_naming_it(stage):
    ds = FakeDirectoryService(stage)
    service = service_with(lambda stubber: None, ds_client=lambda: ds)[0]
    with pytest.raises(WorkspacesError) as raised:
        service.refuse_lasting_stage(DIRECTORY_ID)
    assert raised.value.code == "DirectoryNotActive"
    assert f"Directory Service stage {stage}" in raised.value.message
    assert raised.value.details["directory_stage"] == stage


@pytest.mark.parametrize("stage", sorted(directories.PASSING_STAGES | {"Active", "SomethingNew"}))
def test_other_stages_are_not_refused(stage):
    service = service_with(lambda stubber: None, ds_client=lambda: FakeDirectoryService(stage))[0]
    assert service.refuse_lasting_stage(DIRECTORY_ID) == stage


def test_a_stage_that_cannot_be_read_is_read_only_once():
    calls = []

    class Denied:
        def describe_directories(self, DirectoryIds):  # noqa: N803
            calls.append(DirectoryIds)
            raise botocore.exceptions.ClientError(
                {"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "DescribeDirectories"
            )

    service = service_with(lambda stubber: None, ds_client=Denied)[0]
    assert service.refuse_lasting_stage(DIRECTORY_ID) == "unknown: AccessDeniedException"
    assert service.directory_service_stage(DIRECTORY_ID) == "unknown: AccessDeniedException"
    assert len(calls) == 1


def test_register_stops_retrying_when_the_stage_turns_lasting():
    def setup(stubber):
        stubber.add_client_error("register_workspace_directory", "InvalidResourceStateException", "not Active")
        stubber.add_client_error("register_workspace_directory", "InvalidResourceStateException", "not Active")

    ds = FakeDirectoryService("Creating", "Failed")
    service, stubber, time = service_with(setup, ds_client=lambda: ds)
    with pytest.raises(WorkspacesError) as raised:
        service.register({"DirectoryId": DIRECTORY_ID}, directories.Deadline(900, time.clock))
    assert "Directory Service stage Failed" in raised.value.message
    assert time.now < 110  # one retry, then at once: not the 900 s
    stubber.assert_no_pending_responses()


# --- a register / deregister call that failed: read again, adopt what exists -----------------------------------------


def test_register_error_with_the_directory_registered_is_adopted_with_a_warning():
    def setup(stubber):
        stubber.add_client_error("register_workspace_directory", "ResourceAlreadyExistsException", "registered")
        stubber.add_response("describe_workspace_directories", {"Directories": []})  # reads may lag
        stubber.add_response("describe_workspace_directories", {"Directories": [registered()]})

    service, stubber, time = service_with(setup)
    directory = service.register({"DirectoryId": DIRECTORY_ID}, directories.Deadline(300, time.clock))
    assert directory["State"] == "REGISTERED"
    assert len(service.warnings) == 1 and "ResourceAlreadyExistsException" in service.warnings[0]
    assert time.slept == [2.0]
    stubber.assert_no_pending_responses()


def test_a_refusal_of_an_active_directory_that_is_registered_already_is_adopted_at_once():
    """If the service answers a retry of a lost registration with InvalidResourceStateException rather than
    "already exists", the directory is Active yet refused: reading the listing tells it was registered."""

    def setup(stubber):
        stubber.add_client_error("register_workspace_directory", "InvalidResourceStateException", "registered")
        stubber.add_response("describe_workspace_directories", {"Directories": [registered()]})
        stubber.add_response("describe_workspace_directories", {"Directories": [registered()]})

    ds = FakeDirectoryService("Active")
    service, stubber, time = service_with(setup, ds_client=lambda: ds)
    directory = service.register({"DirectoryId": DIRECTORY_ID}, directories.Deadline(900, time.clock))
    assert directory["State"] == "REGISTERED"
    assert "taken as registered by this task" in service.warnings[0]
    assert time.slept == []  # not retried until the deadline
    stubber.assert_no_pending_responses()


def test_register_error_is_raised_when_reading_again_finds_nothing():
    def setup(stubber):
        stubber.add_client_error("register_workspace_directory", "ResourceNotFoundException", "no such directory")
        for _read in range(directories.CONFIRM_READS):
            stubber.add_response("describe_workspace_directories", {"Directories": []})

    service, stubber, time = service_with(setup)
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        service.register({"DirectoryId": DIRECTORY_ID}, directories.Deadline(300, time.clock))
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert service.warnings == []
    stubber.assert_no_pending_responses()


def test_deregister_error_with_the_directory_gone_is_adopted():
    def setup(stubber):
        stubber.add_client_error("deregister_workspace_directory", "ResourceNotFoundException", "not registered")
        stubber.add_response("describe_workspace_directories", {"Directories": []})

    service, stubber, time = service_with(setup)
    service.deregister(DIRECTORY_ID, directories.Deadline(300, time.clock))
    assert "taken as deregistered by this task" in service.warnings[0]
    assert time.slept == []
    stubber.assert_no_pending_responses()
