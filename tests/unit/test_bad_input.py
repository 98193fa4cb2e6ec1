"""The bad-input catalogue: one test per kind of bad input, across the modules and the provision role.

Every case must fail with a message that names the option (or the item, or the roster row) and says what is
allowed; none may end in a Python traceback or an ``exception`` in the result; none may send a mutating call.

- Module cases run main() against the Stubber harness (tests/unit/conftest.py). Most must fail before any API
  call at all (``aws.sent == []``). Cases that can only be judged against what exists (an unknown but
  well-formed ID, a volume that would shrink, ...) are given the reads they need, and must send nothing else.
- Role cases run the provision role in real ansible-playbook against the local endpoint, as parallel hosts of
  one play (each case's variables are its host vars). The cases that must stop before any API call run together
  and must leave the endpoint's counters at zero for the whole run; the few that need the API to be judged (a
  directory that is not registered, a bundle that does not exist) run apart, and may only read.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from typing import Callable

import botocore.exceptions
import pytest
from ansible.module_utils.common import warnings
from local_play import play_head

from ansible_collections.euc.workspaces.plugins.modules import (
    bundle_info,
    directory,
    directory_info,
    workspace,
    workspace_info,
)

D = "d-1234567890"
B = "wsb-0123abcd4"
WS = "ws-0123456789"


@pytest.fixture(autouse=True)
def fresh_warnings(monkeypatch):
    """ansible-core keeps warnings in a process-wide list: start every test with none."""
    monkeypatch.setattr(warnings, "_global_warnings", {})


def described(state="AVAILABLE", mode="AUTO_STOP", root=80, user=50, **extra) -> dict:
    """A WorkSpace as DescribeWorkspaces lists it."""
    return {
        "WorkspaceId": WS,
        "DirectoryId": D,
        "UserName": "jdoe",
        "BundleId": B,
        "State": state,
        "WorkspaceProperties": {
            "RunningMode": mode,
            "ComputeTypeName": "STANDARD",
            "RootVolumeSizeGib": root,
            "UserVolumeSizeGib": user,
        },
        **extra,
    }


# Reads a case may need before it can be judged (responses are not checked against parameters: the
# point is that nothing but reads is sent).
def listing(*workspaces):
    def stub(aws):
        aws.add("describe_workspaces", {"Workspaces": list(workspaces)})

    return stub


def tagged(count: int):
    """An existing WorkSpace with count tags (DescribeTags: one WorkSpace is read per resource)."""

    def stub(aws):
        aws.add("describe_workspaces", {"Workspaces": [described()]})
        aws.add("describe_tags", {"TagList": [{"Key": f"old{n}", "Value": "v"} for n in range(count)]})

    return stub


def create_checked(directories=(), bundles=()):
    """No WorkSpace for the user yet: the create is checked against these directories and bundles first."""

    def stub(aws):
        aws.add("describe_workspaces", {"Workspaces": []})
        aws.add("describe_workspace_directories", {"Directories": list(directories)})
        aws.add("describe_workspace_bundles", {"Bundles": list(bundles)})

    return stub


def directory_with_workspaces(aws):
    aws.add(
        "describe_workspace_directories",
        {"Directories": [{"DirectoryId": D, "State": "REGISTERED", "SubnetIds": []}]},
    )
    aws.add("describe_tags", {"TagList": []})
    aws.add("describe_workspaces", {"Workspaces": [described()]})


def unreachable_region(aws):
    """The service has no endpoint in the region: the first call cannot connect (as botocore reports it)."""

    def refuse(**_):
        raise botocore.exceptions.EndpointConnectionError(endpoint_url="https://workspaces.eu-south-2.amazonaws.com/")

    aws.stub("workspaces").deactivate()  # no stubbed answers: every call is refused before it is sent
    aws.client("workspaces").meta.events.register_first("before-call.workspaces", refuse)


@dataclass
class Case:
    """One bad input: the module, its options, and the words its message must contain."""

    name: str
    module: object
    args: dict
    expect: tuple
    reads: Callable | None = None  # stubs the reads this case needs; None: no API call at all
    check_mode: bool = False


def ws_case(name, expect, reads=None, check_mode=False, **args):
    return Case(name, workspace, args, expect, reads, check_mode)


def single(**args) -> dict:
    return {"directory_id": D, "user_name": "jdoe", "bundle_id": B, **args}


TAGS_51 = {f"k{n}": "v" for n in range(51)}

MODULE_CASES = [
    # -- malformed IDs and names ----------------------------------------------------------------------------
    ws_case("workspace_id malformed", ("workspace_id", "'ws-1'", "ws- followed by 8 to 63"), workspace_id="ws-1"),
    ws_case(
        "workspace_id in upper case",
        ("workspace_id", "'ws-ABCDEF1234'", "lowercase letters or digits"),
        workspace_id="ws-ABCDEF1234",
    ),
    ws_case(
        "directory_id malformed",
        ("directory_id", "'d-xyz'", "d- followed by 8 to 63 hex digits"),
        **single(directory_id="d-xyz"),
    ),
    ws_case(
        "bundle_id malformed", ("bundle_id", "'bundle-1'", "wsb- followed by 8 to 63"), **single(bundle_id="bundle-1")
    ),
    ws_case("user_name too long", ("user_name", "longer than 63 characters"), **single(user_name="u" * 64)),
    ws_case("user_name empty", ("user_name is empty",), **single(user_name="")),
    ws_case("user_name with white space around it", ("user_name", "white space"), **single(user_name=" jdoe")),
    ws_case("user_name with a line break", ("user_name", "control character"), **single(user_name="jd\noe")),
    ws_case(
        "workspace_name malformed",
        ("workspace_name", "'.hidden'", "2 to 64 letters, digits or _.()-"),
        **single(workspace_name=".hidden"),
    ),
    # -- option combinations the API (or the module) forbids ------------------------------------------------
    ws_case("user_name without directory_id", ("directory_id is required with user_name",), user_name="jdoe"),
    ws_case(
        "workspaces with workspace_id",
        ("mutually exclusive", "workspaces", "workspace_id"),
        workspace_id=WS,
        workspaces=[{"user_name": "jdoe"}],
    ),
    ws_case("no WorkSpace named", ("one of the following is required", "workspace_id", "user_name", "workspaces")),
    ws_case(
        "running mode ALWAYS_ON with a timeout",
        ("running_mode_auto_stop_timeout applies to running_mode AUTO_STOP only", "ALWAYS_ON"),
        **single(running_mode="ALWAYS_ON", running_mode_auto_stop_timeout=60),
    ),
    ws_case(
        "encrypted volumes without a key",
        ("volume_encryption_key is required", "encrypted volumes"),
        reads=listing(),
        **single(user_volume_encryption=True),
    ),
    ws_case(
        "maintenance on a new WorkSpace without waiting",
        ("admin_maintenance=true on a new WorkSpace needs wait=true",),
        reads=listing(),
        **single(admin_maintenance=True, wait=False),
    ),
    ws_case(
        "timeout on a new WorkSpace without running_mode",
        ("running_mode_auto_stop_timeout needs running_mode AUTO_STOP",),
        reads=listing(),
        **single(running_mode_auto_stop_timeout=120),
    ),
    ws_case(
        "timeout on an existing ALWAYS_ON WorkSpace",
        ("running_mode_auto_stop_timeout applies to AUTO_STOP only", "ALWAYS_ON"),
        reads=listing(described(mode="ALWAYS_ON")),
        **single(running_mode_auto_stop_timeout=120),
    ),
    ws_case(
        "stopping an ALWAYS_ON WorkSpace",
        ("cannot stop", WS, "running mode is ALWAYS_ON", "only AUTO_STOP or MANUAL"),
        reads=listing(described(mode="ALWAYS_ON")),
        **single(state="stopped"),
    ),
    ws_case(
        "a create without a bundle",
        ("bundle_id is required to create a WorkSpace for user jdoe",),
        reads=listing(),
        directory_id=D,
        user_name="jdoe",
    ),
    # -- values out of range ---------------------------------------------------------------------------------
    ws_case(
        "auto-stop timeout not a multiple of 60",
        ("running_mode_auto_stop_timeout must be a positive multiple of 60 minutes, got 90",),
        **single(running_mode="AUTO_STOP", running_mode_auto_stop_timeout=90),
    ),
    ws_case(
        "auto-stop timeout of zero",
        ("running_mode_auto_stop_timeout must be a positive multiple of 60 minutes, got 0",),
        **single(running_mode="AUTO_STOP", running_mode_auto_stop_timeout=0),
    ),
    ws_case(
        "a volume size of zero",
        ("user_volume_size must be a positive number of GiB, got 0",),
        **single(user_volume_size=0),
    ),
    ws_case("no protocol", ("protocols must name at least one protocol",), **single(protocols=[])),
    ws_case("a protocol twice", ("protocols names WSP twice",), **single(protocols=["WSP", "WSP"])),
    ws_case(
        "an empty encryption key",
        ("volume_encryption_key must not be empty",),
        **single(volume_encryption_key="", root_volume_encryption=True),
    ),
    ws_case("a negative wait_timeout", ("wait_timeout must not be negative, got -5",), **single(wait_timeout=-5)),
    ws_case("more than 50 tags", ("tags: 51 tags given", "at most 50"), **single(tags=TAGS_51)),
    ws_case(
        "more than 50 tags, in check mode",
        ("tags: 51 tags given", "at most 50"),
        check_mode=True,
        **single(tags=TAGS_51),
    ),
    ws_case(
        "more than 50 tags with the ones the WorkSpace has",
        (f"tags: {WS} would have 55 tags", "at most 50"),
        reads=tagged(45),
        **single(tags={f"new{n}": "v" for n in range(10)}, purge_tags=False),
    ),
    ws_case("a tag key over 127 characters", ("tags: key", "1 to 127 characters"), **single(tags={"k" * 128: "v"})),
    ws_case("an empty tag key", ("tags: key ''", "1 to 127 characters"), **single(tags={"": "v"})),
    ws_case(
        "a tag value over 255 characters",
        ("tags: the value of 'team'", "longer than 255"),
        **single(tags={"team": "v" * 256}),
    ),
    ws_case(
        "a reserved aws: tag key", ("tags: key 'aws:owner'", "which AWS reserves"), **single(tags={"aws:owner": "me"})
    ),
    # -- wrong types and choices -----------------------------------------------------------------------------
    ws_case(
        "a volume size that is not a number",
        ("root_volume_size", "unable to convert to int"),
        **single(root_volume_size="big"),
    ),
    ws_case("a flag that is not a boolean", ("admin_maintenance", "bool"), **single(admin_maintenance="maybe")),
    ws_case("tags that are not a dict", ("tags", "dict"), **single(tags=["team=a"])),
    ws_case(
        "a running mode that does not exist",
        ("running_mode", "one of: AUTO_STOP, ALWAYS_ON, MANUAL", "SOMETIMES"),
        **single(running_mode="SOMETIMES"),
    ),
    ws_case(
        "a protocol that does not exist",
        ("protocols", "one or more of: PCOIP, WSP", "RDP"),
        **single(protocols=["RDP"]),
    ),
    ws_case(
        "a state that does not exist",
        ("state", "one of: present, absent, rebooted, rebuilt, started, stopped", "restarted"),
        **single(state="restarted"),
    ),
    # ansible-core's own check, before the module runs: it names the option, but its wording is its own ("must be
    # a list, not 'list'"); a plain string item does not even get the option named (see docs/reliability.md).
    ws_case(
        "a batch item that is not a dict",
        ("in the sub parameter field 'workspaces'",),
        directory_id=D,
        workspaces=[["jdoe"]],
    ),
    ws_case(
        "a batch item with an unknown option",
        ("workspaces", "user", "Supported parameters include"),
        directory_id=D,
        workspaces=[{"user": "jdoe"}],
    ),
    # -- batches ---------------------------------------------------------------------------------------------
    ws_case(
        "a batch item that names no WorkSpace",
        ("workspaces[1]", "workspace_id or user_name is required"),
        directory_id=D,
        bundle_id=B,
        workspaces=[{"user_name": "amy"}, {"bundle_id": B}],
    ),
    ws_case(
        "two batch items for one user (case differs)",
        ("workspaces[1] (user_name JDOE) and workspaces[0] (user_name jdoe) name the same WorkSpace",),
        directory_id=D,
        bundle_id=B,
        workspaces=[{"user_name": "jdoe"}, {"user_name": "JDOE"}],
    ),
    ws_case(
        "a batch whose bad item is named with its user",
        ("workspaces[2] (user_name carl): running_mode_auto_stop_timeout must be a positive multiple of 60",),
        directory_id=D,
        bundle_id=B,
        workspaces=[
            {"user_name": "amy"},
            {"user_name": "bob"},
            {"user_name": "carl", "running_mode_auto_stop_timeout": 45},
        ],
    ),
    # -- judged against what exists (reads only) --------------------------------------------------------------
    ws_case(
        "shrinking the root volume",
        ("root_volume_size 50 is smaller than the current 80 GiB", "volumes can only grow"),
        reads=listing(described()),
        **single(root_volume_size=50),
    ),
    ws_case(
        "shrinking the root volume, in check mode",
        ("root_volume_size 50 is smaller than the current 80 GiB", "volumes can only grow"),
        reads=listing(described()),
        check_mode=True,
        **single(root_volume_size=50),
    ),
    ws_case(
        "shrinking the user volume",
        ("user_volume_size 10 is smaller than the current 50 GiB", "volumes can only grow"),
        reads=listing(described()),
        **single(user_volume_size=10),
    ),
    ws_case(
        "an unknown but well-formed workspace_id to manage",
        (f"WorkSpace {WS} does not exist", "give directory_id and user_name to create one"),
        reads=listing(),
        workspace_id=WS,
        compute_type="POWER",
    ),
    ws_case(
        "an unknown but well-formed workspace_id to reboot",
        (f"no WorkSpace exists for {WS}", "nothing to reboot"),
        reads=listing(),
        workspace_id=WS,
        state="rebooted",
    ),
    ws_case(
        "a workspace_id that belongs to another user",
        (WS, "belongs to user jdoe", "not to what the task names"),
        reads=listing(described()),
        workspace_id=WS,
        directory_id=D,
        user_name="amy",
    ),
    ws_case(
        "terminating a SUSPENDED WorkSpace",
        ("cannot terminate", WS, "SUSPENDED"),
        reads=listing(described(state="SUSPENDED")),
        **single(state="absent"),
    ),
    # -- a region without the service -------------------------------------------------------------------------
    ws_case(
        "a region without the service",
        ("region eu-south-2", "Amazon WorkSpaces is not offered there", "eu-west-1", "could not connect"),
        reads=unreachable_region,
        **single(region="eu-south-2"),
    ),
    Case(
        "workspace_info: a region without the service",
        workspace_info,
        {"directory_id": D, "region": "eu-south-2"},
        ("region eu-south-2", "Amazon WorkSpaces is not offered there", "us-east-1"),
        reads=unreachable_region,
    ),
    # -- the info modules ------------------------------------------------------------------------------------
    Case(
        "workspace_info: a malformed workspace ID",
        workspace_info,
        {"workspace_ids": [WS, "ws-NOPE"]},
        ("workspace_ids", "'ws-NOPE'", "ws- followed by 8 to 63"),
    ),
    Case(
        "workspace_info: user_name without directory_id",
        workspace_info,
        {"user_name": "jdoe"},
        ("user_name", "directory_id"),
    ),
    Case(
        "workspace_info: two filter families",
        workspace_info,
        {"directory_id": D, "bundle_id": B},
        ("mutually exclusive", "directory_id", "bundle_id"),
    ),
    Case(
        "workspace_info: a state that does not exist",
        workspace_info,
        {"states": ["RUNNING"]},
        ("states", "RUNNING", "AVAILABLE"),
    ),
    Case(
        "bundle_info: a malformed bundle ID",
        bundle_info,
        {"bundle_ids": ["wsb-1"]},
        ("bundle_ids", "'wsb-1'", "wsb- followed by 8 to 63"),
    ),
    Case(
        "bundle_info: bundle IDs and an owner",
        bundle_info,
        {"bundle_ids": [B], "owner": "amazon"},
        ("mutually exclusive", "bundle_ids", "owner"),
    ),
    Case(
        "directory_info: a malformed directory ID",
        directory_info,
        {"directory_ids": ["corp.example.com"]},
        ("directory_ids", "'corp.example.com'", "d- followed by 8 to 63 hex digits"),
    ),
    # -- the directory module --------------------------------------------------------------------------------
    Case(
        "directory: a malformed directory ID",
        directory,
        {"directory_id": "d-12"},
        ("directory_id", "'d-12'", "d- followed by 8 to 63 hex digits"),
    ),
    Case("directory: no directory ID", directory, {}, ("missing required arguments: directory_id",)),
    Case(
        "directory: a malformed subnet ID",
        directory,
        {"directory_id": D, "subnet_ids": ["subnet-1"]},
        ("subnet_ids", "'subnet-1'", "subnet- followed by 8 or 17 hex digits"),
    ),
    Case(
        "directory: more than two subnets",
        directory,
        {"directory_id": D, "subnet_ids": ["subnet-0123456a", "subnet-0123456b", "subnet-0123456c"]},
        ("subnet_ids", "at most 2 subnets", "got 3"),
    ),
    Case(
        "directory: an empty default OU",
        directory,
        {"directory_id": D, "workspace_creation_properties": {"default_ou": " "}},
        ("workspace_creation_properties.default_ou", "an empty value cannot be sent"),
    ),
    Case(
        "directory: a malformed security group",
        directory,
        {"directory_id": D, "workspace_creation_properties": {"custom_security_group_id": "default"}},
        ("workspace_creation_properties.custom_security_group_id", "'default'", "sg- followed by 8 or 17 hex"),
    ),
    Case(
        "directory: a device access value that does not exist",
        directory,
        {"directory_id": D, "workspace_access_properties": {"device_type_web": "MAYBE"}},
        ("device_type_web", "one of: ALLOW, DENY", "MAYBE"),
    ),
    Case(
        "directory: deregistering a directory that still has WorkSpaces",
        directory,
        {"directory_id": D, "state": "absent"},
        (f"directory {D} still has 1 WorkSpace", WS, "terminate it before deregistering"),
        reads=directory_with_workspaces,
    ),
    # -- creates that name what does not exist ---------------------------------------------------------------
    ws_case(
        "a create into a directory that is not registered",
        ("directory_id", D, "not registered with WorkSpaces", "euc.workspaces.directory"),
        reads=create_checked(bundles=[{"BundleId": B}]),
        **single(),
    ),
    ws_case(
        "a create from a bundle that does not exist",
        ("bundle_id", B, "no such bundle"),
        reads=create_checked(directories=[{"DirectoryId": D, "State": "REGISTERED"}]),
        **single(),
    ),
]


@pytest.mark.parametrize("case", MODULE_CASES, ids=[case.name for case in MODULE_CASES])
def test_module_bad_input(case, aws, run_module):
    if case.reads:
        case.reads(aws)
    result = run_module(case.module, case.args, check_mode=case.check_mode)

    assert result.get("failed") is True, result
    for words in case.expect:
        assert words in result["msg"], f"{words!r} not in {result['msg']!r}"
    assert "exception" not in result, result["exception"]
    assert "Traceback" not in json.dumps(result)
    assert aws.mutating_calls() == []
    if case.reads is None:
        assert aws.sent == [], "bad input must fail before any API call"
    else:
        aws.assert_all_used()


def test_an_unreachable_endpoint_in_a_region_with_the_service_is_not_blamed_on_the_region(aws, run_module):
    """The region hint is given only when botocore knows the service is not offered there."""
    unreachable_region(aws)
    result = run_module(workspace, single(region="eu-west-1"))
    assert result["failed"] is True
    assert result["msg"].startswith("Failed to manage WorkSpaces: Could not connect to the endpoint URL")
    assert "not offered" not in result["msg"]


# -- the provision role ----------------------------------------------------------------------------------------

ROLE_PLAYBOOK = (
    play_head(
        "The provision role's bad-input cases, one inventory host each (the case's variables are its host vars)",
        hosts="cases",
    )
    + """\
  tasks:
    - name: Run the role
      block:
        - name: Provision
          ansible.builtin.include_role:
            name: euc.workspaces.provision
        - name: Note that the role went through
          ansible.builtin.set_fact:
            outcome: {failed: false, msg: "", task: "", exception: ""}
      rescue:
        - name: Note how the role failed
          ansible.builtin.set_fact:
            outcome:
              failed: true
              msg: "{{ ansible_failed_result.msg | default('') }}"
              task: "{{ ansible_failed_task.name }}"
              exception: "{{ ansible_failed_result.exception | default('') | string }}"
    - name: Save the outcome
      ansible.builtin.copy:
        content: "{{ outcome | to_json }}"
        dest: "{{ outcomes_dir }}/{{ inventory_hostname }}.json"
        mode: "0644"
