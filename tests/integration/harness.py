"""Integration helpers: run playbooks in real ansible-playbook against a local endpoint."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from local_play import play_head

HERE = Path(__file__).resolve().parent
TARGETS = HERE / "targets"


def target_playbook(target: str) -> str:
    """A play that runs one integration target (a role under targets/) against the endpoint."""
    return play_head(f"Integration target {target}") + f"  roles:\n    - role: {target}\n"


def target_names() -> list[str]:
    return sorted(
        p.name for p in TARGETS.iterdir() if (p / "tasks" / "main.yml").exists() and not p.name.startswith("setup_")
    )


def run_playbook(endpoint, playbook: Path, extra_vars: dict, *options: str, env: dict | None = None):
    """ansible-playbook with the endpoint's variables; returns the completed process."""
    inventory = playbook.parent / "inventory.ini"
    inventory.write_text(f"localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n")
    variables = " ".join(f"{key}={value}" for key, value in extra_vars.items())
    command = [
        "ansible-playbook",
        "-i",
        str(inventory),
        str(playbook),
        *(["-e", variables] if variables else []),
        *options,
    ]
    full_env = dict(os.environ, **endpoint.env(), ANSIBLE_ROLES_PATH=str(TARGETS), **(env or {}))
    return subprocess.run(command, env=full_env, capture_output=True, text=True, check=False, timeout=1200)


# The endpoint only creates Directory Service directories; registering them with WorkSpaces is the
# product's job, so every integration test that needs a registered directory goes through the module.
REGISTER_PLAYBOOK = """\
- name: Register the test directories with euc.workspaces.directory
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Register each directory and wait until it is REGISTERED
      euc.workspaces.directory:
        endpoint_url: "{{ endpoint_url }}"
        access_key: testing
        secret_key: testing
        region: "{{ item.region }}"
        directory_id: "{{ item.directory_id }}"
        state: present
      loop: "{{ directories }}"
"""


def registered_directories(endpoint, tmp_dir: Path, *names: str, region: str = "us-east-1") -> list[str]:
    """Create one directory per name and register them all in one ansible-playbook run; returns their ids."""
    return registered_directories_in(endpoint, tmp_dir, [(region, name) for name in names])


def registered_directories_in(endpoint, tmp_dir: Path, regions_and_names: list[tuple[str, str]]) -> list[str]:
    """As registered_directories, for directories in several regions: [(region, name), ...]."""
    directories = [
        {"region": region, "directory_id": endpoint.create_directory(region=region, name=name)}
        for region, name in regions_and_names
    ]
    tmp_dir.mkdir(parents=True, exist_ok=True)
    playbook = tmp_dir / "register_directories.yml"
    playbook.write_text(REGISTER_PLAYBOOK)
    variables = tmp_dir / "register_directories.json"
    variables.write_text(json.dumps({"endpoint_url": endpoint.url, "directories": directories}))
    result = run_playbook(endpoint, playbook, {}, "-e", f"@{variables}")
    if result.returncode != 0:
        raise RuntimeError(f"registering {directories} failed:\n{result.stdout[-5000:]}\n{result.stderr[-2000:]}")
    return [directory["directory_id"] for directory in directories]


def target_vars(endpoint, tmp_dir: Path) -> dict:
    corp, lab = registered_directories(endpoint, tmp_dir, "corp.example.com", "lab.example.com")
    return {"endpoint_url": endpoint.url, "directory_id": corp, "second_directory_id": lab}
