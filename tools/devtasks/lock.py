"""python3 tools/dev.py lock: write requirements-dev.lock from what .venv holds.

The lock pins every package of .venv (what requirements-dev.txt pulled in, transitively) to the installed
version; tools/dev.py installs `-r requirements-dev.txt -c requirements-dev.lock`, so a new machine gets the same
versions. Run it after changing requirements-dev.txt (tools/dev.py reinstalls first) and commit both files.
"""

from __future__ import annotations

import re
import subprocess
import sys

from .paths import REPO

LOCK = REPO / "requirements-dev.lock"
HEADER = """\
# Constraints for requirements-dev.txt: every package .venv holds, pinned (pip freeze of a working .venv).
# tools/dev.py installs `-r requirements-dev.txt -c requirements-dev.lock`. Do not edit by hand: change
# requirements-dev.txt, run any `python3 tools/dev.py` command (it reinstalls), then `python3 tools/dev.py lock`.
"""
PIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*==\S+$")


def frozen() -> list[str]:
    """`pip freeze` of the running interpreter's environment, one `name==version` a line, sorted by name."""
    out = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", "freeze", "--exclude-editable"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    pins = [line.strip() for line in out.splitlines() if line.strip() and not line.startswith("#")]
    unpinned = [line for line in pins if not PIN.match(line)]
    if unpinned:  # a direct URL or a local path would not install on another machine
        raise SystemExit(f"cannot lock packages that are not plain releases: {unpinned}")
    return sorted(pins, key=lambda line: line.split("==", 1)[0].lower())


def write_lock() -> int:
    pins = frozen()
    LOCK.write_text(HEADER + "\n".join(pins) + "\n")
    print(f"wrote {LOCK.relative_to(REPO)}: {len(pins)} packages")
    return 0