"""
)
SALES = "wsb-clj85qzj1"  # a public bundle the endpoint knows


@dataclass
class RoleCase:
    """One bad roster or role variable: the role's variables, CSV files by name, and the words of its failure."""

    name: str
    vars: dict
    expect: tuple
    csv: str | None = None  # text of the roster CSV (the case's provision_roster_csv points to it)


def csv_case(name: str, text: str, expect: tuple, **variables) -> RoleCase:
    return RoleCase(name, {"provision_bundle_id": SALES, **variables}, expect, csv=text)


def users_case(name: str, users, expect: tuple, **variables) -> RoleCase:
    return RoleCase(name, {"provision_users": users, "provision_bundle_id": SALES, **variables}, expect)


ROLE_CASES = [
    # -- rosters -------------------------------------------------------------------------------------------------
    csv_case(
        "duplicate CSV rows (case differs)",
        "user_name\njdoe\nasmith\nJDoe\n",
        ("line 4: user 'JDoe' is already listed at", "line 2 as 'jdoe'", "compared without case"),
    ),
    users_case(
        "a user in the CSV and in provision_users",
        ["carl", "ASmith"],
        ("provision_users item 2: user 'ASmith' is already listed at", "line 3"),
        provision_roster_csv="shared",
    ),
    users_case("an empty roster", [], ("The roster is empty", "There is nothing to provision", "Nothing was changed")),
    csv_case(
        "an empty roster with provision_exclusive",
        "user_name\n\n",
        (
            "The roster is empty",
            "With provision_exclusive that would terminate every WorkSpace of",
            "Nothing was changed",
        ),
        provision_exclusive=True,
        provision_max_terminations=100,
    ),
    csv_case(
        "an empty roster file with provision_exclusive",
        "",
        ("no header row", "at least user_name", "nothing was changed"),
        provision_exclusive=True,
        provision_max_terminations=100,
    ),
    csv_case(
        "unknown CSV columns",
        "user_name,email\njdoe,jdoe@example.com\n",
        (
            "line 1 (header): unknown column(s) 'email'",
            "known columns are user_name",
            "provision_roster_ignore_columns",
        ),
    ),
    csv_case("no user_name column", "bundle_id\nwsb-clj85qzj1\n", ("line 1 (header): there is no user_name column",)),
    csv_case(
        "a column given twice",
        "user_name,bundle_id,Bundle_Id\njdoe,a,b\n",
        ("column 'Bundle_Id' appears more than once",),
    ),
    csv_case(
        "a row with a cell too many", "user_name\njdoe,extra\n", ("line 2: 2 cells, but the header has 1 columns",)
    ),
    csv_case(
        "a user name over 63 characters",
        f"user_name\n{'u' * 64}\n",
        ("line 2: user_name", "64 characters long (at most 63)"),
    ),
    users_case("an empty user name", ["amy", " "], ("provision_users item 2: user_name is empty",)),
    users_case("a user that is not a name", [["amy"]], ("provision_users item 1: user_name must be text",)),
    users_case(
        "an unknown key in a provision_users entry",
        [{"user_name": "amy", "email": "amy@example.com"}],
        ("provision_users item 1: unknown key(s) email", "known keys are user_name"),
    ),
    # -- values --------------------------------------------------------------------------------------------------
    csv_case(
        "a malformed bundle in a row",
        "user_name,bundle_id\njdoe,wsb-nope\n",
        ("line 2: bundle_id 'wsb-nope' is not a bundle ID", "wsb- followed by 8 to 63"),
    ),
    RoleCase(
        "no bundle for a user",
        {"provision_users": ["amy"]},
        ("provision_users item 1: no bundle_id", "set provision_bundle_id"),
    ),
    csv_case(
        "a running mode that does not exist",
        "user_name,running_mode\njdoe,SOMETIMES\n",
        ("line 2: running_mode 'SOMETIMES' is not one of AUTO_STOP, ALWAYS_ON, MANUAL",),
    ),
    csv_case(
        "an auto-stop timeout that is not a multiple of 60",
        "user_name,running_mode,running_mode_auto_stop_timeout\njdoe,AUTO_STOP,90\n",
        ("line 2: running_mode_auto_stop_timeout must be a multiple of 60, not 90",),
    ),
    csv_case(
        "ALWAYS_ON with a timeout in a row",
        "user_name,running_mode,running_mode_auto_stop_timeout\njdoe,ALWAYS_ON,60\n",
        ("line 2: running_mode_auto_stop_timeout applies to AUTO_STOP only, and running_mode is ALWAYS_ON",),
    ),
    users_case(
        "ALWAYS_ON with a timeout in the defaults",
        ["amy"],
        ("provision_running_mode_auto_stop_timeout applies to AUTO_STOP only", "provision_running_mode is ALWAYS_ON"),
        provision_running_mode="ALWAYS_ON",
        provision_running_mode_auto_stop_timeout=60,
    ),
    csv_case(
        "a volume size that is not a number",
        "user_name,root_volume_size\njdoe,big\n",
        ("line 2: root_volume_size 'big' is not a whole number",),
    ),
    csv_case(
        "a protocol that does not exist",
        "user_name,protocols\njdoe,RDP\n",
        ("line 2: protocols 'RDP' must be PCOIP and/or WSP",),
    ),
    users_case(
        "more than 50 tags",
        ["amy"],
        ("provision_users item 1: 51 tags, at most 50 are allowed",),
        provision_tags={f"k{n}": "v" for n in range(51)},
    ),
    csv_case(
        "a tag column with a key over 127 characters",
        f"user_name,tag:{'k' * 128}\njdoe,x\n",
        ("line 1 (header): column 2: tag key", "must be 1 to 127 characters"),
    ),
    users_case(
        "a reserved aws: tag key",
        ["amy"],
        ("provision_tags: tag key 'aws:owner' uses the reserved prefix aws:",),
        provision_tags={"aws:owner": "me"},
    ),
    # -- the role's own variables -------------------------------------------------------------------------------
    users_case(
        "a batch size of zero", ["amy"], ("provision_batch_size (0)", "must be at least 1"), provision_batch_size=0
    ),
    users_case(
        "a batch size that is not a number",
        ["amy"],
        ("provision_batch_size", "unable to convert to int"),
        provision_batch_size="many",
    ),
    users_case(
        "a negative termination limit",
        ["amy"],
        ("provision_max_terminations (-1)", "at least 0"),
        provision_max_terminations=-1,
    ),
    users_case(
        "a roster file that does not exist", ["amy"], ("missing.csv",), provision_roster_csv="/nonexistent/missing.csv"
    ),
    users_case(
        "a malformed directory ID",
        ["amy"],
        ("provision_directory_id corp.example.com is not a directory ID", "d- followed by 8 to 63 hex digits"),
        provision_directory_id="corp.example.com",
    ),
    # -- judged against what exists (reads only) ----------------------------------------------------------------
    users_case(
        "a directory that is not registered",
        ["amy"],
        ("is not registered with WorkSpaces", "Nothing was changed"),
        provision_directory_id="unregistered",
    ),
    users_case(
        "a well-formed directory that does not exist",
        ["amy"],
        ("Directory d-0123456789 is not registered with WorkSpaces (state: not found)", "Nothing was changed"),
        provision_directory_id="d-0123456789",
    ),
    users_case(
        "a bundle that does not exist",
        ["amy", {"user_name": "bob", "bundle_id": "wsb-0000000000"}],
        ("bundle_id wsb-0000000000 does not exist (users: bob)", "bundles that euc.workspaces.bundle_info lists"),
    ),
]
# Cases that can only be judged against what exists: the role may read (and only read) before it refuses.
READS_ONLY = {
    "a directory that is not registered",
    "a well-formed directory that does not exist",
    "a bundle that does not exist",
}
READS = {
    "workspaces:DescribeWorkspaceDirectories",
    "workspaces:DescribeWorkspaceBundles",
    "workspaces:DescribeWorkspaces",
}


