"""The provision role in real ansible-playbook runs against the local endpoint.

Each test gets its own endpoint (conftest.py). What the role did is read from the endpoint (its call counters and
the WorkSpaces it holds), not only from what the role says.
"""

from __future__ import annotations

import csv
import json
import re
import threading
import time

import pytest
from local_play import play_head

from harness import run_playbook

BUNDLES = {"Finance": "wsb-gk1wpk43z", "Engineering": "wsb-1pzkp0bx4", "Sales": "wsb-clj85qzj1"}
MODES = {"Finance": "AUTO_STOP", "Engineering": "ALWAYS_ON", "Sales": "AUTO_STOP"}
PLAYBOOK = (
    play_head("Provision")
    + """\
  tasks:
    - name: Run the role and keep its summary, also when it fails
      block:
        - name: Provision
          ansible.builtin.include_role:
            name: euc.workspaces.provision
      always:
        - name: Save the summary
          ansible.builtin.copy:
            content: "{{ provision_summary | to_json }}"
            dest: "{{ summary_path }}"
            mode: "0644"
          check_mode: false
          changed_when: false
          when: provision_summary is defined
"""
)


class Play:
    """Runs the role with variables; each run gets fresh endpoint counters."""

    def __init__(self, endpoint, tmp_path, directory_id):
        self.endpoint = endpoint
        self.tmp_path = tmp_path
        self.directory_id = directory_id
        self.playbook = tmp_path / "provision.yml"
        self.playbook.write_text(PLAYBOOK)
        self.runs = 0

    def __call__(self, *options, **variables):
        self.runs += 1
        summary_path = self.tmp_path / f"summary-{self.runs}.json"
        variables = {
            "provision_directory_id": self.directory_id,
            "provision_wait_interval": 1,
            "summary_path": str(summary_path),
            **variables,
        }
        vars_file = self.tmp_path / f"vars-{self.runs}.json"
        vars_file.write_text(json.dumps(variables))
        self.endpoint.reset()
        result = run_playbook(
            self.endpoint, self.playbook, {"endpoint_url": self.endpoint.url}, "-e", f"@{vars_file}", *options
        )
        result.summary = json.loads(summary_path.read_text()) if summary_path.exists() else None
        result.calls = self.endpoint.calls()
        result.output = result.stdout + result.stderr
        return result


@pytest.fixture
def play(endpoint, tmp_path, directory_id):
    return Play(endpoint, tmp_path, directory_id)


def roster_rows(count: int) -> list[dict]:
    """count users over three departments; every seventh has a mixed-case name."""
    rows = []
    for number in range(count):
        department = list(BUNDLES)[number % 3]
        name = f"User{number:03d}.Mixed" if number % 7 == 0 else f"user{number:03d}"
        rows.append(
            {
                "user_name": name,
                "bundle_id": BUNDLES[department],
                "running_mode": MODES[department],
                "tag:Department": department,
                "tag:Site": ["Leeds", "Lyon"][number % 2],
            }
        )
    return rows


def write_csv(path, rows: list[dict]):
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def workspaces(endpoint, directory_id) -> list[dict]:
    return endpoint.workspaces(directory_id)


def tags_of(endpoint, workspace_id) -> dict:
    client = endpoint.client("workspaces", setup=True)
    return {t["Key"]: t["Value"] for t in client.describe_tags(ResourceId=workspace_id)["TagList"]}


def counts(summary: dict) -> dict:
    return {key: summary[key] for key in ("created", "modified", "tagged", "unchanged", "terminated", "failed")}


def recap_changed(output: str) -> int:
    return int(re.search(r"^localhost\s*:\s*ok=\d+\s+changed=(\d+)", output, re.MULTILINE).group(1))


def debug_msg(output: str, task: str):
    blocks = re.findall(
        rf"^TASK \[euc\.workspaces\.provision : {re.escape(task)}\] \**\nok: \[localhost\] => (\{{.*?^\}})",
        output,
        re.MULTILINE | re.DOTALL,
    )
    return json.loads(blocks[-1])["msg"] if blocks else None


