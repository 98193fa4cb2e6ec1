"""Reliability on the local endpoint with its fault injection: throttling, server errors, lost answers, killed
runs, reads that keep failing, check mode under faults, destructive operations and credentials.

What happened is always read from the endpoint (its call log and the WorkSpaces it holds, through boto3), never
only from what a task says. docs/reliability.md lists each guarantee and the test that proves it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from endpoint import Endpoint

HERE = Path(__file__).resolve().parent / "reliability"
SALES = "wsb-clj85qzj1"  # a public bundle the endpoint knows
OTHER_BUNDLE = "wsb-1pzkp0bx4"
MODULE_DEFAULTS = {
    "group/aws": {
        "endpoint_url": "{{ endpoint_url }}",
        "region": "us-east-1",
        "access_key": "testing",
        "secret_key": "testing",
    }
}


class Run:
    """A finished (or killed) ansible-playbook: exit code, output, what the endpoint saw, how long it took."""

    def __init__(self, returncode, output, calls, seconds, summary=None):
        self.returncode = returncode
        self.output = output
        self.calls = calls
        self.seconds = seconds
        self.summary = summary

    @property
    def counts(self) -> dict:
        return self.calls["counts"]

    def faults(self, action: str | None = None) -> Counter:
        return Counter(
            entry["fault"]
            for entry in self.calls["log"]
            if entry["fault"] and (action is None or entry["action"] == action)
        )

    @property
    def changed(self) -> int:
        for line in self.output.splitlines():
            if line.startswith("localhost") and "changed=" in line:
                return int(line.split("changed=")[1].split()[0])
        raise AssertionError(f"no play recap in:\n{self.output[-3000:]}")


class Ansible:
    """Runs playbooks against one endpoint; each run starts with fresh endpoint counters."""

    def __init__(self, endpoint, work: Path, directory_id: str | None = None):
        self.endpoint = endpoint
        self.work = work
        self.directory_id = directory_id  # the role's provision_directory_id unless a run sets one
        self.runs = 0
        self.inventory = work / "inventory.ini"
        self.inventory.write_text(f"localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n")

    def command(self, playbook: Path, variables: dict, *options: str) -> tuple[list[str], Path | None]:
        self.runs += 1
        summary = self.work / f"summary-{self.runs}.json"
        variables = {"endpoint_url": self.endpoint.url, "summary_path": str(summary), **variables}
        vars_file = self.work / f"vars-{self.runs}.json"
        vars_file.write_text(json.dumps(variables))
        return ["ansible-playbook", "-i", str(self.inventory), str(playbook), "-e", f"@{vars_file}", *options], summary

    def environment(self, extra: dict | None = None) -> dict:
        return {**os.environ, **self.endpoint.env(), **(extra or {})}

    def start(self, playbook: Path, variables: dict, *options: str, env: dict | None = None, reset: bool = True):
        """Start a run in its own process group (so that it can be killed whole); returns (process, summary path)."""
        command, summary = self.command(playbook, variables, *options)
        if reset:
            self.endpoint.reset()
        with summary.with_suffix(".out").open("w") as output:  # a file, not a pipe: a full pipe would block it
            process = subprocess.Popen(  # noqa: S603
                command, env=self.environment(env), stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )
        process.started = time.monotonic()
        return process, summary

    def finish(self, process, summary: Path, timeout: float = 900, calls=True) -> Run:
        process.wait(timeout=timeout)
        seconds = getattr(process, "ended", time.monotonic()) - process.started
        loaded = json.loads(summary.read_text()) if summary.exists() else None
        output = summary.with_suffix(".out").read_text()
        return Run(process.returncode, output, self.endpoint.calls() if calls else None, seconds, loaded)

    def run(self, playbook: Path, variables: dict, *options: str, env: dict | None = None) -> Run:
        return self.finish(*self.start(playbook, variables, *options, env=env))

    def role(self, *options: str, **variables) -> Run:
        variables.setdefault("provision_wait_interval", 1)
        variables.setdefault("provision_directory_id", self.directory_id)
        return self.run(HERE / "provision.yml", variables, *options)

    def playbook(self, name: str, tasks: list) -> Path:
        """A one-play playbook of these tasks (JSON is YAML) with the endpoint as module_defaults."""
        playbook = self.work / f"{name.replace(' ', '_').replace(',', '')}.yml"
        play = {"name": name, "hosts": "localhost", "gather_facts": False, "module_defaults": MODULE_DEFAULTS}
        playbook.write_text(json.dumps([dict(play, tasks=tasks)], indent=1))
        return playbook

    def tasks(self, name: str, tasks: list, *options: str, env: dict | None = None) -> Run:
        return self.run(self.playbook(name, tasks), {}, *options, env=env)


@pytest.fixture
def ansible(endpoint, tmp_path, directory_id):
    return Ansible(endpoint, tmp_path, directory_id)


def listed(endpoint, directory_id=None) -> list[dict]:
    """The WorkSpaces the endpoint holds (not on their way out), read with boto3, every page."""
    return endpoint.workspaces(directory_id)


def assert_exactly_once(endpoint, directory_id, users: list[str]) -> list[dict]:
    """Every user has exactly one WorkSpace, and nobody else has one."""
    found = listed(endpoint, directory_id)
    per_user = Counter(ws["UserName"].casefold() for ws in found)
    twice = sorted(user for user, count in per_user.items() if count > 1)
    assert not twice, f"users with more than one WorkSpace: {twice}"
    assert sorted(per_user) == sorted(user.casefold() for user in users)
    return found


def create(endpoint, directory_id, *users, bundle_id=SALES, running_mode="AUTO_STOP") -> dict[str, str]:
    """WorkSpaces made directly at the endpoint (never faulted); {user: workspace_id}."""
    client = endpoint.client("workspaces", setup=True)
    request = {"DirectoryId": directory_id, "BundleId": bundle_id, "WorkspaceProperties": {"RunningMode": running_mode}}
    requests = [dict(request, UserName=user) for user in users]
    pending = client.create_workspaces(Workspaces=requests)["PendingRequests"]
    return {ws["UserName"]: ws["WorkspaceId"] for ws in pending}


# -- faults --------------------------------------------------------------------------------------------------


def every_action() -> list[str]:
    """Every WorkSpaces operation in botocore's model, and the tagging API's read (tags of many WorkSpaces)."""
    import boto3  # noqa: PLC0415

    model = boto3.session.Session().client("workspaces", region_name="us-east-1").meta.service_model
    return [*model.operation_names, "tagging:GetResources"]


def test_300_users_under_throttling_and_server_errors(endpoint, ansible, directory_id):
    """20% ThrottlingException and 5% HTTP 5xx on every WorkSpaces action, the run and the re-run."""
    users = [f"user{number:03d}" if number % 7 else f"User{number:03d}.Mixed" for number in range(300)]
    roster = [{"user_name": user, "tags": {"site": ["Leeds", "Lyon"][number % 2]}} for number, user in enumerate(users)]
    endpoint.configure(throttle_rate=0.2, error_rate=0.05, fault_actions=every_action(), seed=20260)

    first = ansible.role(provision_users=roster, provision_bundle_id=SALES)

    assert first.returncode == 0, first.output[-5000:]
    assert first.summary["created"] == 300 and first.summary["failed"] == 0, first.summary
    assert_exactly_once(endpoint, directory_id, users)
    faults = first.faults()
    assert faults["throttle"] >= 1 and faults["error500"] + faults["error503"] >= 1, faults
    assert first.faults("CreateWorkspaces"), "no CreateWorkspaces call was faulted: the test proves too little"
    # Faulted requests never reached the backend: 12 chunks of 25 went through, no more.
    created_ok = [e for e in first.calls["log"] if e["action"] == "CreateWorkspaces" and not e["fault"]]
    assert len(created_ok) == 12 and {e["items"] for e in created_ok} == {25}

    again = ansible.role(provision_users=roster, provision_bundle_id=SALES)

    assert again.returncode == 0, again.output[-5000:]
    assert again.changed == 0
    assert again.calls["mutating"] == 0, again.counts
    assert again.counts.get("tagging:GetResources"), "the re-run did not compare the tags"
    assert again.faults(), "the re-run met no fault"
    assert again.summary["unchanged"] == 300
    assert_exactly_once(endpoint, directory_id, users)


@pytest.mark.parametrize(
    ("dropped", "visibility"),
    [
        pytest.param(1, 0.0, id="botocore's own retry meets ResourceExists"),
        pytest.param(1, 3.0, id="the same, and the new WorkSpaces are listed only 3 s later"),
        pytest.param(5, 0.0, id="every attempt lost, the module looks again"),
    ],
)
def test_a_lost_create_answer_never_makes_a_second_workspace(endpoint, ansible, directory_id, dropped, visibility):
    """CreateWorkspaces goes through but its answer is lost (the connection closes): adopted, never repeated."""
    users = [f"u{number:02d}" for number in range(30)]
    endpoint.configure(drop_response={"action": "CreateWorkspaces", "count": dropped}, visibility_delay=visibility)

    first = ansible.role(provision_users=users, provision_bundle_id=SALES)

    assert first.returncode == 0, first.output[-5000:]
    assert [e["fault"] for e in first.calls["log"] if e["action"] == "CreateWorkspaces"][:dropped] == ["drop"] * dropped
    assert first.summary["created"] == 30 and first.summary["failed"] == 0, first.summary
    assert "was lost" in first.output  # the module says it adopted what the lost call created
    assert_exactly_once(endpoint, directory_id, users)

    again = ansible.role(provision_users=users, provision_bundle_id=SALES)

    assert again.returncode == 0, again.output[-5000:]
    assert again.changed == 0 and again.calls["mutating"] == 0, again.counts
    assert_exactly_once(endpoint, directory_id, users)


def descendants(root: int) -> set[int]:
    """Every process started by root, directly or not (Linux /proc), also those in a session of their own."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(stat.parent.name))
    found, todo = set(), [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def crash(process) -> None:
    """End a run as a power cut would: freeze ansible-playbook and everything it started, then kill each one.

    Killing the process group is not enough: ansible-core's worker processes call setsid(), and an orphaned
    worker goes on running its task (here, the loop over the remaining chunks).
    """
    frozen: set[int] = set()
    while True:
        tree = {process.pid} | descendants(process.pid)
        if tree <= frozen:
            break
        for pid in tree - frozen:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)  # a stopped process starts nothing new
        frozen |= tree
    for pid in frozen:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def test_a_run_killed_half_way_converges_on_the_next_run(endpoint, ansible, directory_id):
    """ansible-playbook and all its processes are killed once the first chunk's CreateWorkspaces went through."""
    users = [f"k{number:03d}" for number in range(150)]
    endpoint.configure(latency=0.2)  # every call takes a moment: the kill lands in the middle of the run
    process, summary = ansible.start(
        HERE / "provision.yml",
        {
            "provision_directory_id": directory_id,
            "provision_users": users,
            "provision_bundle_id": SALES,
            "provision_batch_size": 25,
            "provision_wait_interval": 1,
        },
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            log = endpoint.calls()["log"]
            if any(e["action"] == "CreateWorkspaces" and e["status"] == 200 for e in log):
                break
            time.sleep(0.05)
        assert process.poll() is None, "the run ended before it could be interrupted"
        crash(process)
    finally:
        killed = ansible.finish(process, summary, timeout=60)
    assert killed.returncode == -signal.SIGKILL
    before = listed(endpoint, directory_id)
    assert 0 < len(before) < len(users), f"{len(before)} WorkSpaces when the run was killed"
    time.sleep(2)
    assert len(listed(endpoint, directory_id)) == len(before), "something of the killed run is still running"
    endpoint.configure(latency=0.0)

    resumed = ansible.role(provision_users=users, provision_bundle_id=SALES, provision_batch_size=25)

    assert resumed.returncode == 0, resumed.output[-5000:]
    assert resumed.summary["created"] == len(users) - len(before)
    assert resumed.summary["unchanged"] == len(before)
    after = assert_exactly_once(endpoint, directory_id, users)
    assert {ws["WorkspaceId"] for ws in before} <= {ws["WorkspaceId"] for ws in after}  # nothing lost or replaced


# -- reads that keep failing, and bounded retries ------------------------------------------------------------


def test_reads_that_keep_failing_fail_every_task_with_the_error_and_change_nothing(tmp_path):
    """DescribeWorkspaces always throttled: every task fails, after bounded retries, with the error; no write.

    The tasks run side by side (each in its own ansible-playbook), since each one spends its retries in full.
    A second endpoint answers CreateWorkspaces with HTTP 503 every time: the create is given up, bounded too.
    """
    with Endpoint.start() as endpoint, Endpoint.start() as failing_writes:
        directory_id = endpoint.create_registered_directory(name="corp.example.com")
        ids = create(endpoint, directory_id, "amy", "bob", "carl")
        before = sorted((ws["WorkspaceId"], ws["UserName"], ws["State"]) for ws in listed(endpoint))
        endpoint.configure(throttle_rate=1.0, fault_actions=["DescribeWorkspaces"])
        endpoint.reset()

        work = tmp_path / "reads"
        work.mkdir()
        ansible = Ansible(endpoint, work)
        ws = {"directory_id": directory_id}
        module_tasks = {
            "present, would tag": {"euc.workspaces.workspace": {**ws, "user_name": "amy", "tags": {"team": "a"}}},
            "present, would create": {"euc.workspaces.workspace": {**ws, "user_name": "dave", "bundle_id": SALES}},
            "absent by user": {"euc.workspaces.workspace": {**ws, "user_name": "bob", "state": "absent"}},
            "absent by ID": {"euc.workspaces.workspace": {"workspace_id": ids["carl"], "state": "absent"}},
            "rebooted": {"euc.workspaces.workspace": {"workspace_id": ids["amy"], "state": "rebooted"}},
            "a batch": {
                "euc.workspaces.workspace": {
                    **ws,
                    "bundle_id": SALES,
                    "workspaces": [{"user_name": "bob", "state": "absent"}, {"user_name": "erin"}],
                }
            },
            "workspace_info": {"euc.workspaces.workspace_info": ws},
        }
        role_runs = {
            "the role": {"provision_users": ["amy", "bob", "carl", "dave"]},
            "the role, exclusive": {
                "provision_users": ["amy"],
                "provision_exclusive": True,
                "provision_max_terminations": 10,
            },
        }
        running = {}
        for name, task in module_tasks.items():
            running[name] = ansible.start(ansible.playbook(name, [dict(task, name=name)]), {}, reset=False)
        for name, variables in role_runs.items():
            role_vars = {"provision_directory_id": directory_id, "provision_bundle_id": SALES, **variables}
            running[name] = ansible.start(HERE / "provision.yml", role_vars, reset=False)

        writes_dir = failing_writes.create_registered_directory(name="corp.example.com")
        failing_writes.configure(error_rate=1.0, fault_actions=["CreateWorkspaces"])
        (work / "writes").mkdir()
        writes = Ansible(failing_writes, work / "writes")
        create_task = {
            "name": "A create answered 503 every time",
            "euc.workspaces.workspace": {"directory_id": writes_dir, "user_name": "dave", "bundle_id": SALES},
        }
        running["the 503 create"] = writes.start(writes.playbook("create 503", [create_task]), {})
        waiting = dict(running)
        while waiting:  # note when each one ends
            for name, (process, _summary) in list(waiting.items()):
                if process.poll() is not None:
                    process.ended = time.monotonic()
                    del waiting[name]
            time.sleep(0.2)
        create_run = writes.finish(*running.pop("the 503 create"))
        runs = {name: ansible.finish(*started_run, calls=False) for name, started_run in running.items()}
        calls = endpoint.calls()
        after = sorted((ws["WorkspaceId"], ws["UserName"], ws["State"]) for ws in listed(endpoint))
        tags = endpoint.client("workspaces", setup=True).describe_tags(ResourceId=ids["amy"])["TagList"]
        writes_left = listed(failing_writes)

    durations = {name: round(run.seconds) for name, run in runs.items()}
    print(f"seconds until each task failed: {durations}; the 503 create: {round(create_run.seconds)}")
    print(f"calls: {calls['counts']}; the 503 create: {create_run.counts}")
    for name, run in runs.items():
        assert run.returncode != 0, f"{name} went through:\n{run.output[-3000:]}"
        assert "ThrottlingException" in run.output and "DescribeWorkspaces" in run.output, (name, run.output[-3000:])
        assert run.changed == 0, name
    assert calls["mutating"] == 0, calls["counts"]
    assert set(calls["counts"]) <= {
        "workspaces:DescribeWorkspaces",
        "workspaces:DescribeWorkspaceDirectories",
        "workspaces:DescribeWorkspaceBundles",
    }, calls["counts"]
    # Bounded: every failing read is sent 40 times (botocore's 5 attempts within each of the collection's 8), then
    # given up; one failing read per task.
    assert calls["counts"]["workspaces:DescribeWorkspaces"] == 40 * len(runs), calls["counts"]
    assert after == before and tags == []

    assert create_run.returncode != 0, create_run.output[-3000:]
    assert "is still unknown after 3 attempts" in create_run.output
    assert create_run.counts["workspaces:CreateWorkspaces"] == 3 * 5, create_run.counts  # 3 creates, 5 sends each
    assert writes_left == []


# -- safety --------------------------------------------------------------------------------------------------


def check_mode_setup(endpoint, directory_id) -> dict:
    ids = create(endpoint, directory_id, "amy", "bob")
    endpoint.force_state(ids["bob"], "STOPPED")
    empty = endpoint.create_registered_directory(name="empty.example.com")
    unregistered = endpoint.create_directory(name="lab.example.com")
    subnets = endpoint.client("ds", setup=True).describe_directories(DirectoryIds=[unregistered])
    subnet_ids = subnets["DirectoryDescriptions"][0]["VpcSettings"]["SubnetIds"]
    return {
        "directory_id": directory_id,
        "empty_directory_id": empty,
        "unregistered_directory_id": unregistered,
        "subnet_ids": subnet_ids,
        "bundle_id": SALES,
        "amy_id": ids["amy"],
        "bob_id": ids["bob"],
    }


def test_check_mode_writes_nothing_for_any_module_or_state_even_under_faults(endpoint, ansible, directory_id):
    """Every module and state in check mode, each with something to change, with throttling and 5xx injected."""
    variables = check_mode_setup(endpoint, directory_id)
    before = sorted((ws["WorkspaceId"], ws["State"]) for ws in listed(endpoint))
    endpoint.configure(throttle_rate=0.1, error_rate=0.05, fault_actions=None, seed=7)

    matrix = ansible.run(HERE / "check_mode.yml", variables)

    assert matrix.returncode == 0, matrix.output[-8000:]
    assert matrix.calls["mutating"] == 0, matrix.counts
    assert matrix.faults(), "no fault was injected"

    plan = ansible.role(
        "--check",
        provision_directory_id=directory_id,
        provision_users=["amy", "newcomer"],
        provision_bundle_id=SALES,
        provision_exclusive=True,
        provision_max_terminations=5,
        provision_tags={"team": "desk"},
    )

    assert plan.returncode == 0, plan.output[-5000:]
    assert plan.calls["mutating"] == 0, plan.counts
    assert (plan.summary["created"], plan.summary["terminated"], plan.summary["tagged"]) == (1, 1, 2)
    assert sorted((ws["WorkspaceId"], ws["State"]) for ws in listed(endpoint)) == before


def test_destructive_operations_reach_only_the_workspaces_named(endpoint, ansible, directory_id):
    """Terminate and rebuild only what the task names, or what the guarded exclusive mode selects."""
    ids = create(endpoint, directory_id, "amy", "bob", "carl", "dave", "erin")
    elsewhere_dir = endpoint.create_registered_directory(name="lab.example.com")
    elsewhere = create(endpoint, elsewhere_dir, "amy", "zed")
    broken = create(endpoint, directory_id, "fred")["fred"]
    endpoint.force_state(broken, "ERROR", "InternalFailure", "broken")
    endpoint.configure(delay=30.0)  # state changes take a while: what was rebuilt shows REBUILDING

    run = ansible.tasks(
        "named",
        [
            {
                "name": "Terminate one user's WorkSpace, by user name",
                "euc.workspaces.workspace": {
                    "directory_id": directory_id,
                    "user_name": "BOB",
                    "state": "absent",
                    "wait": False,
                },
            },
            {
                "name": "A batch: converge one, terminate one, rebuild one",
                "euc.workspaces.workspace": {
                    "directory_id": directory_id,
                    "wait": False,
                    "workspaces": [
                        {"user_name": "amy", "tags": {"team": "a"}},
                        {"user_name": "carl", "state": "absent"},
                        {"workspace_id": ids["dave"], "state": "rebuilt"},
                    ],
                },
            },
            {
                "name": "A WorkSpace in ERROR, with another bundle and encryption asked for: warned, never replaced",
                "euc.workspaces.workspace": {
                    "directory_id": directory_id,
                    "user_name": "fred",
                    "bundle_id": OTHER_BUNDLE,
                    "volume_encryption_key": "alias/aws/workspaces",
                    "user_volume_encryption": True,
                },
                "register": "fred",
            },
            {
                "name": "Check the warnings",
                "ansible.builtin.assert": {"that": ["fred is not changed", "fred.warnings | length >= 2"]},
            },
        ],
    )

    assert run.returncode == 0, run.output[-5000:]
    items = {
        e["action"]: e["items"] for e in run.calls["log"] if e["action"] in ("TerminateWorkspaces", "RebuildWorkspaces")
    }
    assert run.counts["workspaces:TerminateWorkspaces"] == 2 and items["TerminateWorkspaces"] == 1
    assert run.counts["workspaces:RebuildWorkspaces"] == 1 and items["RebuildWorkspaces"] == 1
    states = {ws["WorkspaceId"]: ws["State"] for ws in listed(endpoint)}
    assert ids["bob"] not in states and ids["carl"] not in states
    assert states[ids["dave"]] == "REBUILDING"
    assert {states[ids[user]] for user in ("amy", "erin")} == {"AVAILABLE"}
    assert states[broken] == "ERROR"
    assert set(elsewhere.values()) <= set(states)

    endpoint.configure(delay=0.0)
    exclusive = ansible.role(
        provision_directory_id=directory_id,
        provision_users=["amy", "dave"],
        provision_bundle_id=SALES,
        provision_exclusive=True,
        provision_max_terminations=2,
        provision_wait=False,
    )

    assert exclusive.returncode == 0, exclusive.output[-5000:]
    assert sorted(exclusive.summary["users"]["terminated"]) == ["erin", "fred"]
    remaining = {ws["WorkspaceId"] for ws in listed(endpoint)}
    assert remaining == {ids["amy"], ids["dave"], *elsewhere.values()}  # the other directory is never looked at


FAKE = {
    "option_access_key": "AKIAFAKEOPTIONS7Q2W",
    "option_secret_key": "SecretFromOptions+k2Lp9Wq/Zx7Vb4Nm",
    "option_session_token": "TokenFromOptionsFQoGZXIvYXdzEJr7",
}
FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "AKIAFAKEENVIRON3X8Y",
    "AWS_SECRET_ACCESS_KEY": "SecretFromEnvironment+Jh6Gf5Ds4Aq",
    "AWS_SESSION_TOKEN": "TokenFromEnvironmentIQoJb3JpZ2lu",
}