def run_cases(endpoint, work, label: str, cases: list[RoleCase], host_vars) -> dict:
    """The cases as hosts of one play, in parallel; returns {case name: outcome} and the endpoint's calls."""
    endpoint.reset()
    hosts = {f"case{number:02d}": dict(host_vars(case), case_name=case.name) for number, case in enumerate(cases)}
    local = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}
    inventory = work / f"{label}.json"
    inventory.write_text(json.dumps({"all": {"children": {"cases": {"hosts": hosts, "vars": local}}}}))
    outcomes_dir = work / inventory.stem
    outcomes_dir.mkdir()
    extra = {"endpoint_url": endpoint.url, "outcomes_dir": str(outcomes_dir)}
    command = [
        "ansible-playbook",
        "-i",
        str(inventory),
        str(work / "playbook.yml"),
        "-e",
        json.dumps(extra),
        "-f",
        "10",
    ]
    run = subprocess.run(
        command, env=dict(os.environ, **endpoint.env()), capture_output=True, text=True, timeout=600, check=False
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-10000:]
    outcomes = {hosts[path.stem]["case_name"]: json.loads(path.read_text()) for path in outcomes_dir.glob("*.json")}
    assert sorted(outcomes) == sorted(case.name for case in cases), output[-10000:]
    return {"outcomes": outcomes, "calls": endpoint.calls(), "output": output}