def assert_plan_apply_rerun(play, endpoint, directory_id, rows, tmp_path, **variables):
    """Check mode predicts, the real run matches with the fewest calls, the re-run changes nothing."""
    plan = play("--check", "--diff", **variables)
    assert plan.returncode == 0, plan.output[-5000:]
    assert plan.calls["mutating"] == 0, plan.calls["counts"]
    assert plan.summary["check_mode"] is True
    assert plan.summary["created"] == len(rows)
    assert not workspaces(endpoint, directory_id)
    changes = debug_msg(plan.output, "Show the changes per user")
    assert len(changes) == len(rows)
    assert changes[0].startswith(f"{rows[0]['user_name']}: create")

    report = tmp_path / "report.csv"
    applied = play(provision_report_path=str(report), **variables)
    assert applied.returncode == 0, applied.output[-5000:]
    assert counts(applied.summary) == counts(plan.summary)
    # One module run per chunk of 100 (the loop labels them), 25 users per CreateWorkspaces call.
    assert re.findall(r"\(item=items (\d+)-(\d+) of 250\)", applied.output) == [
        ("1", "100"),
        ("101", "200"),
        ("201", "250"),
    ]
    assert applied.calls["counts"]["workspaces:CreateWorkspaces"] == 4 + 4 + 2
    assert applied.calls["counts"].get("workspaces:CreateTags", 0) == 0  # tags go with CreateWorkspaces

    found = workspaces(endpoint, directory_id)
    assert len(found) == len(rows)
    by_user = {ws["UserName"]: ws for ws in found}
    for row in rows:
        workspace = by_user[row["user_name"]]  # the name as the roster gives it, mixed case included
        assert workspace["BundleId"] == row["bundle_id"]
        assert workspace["WorkspaceProperties"]["RunningMode"] == row["running_mode"]
        assert workspace["State"] == "AVAILABLE"
    assert tags_of(endpoint, by_user[rows[1]["user_name"]]["WorkspaceId"]) == {
        "Department": rows[1]["tag:Department"],
        "Site": rows[1]["tag:Site"],
    }

    with report.open(newline="") as handle:
        lines = list(csv.DictReader(handle))
    registration = endpoint.client("workspaces", setup=True).describe_workspace_directories(
        DirectoryIds=[directory_id]
    )["Directories"][0]["RegistrationCode"]
    assert [line["user_name"] for line in lines] == [row["user_name"] for row in rows]
    assert all(line["workspace_id"] == by_user[line["user_name"]]["WorkspaceId"] for line in lines)
    assert {line["state"] for line in lines} == {"AVAILABLE"}
    assert all(line["ip_address"] for line in lines)
    assert {line["registration_code"] for line in lines} == {registration}

    again = play(provision_report_path=str(report), **variables)
    assert again.returncode == 0, again.output[-5000:]
    assert recap_changed(again.output) == 0
    assert again.calls["mutating"] == 0, again.calls["counts"]
    assert again.summary["unchanged"] == len(rows)


def test_250_users_from_csv(play, endpoint, directory_id, tmp_path):
    rows = roster_rows(250)
    roster = write_csv(tmp_path / "roster.csv", rows)
    assert_plan_apply_rerun(
        play, endpoint, directory_id, rows, tmp_path, provision_roster_csv=str(roster), provision_batch_size=100
    )


def test_250_users_from_a_list(play, endpoint, directory_id, tmp_path):
    rows = roster_rows(250)
    users = []
    for number, row in enumerate(rows):
        if number % 5 == 0:  # a plain user name: the role's defaults apply, no tags
            row.update(bundle_id=BUNDLES["Finance"], running_mode="AUTO_STOP")
            del row["tag:Department"], row["tag:Site"]
            users.append(row["user_name"])
        else:
            tags = {key[4:]: value for key, value in row.items() if key.startswith("tag:")}
            users.append(
                {
                    "user_name": row["user_name"],
                    "bundle_id": row["bundle_id"],
                    "running_mode": row["running_mode"],
                    "tags": tags,
                }
            )
    assert_plan_apply_rerun(
        play,
        endpoint,
        directory_id,
        rows,
        tmp_path,
        provision_users=users,
        provision_bundle_id=BUNDLES["Finance"],
        provision_running_mode="AUTO_STOP",
        provision_batch_size=100,
    )