def test_credentials_never_appear_in_output_diffs_warnings_or_errors(endpoint, ansible, directory_id):
    """Failing tasks (and one that warns and diffs) with fake credentials, at -vvv --diff: all output searched."""
    amy = create(endpoint, directory_id, "amy")["amy"]
    endpoint.configure(unknown_users=["ghost"])

    run = ansible.run(
        HERE / "credentials.yml",
        {**FAKE, "directory_id": directory_id, "bundle_id": SALES, "amy_id": amy},
        "-vvv",
        "--diff",
        env=FAKE_ENV,
    )

    assert run.returncode == 0, run.output[-8000:]
    assert "ResourceNotFound.User" in run.output and "Could not connect to the endpoint URL" in run.output
    assert "********-is-not-a-tag" in run.output  # a secret that reached a diff and a result, masked there
    secrets = [FAKE["option_secret_key"], FAKE["option_session_token"]]
    secrets += [FAKE_ENV["AWS_SECRET_ACCESS_KEY"], FAKE_ENV["AWS_SESSION_TOKEN"]]
    for secret in secrets:
        for part in (secret, secret[:12], secret[-12:]):
            assert part not in run.output, f"{part!r} appears in the output"
    # An access key ID is an identifier, not a secret: amazon.aws echoes it (no_log=False) as the access_key
    # module argument (or the alias the task used) at -vvv. It must appear nowhere else: not in messages, errors,
    # warnings or diffs.
    for key_id in (FAKE["option_access_key"], FAKE_ENV["AWS_ACCESS_KEY_ID"]):
        lines = [line.strip() for line in run.output.splitlines() if key_id in line]
        assert lines, f"{key_id} is not even echoed: did the credentials reach the tasks?"
        assert set(lines) <= {f'"{name}": "{key_id}",' for name in ("access_key", "aws_access_key")}, lines
