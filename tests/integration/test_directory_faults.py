"""euc.workspaces.directory against the local endpoint when things go wrong or check mode must predict a
registration: lost answers to RegisterWorkspaceDirectory / DeregisterWorkspaceDirectory, a Directory Service
directory that will never become Active, and check mode against the real run of the same task.

What happened is read from the endpoint (its call log, and the directories it holds, through a set-up boto3
client), never only from what the task says.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness import registered_directories, run_playbook

SETTINGS = {
    "selfservice_permissions": {"restart_workspace": True, "rebuild_workspace": False},
    "workspace_access_properties": {"device_type_web": "DENY", "device_type_chrome_os": "ALLOW"},
    "workspace_creation_properties": {"enable_internet_access": True, "default_ou": "OU=WS,DC=corp,DC=example,DC=com"},
    "tags": {"n": 5},
}


def run_task(endpoint, tmp_path: Path, name: str, task: dict, *options: str) -> tuple[dict, dict, int]:
    """One euc.workspaces.directory task in ansible-playbook; (its result, the endpoint's calls, exit code).

    The result is written to a file (failed or not), and the endpoint's counters are reset first.
    """
    result_path = tmp_path / f"{name}.json"
    play = {
        "name": name,
        "hosts": "localhost",
        "gather_facts": False,
        "module_defaults": {
            "group/aws": {
                "endpoint_url": endpoint.url,
                "region": "us-east-1",
                "access_key": "testing",
                "secret_key": "testing",
            }
        },
        "tasks": [
            {"name": name, "euc.workspaces.directory": task, "register": "outcome", "ignore_errors": True},
            {
                "name": "Keep the result",
                "ansible.builtin.copy": {"content": "{{ outcome | to_json }}", "dest": str(result_path)},
                "check_mode": False,
            },
        ],
    }
    playbook = tmp_path / f"{name}.yml"
    playbook.write_text(json.dumps([play], indent=1))
    endpoint.reset()
    process = run_playbook(endpoint, playbook, {}, *options)
    assert result_path.exists(), f"{name} left no result:\n{process.stdout[-5000:]}\n{process.stderr[-3000:]}"
    return json.loads(result_path.read_text()), endpoint.calls(), process.returncode


def registration(endpoint, directory_id: str) -> dict | None:
    """The directory as the endpoint lists it (None when not registered), with its tags."""
    client = endpoint.client("workspaces", setup=True)
    listed = client.describe_workspace_directories(DirectoryIds=[directory_id])["Directories"]
    if not listed:
        return None
    tags = client.describe_tags(ResourceId=directory_id)["TagList"]
    return dict(listed[0], Tags={tag["Key"]: tag["Value"] for tag in tags})


def faults(calls: dict, action: str) -> list:
    return [entry["fault"] for entry in calls["log"] if entry["action"] == action]


# --- lost answers ------------------------------------------------------------------------------------------------


def test_a_lost_register_answer_is_adopted_and_the_settings_still_converge(endpoint, tmp_path):
    directory_id = endpoint.create_directory(name="lost.example.com", register=False)
    endpoint.configure(drop_response={"action": "RegisterWorkspaceDirectory", "count": 1})
    task = {"directory_id": directory_id, "tags": {"a": "b"}, "selfservice_permissions": {"rebuild_workspace": True}}

    result, calls, returncode = run_task(endpoint, tmp_path, "register", task)

    assert returncode == 0 and not result.get("failed"), result
    # The first attempt went through (its answer was dropped); botocore's own retry was refused.
    assert faults(calls, "RegisterWorkspaceDirectory") == ["drop", None]
    assert result["changed"] is True
    assert result["actions"] == ["register", "modify_selfservice_permissions"]
    assert result["directory"]["state"] == "REGISTERED"
    assert "taken as registered by this task" in json.dumps(result.get("warnings", []))
    held = registration(endpoint, directory_id)
    assert held["State"] == "REGISTERED"
    assert held["Tags"] == {"a": "b"}
    assert held["SelfservicePermissions"]["RebuildWorkspace"] == "ENABLED"

    again, calls, returncode = run_task(endpoint, tmp_path, "register-again", task)

    assert returncode == 0 and again["changed"] is False, again
    assert calls["mutating"] == 0, calls["counts"]


def test_a_lost_deregister_answer_is_adopted(endpoint, tmp_path):
    (directory_id,) = registered_directories(endpoint, tmp_path / "setup", "gone.example.com")
    endpoint.configure(drop_response={"action": "DeregisterWorkspaceDirectory", "count": 1})

    result, calls, returncode = run_task(
        endpoint, tmp_path, "deregister", {"directory_id": directory_id, "state": "absent"}
    )

    assert returncode == 0 and not result.get("failed"), result
    assert faults(calls, "DeregisterWorkspaceDirectory") == ["drop", None]
    assert result["changed"] is True
    assert result["actions"] == ["deregister"]
    assert result["directory"] is None
    assert "taken as deregistered by this task" in json.dumps(result.get("warnings", []))
    assert registration(endpoint, directory_id) is None

    again, calls, returncode = run_task(
        endpoint, tmp_path, "deregister-again", {"directory_id": directory_id, "state": "absent"}
    )

    assert returncode == 0 and again["changed"] is False, again
    assert calls["mutating"] == 0, calls["counts"]


def test_a_register_error_with_nothing_registered_still_fails(endpoint, tmp_path):
    """Re-reading after an error adopts only what exists: a directory Directory Service does not know fails."""
    result, calls, returncode = run_task(
        endpoint, tmp_path, "unknown", {"directory_id": "d-9999999999", "tags": {"a": "b"}, "wait_timeout": 30}
    )

    assert returncode == 0 and result["failed"] is True, result  # ignore_errors: the play goes on
    assert "ResourceNotFoundException" in json.dumps(result)
    assert calls["counts"].get("workspaces:RegisterWorkspaceDirectory") == 1


# --- a Directory Service stage that never becomes Active -------------------------------------------------------


@pytest.mark.parametrize("stage", ["Failed", "Deleted", "Inoperable"])
@pytest.mark.parametrize("check_mode", [False, True], ids=["run", "check"])
def test_a_stage_that_never_becomes_active_fails_at_once(endpoint, tmp_path, stage, check_mode):
    directory_id = endpoint.create_directory(name="broken.example.com", stage=stage)
    options = ("--check",) if check_mode else ()

    result, calls, returncode = run_task(
        endpoint, tmp_path, "broken", {"directory_id": directory_id, "wait_timeout": 20}, *options
    )

    assert result["failed"] is True, result
    assert f"Directory Service stage {stage}" in result["msg"]
    assert result["directory_stage"] == stage
    assert result["error_code"] == "DirectoryNotActive"
    assert calls["mutating"] == 0, calls["counts"]
    # At once: one read of the stage, no waiting for wait_timeout.
    assert calls["counts"].get("ds:DescribeDirectories") == 1, calls["counts"]
    assert registration(endpoint, directory_id) is None


# --- check mode predicts the real run -------------------------------------------------------------------------


def contained(predicted, real) -> bool:
    """Every value the prediction states is the real one (the real result has more: what the service assigns)."""
    if isinstance(predicted, dict):
        return isinstance(real, dict) and all(key in real and contained(predicted[key], real[key]) for key in predicted)
    return predicted == real


def test_check_mode_predicts_what_the_registration_does(endpoint, tmp_path):
    directory_id = endpoint.create_directory(name="predict.example.com", register=False)
    task = dict(SETTINGS, directory_id=directory_id)

    check, check_calls, returncode = run_task(endpoint, tmp_path, "check", task, "--check", "--diff")

    assert returncode == 0 and not check.get("failed"), check
    assert check_calls["mutating"] == 0, check_calls["counts"]
    assert registration(endpoint, directory_id) is None

    real, real_calls, returncode = run_task(endpoint, tmp_path, "real", task, "--diff")

    assert returncode == 0 and not real.get("failed"), real
    assert real["actions"] == check["actions"]
    assert real["modified"] == check["modified"]
    assert real_calls["mutating"] == len(real["actions"]), real_calls["counts"]
    assert check["diff"]["after"]["tags"] == {"n": "5"}  # tag values are text, as the service keeps them
    assert contained(check["diff"]["after"], real["diff"]["after"]), (check["diff"]["after"], real["diff"]["after"])

    again, again_calls, returncode = run_task(endpoint, tmp_path, "again", task)

    assert returncode == 0 and again["changed"] is False, again
    assert again_calls["mutating"] == 0, again_calls["counts"]
