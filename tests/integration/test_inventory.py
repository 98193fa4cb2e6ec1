"""The euc.workspaces.workspaces inventory plugin in real ansible-inventory against the local endpoint.

One endpoint for the module, seeded with boto3: 110 WorkSpaces in two directories of us-east-1 (CreateWorkspaces
in batches of 25) and 3 in a directory of eu-west-1, some tagged, one STOPPED and one in ERROR.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from endpoint import Endpoint
from endpoint.extension import AMAZON_BUNDLES, LINUX_BUNDLE_ID, WINDOWS_BUNDLE_ID
from harness import registered_directories_in

REPO = Path(__file__).resolve().parents[2]
POWER_BUNDLE_ID = next(b["BundleId"] for b in AMAZON_BUNDLES if b["ComputeType"]["Name"] == "POWER")
VALID_GROUP = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
CORP_COUNT, LAB_COUNT, EU_COUNT = 60, 50, 3


def chunks(items, size=25):
    return [items[start : start + size] for start in range(0, len(items), size)]


def corp_request(directory_id, n):
    """corp: Windows Standard, AUTO_STOP for every other WorkSpace, Department tags on most, a Cost-Center on some."""
    request = {
        "DirectoryId": directory_id,
        "UserName": f"corp{n:03d}",
        "BundleId": WINDOWS_BUNDLE_ID,
        "WorkspaceProperties": {"RunningMode": "AUTO_STOP" if n % 2 else "ALWAYS_ON"},
    }
    tags = []
    if n % 3 == 0:
        tags.append({"Key": "Department", "Value": "Finance"})
    elif n % 3 == 1:
        tags.append({"Key": "Department", "Value": "IT"})
    if n % 10 == 0:
        tags.append({"Key": "Cost-Center", "Value": "R&D 42"})
    if tags:
        request["Tags"] = tags
    return request


def lab_request(directory_id, n):
    """lab: Linux Standard for most, Power Windows for every fifth; Patching tags on the even ones."""
    request = {
        "DirectoryId": directory_id,
        "UserName": f"lab{n:03d}",
        "BundleId": POWER_BUNDLE_ID if n % 5 == 0 else LINUX_BUNDLE_ID,
    }
    if n % 2 == 0:
        request["Tags"] = [{"Key": "Patching", "Value": "weekly" if n % 4 == 0 else "monthly"}]
    return request


class Fleet:
    """The seeded endpoint and what it holds, read back with boto3 (the truth the inventory is compared with)."""

    regions = ("us-east-1", "eu-west-1")

    def __init__(self, endpoint, corp, lab, eu):
        self.endpoint = endpoint
        self.corp, self.lab, self.eu = corp, lab, eu
        self.by_id = {}
        for region in self.regions:
            client = endpoint.client("workspaces", region, setup=True)
            for page in client.get_paginator("describe_workspaces").paginate():
                for workspace in page["Workspaces"]:
                    self.by_id[workspace["WorkspaceId"]] = dict(workspace, Region=region)
        tagging = {region: endpoint.client("resourcegroupstaggingapi", region, setup=True) for region in self.regions}
        self.tags = {workspace_id: {} for workspace_id in self.by_id}
        for client in tagging.values():
            for page in client.get_paginator("get_resources").paginate(ResourceTypeFilters=["workspaces:workspace"]):
                for mapping in page["ResourceTagMappingList"]:
                    workspace_id = mapping["ResourceARN"].rsplit("/", 1)[-1]
                    self.tags[workspace_id] = {tag["Key"]: tag["Value"] for tag in mapping["Tags"]}

    def ids(self, **where):
        """WorkSpace IDs whose fields (Region, State, DirectoryId, BundleId, ...) have these values."""
        return {
            workspace_id
            for workspace_id, workspace in self.by_id.items()
            if all(workspace.get(key) == value for key, value in where.items())
        }

    def by_user(self, user_name):
        (workspace_id,) = [i for i, w in self.by_id.items() if w["UserName"] == user_name]
        return workspace_id


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    with Endpoint.start(delay=0.0) as endpoint:
        corp, lab, eu = registered_directories_in(
            endpoint,
            tmp_path_factory.mktemp("setup"),
            [("us-east-1", "corp.example.com"), ("us-east-1", "lab.example.com"), ("eu-west-1", "eu.example.com")],
        )
        workspaces = endpoint.client("workspaces", setup=True)
        requests = [corp_request(corp, n) for n in range(CORP_COUNT)] + [lab_request(lab, n) for n in range(LAB_COUNT)]
        for batch in chunks(requests):
            answer = workspaces.create_workspaces(Workspaces=batch)
            assert answer["FailedRequests"] == [], answer["FailedRequests"]
        eu_client = endpoint.client("workspaces", "eu-west-1", setup=True)
        eu_batch = [{"DirectoryId": eu, "UserName": f"eu{n}", "BundleId": WINDOWS_BUNDLE_ID} for n in range(EU_COUNT)]
        assert eu_client.create_workspaces(Workspaces=eu_batch)["FailedRequests"] == []
        # delay=0: every WorkSpace is AVAILABLE, with an IP address and a computer name, at the next describe.
        workspaces.describe_workspaces(Limit=1)
        eu_client.describe_workspaces(Limit=1)
        seeded = Fleet(endpoint, corp, lab, eu)
        endpoint.force_state(seeded.by_user("corp001"), "STOPPED")
        endpoint.force_state(seeded.by_user("lab001"), "ERROR", "ResourceNotFound.User", "user gone")
        yield Fleet(endpoint, corp, lab, eu)


def unwrap(value):
    """ansible-inventory marks strings from plugins as unsafe ({"__ansible_unsafe": "..."}); the plain values."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {key: unwrap(item) for key, item in value.items()}
    if isinstance(value, list):
        return [unwrap(item) for item in value]
    return value


