"""docs/iam/*.json hold exactly the IAM actions that each module, the role and the inventory plugin call.

Each scenario drives one of them through every path that reaches the API (tests/integration/iam/<name>.yml, or
ansible-inventory for the plugin) against its own local endpoint, and reads the endpoint's request log. The
actions seen there, mapped to IAM names (``workspaces:<Action>``, ``tag:GetResources``, ``ds:<Action>``), must be
the policy's actions: nothing the code calls is missing, and nothing it never calls is granted.

A statement whose Sid starts with ``NotSeenLocally`` holds actions a path the endpoint cannot reach needs; the test
checks that none of them was seen after all (it would belong in the main statement then) and that docs/iam/README.md
explains each of them.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import botocore.session
import pytest
import yaml

from harness import run_playbook

REPO = Path(__file__).resolve().parents[2]
POLICIES = REPO / "docs" / "iam"
SCENARIOS = Path(__file__).resolve().parent / "iam"
# The SigV4 signing name the endpoint logs -> the IAM service prefix.
IAM_PREFIX = {"workspaces": "workspaces", "tagging": "tag", "ds": "ds", "sts": "sts"}
# AWS answers these for any identity; IAM cannot grant or deny them, so no policy lists them (docs/iam/README.md).
NEEDS_NO_PERMISSION = frozenset({"sts:GetCallerIdentity"})
# The botocore clients the collection makes (plugins/module_utils/client.py) -> the IAM service prefix.
CLIENT_PREFIX = {"workspaces": "workspaces", "resourcegroupstaggingapi": "tag", "ds": "ds"}
UNSEEN_SID = "NotSeenLocally"
MODULES = sorted(p.stem for p in (REPO / "plugins" / "modules").glob("*.py") if p.name != "__init__.py")
ROLES = sorted(p.name for p in (REPO / "roles").iterdir() if (p / "tasks" / "main.yml").exists())
INVENTORY = sorted(p.stem for p in (REPO / "plugins" / "inventory").glob("*.py") if p.name != "__init__.py")
POLICY_NAMES = MODULES + [f"{role}_role" for role in ROLES] + [f"{name}_inventory" for name in INVENTORY]
SEEDED_USERS = ["iam-u1", "iam-u2", "iam-u3", "iam-u4", "iam-named"]


def load_policy(name: str) -> dict:
    return json.loads((POLICIES / f"{name}.json").read_text())


def policy_actions(name: str) -> tuple[set[str], set[str]]:
    """(actions of the statements the endpoint exercises, actions of the NotSeenLocally statements)."""
    seen, unseen = set(), set()
    for statement in load_policy(name)["Statement"]:
        actions = statement["Action"]
        (unseen if statement["Sid"].startswith(UNSEEN_SID) else seen).update(actions)
    return seen, unseen


def observed_actions(endpoint) -> set[str]:
    """IAM names of every AWS request in the endpoint's log since the last reset."""
    actions = set()
    for entry in endpoint.calls()["log"]:
        prefix = IAM_PREFIX.get(entry["service"])
        assert prefix, f"a request to a service no policy covers: {entry}"
        actions.add(f"{prefix}:{entry['action']}")
    return actions - NEEDS_NO_PERMISSION


def play(endpoint, tmp_path: Path, name: str, variables: dict, *options: str) -> None:
    """Run tests/integration/iam/<name>.yml with the variables (as a JSON file); it must succeed."""
    vars_file = tmp_path / f"vars-{len(list(tmp_path.glob('vars-*')))}.json"
    vars_file.write_text(json.dumps({"endpoint_url": endpoint.url, **variables}))
    playbook = tmp_path / f"{name}.yml"
    playbook.write_text((SCENARIOS / f"{name}.yml").read_text())
    result = run_playbook(endpoint, playbook, {}, "-e", f"@{vars_file}", *options)
    assert result.returncode == 0, f"{name} failed:\n{result.stdout[-20000:]}\n{result.stderr[-5000:]}"


def seed_workspaces(endpoint, directory_id: str, users: list[str]) -> list[str]:
    """WorkSpaces made with a set-up client before the log is reset (the last one named iam-named)."""
    workspaces = endpoint.client("workspaces", setup=True)
    requests = [
        {
            "DirectoryId": directory_id,
            "UserName": user,
            "BundleId": "wsb-gk1wpk43z",
            **({"WorkspaceName": user} if user == "iam-named" else {}),
            "Tags": [{"Key": "seeded", "Value": "yes"}],
        }
        for user in users
    ]
    created = workspaces.create_workspaces(Workspaces=requests)
    assert not created["FailedRequests"], created["FailedRequests"]
    return [w["WorkspaceId"] for w in created["PendingRequests"]]


