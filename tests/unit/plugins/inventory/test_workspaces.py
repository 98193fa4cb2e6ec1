"""The workspaces inventory plugin against botocore's Stubber, one stubbed client per (service, region).

The plugin runs for real: options come from its DOCUMENTATION (with the doc fragments it extends), clients
are made by amazon.aws's AWSPluginBase (only the final boto3 client construction is replaced), and every
request is validated against the service model by the Stubber.
"""

from __future__ import annotations

import re
from pathlib import Path

import boto3
import botocore
import pytest
import yaml
from ansible import constants as C
from ansible.errors import AnsibleError, AnsibleOptionsError
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.doc_fragments import constructed, inventory_cache
from ansible.utils.plugin_docs import add_fragments
from ansible.vars.reserved import is_reserved_name
from ansible_collections.amazon.aws.plugins.doc_fragments import assume_role, common, region
from ansible_collections.amazon.aws.plugins.doc_fragments import boto3 as boto3_fragment
from botocore.stub import Stubber

from ansible_collections.euc.workspaces.plugins.inventory import workspaces as plugin_module

NAME = "euc.workspaces.workspaces"
VALID_GROUP = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
DIR_A = "d-1234567890"
DIR_B = "d-abcdef0123"
BUNDLE_STD = "wsb-abc12345"
BUNDLE_PWR = "wsb-pwr67890"
FRAGMENTS = {
    "inventory_cache": inventory_cache.ModuleDocFragment,
    "constructed": constructed.ModuleDocFragment,
    "amazon.aws.boto3": boto3_fragment.ModuleDocFragment,
    "amazon.aws.common": common.ModuleDocFragment,
    "amazon.aws.region": region.ModuleDocFragment,
    "amazon.aws.assume_role": assume_role.ModuleDocFragment,
}


class FragmentLoader:
    """What add_fragments needs from ansible's fragment loader, without the collection finder."""

    def get(self, name):
        fragment = FRAGMENTS.get(name)
        if fragment is None:
            return None
        fragment = fragment()  # some fragments (amazon.aws.boto3) fill their text in __init__
        attributes = {key: getattr(fragment, key) for key in ("DOCUMENTATION", "PLUGINS") if hasattr(fragment, key)}
        return type("Fragment", (), dict(attributes, ansible_name=name))


def register_plugin_options():
    """Push the plugin's option definitions to ansible's config manager, as the plugin loader would."""
    if C.config.has_configuration_definition("inventory", NAME):
        return
    doc = yaml.safe_load(plugin_module.DOCUMENTATION)
    add_fragments(doc, plugin_module.__file__, fragment_loader=FragmentLoader())
    C.config.initialize_plugin_configuration_definitions("inventory", NAME, doc["options"])


def workspace(workspace_id, directory_id=DIR_A, bundle_id=BUNDLE_STD, state="AVAILABLE", **extra):
    item = {
        "WorkspaceId": workspace_id,
        "DirectoryId": directory_id,
        "UserName": extra.pop("user_name", f"user-{workspace_id}"),
        "State": state,
        "BundleId": bundle_id,
        "WorkspaceProperties": extra.pop(
            "properties", {"RunningMode": "AUTO_STOP", "ComputeTypeName": "STANDARD", "RootVolumeSizeGib": 80}
        ),
    }
    item.update(extra)
    return item


def arn(region_name, workspace_id):
    return f"arn:aws:workspaces:{region_name}:123456789012:workspace/{workspace_id}"


def tag_mapping(region_name, workspace_id, tags: dict):
    return {
        "ResourceARN": arn(region_name, workspace_id),
        "Tags": [{"Key": key, "Value": value} for key, value in tags.items()],
    }


class Unreachable:
    """A client for a region whose endpoint does not answer (or whose service botocore does not know)."""

    def __init__(self, error):
        self.error = error

    def __getattr__(self, name):
        def call(**_):
            raise self.error

        return call


