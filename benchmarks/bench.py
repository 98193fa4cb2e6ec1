"""Fleet-scale benchmarks of euc.workspaces against the local endpoint; writes docs/performance.md.

Run with `python3 tools/dev.py bench` (it sets up .venv, PYTHONPATH and ANSIBLE_COLLECTIONS_PATH); it is not part
of `tools/dev.py test`. Run directly for a subset while working on a slow path (nothing is written to the docs
unless every scenario ran):

    PYTHONPATH=.tmp/collections:tests .venv/bin/python benchmarks/bench.py --only provision-100,naive-100

Each scenario is one real `ansible-playbook` run against the local endpoint (moto plus tests/endpoint), with
the endpoint's request counters reset before it. What is measured:

- API calls per action and mutating calls: the endpoint's log (`/_endpoint/calls`), every request counted,
  also the ones botocore retried;
- wall time of the ansible-playbook process, from start to exit;
- peak memory: the largest peak resident set (VmHWM) of any process of the run, from getrusage(RUSAGE_CHILDREN)
  in a small wrapper process around ansible-playbook (exact); and, sampled from /proc every 50 ms, the peaks of
  the controller (ansible-playbook and its forked workers) and of each module's process (AnsiballZ_<module>).

The scenarios, the endpoint each group gets (a fresh one, so that one group's WorkSpaces do not inflate another's
listings) and the targets are defined below; results go between the markers of docs/performance.md, and the
hand-written part below the end marker is kept.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import platform
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO / "tests") not in sys.path:
    sys.path.insert(0, str(REPO / "tests"))

import ansible  # noqa: E402
import botocore  # noqa: E402
from local_play import play_head  # noqa: E402

from endpoint import Endpoint  # noqa: E402

WORK = REPO / ".tmp" / "bench"
DOC = REPO / "docs" / "performance.md"
COLLECTIONS = REPO / ".tmp" / "collections"
ANSIBLE_PLAYBOOK = Path(sys.executable).with_name("ansible-playbook")
BEGIN = "<!-- BEGIN benchmark results: written by benchmarks/bench.py, do not edit by hand -->"
END = "<!-- END benchmark results -->"

BATCH = 25
BUNDLE_ID = "wsb-gk1wpk43z"
LATENCY = 0.05  # seconds the endpoint adds to every API call in the latency scenario
LATENCY_N = 1000  # users in the latency scenario: a fleet of real size, and still about a minute of wall time
PLAY_TIMEOUT = 900
SAMPLE_INTERVAL = 0.05
MEGABYTE = 1024 * 1024
# Switches for working on a slow path, from the command line: per-task times in the play logs (--profile), and
# extra role variables to compare settings (--role-var; a run with them never writes the docs).
OPTIONS: dict = {"profile": False, "role_vars": {}}

ROLE_PLAYBOOK = (
    play_head("Provision the roster")
    + """\
  roles:
    - role: euc.workspaces.provision
"""
)
FLEET_PLAYBOOK = (
    play_head("One task for the whole fleet")
    + """\
  tasks:
    - name: Apply one change to every WorkSpace of the list
      euc.workspaces.workspace:
        workspaces: "{{ fleet }}"
        state: "{{ fleet_state }}"
        running_mode: "{{ fleet_running_mode | default(omit) }}"
"""
)
NAIVE_PLAYBOOK = (
    play_head("The naive way, one task run per WorkSpace")
    + """\
  tasks:
    - name: One WorkSpace per loop item
      euc.workspaces.workspace:
        directory_id: "{{ directory_id }}"
        user_name: "{{ item.user_name }}"
        bundle_id: "{{ bundle_id }}"
        running_mode: ALWAYS_ON
        tags: "{{ item.tags }}"
      loop: "{{ users }}"
      loop_control:
        label: "{{ item.user_name }}"
"""
)
RUSAGE_WRAPPER = """\
import json, resource, subprocess, sys
code = subprocess.call(sys.argv[2:])
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[1], "w") as out:
    json.dump({"maxrss_kb": usage.ru_maxrss, "cpu": usage.ru_utime + usage.ru_stime}, out)