def test_modified_properties_plan_with_diff_then_apply(play, endpoint, directory_id):
    users = [{"user_name": f"dev{n}", "running_mode": "AUTO_STOP"} for n in range(30)]
    first = play(provision_users=users, provision_bundle_id=BUNDLES["Engineering"])
    assert first.returncode == 0, first.output[-5000:]

    for user in users[:12]:
        user["running_mode"] = "ALWAYS_ON"
    plan = play("--check", "--diff", provision_users=users, provision_bundle_id=BUNDLES["Engineering"])
    assert plan.returncode == 0, plan.output[-5000:]
    assert plan.calls["mutating"] == 0
    assert counts(plan.summary) == {
        "created": 0,
        "modified": 12,
        "tagged": 0,
        "unchanged": 18,
        "terminated": 0,
        "failed": 0,
    }
    assert plan.summary["modified_properties"] == {"running_mode": 12}
    assert debug_msg(plan.output, "Show the changes per user") == [
        f"dev{n}: modify (running_mode AUTO_STOP -> ALWAYS_ON)" for n in range(12)
    ]
    assert "modified:       12  (running_mode 12)" in debug_msg(plan.output, "Show the summary")

    applied = play(provision_users=users, provision_bundle_id=BUNDLES["Engineering"])
    assert applied.returncode == 0, applied.output[-5000:]
    assert counts(applied.summary) == counts(plan.summary)
    assert applied.calls["counts"]["workspaces:ModifyWorkspaceProperties"] == 12
    modes = {ws["UserName"]: ws["WorkspaceProperties"]["RunningMode"] for ws in workspaces(endpoint, directory_id)}
    assert modes == {f"dev{n}": "ALWAYS_ON" if n < 12 else "AUTO_STOP" for n in range(30)}


def test_guard_refuses_an_empty_roster(play, endpoint, directory_id):
    assert play(provision_users=["amy", "bob"], provision_bundle_id=BUNDLES["Sales"]).returncode == 0

    refused = play(provision_users=[], provision_exclusive=True, provision_max_terminations=100)
    assert refused.returncode != 0
    assert "The roster is empty" in refused.output
    assert f"With provision_exclusive that would terminate every WorkSpace of {directory_id}" in refused.output
    assert refused.calls["mutating"] == 0
    assert refused.calls["counts"] == {}  # stopped before even reading the directory
    assert len(workspaces(endpoint, directory_id)) == 2


def test_guard_refuses_too_many_terminations_and_names_the_users(play, endpoint, directory_id):
    everyone = ["amy", "Bob", "carl", "dina", "ed", "fay"]
    assert play(provision_users=everyone, provision_bundle_id=BUNDLES["Sales"]).returncode == 0
    staying = ["AMY", "bob", "carl"]  # other case than at creation: the same users

    refused = play(provision_users=staying, provision_bundle_id=BUNDLES["Sales"], provision_exclusive=True)
    assert refused.returncode != 0
    assert (
        "provision_exclusive would terminate 3 WorkSpace(s), more than provision_max_terminations (0): dina, ed, fay."
        in refused.output
    )
    assert refused.calls["mutating"] == 0
    refused = play(
        provision_users=staying,
        provision_bundle_id=BUNDLES["Sales"],
        provision_exclusive=True,
        provision_max_terminations=2,
    )
    assert refused.returncode != 0
    assert "more than provision_max_terminations (2): dina, ed, fay" in refused.output
    assert refused.calls["mutating"] == 0
    assert len(workspaces(endpoint, directory_id)) == 6

    allowed = {"provision_exclusive": True, "provision_max_terminations": 3, "provision_bundle_id": BUNDLES["Sales"]}
    plan = play("--check", provision_users=staying, **allowed)
    assert plan.returncode == 0, plan.output[-5000:]
    assert plan.calls["mutating"] == 0
    assert plan.summary["terminated"] == 3
    applied = play(provision_users=staying, **allowed)
    assert applied.returncode == 0, applied.output[-5000:]
    assert (
        counts(applied.summary)
        == counts(plan.summary)
        == {
            "created": 0,
            "modified": 0,
            "tagged": 0,
            "unchanged": 3,
            "terminated": 3,
            "failed": 0,
        }
    )
    assert sorted(applied.summary["users"]["terminated"]) == ["dina", "ed", "fay"]
    assert applied.calls["counts"]["workspaces:TerminateWorkspaces"] == 1
    assert sorted(ws["UserName"] for ws in workspaces(endpoint, directory_id)) == ["Bob", "amy", "carl"]