class StubbedRegions:
    """Stubbed boto3 clients per (service, region); records each call the plugin makes."""

    def __init__(self):
        self.clients = {}
        self.stubbers = {}
        self.broken = {}  # region -> exception raised when a client is made, or Unreachable
        self.sent = []  # (service, region, operation)
        self.endpoints = []  # endpoint_url given for each client made

    def client(self, service, region_name):
        key = (service, region_name)
        if key not in self.clients:
            client = boto3.client(
                service, region_name=region_name, aws_access_key_id="testing", aws_secret_access_key="testing"
            )
            client.meta.events.register("before-call.*.*", self._record(service, region_name))
            self.clients[key] = client
            self.stubbers[key] = Stubber(client)
            self.stubbers[key].activate()
        return self.clients[key]

    def _record(self, service, region_name):
        def record(model, **_):
            self.sent.append((service, region_name, model.name))

        return record

    def add(self, operation, response, expected=None, region_name="us-east-1", service="workspaces"):
        self.client(service, region_name)
        self.stubbers[(service, region_name)].add_response(operation, response, expected)

    def add_error(self, operation, code, message="error", region_name="us-east-1", service="workspaces", status=400):
        self.client(service, region_name)
        self.stubbers[(service, region_name)].add_client_error(operation, code, message, http_status_code=status)

    def describe(self, workspaces, region_name="us-east-1", expected=None, next_token=None):
        response = {"Workspaces": workspaces}
        if next_token:
            response["NextToken"] = next_token
        self.add("describe_workspaces", response, expected if expected is not None else {}, region_name)

    def tags(self, mappings, region_name="us-east-1"):
        self.add(
            "get_resources",
            {"ResourceTagMappingList": mappings, "PaginationToken": ""},
            None,
            region_name,
            service="resourcegroupstaggingapi",
        )

    def calls(self, operation=None):
        return [call for call in self.sent if operation is None or call[2] == operation]

    def assert_all_used(self):
        for stubber in self.stubbers.values():
            stubber.assert_no_pending_responses()

    def make(self, conn_type, resource=None, region=None, endpoint=None, **_):
        """Stands in for amazon.aws's _boto3_conn: the last step of AWSPluginBase.client()."""
        assert conn_type == "client"
        self.endpoints.append(endpoint)
        broken = self.broken.get(region)
        if isinstance(broken, Unreachable):
            return broken
        if broken is not None:
            raise broken
        return self.client(resource, region)


@pytest.fixture
def aws(monkeypatch):
    register_plugin_options()
    stubbed = StubbedRegions()
    monkeypatch.setattr(
        "ansible_collections.amazon.aws.plugins.plugin_utils.botocore._boto3_conn",
        stubbed.make,
    )
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    return stubbed


class Run:
    """The result of one parse: the inventory, and the warnings the plugin gave."""

    def __init__(self, inventory, warnings):
        self.inventory = inventory
        self.warnings = warnings

    def hostvars(self, name):
        return self.inventory.get_host(name).get_vars()

    def hosts(self, group="all"):
        if group == "all":
            return sorted(self.inventory.hosts)
        return sorted(host.name for host in self.inventory.groups[group].get_hosts())

    def groups(self):
        return set(self.inventory.groups) - {"all", "ungrouped"}


@pytest.fixture
def parse(aws, tmp_path, monkeypatch):
    """Write a source file with these options and parse it; returns a Run."""

    def run(options: dict, cache=True, filename="test.workspaces.yml") -> Run:
        source = tmp_path / filename
        source.write_text(yaml.safe_dump({"plugin": NAME, **options}))
        plugin = plugin_module.InventoryModule()
        plugin._load_name = NAME
        plugin.ansible_name = NAME
        plugin._redirected_names = []
        warnings = []
        monkeypatch.setattr(plugin, "warn", warnings.append)
        inventory = InventoryData()
        plugin.parse(inventory, DataLoader(), str(source), cache=cache)
        try:
            plugin.update_cache_if_changed()  # what ansible's InventoryManager does after each parse
        except AttributeError:
            pass  # no cache plugin loaded (cache: false)
        return Run(inventory, warnings)

    return run


# -- listing, host variables and default groups -------------------------------------------------------------