sys.exit(code)
"""


def say(text: str = "") -> None:
    print(text, flush=True)


# --- measuring one ansible-playbook run ------------------------------------------------------------------------


class TreeSampler(threading.Thread):
    """Samples the peak resident set (VmHWM) of every process under a root process, by kind."""

    def __init__(self, root: int):
        super().__init__(daemon=True)
        self.root = root
        self.stop_event = threading.Event()
        self.peaks: dict[str, int] = {}  # kind -> bytes
        self.playbook_cmdline: bytes | None = None

    def run(self) -> None:
        while not self.stop_event.wait(SAMPLE_INTERVAL):
            self.sample()

    def stop(self) -> None:
        self.stop_event.set()
        self.join(5)

    def sample(self) -> None:
        children: dict[int, list[int]] = {}
        for name in os.listdir("/proc"):
            if name.isdigit():
                parent = _parent_of(int(name))
                if parent is not None:
                    children.setdefault(parent, []).append(int(name))
        todo = list(children.get(self.root, []))
        while todo:
            pid = todo.pop()
            todo.extend(children.get(pid, []))
            self.record(pid)

    def record(self, pid: int) -> None:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return  # gone meanwhile
        found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
        if not found:
            return
        if self.playbook_cmdline is None and b"ansible-playbook" in cmdline:
            self.playbook_cmdline = cmdline
        module = re.search(rb"AnsiballZ_(\w+)\.py", cmdline)
        if module:
            kind = "module " + module.group(1).decode()
        elif cmdline == self.playbook_cmdline:
            kind = "controller"  # ansible-playbook itself and the workers it forks
        else:
            return  # /bin/sh wrappers and the like
        self.peaks[kind] = max(self.peaks.get(kind, 0), int(found.group(1)) * 1024)


def _parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


@dataclass
class Run:
    """One measured ansible-playbook run."""

    name: str
    n: int
    returncode: int
    wall: float
    cpu: float
    max_rss: int  # bytes, largest process of the run (getrusage)
    peaks: dict
    counts: dict
    items: dict  # action -> items sent in its list parameter, over all its calls
    mutating: int
    output: str
    notes: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    samples: list = field(default_factory=list)  # wall times of every run of this scenario (this one included)
    max_rss_all: int = 0  # bytes, the largest process over every run of this scenario

    @property
    def calls(self) -> int:
        return sum(self.counts.values())

    @property
    def reads(self) -> int:
        return self.calls - self.mutating

    def count(self, action: str) -> int:
        key = action if ":" in action else f"workspaces:{action}"
        return int(self.counts.get(key, 0))

    @property
    def controller_peak(self) -> int:
        return self.peaks.get("controller", 0)

    @property
    def module_peak(self) -> int:
        return max([v for k, v in self.peaks.items() if k.startswith("module ")] or [0])

    def check(self, condition: bool, what: str) -> None:
        """A fact the run must show for its numbers to mean anything (the play did what it was asked)."""
        if not condition:
            self.problems.append(what)
            say(f"   PROBLEM: {what}")

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "n": self.n,
            "returncode": self.returncode,
            "wall_s": round(self.wall, 2),
            "cpu_s": round(self.cpu, 2),
            "max_rss_mb": round(self.max_rss / MEGABYTE, 1),
            "peaks_mb": {k: round(v / MEGABYTE, 1) for k, v in sorted(self.peaks.items())},
            "counts": self.counts,
            "items": self.items,
            "calls": self.calls,
            "mutating": self.mutating,
            "notes": self.notes,
            "problems": self.problems,
            "samples_s": [round(sample, 2) for sample in self.samples],
            "max_rss_all_mb": round(self.max_rss_all / MEGABYTE, 1),
        }


class Bench:
    """Runs playbooks against one endpoint and measures each run."""

    def __init__(self, endpoint: Endpoint, group: str):
        self.endpoint = endpoint
        self.group = group
        self.work = WORK / group
        self.work.mkdir(parents=True, exist_ok=True)
        (self.work / "inventory.ini").write_text(
            f"localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n"
        )
        for name, text in (("role.yml", ROLE_PLAYBOOK), ("fleet.yml", FLEET_PLAYBOOK), ("naive.yml", NAIVE_PLAYBOOK)):
            (self.work / name).write_text(text)

    def env(self) -> dict:
        env = dict(os.environ, **self.endpoint.env())
        env.setdefault("ANSIBLE_COLLECTIONS_PATH", str(COLLECTIONS))
        env.update(
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_FORCE_COLOR="0",
            ANSIBLE_LOCAL_TEMP=str(WORK / "ansible-local"),
            ANSIBLE_REMOTE_TEMP=str(WORK / "ansible-remote"),
            ANSIBLE_RETRY_FILES_ENABLED="0",
        )
        if OPTIONS["profile"]:
            # Time per task at the end of each play log (.tmp/bench/<group>/<run>.log).
            env.update(
                ANSIBLE_CALLBACKS_ENABLED="ansible.posix.profile_tasks",
                PROFILE_TASKS_SORT_ORDER="none",
                PROFILE_TASKS_TASK_OUTPUT_LIMIT="all",
            )
        return env

    def play(self, name: str, n: int, playbook: str, variables: dict, *options: str) -> Run:
        vars_file = self.work / f"{name}.vars.json"
        vars_file.write_text(json.dumps({"endpoint_url": self.endpoint.url, **variables}))
        usage_file = self.work / f"{name}.usage.json"
        log_file = self.work / f"{name}.log"
        command = [
            sys.executable,
            "-c",
            RUSAGE_WRAPPER,
            str(usage_file),
            str(ANSIBLE_PLAYBOOK),
            "-i",
            str(self.work / "inventory.ini"),
            str(self.work / playbook),
            "-e",
            f"@{vars_file}",
            *options,
        ]
        self.endpoint.reset()
        say(f"-- {name} (N={n}) ...")
        started = time.monotonic()
        with log_file.open("w") as log:
            process = subprocess.Popen(  # pylint: disable=consider-using-with
                command, env=self.env(), cwd=self.work, stdout=log, stderr=subprocess.STDOUT
            )
            sampler = TreeSampler(process.pid)
            sampler.start()
            try:
                returncode = process.wait(PLAY_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                returncode = process.wait()
            finally:
                sampler.stop()
        wall = time.monotonic() - started
        calls = self.endpoint.calls()
        usage = json.loads(usage_file.read_text()) if usage_file.exists() else {"maxrss_kb": 0, "cpu": 0.0}
        items: dict[str, int] = {}
        for entry in calls["log"]:
            if entry.get("items") is not None:
                key = f"{entry['service']}:{entry['action']}"
                items[key] = items.get(key, 0) + int(entry["items"])
        run = Run(
            name=name,
            n=n,
            returncode=returncode,
            wall=wall,
            cpu=float(usage["cpu"]),
            max_rss=int(usage["maxrss_kb"]) * 1024,
            peaks=sampler.peaks,
            counts=dict(sorted(calls["counts"].items())),
            items=items,
            mutating=int(calls["mutating"]),
            output=log_file.read_text(errors="replace"),
        )
        say(
            f"   {wall:6.1f} s wall, {run.cpu:6.1f} s CPU, {run.calls} API calls ({run.mutating} mutating), "
            f"max RSS {run.max_rss / MEGABYTE:.0f} MB, exit code {returncode}"
        )
        run.check(returncode == 0, f"ansible-playbook exited with {returncode} (see {log_file.relative_to(REPO)})")
        run.samples, run.max_rss_all = [wall], run.max_rss
        return run

    # -- what the endpoint holds (read with set-up calls, after the run's counters were taken) ------------------

    def workspaces(self, directory_id: str) -> list[dict]:
        return self.endpoint.workspaces(directory_id)


# --- rosters ---------------------------------------------------------------------------------------------------


DEPARTMENTS = ("Finance", "Engineering", "Sales", "Support")


def users(n: int) -> list[dict]:
    """n users; every eleventh name has capitals (the service compares user names without case)."""
    rows = []
    for number in range(n):
        department = DEPARTMENTS[number % len(DEPARTMENTS)]
        name = f"User{number:05d}.X" if number % 11 == 0 else f"user{number:05d}"
        rows.append({"user_name": name, "tags": {"Department": department, "CostCenter": f"CC-{1000 + number % 7}"}})
    return rows


def write_roster(path: Path, rows: list[dict], with_tags: bool) -> Path:
    fields = ["user_name", "display_name"] + (["tag:Department", "tag:CostCenter"] if with_tags else [])
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(fields)
        for row in rows:
            cells = [row["user_name"], row["user_name"].title()]
            if with_tags:
                cells += [row["tags"]["Department"], row["tags"]["CostCenter"]]
            writer.writerow(cells)
    return path


def role_vars(directory_id: str, roster: Path, with_tags: bool) -> dict:
    return {
        "provision_directory_id": directory_id,
        "provision_roster_csv": str(roster),
        "provision_roster_ignore_columns": ["display_name"],
        "provision_bundle_id": BUNDLE_ID,
        "provision_running_mode": "ALWAYS_ON",
        "provision_tags": {"ManagedBy": "bench"} if with_tags else {},
        "provision_wait_interval": 1,
        **OPTIONS["role_vars"],
    }


def recap(run: Run) -> dict:
    found = re.search(r"^localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", run.output, re.M)
    if not found:
        return {}
    return dict(zip(("ok", "changed", "unreachable", "failed"), map(int, found.groups())))


# --- scenarios -------------------------------------------------------------------------------------------------


def provision(bench: Bench, name: str, n: int, directory_id: str, *options: str, with_tags: bool = True) -> Run:
    roster = write_roster(bench.work / f"roster-{n}-{'tags' if with_tags else 'plain'}.csv", users(n), with_tags)
    return bench.play(name, n, "role.yml", role_vars(directory_id, roster, with_tags), *options)


def check_fleet(bench: Bench, run: Run, directory_id: str, n: int, state: str = "AVAILABLE", mode=None) -> list:
    found = bench.workspaces(directory_id)
    states = sorted({ws["State"] for ws in found})
    run.check(len(found) == n, f"{len(found)} WorkSpaces in the directory, expected {n}")
    run.check(not found or states == [state], f"states {states}, expected {state}")
    if mode:
        modes = sorted({ws["WorkspaceProperties"]["RunningMode"] for ws in found})
        run.check(modes == [mode], f"running modes {modes}, expected {mode}")
    return found


def group_fleet(results: dict, n: int = 1000) -> None:
    """Check mode, provision, unchanged re-runs, then fleet-wide changes and the end of the fleet, N = 1,000."""
    with Endpoint.start(delay=0.0) as endpoint:
        bench = Bench(endpoint, "fleet")
        directory_id = endpoint.create_registered_directory(name="corp.example.com")

        run = provision(bench, "check-provision", n, directory_id, "--check")
        run.check(run.mutating == 0, f"check mode made {run.mutating} mutating calls")
        run.check(not bench.workspaces(directory_id), "check mode created WorkSpaces")
        results["check-provision"] = run

        run = provision(bench, "provision", n, directory_id)
        check_fleet(bench, run, directory_id, n)
        keep(results, "provision", run)

        for name, with_tags, options in (
            ("rerun-tags", True, ()),
            ("rerun-plain", False, ()),
            ("check-rerun-tags", True, ("--check",)),
        ):
            run = provision(bench, name, n, directory_id, *options, with_tags=with_tags)
            run.check(recap(run).get("changed") == 0, f"PLAY RECAP {recap(run)}: expected changed=0")
            results[name] = run

        fleet = [{"workspace_id": ws["WorkspaceId"]} for ws in bench.workspaces(directory_id)]
        steps = (
            ("mode-auto-stop", {"fleet_state": "present", "fleet_running_mode": "AUTO_STOP"}, "AVAILABLE"),
            ("stop", {"fleet_state": "stopped"}, "STOPPED"),
            ("start", {"fleet_state": "started"}, "AVAILABLE"),
            ("reboot", {"fleet_state": "rebooted"}, "AVAILABLE"),
        )
        for name, variables, state in steps:
            run = bench.play(name, n, "fleet.yml", {"fleet": fleet, **variables})
            check_fleet(bench, run, directory_id, n, state, "AUTO_STOP")
            results[name] = run

        run = bench.play("terminate", n, "fleet.yml", {"fleet": fleet, "fleet_state": "absent"})
        run.check(not bench.workspaces(directory_id), "WorkSpaces are left after the terminate")
        results["terminate"] = run


def keep(results: dict, name: str, run: Run) -> None:
    """Record a run; for a scenario measured more than once, keep the fastest and every sample's wall time.

    Other work on the machine only ever slows a run down, so the fastest of a few is the best estimate of the
    cost itself. A run with problems never wins over one without.
    """
    before = results.get(name)
    if before is None:
        results[name] = run
        return
    best = min((before, run), key=lambda r: (bool(r.problems), r.wall))
    best.samples = sorted([*before.samples, *run.samples])
    best.max_rss_all = max(before.max_rss_all, run.max_rss_all)
    best.problems = unique_problems(before, run)
    results[name] = best


def unique_problems(*runs: Run) -> list:
    return list(dict.fromkeys(problem for run in runs for problem in run.problems))


def group_provision(results: dict, n: int, name: str, latency: float = 0.0, samples: int = 1) -> None:
    """Provision n users into an empty directory, on a fresh endpoint for each sample."""
    for sample in range(samples):
        with Endpoint.start(delay=0.0) as endpoint:
            bench = Bench(endpoint, f"{name}-{sample + 1}")
            directory_id = endpoint.create_registered_directory(name="corp.example.com")
            if latency:
                endpoint.configure(latency=latency)
            run = provision(bench, name, n, directory_id)
            if latency:
                run.notes.append(f"endpoint latency {latency * 1000:.0f} ms per API call")
            check_fleet(bench, run, directory_id, n)
            keep(results, name, run)


def group_naive(results: dict, n: int = 100) -> None:
    with Endpoint.start(delay=0.0) as endpoint:
        bench = Bench(endpoint, "naive")
        directory_id = endpoint.create_registered_directory(name="corp.example.com")
        rows = [{"user_name": row["user_name"], "tags": dict(row["tags"], ManagedBy="bench")} for row in users(n)]
        variables = {"directory_id": directory_id, "bundle_id": BUNDLE_ID, "users": rows}
        run = bench.play("naive-loop", n, "naive.yml", variables)
        check_fleet(bench, run, directory_id, n)
        results["naive-loop"] = run


# The runs the timing targets compare are measured SAMPLES times (the fleet group's provision is one of N = 1,000).
SAMPLES = 3
GROUPS = {
    "fleet": lambda results: group_fleet(results, 1000),
    "provision-100": lambda results: group_provision(results, 100, "provision-100", samples=SAMPLES),
    "provision-1000": lambda results: group_provision(results, 1000, "provision", samples=SAMPLES - 1),
    "provision-2000": lambda results: group_provision(results, 2000, "provision-2000", samples=SAMPLES),
    "latency": lambda results: group_provision(results, LATENCY_N, "provision-latency", LATENCY),
    "naive-100": lambda results: group_naive(results, 100),
}


# --- targets ---------------------------------------------------------------------------------------------------


@dataclass
class Target:
    text: str
    measured: str
    met: bool | None  # None: not measured in this run


def batch_target(results: dict, name: str, action: str) -> Target | None:
    run = results.get(name)
    if run is None:
        return None
    expected = math.ceil(run.n / BATCH)
    got = run.count(action)
    return Target(
        f"{action} calls = ceil(N/25) ({name}, N = {run.n:,})",
        f"{got} calls for {run.items.get('workspaces:' + action, 0):,} WorkSpaces (ceil = {expected})",
        got == expected and not run.problems,
    )


def targets(results: dict) -> list[Target]:
    found: list[Target | None] = []
    for name in ("provision-100", "provision", "provision-2000", "provision-latency"):
        found.append(batch_target(results, name, "CreateWorkspaces"))
    for name, action in (
        ("terminate", "TerminateWorkspaces"),
        ("reboot", "RebootWorkspaces"),
        ("start", "StartWorkspaces"),
        ("stop", "StopWorkspaces"),
    ):
        found.append(batch_target(results, name, action))
    rerun = results.get("rerun-tags")
    if rerun:
        found.append(
            Target(
                f"unchanged re-run with tags (N = {rerun.n:,}): zero mutating calls, at most 100 API calls",
                f"{rerun.mutating} mutating, {rerun.calls} API calls",
                rerun.mutating == 0 and rerun.calls <= 100 and not rerun.problems,
            )
        )
    for check_name, real_name in (("check-provision", "provision"), ("check-rerun-tags", "rerun-tags")):
        check, real = results.get(check_name), results.get(real_name)
        if check and real:
            found.append(
                Target(
                    f"check mode ({check_name}): zero mutating calls, no more reads than the real run ({real_name})",
                    f"{check.mutating} mutating; {check.reads} reads against {real.reads}",
                    check.mutating == 0 and check.reads <= real.reads and not check.problems,
                )
            )
    provision_run, naive = results.get("provision"), results.get("naive-loop")
    if provision_run:
        cores = os.cpu_count() or 0
        found.append(
            Target(
                f"provisioning N = {provision_run.n:,} at zero latency under 60 s on a 2-core machine",
                f"{provision_run.wall:.1f} s on {cores} cores",
                provision_run.wall < 60 and not provision_run.problems,
            )
        )
    if provision_run and naive:
        per_role, per_naive = provision_run.wall / provision_run.n, naive.wall / naive.n
        found.append(
            Target(
                "at least 20 times faster per WorkSpace than the naive loop",
                f"{per_role * 1000:.1f} ms against {per_naive * 1000:.0f} ms per WorkSpace: {per_naive / per_role:.0f}x",
                per_naive / per_role >= 20 and not provision_run.problems and not naive.problems,
            )
        )
    big = results.get("provision-2000")
    if big and provision_run:
        found.append(
            Target(
                "linear cost: the N = 2,000 run takes at most 2.2 times the N = 1,000 run",
                f"{big.wall:.1f} s / {provision_run.wall:.1f} s = {big.wall / provision_run.wall:.2f}",
                big.wall <= 2.2 * provision_run.wall and not big.problems,
            )
        )
    if big:
        found.append(
            Target(
                "peak memory of any process under 200 MB at N = 2,000",
                f"{big.max_rss_all / MEGABYTE:.0f} MB, the largest over {len(big.samples)} run(s) (controller "
                f"{big.controller_peak / MEGABYTE:.0f} MB, largest module process {big.module_peak / MEGABYTE:.0f} MB)",
                big.max_rss_all < 200 * MEGABYTE and not big.problems,
            )
        )
    return [target for target in found if target is not None]


# --- the report ------------------------------------------------------------------------------------------------

SCENARIOS = (
    (
        "1. Provision N users with the role",
        "The `euc.workspaces.provision` role with a CSV roster (user name, two tag columns) plus `provision_tags`, "
        "running mode ALWAYS_ON, into an empty registered directory; endpoint state changes take no time (delay 0). "
        f"The latency run adds {LATENCY * 1000:.0f} ms to every API call; its N is {LATENCY_N:,}: a real fleet size, "
        "and a run that stays well within a minute.",
        ("provision-100", "provision", "provision-2000", "provision-latency"),
    ),
    (
        "2. The same roster again, nothing to change",
        "Right after (1) with N = 1,000: the roster with its tag columns (tags are read and compared), and the same "
        "users without tag columns and without `provision_tags` (tags are not read).",
        ("rerun-tags", "rerun-plain"),
    ),
    (
        "3. Check mode",
        "`--check` of (1) on the empty directory before the real run, and `--check` of the unchanged re-run (2).",
        ("check-provision", "check-rerun-tags"),
    ),
    (
        "4. Fleet-wide change: running mode to AUTO_STOP",
        "One `euc.workspaces.workspace` task, `workspaces:` listing the 1,000 WorkSpaces by ID, "
        "`running_mode: AUTO_STOP`. ModifyWorkspaceProperties takes one WorkSpace per call (the API has no batch "
        "form), so 1,000 calls is its minimum.",
        ("mode-auto-stop",),
    ),
    (
        "5. Stop, start and reboot N = 1,000 in one task each",
        "The same one-task form with `state: stopped`, `started`, `rebooted`, waiting for every WorkSpace.",
        ("stop", "start", "reboot"),
    ),
    (
        "6. Terminate N = 1,000",
        "The same one-task form with `state: absent`, waiting until every WorkSpace is gone.",
        ("terminate",),
    ),
    (
        "7. The naive way, for comparison",
        "A `loop:` over single-WorkSpace `euc.workspaces.workspace` tasks (same bundle, running mode and tags), "
        "one module run per user.",
        ("naive-loop",),
    ),
)
LABELS = {
    "provision-100": "provision",
    "provision": "provision",
    "provision-2000": "provision",
    "provision-latency": f"provision, {LATENCY * 1000:.0f} ms latency",
    "rerun-tags": "re-run, tags in roster",
    "rerun-plain": "re-run, no tags",
    "check-provision": "--check of (1)",
    "check-rerun-tags": "--check of re-run",
    "mode-auto-stop": "running mode AUTO_STOP",
    "stop": "stopped",
    "start": "started",
    "reboot": "rebooted",
    "terminate": "absent",
    "naive-loop": "loop of single tasks",
}


def megabytes(value: int) -> str:
    return f"{value / MEGABYTE:.0f} MB" if value else "-"


def wall_time(run: Run) -> str:
    if len(run.samples) < 2:
        return f"{run.wall:.1f} s"
    return f"{run.wall:.1f} s (fastest of {', '.join(f'{sample:.1f}' for sample in run.samples)})"


def per_action(run: Run) -> str:
    parts = []
    for key, count in run.counts.items():
        service, action = key.split(":", 1)
        label = action if service == "workspaces" else key
        items = run.items.get(key)
        parts.append(
            f"{label} {count:,}" + (f" ({items:,})" if items and count and action.endswith("Workspaces") else "")
        )
    return ", ".join(parts) or "none"


def scenario_table(results: dict, names) -> list[str]:
    lines = [
        "| run | N | wall time | per WorkSpace | CPU time | API calls | mutating | API calls per action "
        "(WorkSpaces sent) | peak memory: any process / controller / largest module |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for name in names:
        run = results.get(name)
        if run is None:
            continue
        status = "" if not run.problems else " **(run had problems: " + "; ".join(run.problems) + ")**"
        lines.append(
            f"| {LABELS.get(name, name)}{status} | {run.n:,} | {wall_time(run)} | {run.wall / run.n * 1000:.1f} ms "
            f"| {run.cpu:.1f} s | {run.calls:,} | {run.mutating:,} | {per_action(run)} | {megabytes(run.max_rss)} / "
            f"{megabytes(run.controller_peak)} / {megabytes(run.module_peak)} |"
        )
    return lines


def report(results: dict, elapsed: float, loads: tuple) -> str:
    lines = [
        BEGIN,
        "",
        f"Measured by `python3 tools/dev.py bench` on {time.strftime('%Y-%m-%d')}: {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, ansible-core {ansible.__version__}, botocore {botocore.__version__}, "
        f"against the local endpoint (moto and `tests/endpoint/`) on the same machine. The whole benchmark took "
        f"{elapsed / 60:.1f} minutes; the load average (1 minute) was {loads[0]:.1f} before it and {loads[1]:.1f} "
        "after it (other work on the machine slows wall times down, not CPU times or call counts).",
        "",
        "Wall time is that of the `ansible-playbook` process. API calls are counted by the endpoint, every request "
        "(retries included). Peak memory is the peak resident set: of any process of the run (exact, from "
        "`getrusage`), of the controller (`ansible-playbook` and its forked workers, sampled every 50 ms) and of "
        "the largest module process (sampled). In the per-action column the number in brackets is how many "
        "WorkSpaces the calls carried. CPU time is user plus system time of `ansible-playbook` and every process "
        f"it started. The provisioning runs that the timing targets compare are run {SAMPLES} times each on a "
        "fresh endpoint, and the fastest is shown.",
        "",
        "## Targets",
        "",
        "| target | measured | |",
        "|---|---|---|",
    ]
    for target in targets(results):
        verdict = "not measured" if target.met is None else ("met" if target.met else "**not met**")
        lines.append(f"| {target.text} | {target.measured} | {verdict} |")
    for title, description, names in SCENARIOS:
        lines += ["", f"## {title}", "", description, "", *scenario_table(results, names)]
    lines += ["", END]
    return "\n".join(lines) + "\n"


HAND_WRITTEN = """
## What was fixed

