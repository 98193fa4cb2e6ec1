"""Where things are, and the throw-away collection tree the tools need."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import ansible_collections.amazon.aws as amazon_aws

REPO = Path(__file__).resolve().parents[2]
TMP = REPO / ".tmp"
COLLECTIONS = TMP / "collections"
AMAZON_AWS = Path(amazon_aws.__path__[0]).resolve()


def collection_tree() -> Path:
    """An ansible_collections/ tree that holds this repo (symlinked) beside amazon.aws."""
    link_into(COLLECTIONS / "ansible_collections" / "euc" / "workspaces", REPO)
    link_into(COLLECTIONS / "ansible_collections" / "amazon" / "aws", AMAZON_AWS)
    return COLLECTIONS


def link_into(link: Path, target: Path) -> None:
    if link.is_symlink() and link.resolve() == target:
        return
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(target, target_is_directory=True)


def tracked_files() -> list[str]:
    """Files git would commit: tracked plus untracked-but-not-ignored."""
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [name for name in out.split("\0") if name and (REPO / name).is_file()]


def copy_of_repo(destination: Path) -> Path:
    """A real copy (ansible-test refuses a symlinked collection root)."""
    if destination.exists():
        shutil.rmtree(destination)
    for name in tracked_files():
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, target)
    return destination


def tool_env(**extra: str) -> dict[str, str]:
    """Environment for ansible and pytest subprocesses."""
    collections = collection_tree()
    env = dict(os.environ)
    env.update(
        ANSIBLE_COLLECTIONS_PATH=str(collections),
        PYTHONPATH=os.pathsep.join([str(collections), str(REPO / "tests")]),
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_LOCAL_TEMP=str(TMP / "ansible-local"),
        ANSIBLE_REMOTE_TEMP=str(TMP / "ansible-remote"),
    )
    env.update(extra)
    return env