def test_every_page_is_read_and_hosts_carry_snake_case_fields_tags_region_and_ansible_host(aws, parse):
    first = [workspace(f"ws-a{n:07d}", IpAddress=f"10.0.0.{n}", ComputerName=f"WSAMZN-{n:04d}") for n in range(3)]
    second = [workspace("ws-b0000001", ComputerName="WSAMZN-0100")]  # no IP address yet
    aws.describe(first, next_token="page-2")
    aws.describe(second, expected={"NextToken": "page-2"})
    aws.tags(
        [
            tag_mapping("us-east-1", "ws-a0000000", {"Department": "Finance", "Patching": "weekly"}),
            tag_mapping("us-east-1", "ws-zzzzzzzz", {"Other": "workspace not in this listing"}),
        ]
    )

    run = parse({"regions": ["us-east-1"]})

    aws.assert_all_used()
    assert run.hosts() == ["WSAMZN-0000", "WSAMZN-0001", "WSAMZN-0002", "WSAMZN-0100"]
    host = run.hostvars("WSAMZN-0000")
    assert host["workspace_id"] == "ws-a0000000"
    assert host["directory_id"] == DIR_A
    assert host["user_name"] == "user-ws-a0000000"
    assert host["workspace_properties"] == {
        "running_mode": "AUTO_STOP",
        "compute_type_name": "STANDARD",
        "root_volume_size_gib": 80,
    }
    assert host["workspace_tags"] == {"Department": "Finance", "Patching": "weekly"}
    # 'tags' is a play keyword: as a host variable ansible-core warns about it on every run.
    assert "tags" not in host
    assert [name for name in host if is_reserved_name(name)] == []
    assert host["region"] == "us-east-1"
    assert host["ansible_host"] == "10.0.0.0"
    assert run.hostvars("WSAMZN-0001")["workspace_tags"] == {}
    assert "ansible_host" not in run.hostvars("WSAMZN-0100")
    assert run.hostvars("WSAMZN-0100")["ip_address"] is None
    # Tags came from one bulk call, not one DescribeTags per WorkSpace.
    assert aws.calls("DescribeTags") == []
    assert len(aws.calls("GetResources")) == 1
    assert not [call for call in aws.sent if call[2] not in ("DescribeWorkspaces", "GetResources")]


def test_default_groups_by_directory_bundle_state_running_mode_and_compute_type(aws, parse):
    aws.describe(
        [
            workspace("ws-a0000001", ComputerName="A1"),
            workspace(
                "ws-a0000002",
                directory_id=DIR_B,
                bundle_id=BUNDLE_PWR,
                state="STOPPED",
                ComputerName="A2",
                properties={"RunningMode": "ALWAYS_ON", "ComputeTypeName": "POWERPRO"},
            ),
            workspace("ws-a0000003", properties={}, ComputerName="A3"),  # no running mode, no compute type
        ]
    )
    aws.add("describe_tags", {"TagList": []}, {"ResourceId": "ws-a0000001"})
    aws.add("describe_tags", {"TagList": []}, {"ResourceId": "ws-a0000002"})
    aws.add("describe_tags", {"TagList": []}, {"ResourceId": "ws-a0000003"})

    run = parse({"regions": ["us-east-1"], "states": ["AVAILABLE", "STOPPED"]})

    assert run.hosts("workspaces") == ["A1", "A2", "A3"]
    assert run.hosts("workspaces_directory_d_1234567890") == ["A1", "A3"]
    assert run.hosts("workspaces_directory_d_abcdef0123") == ["A2"]
    assert run.hosts("workspaces_bundle_wsb_abc12345") == ["A1", "A3"]
    assert run.hosts("workspaces_bundle_wsb_pwr67890") == ["A2"]
    assert run.hosts("workspaces_state_available") == ["A1", "A3"]
    assert run.hosts("workspaces_state_stopped") == ["A2"]
    assert run.hosts("workspaces_running_mode_auto_stop") == ["A1"]
    assert run.hosts("workspaces_running_mode_always_on") == ["A2"]
    assert run.hosts("workspaces_compute_type_standard") == ["A1"]
    assert run.hosts("workspaces_compute_type_powerpro") == ["A2"]
    assert not [group for group in run.groups() if group.endswith(("_none", "_"))]
    assert all(VALID_GROUP.match(group) for group in run.groups())


# -- host names -------------------------------------------------------------------------------------------------


def test_default_hostnames_prefer_computer_name_then_ip_address_then_workspace_id(aws, parse):
    aws.describe(
        [
            workspace("ws-a0000001", ComputerName="WSAMZN-ONE", IpAddress="10.0.0.1"),
            workspace("ws-a0000002", ComputerName="", IpAddress="10.0.0.2"),
            workspace("ws-a0000003"),
        ]
    )
    for workspace_id in ("ws-a0000001", "ws-a0000002", "ws-a0000003"):
        aws.add("describe_tags", {"TagList": []}, {"ResourceId": workspace_id})

    run = parse({"regions": ["us-east-1"]})

    assert run.hosts() == ["10.0.0.2", "WSAMZN-ONE", "ws-a0000003"]
    assert run.hostvars("10.0.0.2")["workspace_id"] == "ws-a0000002"