def test_roster_validation_lists_the_right_rows_before_any_call(play, endpoint, tmp_path):
    text = (
        "user_name,bundle_id,running_mode,tag:Team\n"  # line 1
        "good1,wsb-gk1wpk43z,AUTO_STOP,a\n"  # 2
        ",wsb-gk1wpk43z,AUTO_STOP,a\n"  # 3: empty user name
        "good2,wsb-nope,AUTO_STOP,a\n"  # 4: bad bundle
        "\n"  # 5: blank, skipped
        "GOOD1,wsb-gk1wpk43z,ALWAYS_ON,a\n"  # 6: duplicate of line 2
        f"{'x' * 64},wsb-gk1wpk43z,AUTO_STOP,a\n"  # 7: too long
        "good3,wsb-gk1wpk43z,SOMETIMES,a\n"  # 8: bad running mode
        "good4,wsb-gk1wpk43z,AUTO_STOP,a\n"  # 9
    )
    roster = tmp_path / "bad.csv"
    roster.write_text(text)
    result = play(provision_roster_csv=str(roster), provision_users=["good5", "Good4"])
    assert result.returncode != 0
    problems = debug_msg(result.output, "Show the roster's problems")
    where = [problem.split(": ", 1)[0] for problem in problems]
    assert where == [f"{roster} line {n}" for n in (3, 4, 6, 7, 8)] + [
        "provision_users item 1",
        "provision_users item 2",
    ]
    assert "user_name is empty" in problems[0]
    assert "'wsb-nope' is not a bundle ID" in problems[1]
    assert f"user 'GOOD1' is already listed at {roster} line 2" in problems[2]
    assert "64 characters long" in problems[3]
    assert "running_mode 'SOMETIMES' is not one of" in problems[4]
    assert "no bundle_id" in problems[5]
    assert f"user 'Good4' is already listed at {roster} line 9" in problems[6]
    assert "The roster has 7 problem(s), listed above; nothing was changed." in result.output
    assert result.calls["counts"] == {}  # not a single API call

    zero = play(provision_users=["amy"], provision_bundle_id=BUNDLES["Sales"], provision_batch_size=0)
    assert zero.returncode != 0
    assert "provision_batch_size (0) and provision_wait_interval (1) must be at least 1" in zero.output
    assert zero.calls["counts"] == {}


def test_unknown_columns_are_refused(play, tmp_path):
    roster = tmp_path / "hr.csv"
    roster.write_text("user_name,email,office\njdoe,jdoe@example.com,Leeds\n")
    result = play(provision_roster_csv=str(roster), provision_bundle_id=BUNDLES["Sales"])
    assert result.returncode != 0
    problems = debug_msg(result.output, "Show the roster's problems")
    assert len(problems) == 1
    assert problems[0].startswith(f"{roster} line 1 (header): unknown column(s) 'email', 'office'")
    ignored = play(
        provision_roster_csv=str(roster),
        provision_bundle_id=BUNDLES["Sales"],
        provision_roster_ignore_columns=["email", "office"],
    )
    assert ignored.returncode == 0, ignored.output[-5000:]
    assert ignored.summary["created"] == 1