@pytest.fixture(scope="module")
def role_outcomes(tmp_path_factory):
    """Every role case in real ansible-playbook against a local endpoint.

    The cases run as parallel hosts of one play, in two runs: the endpoint's counters are read after each run, so
    "no call at all" (a total of zero for the run) and "reads only" are the endpoint's own counts.
    """
    from endpoint import Endpoint  # noqa: PLC0415  (tests/ is on PYTHONPATH; only these tests need it)

    work = tmp_path_factory.mktemp("role-cases")
    (work / "playbook.yml").write_text(ROLE_PLAYBOOK)
    with Endpoint.start() as endpoint:
        directory_id = endpoint.create_registered_directory(name="corp.example.com")
        unregistered = endpoint.create_directory(name="lab.example.com")
        # Someone already has a WorkSpace: an empty roster with provision_exclusive would terminate it.
        endpoint.client("workspaces", setup=True).create_workspaces(
            Workspaces=[{"DirectoryId": directory_id, "UserName": "asmith", "BundleId": SALES}]
        )
        shared_csv = work / "shared.csv"
        shared_csv.write_text("user_name\njdoe\nasmith\n")

        def host_vars(case: RoleCase) -> dict:
            variables = {"provision_directory_id": directory_id, "provision_wait": False, **case.vars}
            if case.csv is not None:
                path = work / f"roster-{ROLE_CASES.index(case)}.csv"
                path.write_text(case.csv)
                variables["provision_roster_csv"] = str(path)
            elif variables.get("provision_roster_csv") == "shared":
                variables["provision_roster_csv"] = str(shared_csv)
            if variables["provision_directory_id"] == "unregistered":
                variables["provision_directory_id"] = unregistered
            return variables

        no_calls = run_cases(endpoint, work, "no-calls", [c for c in ROLE_CASES if c.name not in READS_ONLY], host_vars)
        reads_only = run_cases(endpoint, work, "reads-only", [c for c in ROLE_CASES if c.name in READS_ONLY], host_vars)
        left = [ws["UserName"] for ws in endpoint.client("workspaces", setup=True).describe_workspaces()["Workspaces"]]
    return {"no_calls": no_calls, "reads_only": reads_only, "workspaces_left": left}