def test_hostnames_follow_the_configured_preference(aws, parse):
    aws.describe(
        [
            workspace("ws-a0000001", user_name="jdoe", ComputerName="WSAMZN-ONE"),
            workspace("ws-a0000002", user_name="asmith", ComputerName="WSAMZN-TWO"),
        ]
    )
    aws.add("describe_tags", {"TagList": []}, {"ResourceId": "ws-a0000001"})
    aws.add("describe_tags", {"TagList": []}, {"ResourceId": "ws-a0000002"})

    run = parse({"regions": ["us-east-1"], "hostnames": ["user_name", "computer_name"]})

    assert run.hosts() == ["asmith", "jdoe"]
    assert run.hostvars("jdoe")["computer_name"] == "WSAMZN-ONE"


def test_a_host_name_already_taken_falls_back_to_the_workspace_id_with_a_warning(aws, parse):
    # The same user has a WorkSpace in two directories: user names are unique per directory only.
    aws.describe(
        [
            workspace("ws-a0000001", user_name="jdoe"),
            workspace("ws-a0000002", user_name="jdoe", directory_id=DIR_B),
        ]
    )
    aws.add("describe_tags", {"TagList": [{"Key": "k", "Value": "first"}]}, {"ResourceId": "ws-a0000001"})
    aws.add("describe_tags", {"TagList": [{"Key": "k", "Value": "second"}]}, {"ResourceId": "ws-a0000002"})

    run = parse({"regions": ["us-east-1"], "hostnames": ["user_name"]})

    assert run.hosts() == ["jdoe", "ws-a0000002"]
    assert run.hostvars("jdoe")["workspace_tags"] == {"k": "first"}  # not overwritten by the second WorkSpace
    assert run.hostvars("ws-a0000002")["workspace_tags"] == {"k": "second"}
    assert len(run.warnings) == 1
    assert "'jdoe'" in run.warnings[0] and "ws-a0000002" in run.warnings[0] and "ws-a0000001" in run.warnings[0]


def test_an_unknown_hostname_field_is_refused_before_any_call(aws, parse):
    with pytest.raises(AnsibleOptionsError, match="hostnames"):
        parse({"regions": ["us-east-1"], "hostnames": ["computer_name", "dns_name"]})
    assert aws.sent == []


# -- filters ------------------------------------------------------------------------------------------------------


def test_states_default_to_available_and_all_keeps_every_state(aws, parse):
    listing = [
        workspace("ws-a0000001", state="AVAILABLE"),
        workspace("ws-a0000002", state="STOPPED"),
        workspace("ws-a0000003", state="ERROR"),
    ]
    aws.describe(listing)
    aws.add("describe_tags", {"TagList": []}, {"ResourceId": "ws-a0000001"})
    assert parse({"regions": ["us-east-1"], "hostnames": ["workspace_id"]}).hosts() == ["ws-a0000001"]

    aws.describe(listing)
    for workspace_id in ("ws-a0000001", "ws-a0000002", "ws-a0000003"):
        aws.add("describe_tags", {"TagList": []}, {"ResourceId": workspace_id})
    run = parse({"regions": ["us-east-1"], "hostnames": ["workspace_id"], "states": ["all"]})
    assert run.hosts() == ["ws-a0000001", "ws-a0000002", "ws-a0000003"]

    aws.describe(listing)
    aws.add("describe_tags", {"TagList": []}, {"ResourceId": "ws-a0000002"})
    aws.add("describe_tags", {"TagList": []}, {"ResourceId": "ws-a0000003"})
    run = parse({"regions": ["us-east-1"], "hostnames": ["workspace_id"], "states": ["stopped", "ERROR"]})
    assert run.hosts() == ["ws-a0000002", "ws-a0000003"]
    aws.assert_all_used()


def test_an_unknown_state_is_refused_before_any_call(aws, parse):
    with pytest.raises(AnsibleError, match=r"states: unknown WorkSpace state\(s\) RUNNING"):
        parse({"regions": ["us-east-1"], "states": ["AVAILABLE", "running"]})
    assert aws.sent == []


def test_directory_ids_query_each_directory_and_bundle_ids_narrow_the_result(aws, parse):
    aws.describe(
        [workspace("ws-a0000001"), workspace("ws-a0000002", bundle_id=BUNDLE_PWR)], expected={"DirectoryId": DIR_A}
    )
    aws.describe([workspace("ws-b0000001", directory_id=DIR_B)], expected={"DirectoryId": DIR_B})
    aws.add("describe_tags", {"TagList": []}, {"ResourceId": "ws-a0000001"})
    aws.add("describe_tags", {"TagList": []}, {"ResourceId": "ws-b0000001"})

    run = parse(
        {
            "regions": ["us-east-1"],
            "hostnames": ["workspace_id"],
            "directory_ids": [DIR_A, DIR_B],
            "bundle_ids": [BUNDLE_STD],
        }
    )

    aws.assert_all_used()
    assert run.hosts() == ["ws-a0000001", "ws-b0000001"]