(Written by hand: what profiling found and what each fix bought.)
"""


def write_doc(text: str) -> None:
    """Replace the generated part of docs/performance.md, keep everything else."""
    if DOC.exists():
        current = DOC.read_text()
        if BEGIN in current and END in current:
            head, rest = current.split(BEGIN, 1)
            tail = rest.split(END, 1)[1]
            DOC.write_text(head + text.rstrip("\n") + tail)
            return
    DOC.write_text("# Performance\n\n" + text + HAND_WRITTEN)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--only", help=f"comma-separated groups, from: {', '.join(GROUPS)}")
    parser.add_argument("--no-doc", action="store_true", help="do not write docs/performance.md")
    parser.add_argument("--profile", action="store_true", help="time every task (profile_tasks) in the play logs")
    parser.add_argument("--role-var", action="append", default=[], help="KEY=JSON: an extra role variable")
    args = parser.parse_args(argv)
    OPTIONS["profile"] = args.profile
    for setting in args.role_var:
        key, value = setting.split("=", 1)
        OPTIONS["role_vars"][key] = json.loads(value)
    names = args.only.split(",") if args.only else list(GROUPS)
    unknown = sorted(set(names) - set(GROUPS))
    if unknown:
        parser.error(f"unknown group(s) {', '.join(unknown)}")
    if not ANSIBLE_PLAYBOOK.exists():
        say(f"{ANSIBLE_PLAYBOOK} not found: run this with `python3 tools/dev.py bench`")
        return 2
    WORK.mkdir(parents=True, exist_ok=True)
    started, load_before = time.monotonic(), os.getloadavg()[0]
    results: dict[str, Run] = {}
    for name in names:
        say(f"== {name}")
        GROUPS[name](results)
    elapsed = time.monotonic() - started
    (WORK / "results.json").write_text(json.dumps({k: r.as_json() for k, r in results.items()}, indent=1) + "\n")
    text = report(results, elapsed, (load_before, os.getloadavg()[0]))
    say()
    say(text)
    if args.only or args.no_doc or OPTIONS["role_vars"]:
        say(f"(not written to {DOC.relative_to(REPO)}: only a part ran; raw results in .tmp/bench/results.json)")
    else:
        write_doc(text)
        say(f"written to {DOC.relative_to(REPO)}; raw results and play logs in .tmp/bench/")
    problems = [f"{name}: {problem}" for name, run in results.items() for problem in run.problems]
    for problem in problems:
        say(f"PROBLEM {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
