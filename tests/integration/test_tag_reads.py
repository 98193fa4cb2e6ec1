"""Reading tags costs what the task touches, not what the region holds.

A region with 300 tagged WorkSpaces in another directory: a task about 10 WorkSpaces asks the tagging API for those
10 by ARN (one GetResources call); a listing of the whole region pages the region's tagged WorkSpaces instead.
Counted at the endpoint, with the tag values checked too.
"""

from __future__ import annotations

import json

from local_play import play_head

from endpoint.extension import WINDOWS_BUNDLE_ID
from harness import registered_directories, run_playbook

BIG_DIRECTORY_COUNT = 300
TASK_USERS = [f"desk{n:02d}" for n in range(10)]

PLAYBOOK = (
    play_head("Tag reads")
    + """\
  tasks:
    - name: Converge the tags of the ten desks
      euc.workspaces.workspace:
        directory_id: "{{ directory_id }}"
        bundle_id: "{{ bundle_id }}"
        workspaces: "{{ desks }}"
        tags: {team: desk}
        purge_tags: false
      register: converged

    - name: Keep the result
      ansible.builtin.copy:
        content: "{{ converged | to_json }}"
        dest: "{{ result_path }}"
        mode: "0600"
"""
)

INFO_PLAYBOOK = (
    play_head("Tag reads by workspace_info")
    + """\
  tasks:
    - name: List with tags
      euc.workspaces.workspace_info: "{{ listing | combine({'include_tags': true}) }}"
      register: listed

    - name: Keep the result
      ansible.builtin.copy:
        content: "{{ listed | to_json }}"
        dest: "{{ result_path }}"
        mode: "0600"
"""
)


def seed(endpoint, directory_id: str, users: list[str], tags_of) -> dict[str, str]:
    client = endpoint.client("workspaces", setup=True)
    ids = {}
    for start in range(0, len(users), 25):
        requests = [
            {"DirectoryId": directory_id, "UserName": user, "BundleId": WINDOWS_BUNDLE_ID, "Tags": tags_of(user)}
            for user in users[start : start + 25]
        ]
        answer = client.create_workspaces(Workspaces=requests)
        assert answer["FailedRequests"] == [], answer["FailedRequests"]
        ids.update({w["UserName"]: w["WorkspaceId"] for w in answer["PendingRequests"]})
    client.describe_workspaces(Limit=1)  # delay=0: AVAILABLE from here on
    return ids


def play(endpoint, tmp_path, text: str, name: str, variables: dict) -> dict:
    playbook = tmp_path / f"{name}.yml"
    playbook.write_text(text)
    result_path = tmp_path / f"{name}.json"
    vars_file = tmp_path / f"{name}-vars.json"
    vars_file.write_text(json.dumps({"endpoint_url": endpoint.url, "result_path": str(result_path), **variables}))
    endpoint.reset()
    result = run_playbook(endpoint, playbook, {}, "-e", f"@{vars_file}")
    assert result.returncode == 0, f"{result.stdout[-8000:]}\n{result.stderr[-3000:]}"
    return json.loads(result_path.read_text())


def test_a_task_about_ten_workspaces_reads_their_tags_in_one_call_however_big_the_region(endpoint, tmp_path):
    corp, big = registered_directories(endpoint, tmp_path / "setup", "corp.example.com", "big.example.com")
    seed(
        endpoint, big, [f"staff{n:03d}" for n in range(BIG_DIRECTORY_COUNT)], lambda user: [{"Key": "u", "Value": user}]
    )
    # Every other desk already has the tag; the rest have another team.
    desks = seed(
        endpoint, corp, TASK_USERS, lambda user: [{"Key": "team", "Value": "desk" if user[-1] in "02468" else "old"}]
    )

    converged = play(
        endpoint,
        tmp_path,
        PLAYBOOK,
        "converge",
        {"directory_id": corp, "bundle_id": WINDOWS_BUNDLE_ID, "desks": [{"user_name": u} for u in TASK_USERS]},
    )

    assert converged["summary"]["tagged"] == 5 and converged["summary"]["unchanged"] == 5
    assert endpoint.count("tagging:GetResources") == 1
    assert endpoint.count("sts:GetCallerIdentity") == 1
    assert endpoint.count("DescribeTags") == 0
    tags = endpoint.client("workspaces", setup=True)
    assert all(
        {t["Key"]: t["Value"] for t in tags.describe_tags(ResourceId=workspace_id)["TagList"]} == {"team": "desk"}
        for workspace_id in desks.values()
    )

    by_directory = play(endpoint, tmp_path, INFO_PLAYBOOK, "by-directory", {"listing": {"directory_id": corp}})

    assert {w["user_name"]: w["tags"] for w in by_directory["workspaces"]} == {u: {"team": "desk"} for u in TASK_USERS}
    assert endpoint.count("tagging:GetResources") == 1

    whole_region = play(endpoint, tmp_path, INFO_PLAYBOOK, "whole-region", {"listing": {}})

    tags_by_user = {w["user_name"]: w["tags"] for w in whole_region["workspaces"]}
    assert len(tags_by_user) == BIG_DIRECTORY_COUNT + len(TASK_USERS)
    assert tags_by_user["staff299"] == {"u": "staff299"} and tags_by_user["desk03"] == {"team": "desk"}
    assert endpoint.count("tagging:GetResources") >= 4  # 310 tagged WorkSpaces, paged by type
    assert endpoint.count("sts:GetCallerIdentity") == 0
