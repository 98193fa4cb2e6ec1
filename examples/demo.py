"""The README demo: provision examples/roster.csv against the local endpoint, the way a change window would.

Run it with `python3 tools/dev.py demo` (which sets up .venv, PYTHONPATH and ANSIBLE_COLLECTIONS_PATH). It starts
the local WorkSpaces endpoint, creates and registers a directory, then runs examples/provision.yml:

  1. --check --diff      the plan: what would change for whom; no mutating API call
  2. for real            200 WorkSpaces, waited for together, help desk report written
  3. again               nothing to do: changed=0, no mutating API call
  4. a changed roster    3 users gone, Sales moves to ALWAYS_ON; with provision_exclusive the guard refuses first,
                         then, raised to 3, the role terminates the 3 and modifies the Sales WorkSpaces
  5. again               changed=0

Each step checks what it did against the endpoint; the script exits non-zero when a step does not do what it should.
Full play output of every step is kept in .tmp/demo/.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from endpoint import Endpoint

REPO = Path(__file__).resolve().parents[1]
PLAYBOOK = REPO / "examples" / "provision.yml"
REGISTER_PLAYBOOK = REPO / "examples" / "register_directory.yml"
ROSTER = REPO / "examples" / "roster.csv"
WORK = REPO / ".tmp" / "demo"
ANSIBLE_PLAYBOOK = Path(sys.executable).with_name("ansible-playbook")
STATE_DELAY = 5.0  # seconds each WorkSpaces state change takes on the endpoint, so the wait has something to show
REMOVED_USERS = 3
CHANGED_DEPARTMENT, NEW_MODE = "Sales", "ALWAYS_ON"
SHOWN_LINES = 8


class DemoFailed(Exception):
    pass


def say(text: str = "") -> None:
    print(text, flush=True)


def step(number: int, title: str) -> None:
    say()
    say(f"== {number}. {title} " + "=" * max(3, 100 - len(title)))


def check(condition: bool, what: str) -> None:
    say(f"   {'ok  ' if condition else 'FAIL'} {what}")
    if not condition:
        raise DemoFailed(what)


# --- running the playbook -----------------------------------------------------------------------------------


class Run:
    """One ansible-playbook run: its output, exit code, the role's summary and the endpoint's counters."""

    def __init__(self, name: str, process: subprocess.CompletedProcess, summary: dict | None, calls: dict):
        self.name = name
        self.stdout = process.stdout
        self.returncode = process.returncode
        self.summary = summary
        self.calls = calls

    @property
    def mutating(self) -> int:
        return int(self.calls["mutating"])

    def count(self, action: str) -> int:
        return int(self.calls["counts"].get(f"workspaces:{action}", 0))

    def recap_changed(self) -> int | None:
        match = re.search(r"^localhost\s*:\s*ok=\d+\s+changed=(\d+)", self.stdout, re.MULTILINE)
        return int(match.group(1)) if match else None

    def debug_msg(self, task: str):
        """The msg of the last debug task with this name, parsed from the default callback's output."""
        blocks = re.findall(
            rf"^TASK \[euc\.workspaces\.provision : {re.escape(task)}\] \**\nok: \[localhost\] => (\{{.*?^\}})",
            self.stdout,
            re.MULTILINE | re.DOTALL,
        )
        return json.loads(blocks[-1])["msg"] if blocks else None

    def failure_msg(self) -> str | None:
        match = re.search(r"^fatal: \[localhost\]: FAILED! => (\{.*\})$", self.stdout, re.MULTILINE)
        return json.loads(match.group(1)).get("msg") if match else None

    def progress(self) -> list[str]:
        return re.findall(r'"msg": "(New WorkSpaces: [^"]*)"', self.stdout)


