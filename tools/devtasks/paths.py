"""Where things are, and the throw-away collection tree the tools need."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
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
    """Make link a symlink to target; atomic, so concurrent runs in one work tree do not trip over each other."""
    if link.is_symlink() and link.resolve() == target:
        return
    link.parent.mkdir(parents=True, exist_ok=True)
    partial = link.with_name(f".{link.name}.{os.getpid()}")
    if partial.is_symlink():
        partial.unlink()
    partial.symlink_to(target, target_is_directory=True)
    os.replace(partial, link)


@contextmanager
def exclusive(name: str):
    """Hold .tmp/<name>.lock: a second run of the same layer in this work tree waits instead of deleting the
    first one's tree under it."""
    TMP.mkdir(parents=True, exist_ok=True)
    with open(TMP / f"{name}.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"[{name}] another run in this work tree holds {lock.name}; waiting for it", flush=True)
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


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