def test_failed_users_are_summed_up_reported_and_fail_the_role(play, endpoint, directory_id, tmp_path):
    endpoint.configure(unknown_users=["ghost1", "ghost2"])
    report = tmp_path / "report.csv"
    users = ["amy", "ghost1", "bob", "ghost2"]
    result = play(provision_users=users, provision_bundle_id=BUNDLES["Sales"], provision_report_path=str(report))
    assert result.returncode != 0
    assert counts(result.summary) == {
        "created": 2,
        "modified": 0,
        "tagged": 0,
        "unchanged": 0,
        "terminated": 0,
        "failed": 2,
    }
    assert result.summary["error_codes"] == {"ResourceNotFound.User": 2}
    assert [f["user_name"] for f in result.summary["failures"]] == ["ghost1", "ghost2"]
    assert "failed:          2  (ResourceNotFound.User 2)" in debug_msg(result.output, "Show the summary")
    assert "2 user(s) failed (ghost1, ghost2)" in result.output
    with report.open(newline="") as handle:
        states = {line["user_name"]: line["state"] for line in csv.DictReader(handle)}
    assert states == {
        "amy": "AVAILABLE",
        "ghost1": "FAILED ResourceNotFound.User",
        "bob": "AVAILABLE",
        "ghost2": "FAILED ResourceNotFound.User",
    }
    assert sorted(ws["UserName"] for ws in workspaces(endpoint, directory_id)) == ["amy", "bob"]


def test_wait_shows_progress_counts(endpoint, tmp_path, directory_id):
    # New WorkSpaces stay PENDING for 3 s and are not even listed for the first second: both count as pending.
    endpoint.configure(delay=3.0, visibility_delay=1.0)
    play = Play(endpoint, tmp_path, directory_id)
    result = play(provision_users=[f"u{n}" for n in range(30)], provision_bundle_id=BUNDLES["Sales"])
    assert result.returncode == 0, result.output[-5000:]
    progress = re.findall(r"New WorkSpaces: (\d+) AVAILABLE, (\d+) PENDING, (\d+) ERROR", result.output)
    assert len(progress) >= 2
    assert progress[0] == ("0", "30", "0")  # the first look sees them all pending
    assert progress[-1] == ("30", "0", "0")
    assert result.calls["counts"]["workspaces:CreateWorkspaces"] == 2
    assert result.summary["created"] == 30


def test_a_workspace_that_goes_to_error_while_waited_for_is_a_failure(endpoint, tmp_path, directory_id):
    endpoint.configure(delay=6.0)
    watcher = endpoint.client("workspaces", setup=True)
    broken = {}

    def break_one():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not broken:
            for workspace in watcher.describe_workspaces(DirectoryId=directory_id)["Workspaces"]:
                if workspace["UserName"] == "u3" and workspace["State"] == "PENDING":
                    endpoint.force_state(workspace["WorkspaceId"], "ERROR", "InsufficientCapacity", "no capacity")
                    broken["id"] = workspace["WorkspaceId"]
            time.sleep(0.2)

    thread = threading.Thread(target=break_one, daemon=True)
    thread.start()
    play = Play(endpoint, tmp_path, directory_id)
    report = tmp_path / "report.csv"
    result = play(
        provision_users=[f"u{n}" for n in range(6)],
        provision_bundle_id=BUNDLES["Sales"],
        provision_report_path=str(report),
    )
    thread.join(timeout=5)
    assert broken, "the watcher never saw u3 pending"
    assert result.returncode != 0
    assert re.findall(r"New WorkSpaces: (\d+) AVAILABLE, (\d+) PENDING, (\d+) ERROR", result.output)[-1] == (
        "5",
        "0",
        "1",
    )
    assert counts(result.summary) == {
        "created": 5,
        "modified": 0,
        "tagged": 0,
        "unchanged": 0,
        "terminated": 0,
        "failed": 1,
    }
    assert result.summary["failures"] == [
        {
            "user_name": "u3",
            "workspace_id": broken["id"],
            "stage": "wait",
            "error_code": "InsufficientCapacity",
            "error_message": "no capacity",
        }
    ]
    with report.open(newline="") as handle:
        assert {line["user_name"]: line["state"] for line in csv.DictReader(handle)}["u3"] == "ERROR"

    # The re-run an administrator tries next fails for the same user (never "unchanged"), and its plan says so too.
    for options in (("--check",), ()):
        again = play(*options, provision_users=[f"u{n}" for n in range(6)], provision_bundle_id=BUNDLES["Sales"])
        assert again.returncode != 0, again.output[-3000:]
        assert counts(again.summary)["failed"] == 1 and counts(again.summary)["unchanged"] == 5
        assert [(f["user_name"], f["stage"], f["error_code"]) for f in again.summary["failures"]] == [
            ("u3", "existing", "InsufficientCapacity")
        ]
        assert again.calls["mutating"] == 0