def play(endpoint: Endpoint, name: str, *options: str, playbook: Path = PLAYBOOK, **variables) -> Run:
    """Run a playbook (examples/provision.yml by default); print the command; keep the output in .tmp/demo/."""
    summary_path = WORK / f"{name}.summary.json"
    summary_path.unlink(missing_ok=True)
    variables.setdefault("summary_path", str(summary_path))
    extra = {"ansible_python_interpreter": sys.executable, **variables}
    shown = " ".join(
        f"{k}={str(v).replace(str(REPO) + os.sep, '')}" for k, v in variables.items() if k != "summary_path"
    )
    shown_playbook = str(playbook.relative_to(REPO))
    say("   $ " + " ".join([f"ansible-playbook {shown_playbook}", *options, f"-e '{shown}'"]))
    env = dict(os.environ, **endpoint.env(), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    env.setdefault("ANSIBLE_LOCAL_TEMP", str(WORK / "ansible-tmp"))
    endpoint.reset()
    started = time.monotonic()
    process = subprocess.run(
        [str(ANSIBLE_PLAYBOOK), "-i", "localhost,", str(playbook), "-e", json.dumps(extra), *options],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    (WORK / f"{name}.log").write_text(process.stdout + process.stderr)
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else None
    run = Run(name, process, summary, endpoint.calls())
    say(
        f"   ({time.monotonic() - started:.0f} s, exit code {run.returncode}, {run.mutating} mutating API "
        f"call{'' if run.mutating == 1 else 's'};"
        f" full output: .tmp/demo/{name}.log)"
    )
    return run


def show(lines, limit: int = SHOWN_LINES, indent: str = "   | ") -> None:
    lines = list(lines or [])
    for line in lines[:limit]:
        say(indent + line)
    if len(lines) > limit:
        say(f"{indent}... and {len(lines) - limit} more")


def counts(summary: dict) -> dict:
    return {key: summary[key] for key in ("created", "modified", "tagged", "unchanged", "terminated", "failed")}


# --- what the endpoint holds --------------------------------------------------------------------------------


def directory_workspaces(endpoint: Endpoint, directory_id: str) -> list[dict]:
    return endpoint.workspaces(directory_id, leaving=True)


def read_roster(path: Path) -> list[dict]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def write_roster(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


# --- the steps ----------------------------------------------------------------------------------------------


def demo() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    roster = read_roster(ROSTER)
    departments = sorted({row["tag:Department"] for row in roster})
    say(
        f"Roster: examples/roster.csv, {len(roster)} users in {len(departments)} departments ({', '.join(departments)})"
    )

    step(1, f"Start the local WorkSpaces endpoint (each state change takes {STATE_DELAY:.0f} s)")
    with Endpoint.start(delay=STATE_DELAY) as endpoint:
        say(f"   endpoint at {endpoint.url}")
        say("   (each command below runs with the endpoint's AWS_* variables; to try them by hand, start one with")
        say("   `python3 tools/dev.py endpoint`, which prints those variables)")

        step(2, "Create a directory and register it with WorkSpaces (euc.workspaces.directory)")
        directory_id = endpoint.create_directory(name="corp.example.com", register=False)
        registration = play(endpoint, "0-register", playbook=REGISTER_PLAYBOOK, directory_id=directory_id)
        check(registration.returncode == 0, "the directory module registered the directory")
        again = play(endpoint, "0-register-again", playbook=REGISTER_PLAYBOOK, directory_id=directory_id)
        check(again.returncode == 0 and again.mutating == 0, "registering again changes nothing")
        directory = endpoint.client("workspaces", setup=True).describe_workspace_directories(
            DirectoryIds=[directory_id]
        )["Directories"][0]
        code = directory["RegistrationCode"]
        say(f"   {directory_id} ({directory['DirectoryName']}), {directory['State']}, registration code {code}")
        base = {"directory_id": directory_id, "wait_interval": 2}

        step(3, "Dry run for the change window: --check --diff")
        plan = play(endpoint, "1-plan", "--check", "--diff", **base)
        check(plan.returncode == 0, "the dry run succeeded")
        show(plan.debug_msg("Show the changes per user"))
        show(plan.summary and plan.summary["lines"], limit=20)
        check(plan.mutating == 0, "no mutating API call was made")
        check(plan.summary["check_mode"] and plan.summary["created"] == len(roster), f"the plan creates {len(roster)}")
        check(not directory_workspaces(endpoint, directory_id), "the directory still has no WorkSpace")

        step(4, "Apply the roster")
        report = WORK / "workspaces-report.csv"
        report.unlink(missing_ok=True)
        applied = play(endpoint, "2-apply", report_path=str(report), **base)
        check(applied.returncode == 0, "the run succeeded")
        show(applied.progress(), limit=20)
        show(applied.summary and applied.summary["lines"], limit=20)
        check(counts(applied.summary) == counts(plan.summary), "the summary is the one the plan predicted")
        creates = -(-len(roster) // 25)
        check(applied.count("CreateWorkspaces") == creates, f"{creates} CreateWorkspaces calls of up to 25 users")
        workspaces = directory_workspaces(endpoint, directory_id)
        states = sorted({ws["State"] for ws in workspaces})
        check(len(workspaces) == len(roster), f"{len(workspaces)} WorkSpaces, one per user")
        check(states == ["AVAILABLE"], f"all of them AVAILABLE (states seen: {', '.join(states)})")
        by_user = {ws["UserName"]: ws for ws in workspaces}
        mixed = [row["user_name"] for row in roster if row["user_name"] != row["user_name"].lower()]
        check(all(name in by_user for name in mixed), f"mixed-case user names kept as given: {', '.join(mixed[:3])}...")
        odd = next(row for row in roster if row["bundle_id"] != _department_bundle(roster, row["tag:Department"]))
        check(
            by_user[odd["user_name"]]["BundleId"] == odd["bundle_id"],
            f"{odd['user_name']} ({odd['tag:Department']}) got their own bundle {odd['bundle_id']}",
        )
        rows = read_roster(report)
        check(
            len(rows) == len(roster) and {r["registration_code"] for r in rows} == {code},
            f"help desk report {report.relative_to(REPO)}: {len(rows)} users with IP addresses and the registration code",
        )
        show([", ".join(f"{k}={v}" for k, v in row.items()) for row in rows[:3]], limit=3)

        step(5, "Run it again: nothing to do")
        again = play(endpoint, "3-again", report_path=str(report), **base)
        check(again.returncode == 0, "the run succeeded")
        check(again.recap_changed() == 0, f"PLAY RECAP changed={again.recap_changed()}")
        check(again.mutating == 0, "no mutating API call was made")
        check(again.summary["unchanged"] == len(roster), f"{again.summary['unchanged']} WorkSpaces unchanged")

        step(6, f"Change the roster: {REMOVED_USERS} users leave, {CHANGED_DEPARTMENT} moves to {NEW_MODE}")
        changed_roster = WORK / "roster-changed.csv"
        leavers = [row["user_name"] for row in roster[10 : 10 + REMOVED_USERS * 40 : 40]]
        kept = [dict(row) for row in roster if row["user_name"] not in leavers]
        moved = 0
        for row in kept:
            if row["tag:Department"] == CHANGED_DEPARTMENT:
                row["running_mode"], row["running_mode_auto_stop_timeout"] = NEW_MODE, ""
                moved += 1
        write_roster(changed_roster, kept)
        say(f"   {changed_roster.relative_to(REPO)}: without {', '.join(leavers)}; {moved} {CHANGED_DEPARTMENT} users")
        changed = {**base, "roster_csv": str(changed_roster), "exclusive": True}

        say("   With provision_exclusive and the guard at its default (provision_max_terminations=0):")
        refused = play(endpoint, "4-guard", **changed)
        message = refused.failure_msg() or ""
        say(f"   | {message}")
        check(refused.returncode != 0, "the role refused")
        check(all(name in message for name in leavers), "the refusal names the 3 users")
        check(refused.mutating == 0, "no mutating API call was made")

        say(f"   With the guard raised to {REMOVED_USERS} (plan first, then for real):")
        raised = {**changed, "max_terminations": REMOVED_USERS}
        plan2 = play(endpoint, "5-plan", "--check", "--diff", **raised)
        check(plan2.returncode == 0 and plan2.mutating == 0, "the dry run succeeded with no mutating API call")
        # What a reviewer needs to see first: who loses a WorkSpace, then the rest of the plan.
        per_user = plan2.debug_msg("Show the changes per user") or []
        show(sorted(per_user, key=lambda line: "terminate" not in line), limit=6)
        show(plan2.summary and plan2.summary["lines"], limit=20)
        applied2 = play(endpoint, "6-apply", report_path=str(report), **raised)
        check(applied2.returncode == 0, "the run succeeded")
        show(applied2.summary and applied2.summary["lines"], limit=20)
        check(counts(applied2.summary) == counts(plan2.summary), "the summary is the one the plan predicted")
        terminated = sorted(applied2.summary["users"]["terminated"])
        check(terminated == sorted(leavers), f"terminated exactly {', '.join(leavers)}")
        check(applied2.summary["modified"] == moved, f"modified the {moved} {CHANGED_DEPARTMENT} WorkSpaces")
        workspaces = [ws for ws in directory_workspaces(endpoint, directory_id) if ws["State"] not in ("TERMINATING",)]
        modes = {
            ws["WorkspaceProperties"]["RunningMode"]
            for ws in workspaces
            if any(ws["UserName"] == row["user_name"] for row in kept if row["tag:Department"] == CHANGED_DEPARTMENT)
        }
        check(len(workspaces) == len(kept), f"{len(workspaces)} WorkSpaces left")
        check(modes == {NEW_MODE}, f"every {CHANGED_DEPARTMENT} WorkSpace is {NEW_MODE}")

        step(7, "Run the changed roster again: nothing to do")
        final = play(endpoint, "7-again", report_path=str(report), **raised)
        check(final.returncode == 0, "the run succeeded")
        check(final.recap_changed() == 0 and final.mutating == 0, "changed=0, no mutating API call")

        step(8, "Stop the endpoint")
    say("   stopped")
    say()
    say("Demo complete: every step did what it should.")


def _department_bundle(roster: list[dict], department: str) -> str:
    bundles = [row["bundle_id"] for row in roster if row["tag:Department"] == department]
    return max(set(bundles), key=bundles.count)


def main() -> int:
    try:
        demo()
    except DemoFailed as failure:
        say()
        say(f"Demo FAILED: {failure}. See the logs in {WORK.relative_to(REPO)}/.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
