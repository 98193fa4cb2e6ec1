"""Developer entry point: `python3 tools/dev.py demo` and `python3 tools/dev.py test`.

Needs only Python 3.11+ and git. The first run creates `.venv/` from the pinned
`requirements-dev.txt`; later runs reuse it while that file is unchanged.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV = REPO / ".venv"
REQUIREMENTS = REPO / "requirements-dev.txt"
STAMP = VENV / ".requirements.sha256"


def _venv_python() -> Path:
    return VENV / "bin" / "python"


def _requirements_digest() -> str:
    return hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()


def ensure_venv() -> None:
    """Create or refresh .venv so it holds exactly the pinned tool versions."""
    if STAMP.exists() and STAMP.read_text().strip() == _requirements_digest():
        return
    print(f"[dev] installing pinned tools into {VENV} (first run: a few minutes)", flush=True)
    if not _venv_python().exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    pip = [str(_venv_python()), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "-r", str(REQUIREMENTS)], check=True)
    STAMP.write_text(_requirements_digest() + "\n")


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):
        print("tools/dev.py needs Python 3.11 or newer", file=sys.stderr)
        return 2
    ensure_venv()
    env = dict(os.environ, PYTHONPATH=str(REPO / "tools"), VIRTUAL_ENV=str(VENV))
    env["PATH"] = f"{VENV / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    command = [str(_venv_python()), "-m", "devtasks", *argv]
    return subprocess.run(command, env=env, cwd=REPO, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