def test_bundle_ids_alone_query_each_bundle(aws, parse):
    aws.describe([workspace("ws-a0000001")], expected={"BundleId": BUNDLE_STD})
    aws.describe([workspace("ws-a0000002", bundle_id=BUNDLE_PWR)], expected={"BundleId": BUNDLE_PWR})
    aws.add("describe_tags", {"TagList": []}, {"ResourceId": "ws-a0000001"})
    aws.add("describe_tags", {"TagList": []}, {"ResourceId": "ws-a0000002"})

    run = parse({"regions": ["us-east-1"], "hostnames": ["workspace_id"], "bundle_ids": [BUNDLE_STD, BUNDLE_PWR]})

    aws.assert_all_used()
    assert run.hosts() == ["ws-a0000001", "ws-a0000002"]


def test_malformed_directory_and_bundle_ids_are_refused_before_any_call(aws, parse):
    with pytest.raises(AnsibleError) as raised:
        parse({"regions": ["us-east-1"], "directory_ids": ["corp.example.com"], "bundle_ids": ["bundle-1"]})
    assert "directory_ids: 'corp.example.com' is not a directory ID" in str(raised.value)
    assert "bundle_ids: 'bundle-1' is not a bundle ID" in str(raised.value)
    assert aws.sent == []


def test_tag_filters_take_a_value_a_list_of_values_or_null_for_any_value(aws, parse):
    ids = [f"ws-a000000{n}" for n in range(1, 6)]
    aws.describe([workspace(workspace_id) for workspace_id in ids])
    aws.tags(
        [
            tag_mapping("us-east-1", ids[0], {"Patching": "weekly", "Owner": "it", "Tier": "1"}),
            tag_mapping("us-east-1", ids[1], {"Patching": "monthly", "Owner": "", "Tier": "1"}),
            tag_mapping("us-east-1", ids[2], {"Patching": "never", "Owner": "it", "Tier": "1"}),
            tag_mapping("us-east-1", ids[3], {"Patching": "weekly", "Tier": "1"}),  # no Owner tag
            tag_mapping("us-east-1", ids[4], {"Patching": "weekly", "Owner": "it", "Tier": "2"}),
        ]
    )

    run = parse(
        {
            "regions": ["us-east-1"],
            "hostnames": ["workspace_id"],
            "tag_filters": {"Patching": ["weekly", "monthly"], "Owner": None, "Tier": 1},
        }
    )

    assert run.hosts() == [ids[0], ids[1]]


def test_tag_filters_with_yaml_booleans_and_numbers_match_the_tag_values_as_aws_writes_them(aws, parse):
    ids = [f"ws-a000000{n}" for n in range(1, 6)]
    aws.describe([workspace(workspace_id) for workspace_id in ids])
    aws.tags(
        [
            tag_mapping("us-east-1", ids[0], {"Enabled": "true", "Pilot": "false", "Tier": "1", "Ratio": "0.5"}),
            tag_mapping("us-east-1", ids[1], {"Enabled": "true", "Pilot": "true", "Tier": "1", "Ratio": "0.5"}),
            tag_mapping("us-east-1", ids[2], {"Enabled": "false", "Pilot": "false", "Tier": "1", "Ratio": "0.5"}),
            tag_mapping("us-east-1", ids[3], {"Enabled": "True", "Pilot": "false", "Tier": "1", "Ratio": "0.5"}),
            tag_mapping("us-east-1", ids[4], {"Enabled": "true", "Pilot": "no", "Tier": "1", "Ratio": "0.5"}),
        ]
    )
    options = {"regions": ["us-east-1"], "hostnames": ["workspace_id"]}
    # The source file holds YAML booleans and numbers, not strings (yaml.safe_dump writes true, false, 1, 0.5).
    filters = {"Enabled": True, "Pilot": [False, "no"], "Tier": 1, "Ratio": 0.5}
    assert "Enabled: true" in yaml.safe_dump(filters)

    run = parse(dict(options, tag_filters=filters))

    # "True" (ids[3]) is not "true": values are still compared case-sensitively.
    assert run.hosts() == [ids[0], ids[4]]
    assert run.warnings == []


