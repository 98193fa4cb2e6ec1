"""The info modules against 60+ WorkSpaces across two directories, seeded with boto3 before the playbook runs.

The seeding happens here rather than in an integration target because creating WorkSpaces from a playbook needs
the `workspace` module (or SigV4-signed calls, which ansible.builtin.uri cannot make). Everything the playbook
asserts is computed from what was seeded, and passed to it as the `seeded` variable.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

from endpoint import extension
from harness import TARGETS, run_playbook, target_vars

HERE = Path(__file__).resolve().parent
PLAYBOOKS = HERE / "info_modules"

FIRST_DIRECTORY_COUNT = 40
SECOND_DIRECTORY_COUNT = 24
SHARED_USER = "jdoe"


def seed_workspaces(endpoint, first_directory: str, second_directory: str) -> dict:
    """Create the WorkSpaces (25 a call), stop and break a few, tag a directory; return what was made."""
    client = endpoint.client("workspaces", setup=True)
    requests = []
    for directory, prefix, count in (
        (first_directory, "a", FIRST_DIRECTORY_COUNT),
        (second_directory, "b", SECOND_DIRECTORY_COUNT),
    ):
        for number in range(1, count + 1):
            user = SHARED_USER if number == 1 else f"{prefix}user{number:03d}"
            request = {
                "DirectoryId": directory,
                "UserName": user,
                "BundleId": extension.LINUX_BUNDLE_ID if number % 4 == 0 else extension.WINDOWS_BUNDLE_ID,
                "WorkspaceProperties": {"RunningMode": "AUTO_STOP"},
            }
            if number % 5:  # every fifth WorkSpace has no tags at all
                request["Tags"] = [
                    {"Key": "team", "Value": f"team-{number % 3}"},
                    {"Key": "owner", "Value": user},
                    {"Key": "seq", "Value": f"{prefix}{number}"},
                ]
            if prefix == "b" and number == 7:
                request["WorkspaceName"] = "lab-desk-07"
            requests.append(request)

    created = []
    for start in range(0, len(requests), 25):
        batch = requests[start : start + 25]
        response = client.create_workspaces(Workspaces=batch)
        assert response["FailedRequests"] == [], response["FailedRequests"]
        created.extend(zip(batch, response["PendingRequests"]))

    ids = [pending["WorkspaceId"] for _request, pending in created]
    first = [pending["WorkspaceId"] for request, pending in created if request["DirectoryId"] == first_directory]
    second = [pending["WorkspaceId"] for request, pending in created if request["DirectoryId"] == second_directory]
    stopped = first[2:7]
    errors = second[10:13]
    for workspace_id in stopped:
        endpoint.force_state(workspace_id, "STOPPED")
    for workspace_id in errors:
        endpoint.force_state(workspace_id, "ERROR", "ResourceLimitExceeded", "Not enough capacity")
    directory_tags = {"site": "hq", "cost-center": "1234"}
    client.create_tags(
        ResourceId=first_directory, Tags=[{"Key": key, "Value": value} for key, value in directory_tags.items()]
    )

    return {
        "all_ids": ids,
        "first_directory_ids": first,
        "second_directory_ids": second,
        "shared_user": SHARED_USER,
        "shared_user_ids": [first[0], second[0]],
        "linux_bundle_id": extension.LINUX_BUNDLE_ID,
        "linux_ids": [p["WorkspaceId"] for r, p in created if r["BundleId"] == extension.LINUX_BUNDLE_ID],
        "named": {"name": "lab-desk-07", "id": second[6]},
        "stopped_ids": stopped,
        "error_ids": errors,
        "second_directory_error_ids": errors,
        "tags": {
            pending["WorkspaceId"]: {tag["Key"]: tag["Value"] for tag in request.get("Tags", [])}
            for request, pending in created
        },
        "directory_tags": directory_tags,
    }


def play(endpoint, tmp_path: Path, name: str, directories: dict, seeded: dict):
    """Run one of info_modules/*.yml from a scratch copy (the harness writes its inventory beside it)."""
    playbook = tmp_path / name
    shutil.copy(PLAYBOOKS / name, playbook)
    vars_file = tmp_path / "seeded.json"
    vars_file.write_text(json.dumps({"seeded": seeded}))
    return run_playbook(endpoint, playbook, directories, "-e", f"@{vars_file}")


def test_sixty_workspaces_listed_completely_and_filtered_every_way(endpoint, tmp_path):
    directories = target_vars(endpoint, tmp_path / "setup")
    seeded = seed_workspaces(endpoint, directories["directory_id"], directories["second_directory_id"])
    assert len(seeded["all_ids"]) >= 60
    assert len(seeded["stopped_ids"]) == 5
    assert seeded["linux_ids"]
    endpoint.reset()

    result = play(endpoint, tmp_path, "list_and_filter.yml", directories, seeded)

    assert result.returncode == 0, f"{result.stdout[-20000:]}\n{result.stderr[-5000:]}"
    assert endpoint.mutating_calls() == 0


def test_listing_under_throttling_is_still_complete(endpoint, tmp_path):
    directories = target_vars(endpoint, tmp_path / "setup")
    seeded = seed_workspaces(endpoint, directories["directory_id"], directories["second_directory_id"])
    endpoint.reset()
    endpoint.configure(throttle_rate=0.5, seed=3, fault_actions=["DescribeWorkspaces", "GetResources"])

    result = play(endpoint, tmp_path, "throttled.yml", directories, seeded)

    assert result.returncode == 0, f"{result.stdout[-20000:]}\n{result.stderr[-5000:]}"
    log = endpoint.calls()["log"]
    assert any(entry["fault"] == "throttle" and entry["action"] == "DescribeWorkspaces" for entry in log)
    assert endpoint.mutating_calls() == 0


def test_bundle_target_matches_the_endpoint_catalogue():
    """targets/bundle_info/vars/main.yml restates the endpoint's catalogue; keep them in step."""
    documented = yaml.safe_load((TARGETS / "bundle_info" / "vars" / "main.yml").read_text())

    assert documented["bundle_info_amazon_ids"] == extension.AMAZON_BUNDLE_IDS
    assert documented["bundle_info_own_ids"] == extension.OWN_BUNDLE_IDS
    shared = [b["BundleId"] for b in extension.AMAZON_BUNDLES if b["Name"] == documented["bundle_info_shared_name"]]
    assert shared == documented["bundle_info_shared_name_ids"]
    assert len(shared) == 2
