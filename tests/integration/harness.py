"""Integration helpers: run playbooks in real ansible-playbook against a local endpoint."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGETS = HERE / "targets"
PLAYBOOK = """\
- name: Integration target {target}
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/aws:
      endpoint_url: "{{{{ endpoint_url }}}}"
      region: us-east-1
      access_key: testing
      secret_key: testing
  roles:
    - role: {target}
"""


def target_names() -> list[str]:
    return sorted(
        p.name for p in TARGETS.iterdir() if (p / "tasks" / "main.yml").exists() and not p.name.startswith("setup_")
    )


def run_playbook(endpoint, playbook: Path, extra_vars: dict, *options: str, env: dict | None = None):
    """ansible-playbook with the endpoint's variables; returns the completed process."""
    inventory = playbook.parent / "inventory.ini"
    inventory.write_text(f"localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n")
    variables = " ".join(f"{key}={value}" for key, value in extra_vars.items())
    command = ["ansible-playbook", "-i", str(inventory), str(playbook), "-e", variables, *options]
    full_env = dict(os.environ, **endpoint.env(), ANSIBLE_ROLES_PATH=str(TARGETS), **(env or {}))
    return subprocess.run(command, env=full_env, capture_output=True, text=True, check=False, timeout=1200)


def target_vars(endpoint) -> dict:
    return {
        "endpoint_url": endpoint.url,
        "directory_id": endpoint.create_registered_directory(name="corp.example.com"),
        "second_directory_id": endpoint.create_registered_directory(name="lab.example.com"),
    }