def test_tag_filter_values_turn_booleans_and_numbers_into_tag_text():
    assert plugin_module.tag_filter_values(
        {"a": True, "b": False, "c": [True, False, 1, "x"], "d": 7, "e": 0.25, "f": None, "g": "True"}
    ) == {
        "a": frozenset(["true"]),
        "b": frozenset(["false"]),
        "c": frozenset(["true", "false", "1", "x"]),
        "d": frozenset(["7"]),
        "e": frozenset(["0.25"]),
        "f": None,
        "g": frozenset(["True"]),
    }


# -- constructed: compose, groups, keyed_groups -------------------------------------------------------------------


def test_keyed_groups_compose_and_groups_with_names_made_valid(aws, parse):
    aws.describe(
        [
            workspace("ws-a0000001", user_name="jdoe", ComputerName="C1", IpAddress="10.0.0.1"),
            workspace(
                "ws-a0000002",
                user_name="asmith",
                ComputerName="C2",
                properties={"RunningMode": "ALWAYS_ON", "ComputeTypeName": "POWER"},
            ),
            workspace("ws-a0000003", user_name="bjones", ComputerName="C3"),
            workspace("ws-a0000004", user_name="ckim", ComputerName="C4"),
        ]
    )
    aws.tags(
        [
            tag_mapping("us-east-1", "ws-a0000001", {"Cost-Center": "R&D 42", "Department": "Finance"}),
            tag_mapping("us-east-1", "ws-a0000002", {"Cost-Center": "ops.eu", "Department": "IT"}),
            tag_mapping("us-east-1", "ws-a0000003", {"Department": "9-lab"}),
        ]
    )

    run = parse(
        {
            "regions": ["us-east-1"],
            "keyed_groups": [
                {"key": "workspace_tags['Cost-Center']", "prefix": "cost-center"},
                {"key": "workspace_tags.Department | default('none')", "prefix": "department"},
                {"key": "workspace_tags.Department", "prefix": "", "separator": ""},
                {"key": "region", "prefix": "aws-region"},
            ],
            "groups": {"power-users": "workspace_properties.compute_type_name in ['POWER', 'POWERPRO']"},
            "compose": {
                "ansible_user": "user_name",
                "patch_window": "'sunday' if workspace_tags.Department == 'IT' else 'friday'",
            },
        }
    )

    assert run.hosts("cost_center_R_D_42") == ["C1"]
    assert run.hosts("cost_center_ops_eu") == ["C2"]
    assert run.hosts("department_Finance") == ["C1"]
    assert run.hosts("department_none") == ["C4"]
    assert run.hosts("_9_lab") == ["C3"]  # a leading digit gets an underscore before it
    assert run.hosts("aws_region_us_east_1") == ["C1", "C2", "C3", "C4"]
    assert run.hosts("power_users") == ["C2"]
    assert run.hostvars("C1")["ansible_user"] == "jdoe"
    assert run.hostvars("C2")["patch_window"] == "sunday"
    assert run.hostvars("C1")["patch_window"] == "friday"
    assert all(VALID_GROUP.match(group) for group in run.groups()), sorted(run.groups())


def test_strict_makes_a_failing_compose_expression_an_error(aws, parse):
    aws.describe([workspace("ws-a0000001")])
    aws.add("describe_tags", {"TagList": []}, {"ResourceId": "ws-a0000001"})
    with pytest.raises(AnsibleError):
        parse({"regions": ["us-east-1"], "strict": True, "compose": {"owner": "workspace_tags.Owner.lower()"}})


# -- regions ------------------------------------------------------------------------------------------------------