def test_the_role_cases_make_no_call_at_all_and_leave_every_workspace_alone(role_outcomes):
    assert role_outcomes["no_calls"]["calls"]["counts"] == {}, "a bad roster or variable must stop before any call"
    assert role_outcomes["reads_only"]["calls"]["mutating"] == 0
    assert set(role_outcomes["reads_only"]["calls"]["counts"]) <= READS
    assert role_outcomes["workspaces_left"] == ["asmith"]
    for run in ("no_calls", "reads_only"):
        assert "Traceback" not in role_outcomes[run]["output"]


@pytest.mark.parametrize("case", ROLE_CASES, ids=[case.name for case in ROLE_CASES])
def test_role_bad_input(case, role_outcomes):
    run = role_outcomes["reads_only" if case.name in READS_ONLY else "no_calls"]
    outcome = run["outcomes"][case.name]

    assert outcome["failed"] is True, f"the role went through: {outcome}"
    for words in case.expect:
        assert words in outcome["msg"], f"{words!r} not in {outcome['msg']!r}"
    assert "Traceback" not in outcome["msg"]
    assert "Traceback" not in outcome["exception"]  # ansible-core 2.19 says "(traceback unavailable)" here
    # The endpoint's counts for the whole run this case was part of: none at all, or reads only.
    assert run["calls"]["mutating"] == 0
    if case.name not in READS_ONLY:
        assert run["calls"]["counts"] == {}


def test_an_empty_batch_changes_nothing_and_calls_nothing(aws, run_module):
    """An empty list of WorkSpaces is not "terminate everything": the module makes no call at all."""
    result = run_module(workspace, {"directory_id": D, "state": "absent", "workspaces": []})
    assert result["changed"] is False and result["workspaces"] == []
    assert aws.sent == []
