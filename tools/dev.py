"""Developer entry point: `python3 tools/dev.py demo` and `python3 tools/dev.py test`.

Needs only Python 3.11+ and git. The first run creates `.venv/` from the pinned `requirements-dev.txt`, with
`requirements-dev.lock` as constraints (every package they pull in, pinned too); later runs reuse it while neither
file changed. `python3 tools/dev.py lock` rewrites the lock file from `.venv/`.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
import time
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV = REPO / ".venv"
REQUIREMENTS = REPO / "requirements-dev.txt"
CONSTRAINTS = REPO / "requirements-dev.lock"
STAMP = VENV / ".requirements.sha256"
LOCK = REPO / ".tmp" / "venv.lock"


def _venv_python() -> Path:
    return VENV / "bin" / "python"


def _requirements_digest() -> str:
    """One digest over both files: a change to either reinstalls."""
    digest = hashlib.sha256()
    for path in (REQUIREMENTS, CONSTRAINTS):
        digest.update(path.name.encode() + b"\0" + (path.read_bytes() if path.exists() else b"") + b"\0")
    return digest.hexdigest()


def _venv_is_current() -> bool:
    return STAMP.exists() and STAMP.read_text().strip() == _requirements_digest()


def ensure_venv() -> None:
    """Create or refresh .venv so it holds the pinned tool versions; one run at a time does it."""
    if _venv_is_current():
        return
    LOCK.parent.mkdir(exist_ok=True)
    with open(LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another run in this work tree may be installing right now
        if _venv_is_current():
            return
        started = time.monotonic()
        print(f"[dev] installing pinned tools into {VENV} (first run: about a minute)", flush=True)
        if not _venv_python().exists():
            venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
        pip = [str(_venv_python()), "-m", "pip", "--disable-pip-version-check", "-q"]
        constraints = ["-c", str(CONSTRAINTS)] if CONSTRAINTS.exists() else []
        subprocess.run([*pip, "install", "-r", str(REQUIREMENTS), *constraints], check=True)
        STAMP.write_text(_requirements_digest() + "\n")
        print(f"[dev] {VENV} ready in {time.monotonic() - started:.0f}s", flush=True)


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):
        print("tools/dev.py needs Python 3.11 or newer", file=sys.stderr)
        return 2
    try:
        ensure_venv()
    except subprocess.CalledProcessError as error:
        print(f"[dev] could not install {REQUIREMENTS.name} ({CONSTRAINTS.name}) into {VENV}: {error}", file=sys.stderr)
        return 1
    env = dict(os.environ, PYTHONPATH=str(REPO / "tools"), VIRTUAL_ENV=str(VENV))
    env["PATH"] = f"{VENV / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    command = [str(_venv_python()), "-m", "devtasks", *argv]
    return subprocess.run(command, env=env, cwd=REPO, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