def test_a_region_that_cannot_be_read_is_reported_and_the_others_still_load(aws, parse, tmp_path):
    aws.broken["ap-south-2"] = Unreachable(
        botocore.exceptions.EndpointConnectionError(endpoint_url="https://workspaces.ap-south-2.amazonaws.com/")
    )
    aws.broken["me-central-1"] = botocore.exceptions.UnknownServiceError(
        service_name="workspaces", known_service_names="ec2, s3"
    )
    aws.describe([workspace("ws-east0001")], region_name="us-east-1")
    aws.add("describe_tags", {"TagList": []}, {"ResourceId": "ws-east0001"}, region_name="us-east-1")
    aws.add_error("describe_workspaces", "AccessDeniedException", "not authorized", region_name="eu-west-1")
    aws.describe([workspace("ws-west0001")], region_name="us-west-2")
    aws.add("describe_tags", {"TagList": []}, {"ResourceId": "ws-west0001"}, region_name="us-west-2")

    run = parse(
        {
            "regions": ["us-east-1", "ap-south-2", "eu-west-1", "me-central-1", "us-west-2"],
            "hostnames": ["workspace_id"],
            "cache": True,
            "cache_plugin": "jsonfile",
            "cache_connection": str(tmp_path / "cache"),
        }
    )

    aws.assert_all_used()
    assert run.hosts() == ["ws-east0001", "ws-west0001"]
    assert run.hostvars("ws-west0001")["region"] == "us-west-2"
    by_region = {region_name: [w for w in run.warnings if f"region {region_name}:" in w] for region_name in aws.broken}
    assert "not available" in by_region["ap-south-2"][0] and "ap-south-2.amazonaws.com" in by_region["ap-south-2"][0]
    assert "Unknown service" in by_region["me-central-1"][0]
    (denied,) = [w for w in run.warnings if "eu-west-1" in w]
    assert "missing from this inventory" in denied and "AccessDeniedException: not authorized" in denied
    assert len(run.warnings) == 3
    # A listing that misses a region because of an AWS error is not cached as if it were complete.
    assert not list((tmp_path / "cache").glob("*"))


def test_regions_where_the_service_is_not_available_do_not_prevent_caching(aws, parse, tmp_path):
    aws.broken["ap-south-2"] = Unreachable(
        botocore.exceptions.EndpointConnectionError(endpoint_url="https://workspaces.ap-south-2.amazonaws.com/")
    )
    aws.add_error("describe_workspaces", "UnrecognizedClientException", "invalid token", region_name="af-south-1")
    aws.describe([workspace("ws-east0001")])
    aws.add("describe_tags", {"TagList": []}, {"ResourceId": "ws-east0001"})

    options = {
        "regions": ["us-east-1", "ap-south-2", "af-south-1"],
        "hostnames": ["workspace_id"],
        "cache": True,
        "cache_plugin": "jsonfile",
        "cache_connection": str(tmp_path / "cache"),
    }
    run = parse(options)

    assert run.hosts() == ["ws-east0001"]
    assert len(run.warnings) == 2
    assert any("af-south-1" in w and "may not be enabled" in w for w in run.warnings)
    assert len(list((tmp_path / "cache").glob("*"))) == 1


def test_when_no_region_can_be_read_the_source_fails_naming_each_region(aws, parse):
    aws.add_error("describe_workspaces", "UnrecognizedClientException", "bad token", region_name="us-east-1")
    aws.add_error("describe_workspaces", "AccessDeniedException", "denied", region_name="eu-west-1")

    with pytest.raises(AnsibleError) as raised:
        parse({"regions": ["us-east-1", "eu-west-1"]})

    message = str(raised.value)
    assert "no region could be read" in message
    assert "us-east-1: " in message and "bad token" in message
    assert "eu-west-1: AccessDeniedException: denied" in message


def test_without_regions_every_region_botocore_lists_for_workspaces_is_read(aws, parse):
    expected = sorted(botocore.session.get_session().get_available_regions("workspaces"))
    assert "us-east-1" in expected
    for region_name in expected:
        if region_name == "eu-central-1":
            aws.add_error("describe_workspaces", "UnrecognizedClientException", "not enabled", region_name=region_name)
        else:
            aws.describe([], region_name=region_name)

    run = parse({})

    aws.assert_all_used()
    assert run.hosts() == []
    assert [call[1] for call in aws.calls("DescribeWorkspaces")] == expected
    assert run.warnings == []  # a region that is not enabled is only mentioned with -v when regions were not named


def test_regions_may_be_templates(aws, parse):
    aws.describe([workspace("ws-a0000001")], region_name="eu-west-1")
    aws.add("describe_tags", {"TagList": []}, {"ResourceId": "ws-a0000001"}, region_name="eu-west-1")

    run = parse({"regions": ["{{ 'eu-' ~ 'west-1' }}"], "hostnames": ["workspace_id"]})

    aws.assert_all_used()
    assert run.hostvars("ws-a0000001")["region"] == "eu-west-1"