def test_a_wait_that_times_out_reports_the_pending_workspaces_and_fails(endpoint, tmp_path, directory_id):
    endpoint.configure(delay=120.0)
    play = Play(endpoint, tmp_path, directory_id)
    result = play(provision_users=["amy", "bob"], provision_bundle_id=BUNDLES["Sales"], provision_wait_timeout=3)
    assert result.returncode != 0
    assert len(result.summary["pending"]) == 2
    assert result.summary["created"] == 2
    assert "2 WorkSpace(s) still pending after the wait" in result.output
    assert any(re.match(r"pending: +2  \(", line) for line in debug_msg(result.output, "Show the summary"))


TWICE = (
    play_head("The role twice in one play")
    + """\
  tasks:
    - name: First, exclusive
      ansible.builtin.include_role:
        name: euc.workspaces.provision
      vars:
        provision_users: [amy]
        provision_exclusive: true
        provision_max_terminations: 1
    - name: Keep the first summary
      ansible.builtin.set_fact:
        first_summary: "{{ provision_summary }}"
    - name: Then not exclusive, another roster
      ansible.builtin.include_role:
        name: euc.workspaces.provision
      vars:
        provision_users: [amy, zed]
    - name: Save both summaries
      ansible.builtin.copy:
        content: "{{ [first_summary, provision_summary] | to_json }}"
        dest: "{{ summary_path }}"
        mode: "0644"
"""
)


def test_a_second_run_in_the_same_play_starts_afresh(play, endpoint, directory_id, tmp_path):
    assert play(provision_users=["amy", "bob"], provision_bundle_id=BUNDLES["Sales"]).returncode == 0
    playbook = tmp_path / "twice.yml"
    playbook.write_text(TWICE)
    summaries = tmp_path / "twice.json"
    variables = {
        "provision_directory_id": directory_id,
        "provision_bundle_id": BUNDLES["Sales"],
        "provision_wait_interval": 1,
        "summary_path": str(summaries),
    }
    endpoint.reset()
    result = run_playbook(endpoint, playbook, {"endpoint_url": endpoint.url}, "-e", json.dumps(variables))
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    first, second = json.loads(summaries.read_text())
    assert first["users"]["terminated"] == ["bob"]
    assert second["terminated"] == 0
    # The second module run gets the two roster users only, not the first run's termination again.
    assert re.findall(r"\(item=(items [^)]*)\)", result.stdout) == ["items 1-2 of 2", "items 1-2 of 2"]
    assert second["created"] == 1
    assert second["unchanged"] == 1
    assert endpoint.calls()["counts"]["workspaces:TerminateWorkspaces"] == 1


def test_a_report_path_that_cannot_be_written_is_refused_before_any_api_call(endpoint, tmp_path, directory_id):
    play = Play(endpoint, tmp_path, directory_id)
    missing = tmp_path / "reports" / "change-1234.csv"
    a_folder = tmp_path / "already-a-folder"
    a_folder.mkdir()
    cases = {missing: f"the folder {missing.parent} does not exist", a_folder: "it is a folder, not a file"}

    for path, why in cases.items():
        result = play(provision_users=["amy"], provision_bundle_id=BUNDLES["Sales"], provision_report_path=str(path))

        assert result.returncode != 0
        assert f"provision_report_path {path}: {why}" in " ".join(result.output.split())
        assert "Nothing was changed" in result.output
        assert result.calls["log"] == []
    assert workspaces(endpoint, directory_id) == []