def write_source(directory: Path, endpoint, name="demo.workspaces.yml", **options) -> Path:
    config = {
        "plugin": "euc.workspaces.workspaces",
        "regions": ["us-east-1", "eu-west-1"],
        "endpoint_url": endpoint.url,
    }
    config.update(options)
    path = directory / name
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def ansible_inventory(endpoint, source: Path, *arguments: str) -> subprocess.CompletedProcess:
    command = Path(sys.executable).with_name("ansible-inventory")
    env = dict(os.environ, **endpoint.env())
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", str(REPO / ".tmp" / "collections"))
    # A source the plugin cannot parse must fail the command, not leave an empty inventory behind a warning.
    env["ANSIBLE_INVENTORY_UNPARSED_FAILED"] = "true"
    env["ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED"] = "true"
    env["ANSIBLE_DEPRECATION_WARNINGS"] = "true"
    result = subprocess.run(
        [str(command) if command.exists() else "ansible-inventory", "-i", str(source), *arguments],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, f"ansible-inventory failed:\n{result.stdout[-5000:]}\n{result.stderr[-5000:]}"
    return result


def listed(endpoint, source: Path, *arguments: str) -> tuple[dict, str]:
    result = ansible_inventory(endpoint, source, "--list", *arguments)
    return unwrap(json.loads(result.stdout)), result.stderr


def group_hosts(inventory: dict, group: str) -> set[str]:
    return set(inventory.get(group, {}).get("hosts", []))


def service_calls(endpoint) -> dict[str, int]:
    """Counts of every WorkSpaces and tagging request since the last reset."""
    counts = endpoint.calls()["counts"]
    return {key: value for key, value in counts.items() if key.startswith(("workspaces:", "tagging:"))}


def test_list_has_every_workspace_with_its_fields_tags_and_default_groups(fleet, tmp_path):
    endpoint = fleet.endpoint
    source = write_source(
        tmp_path,
        endpoint,
        states=["AVAILABLE", "STOPPED"],
        hostnames=["computer_name", "workspace_id"],
        keyed_groups=[
            {"key": "workspace_tags.Department | default('unassigned')", "prefix": "department"},
            {"key": "workspace_tags['Cost-Center']", "prefix": "cost-center"},
            {"key": "region", "prefix": "region"},
        ],
        groups={"power_users": "workspace_properties.compute_type_name == 'POWER'"},
        compose={"ansible_user": "user_name", "desktop_os": "workspace_properties.operating_system_name"},
    )
    endpoint.reset()

    inventory, stderr = listed(endpoint, source)

    hostvars = inventory["_meta"]["hostvars"]
    name_of = {host["workspace_id"]: name for name, host in hostvars.items()}
    error_id = fleet.by_user("lab001")
    expected_ids = set(fleet.by_id) - {error_id}
    assert len(fleet.by_id) == CORP_COUNT + LAB_COUNT + EU_COUNT
    assert set(name_of) == expected_ids  # every WorkSpace but the one in ERROR (states filter)
    assert len(hostvars) == len(expected_ids) == 112

    # Host variables: the WorkSpace's fields in snake_case, tags as a dict in workspace_tags, region, ansible_host.
    for workspace_id, name in name_of.items():
        truth, host = fleet.by_id[workspace_id], hostvars[name]
        assert name == truth["ComputerName"]
        assert host["ansible_host"] == truth["IpAddress"] == host["ip_address"]
        assert host["directory_id"] == truth["DirectoryId"]
        assert host["bundle_id"] == truth["BundleId"]
        assert host["user_name"] == truth["UserName"]
        assert host["state"] == truth["State"]
        assert host["region"] == truth["Region"]
        assert host["workspace_tags"] == fleet.tags[workspace_id]
        assert "tags" not in host
        assert host["workspace_properties"]["running_mode"] == truth["WorkspaceProperties"]["RunningMode"]
        assert host["ansible_user"] == truth["UserName"]  # compose
        assert host["desktop_os"] == truth["WorkspaceProperties"]["OperatingSystemName"]
    corp010 = hostvars[name_of[fleet.by_user("corp010")]]
    assert corp010["workspace_tags"] == {"Department": "IT", "Cost-Center": "R&D 42"}
    assert corp010["workspace_properties"]["compute_type_name"] == "STANDARD"

    def names(ids):
        return {name_of[i] for i in ids if i in name_of}

    # Default groups: directory, bundle, state, running mode, compute type.
    assert group_hosts(inventory, "workspaces") == set(hostvars)
    assert group_hosts(inventory, f"workspaces_directory_{fleet.corp.replace('-', '_')}") == names(
        fleet.ids(DirectoryId=fleet.corp)
    )
    lab_group = group_hosts(inventory, f"workspaces_directory_{fleet.lab.replace('-', '_')}")
    assert lab_group == names(fleet.ids(DirectoryId=fleet.lab)) and len(lab_group) == LAB_COUNT - 1
    assert len(group_hosts(inventory, f"workspaces_directory_{fleet.eu.replace('-', '_')}")) == EU_COUNT
    for bundle_id in (WINDOWS_BUNDLE_ID, LINUX_BUNDLE_ID, POWER_BUNDLE_ID):
        assert group_hosts(inventory, f"workspaces_bundle_{bundle_id.replace('-', '_')}") == names(
            fleet.ids(BundleId=bundle_id)
        )
    assert group_hosts(inventory, "workspaces_state_stopped") == {name_of[fleet.by_user("corp001")]}
    assert len(group_hosts(inventory, "workspaces_state_available")) == 111
    assert "workspaces_state_error" not in inventory
    auto_stop = {i for i, w in fleet.by_id.items() if w["WorkspaceProperties"]["RunningMode"] == "AUTO_STOP"}
    assert len(auto_stop) == CORP_COUNT // 2
    assert group_hosts(inventory, "workspaces_running_mode_auto_stop") == names(auto_stop)
    assert group_hosts(inventory, "workspaces_running_mode_always_on") == set(hostvars) - names(auto_stop)
    power = fleet.ids(BundleId=POWER_BUNDLE_ID)
    assert group_hosts(inventory, "workspaces_compute_type_power") == names(power)
    assert group_hosts(inventory, "workspaces_compute_type_standard") == set(hostvars) - names(power)

    # keyed_groups, groups and names that are valid Ansible group names.
    finance = {i for i, tags in fleet.tags.items() if tags.get("Department") == "Finance"}
    assert group_hosts(inventory, "department_Finance") == names(finance)
    unassigned = group_hosts(inventory, "department_unassigned")
    assert unassigned == names({i for i, tags in fleet.tags.items() if "Department" not in tags})
    assert len(unassigned) == CORP_COUNT // 3 + LAB_COUNT - 1 + EU_COUNT
    assert group_hosts(inventory, "cost_center_R_D_42") == names(
        {i for i, tags in fleet.tags.items() if tags.get("Cost-Center") == "R&D 42"}
    )
    assert len(group_hosts(inventory, "cost_center_R_D_42")) == CORP_COUNT // 10
    assert len(group_hosts(inventory, "region_eu_west_1")) == EU_COUNT
    assert group_hosts(inventory, "power_users") == names(power)
    assert all(VALID_GROUP.match(group) for group in inventory if group != "_meta"), sorted(inventory)
    assert "Invalid characters were found in group names" not in stderr
    assert "DEPRECATION" not in stderr, stderr  # amazon.aws's option templating would pass disable_lookups

    # Complete listing in few calls: 25 WorkSpaces a page, tags in bulk, nothing written.
    calls = service_calls(endpoint)
    assert calls["workspaces:DescribeWorkspaces"] == math.ceil((CORP_COUNT + LAB_COUNT) / 25) + 1
    # us-east-1: its 67 tagged WorkSpaces in one page of the tagging API; eu-west-1: only 3 WorkSpaces, which is
    # cheaper with one DescribeTags each (reads.PER_RESOURCE_TAG_LIMIT).
    assert calls["tagging:GetResources"] == 1
    assert calls["workspaces:DescribeTags"] == EU_COUNT
    assert endpoint.mutating_calls() == 0


def test_no_host_variable_uses_a_reserved_name_and_tags_are_in_workspace_tags(fleet, tmp_path):
    """ansible-core warns "Found variable using reserved name" for host variables named like play keywords."""
    source = write_source(
        tmp_path,
        fleet.endpoint,
        regions=["us-east-1"],
        states=["all"],
        hostnames=["user_name"],
        include_connection_status=True,
        tag_filters={"Department": "IT"},
        keyed_groups=[{"key": "workspace_tags.Department", "prefix": "department"}],
    )

    inventory, stderr = listed(fleet.endpoint, source)
    host_result = ansible_inventory(fleet.endpoint, source, "--host", "corp010")

    for output in (stderr, host_result.stderr):
        assert "reserved name" not in output, output
        assert "[WARNING]" not in output, output

    expected = {f"corp{n:03d}" for n in range(CORP_COUNT) if n % 3 == 1}
    hostvars = inventory["_meta"]["hostvars"]
    assert set(hostvars) == expected
    assert group_hosts(inventory, "department_IT") == expected
    assert hostvars["corp010"]["workspace_tags"] == {"Department": "IT", "Cost-Center": "R&D 42"}
    assert unwrap(json.loads(host_result.stdout))["workspace_tags"] == {"Department": "IT", "Cost-Center": "R&D 42"}
    variables = {name for host in hostvars.values() for name in host}
    assert "tags" not in variables
    assert "connection_state" in variables  # the names include_connection_status adds were checked too


def test_graph_shows_the_groups_and_their_hosts(fleet, tmp_path):
    source = write_source(tmp_path, fleet.endpoint, hostnames=["user_name"])

    graph = ansible_inventory(fleet.endpoint, source, "--graph").stdout
    auto_stop = ansible_inventory(fleet.endpoint, source, "--graph", "workspaces_running_mode_auto_stop").stdout

    assert "@all:" in graph
    assert "|--@workspaces:" in graph
    lab_group = f"|--@workspaces_directory_{fleet.lab.replace('-', '_')}:"
    assert lab_group in graph
    assert "|--@workspaces_state_available:" in graph
    assert "|--@workspaces_compute_type_power:" in graph
    assert re.search(r"\|--lab000$", graph, re.MULTILINE)
    assert "lab001" not in graph  # ERROR: not AVAILABLE, the default states filter
    assert "corp001" not in graph  # STOPPED
    hosts = re.findall(r"\|--(\w+)$", auto_stop, re.MULTILINE)
    assert sorted(hosts) == sorted(f"corp{n:03d}" for n in range(CORP_COUNT) if n % 2 and n != 1)


def test_filters_by_directory_bundle_and_tags(fleet, tmp_path):
    source = write_source(
        tmp_path,
        fleet.endpoint,
        regions=["us-east-1"],
        directory_ids=[fleet.lab],
        bundle_ids=[LINUX_BUNDLE_ID],
        tag_filters={"Patching": ["weekly"]},
        hostnames=["user_name"],
    )
    fleet.endpoint.reset()

    inventory = listed(fleet.endpoint, source)[0]

    expected = {f"lab{n:03d}" for n in range(LAB_COUNT) if n % 4 == 0 and n % 5 != 0}
    assert set(inventory["_meta"]["hostvars"]) == expected
    # One directory: one DirectoryId query of two pages (50 WorkSpaces), not the whole region.
    assert service_calls(fleet.endpoint)["workspaces:DescribeWorkspaces"] == 2


def test_throttled_calls_are_retried_and_the_listing_stays_complete(fleet, tmp_path):
    source = write_source(tmp_path, fleet.endpoint, regions=["us-east-1"], hostnames=["workspace_id"], states=["all"])
    fleet.endpoint.configure(throttle_rate=0.4, seed=9)
    fleet.endpoint.reset()
    try:
        inventory, stderr = listed(fleet.endpoint, source)
        log = fleet.endpoint.calls()["log"]
    finally:
        fleet.endpoint.configure(throttle_rate=0.0, seed=None)

    assert set(inventory["_meta"]["hostvars"]) == fleet.ids(Region="us-east-1")
    assert any(entry["fault"] == "throttle" for entry in log), "the endpoint throttled nothing: the test proves nothing"
    assert "could not read region" not in stderr


def test_a_cached_inventory_is_served_without_any_api_call(fleet, tmp_path):
    cache = tmp_path / "cache"
    source = write_source(
        tmp_path,
        fleet.endpoint,
        hostnames=["user_name"],
        cache=True,
        cache_plugin="ansible.builtin.jsonfile",
        cache_connection=str(cache),
        cache_timeout=600,
        keyed_groups=[{"key": "workspace_tags.Patching", "prefix": "patching"}],
    )
    fleet.endpoint.reset()
    first = listed(fleet.endpoint, source)[0]
    assert service_calls(fleet.endpoint)["workspaces:DescribeWorkspaces"] > 0
    assert len(list(cache.iterdir())) == 1

    fleet.endpoint.reset()
    second = listed(fleet.endpoint, source)[0]

    assert service_calls(fleet.endpoint) == {}  # not a single WorkSpaces or tagging request
    assert second == first
    assert len(second["_meta"]["hostvars"]) == 111
    assert group_hosts(second, "patching_weekly") == {f"lab{n:03d}" for n in range(0, LAB_COUNT, 4)}

    # --flush-cache reads the service again.
    fleet.endpoint.reset()
    third = listed(fleet.endpoint, source, "--flush-cache")[0]
    assert service_calls(fleet.endpoint)["workspaces:DescribeWorkspaces"] > 0
    assert third == first
