"""Run a playbook against the installed collection on a local endpoint: the packaging layer's last step.

    ANSIBLE_COLLECTIONS_PATH=<installed collections> PYTHONPATH=tests python tests/package/run_playbook.py PLAYBOOK

Starts the endpoint on a free port, registers a directory, runs ansible-playbook with the variables
endpoint_url, directory_id and user_name, checks from the endpoint's side that exactly one CreateWorkspaces and
one TerminateWorkspaces call arrived, and stops the endpoint. ansible-playbook sees the installed copy only:
no PYTHONPATH, no AWS_* variables (the playbook's module_defaults are the only way to the endpoint).
Exit code: ansible-playbook's, or 1 when the endpoint saw the wrong calls, 2 when the collections path is not
an installed copy.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from endpoint import Endpoint

USER_NAME = "package-check"
EXPECTED_CALLS = {"CreateWorkspaces": 1, "TerminateWorkspaces": 1}


def installed_copy(collections_path: str) -> Path | None:
    """The euc.workspaces that ansible-galaxy installed under this path, or None when there is none."""
    if not collections_path or os.pathsep in collections_path:
        return None
    collection = Path(collections_path) / "ansible_collections" / "euc" / "workspaces"
    if collection.is_symlink() or not (collection / "MANIFEST.json").is_file():
        return None
    return collection


def ansible_playbook() -> str:
    """The ansible-playbook of the interpreter running this script (the tool venv), else the one on PATH."""
    beside = Path(sys.executable).with_name("ansible-playbook")
    return str(beside) if beside.exists() else "ansible-playbook"


def playbook_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_") and key != "PYTHONPATH"}
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    return env


def run(playbook: Path, verbosity: list[str]) -> int:
    collection = installed_copy(os.environ.get("ANSIBLE_COLLECTIONS_PATH", ""))
    if collection is None:
        print("ANSIBLE_COLLECTIONS_PATH must be one path holding an installed euc.workspaces", file=sys.stderr)
        return 2
    print(f"[package] playbook {playbook.name} against {collection}", flush=True)
    with Endpoint.start(delay=0.0) as endpoint, tempfile.TemporaryDirectory(prefix="package-playbook-") as work:
        directory_id = endpoint.create_registered_directory(name="corp.example.com")
        endpoint.reset()
        inventory = Path(work, "inventory.ini")
        inventory.write_text(f"localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n")
        extra_vars = Path(work, "vars.json")
        extra_vars.write_text(
            json.dumps({"endpoint_url": endpoint.url, "directory_id": directory_id, "user_name": USER_NAME})
        )
        command = [ansible_playbook(), "-i", str(inventory), "-e", f"@{extra_vars}", *verbosity, str(playbook)]
        print("+ " + " ".join(command), flush=True)
        code = subprocess.run(command, env=playbook_env(), cwd=work, check=False, timeout=900).returncode
        if code != 0:
            print(f"[package] ansible-playbook exited {code}; endpoint log tail:\n{endpoint.log_text()[-3000:]}")
            return code
        counts = {action: endpoint.count(action) for action in EXPECTED_CALLS}
    if counts != EXPECTED_CALLS:
        print(f"[package] the endpoint saw {counts}, expected {EXPECTED_CALLS}", file=sys.stderr)
        return 1
    print(f"[package] {playbook.name} passed; endpoint calls {counts}")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("playbook", type=Path)
    parser.add_argument("-v", "--verbose", action="count", default=0, help="passed on to ansible-playbook")
    args = parser.parse_args(argv)
    return run(args.playbook.resolve(), ["-" + "v" * args.verbose] if args.verbose else [])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