def subnets_of(endpoint, directory_id: str) -> list[str]:
    ds = endpoint.client("ds", setup=True)
    return ds.describe_directories(DirectoryIds=[directory_id])["DirectoryDescriptions"][0]["VpcSettings"]["SubnetIds"]


# -- one scenario per policy: each returns what the endpoint saw ----------------------------------------------


def scenario_workspace(endpoint, tmp_path):
    directory_id = endpoint.create_registered_directory()
    endpoint.reset()
    play(endpoint, tmp_path, "workspace", {"directory_id": directory_id})
    return observed_actions(endpoint)


def scenario_workspace_info(endpoint, tmp_path):
    directory_id = endpoint.create_registered_directory()
    seed_workspaces(endpoint, directory_id, SEEDED_USERS)
    endpoint.reset()
    play(endpoint, tmp_path, "workspace_info", {"directory_id": directory_id})
    return observed_actions(endpoint)


def scenario_bundle_info(endpoint, tmp_path):
    endpoint.reset()
    play(endpoint, tmp_path, "bundle_info", {})
    return observed_actions(endpoint)


def scenario_directory_info(endpoint, tmp_path):
    directory_id = endpoint.create_registered_directory()
    endpoint.client("workspaces", setup=True).create_tags(ResourceId=directory_id, Tags=[{"Key": "a", "Value": "b"}])
    endpoint.reset()
    play(endpoint, tmp_path, "directory_info", {"directory_id": directory_id})
    return observed_actions(endpoint)


def scenario_directory(endpoint, tmp_path):
    directory_id = endpoint.create_directory(name="corp.example.com")
    creating = endpoint.create_directory(name="lab.example.com", stage="Creating", active_after=3600)
    endpoint.reset()
    variables = {
        "directory_id": directory_id,
        "creating_directory_id": creating,
        "subnet_ids": subnets_of(endpoint, directory_id),
    }
    play(endpoint, tmp_path, "directory", variables)
    return observed_actions(endpoint)


def scenario_provision_role(endpoint, tmp_path):
    """Plan and apply a roster of five; then a changed roster (a property, a tag key swapped) with
    provision_exclusive terminating the one user left out, and the report; then two users whose tags change (few
    enough that tags are read per WorkSpace)."""
    directory_id = endpoint.create_registered_directory()

    def user(n, **settings):
        return {"user_name": f"iam-r{n}", "bundle_id": "wsb-gk1wpk43z", "running_mode": "AUTO_STOP", **settings}

    common = {"provision_directory_id": directory_id, "provision_wait_interval": 1}
    runs = [
        ({"provision_users": [user(n, tags={"team": "a"}) for n in range(1, 6)]}, ("--check", "--diff")),
        ({"provision_users": [user(n, tags={"team": "a"}) for n in range(1, 6)]}, ()),
        (
            {
                "provision_users": [user(n, running_mode="ALWAYS_ON", tags={"owner": "b"}) for n in range(2, 6)],
                "provision_purge_tags": True,
                "provision_exclusive": True,
                "provision_max_terminations": 1,
                "provision_report_path": str(tmp_path / "report.csv"),
            },
            (),
        ),
        ({"provision_users": [user(n, running_mode="ALWAYS_ON", tags={"owner": "c"}) for n in (2, 3)]}, ()),
    ]
    endpoint.reset()
    for variables, options in runs:
        play(endpoint, tmp_path, "provision_role", {**common, **variables}, *options)
    assert (tmp_path / "report.csv").exists()
    return observed_actions(endpoint)