def test_throttled_pages_are_retried_and_the_endpoint_url_is_used_for_every_client(aws, parse):
    aws.add_error("describe_workspaces", "ThrottlingException", "Rate exceeded")
    aws.describe([workspace(f"ws-a000000{n}") for n in range(5)], next_token="t2")
    aws.add_error("describe_workspaces", "ThrottlingException", "Rate exceeded")
    aws.describe([workspace("ws-a0000009")], expected={"NextToken": "t2"})
    aws.add_error("get_resources", "ThrottlingException", "Rate exceeded", service="resourcegroupstaggingapi")
    aws.tags([tag_mapping("us-east-1", "ws-a0000009", {"Name": "last"})])

    run = parse({"regions": ["us-east-1"], "hostnames": ["workspace_id"], "endpoint_url": "http://127.0.0.1:5999"})

    aws.assert_all_used()
    assert len(run.hosts()) == 6
    assert run.hostvars("ws-a0000009")["workspace_tags"] == {"Name": "last"}
    assert set(aws.endpoints) == {"http://127.0.0.1:5999"}
    assert run.warnings == []


def test_connection_status_is_read_in_calls_of_25_when_asked(aws, parse):
    ids = [f"ws-c{n:07d}" for n in range(30)]
    aws.describe([workspace(workspace_id) for workspace_id in ids])
    aws.tags([])
    aws.add(
        "describe_workspaces_connection_status",
        {
            "WorkspacesConnectionStatus": [
                {"WorkspaceId": workspace_id, "ConnectionState": "CONNECTED"} for workspace_id in ids[:25]
            ]
        },
        {"WorkspaceIds": ids[:25]},
    )
    aws.add(
        "describe_workspaces_connection_status",
        {"WorkspacesConnectionStatus": [{"WorkspaceId": ids[25], "ConnectionState": "DISCONNECTED"}]},
        {"WorkspaceIds": ids[25:]},
    )

    run = parse({"regions": ["us-east-1"], "hostnames": ["workspace_id"], "include_connection_status": True})

    aws.assert_all_used()
    assert run.hostvars(ids[0])["connection_state"] == "CONNECTED"
    assert run.hostvars(ids[25])["connection_state"] == "DISCONNECTED"
    assert run.hostvars(ids[29])["connection_state"] is None  # no status known for it
    assert "connection_state" in run.hostvars(ids[29])


# -- caching --------------------------------------------------------------------------------------------------------


def test_a_cached_listing_is_served_without_any_call_and_constructed_options_still_apply(aws, parse, tmp_path):
    aws.describe([workspace("ws-a0000001", user_name="jdoe", ComputerName="C1", IpAddress="10.1.1.1")])
    aws.add("describe_tags", {"TagList": [{"Key": "Department", "Value": "IT"}]}, {"ResourceId": "ws-a0000001"})
    options = {
        "regions": ["us-east-1"],
        "cache": True,
        "cache_plugin": "jsonfile",
        "cache_connection": str(tmp_path / "cache"),
        "keyed_groups": [{"key": "workspace_tags.Department", "prefix": "department"}],
    }
    first = parse(options)
    calls_after_first = len(aws.sent)
    assert calls_after_first == 2

    second = parse(dict(options, hostnames=["user_name"]))

    assert len(aws.sent) == calls_after_first  # nothing asked of AWS
    assert first.hosts() == ["C1"]
    assert second.hosts() == ["jdoe"]
    assert second.hosts("department_IT") == ["jdoe"]
    assert second.hosts("workspaces_state_available") == ["jdoe"]
    assert second.hostvars("jdoe")["ansible_host"] == "10.1.1.1"
    assert second.hostvars("jdoe")["workspace_tags"] == {"Department": "IT"}

    # refresh (cache=False from --flush-cache) reads again
    aws.describe([])
    third = parse(options, cache=False)
    assert third.hosts() == []
    assert len(aws.sent) == calls_after_first + 1


def test_only_workspaces_source_files_are_accepted(aws, tmp_path):
    register_plugin_options()
    plugin = plugin_module.InventoryModule()
    for name, accepted in (
        ("office.workspaces.yml", True),
        ("office.workspaces.yaml", True),
        ("workspaces.yml", True),
        ("office.aws_ec2.yml", False),
        ("office.yml", False),
    ):
        path = Path(tmp_path / name)
        path.write_text("plugin: euc.workspaces.workspaces\n")
        assert plugin.verify_file(str(path)) is accepted, name


# -- pure helpers -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("workspaces_directory_d-1234567890", "workspaces_directory_d_1234567890"),
        ("dept_R&D 42", "dept_R_D_42"),
        ("9lab", "_9lab"),
        ("a.b:c/d", "a_b_c_d"),
        ("already_fine", "already_fine"),
    ],
)
def test_safe_group_name(raw, safe):
    assert plugin_module.safe_group_name(raw) == safe