def scenario_workspaces_inventory(endpoint, tmp_path):
    corp = endpoint.create_registered_directory(name="corp.example.com")
    lab = endpoint.create_registered_directory(name="lab.example.com")
    seed_workspaces(endpoint, corp, SEEDED_USERS)  # more than 3: tags in bulk
    seed_workspaces(endpoint, lab, ["iam-lab1"])  # a few: DescribeTags
    endpoint.reset()
    sources = {
        "all.workspaces.yml": {"include_connection_status": True, "tag_filters": {"seeded": "yes"}},
        "lab.workspaces.yml": {"directory_ids": [lab], "states": ["AVAILABLE"]},
        "bundle.workspaces.yml": {"bundle_ids": ["wsb-gk1wpk43z"]},
    }
    env = dict(os.environ, **endpoint.env(), ANSIBLE_INVENTORY_UNPARSED_FAILED="true")
    command = Path(sys.executable).with_name("ansible-inventory")
    for file_name, options in sources.items():
        source = tmp_path / file_name
        config = {"plugin": "euc.workspaces.workspaces", "regions": ["us-east-1"], "endpoint_url": endpoint.url}
        source.write_text(yaml.safe_dump({**config, **options}))
        result = subprocess.run(
            [str(command), "-i", str(source), "--list"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, f"{file_name}:\n{result.stdout[-5000:]}\n{result.stderr[-5000:]}"
        assert "WSAMZN" in result.stdout or "ws-" in result.stdout, f"{file_name} listed no host:\n{result.stdout}"
    return observed_actions(endpoint)


SCENARIO = {name: globals()[f"scenario_{name}"] for name in POLICY_NAMES if f"scenario_{name}" in globals()}


# -- the tests ------------------------------------------------------------------------------------------------


def test_every_module_role_and_inventory_plugin_has_a_policy_and_a_scenario():
    files = sorted(p.stem for p in POLICIES.glob("*.json"))
    assert files == sorted(POLICY_NAMES)
    assert sorted(SCENARIO) == sorted(POLICY_NAMES)


@pytest.mark.parametrize("name", POLICY_NAMES)
def test_policy_is_a_well_formed_least_privilege_document(name):
    policy = load_policy(name)
    assert set(policy) == {"Version", "Statement"} and policy["Version"] == "2012-10-17"
    sids = [statement["Sid"] for statement in policy["Statement"]]
    assert len(sids) == len(set(sids)) and all(re.fullmatch(r"[A-Za-z0-9]+", sid) for sid in sids)
    everything = []
    for statement in policy["Statement"]:
        assert set(statement) == {"Sid", "Effect", "Action", "Resource"}, statement
        assert statement["Effect"] == "Allow" and statement["Resource"] == "*"
        assert statement["Action"] == sorted(statement["Action"]), f"{statement['Sid']}: keep actions sorted"
        everything += statement["Action"]
    assert len(everything) == len(set(everything)), "an action is listed twice"
    assert all(re.fullmatch(r"(workspaces|tag|ds):[A-Z][A-Za-z]+", action) for action in everything), everything


@pytest.mark.parametrize("name", POLICY_NAMES)
def test_policy_is_what_the_endpoint_saw(name, endpoint, tmp_path):
    seen_policy, unseen_policy = policy_actions(name)
    observed = SCENARIO[name](endpoint, tmp_path)
    assert observed == seen_policy, (
        f"docs/iam/{name}.json: called but not granted {sorted(observed - seen_policy)}; "
        f"granted but never called {sorted(seen_policy - observed)}"
    )
    assert not observed & unseen_policy, f"seen after all, move out of {UNSEEN_SID}: {sorted(observed & unseen_policy)}"


def test_actions_not_seen_locally_are_explained():
    readme = (POLICIES / "README.md").read_text()
    for action in sorted(NEEDS_NO_PERMISSION):
        assert f"`{action}`" in readme, f"docs/iam/README.md does not explain why {action} is in no policy"
    for name in POLICY_NAMES:
        _seen, unseen = policy_actions(name)
        for action in sorted(unseen):
            assert f"`{action}`" in readme, f"docs/iam/README.md does not explain {action} ({name}.json)"


def test_every_operation_the_code_names_is_in_some_policy():
    """A static net under the scenarios: any API operation named in plugins/ (as client.method or in a table of
    method names) is granted by at least one policy, so a new call cannot hide in a path no scenario takes.
    NotSeenLocally statements are left out: they hold what AWS checks besides the operations the code calls."""
    session = botocore.session.get_session()
    operations = {}
    for client_name, prefix in CLIENT_PREFIX.items():
        model = session.get_service_model(client_name)
        for operation in model.operation_names:
            operations[botocore.xform_name(operation)] = f"{prefix}:{operation}"
    source = "\n".join(p.read_text() for p in (REPO / "plugins").rglob("*.py"))
    named = {operations[word] for word in set(re.findall(r"\b[a-z][a-z_]+\b", source)) if word in operations}
    granted = set().union(*(policy_actions(name)[0] for name in POLICY_NAMES))
    assert named - granted == set(), f"operations in plugins/ that no policy grants: {sorted(named - granted)}"
    assert granted - named == set(), f"granted but never named in plugins/: {sorted(granted - named)}"
