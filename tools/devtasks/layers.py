"""The test layers.

Each layer takes the extra pytest arguments (used by the pytest layers only) and returns a process exit code,
0 meaning passed. A layer with nothing to test fails (pytest's exit code 5 included). The one exception is
the package layer's playbook, which raises Skipped (printed in the summary) while the modules it uses are
not in the repo.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Callable

from . import docs, package, release_notes, sanity
from .paths import REPO, tool_env

PYTEST_NO_TESTS = 5  # pytest's exit code when nothing was collected
INTEGRATION_WORKERS = 4
LINT_TARGETS = ("roles", "examples", "tests/integration/targets", "tests/integration/iam", "tests/package")


def run(command: list[str], **env: str) -> int:
    print("+ " + " ".join(command), flush=True)
    return subprocess.run(command, cwd=REPO, env=tool_env(**env), check=False).returncode


def run_python(script: str, args: list[str] | None = None) -> int:
    path = REPO / script
    if not path.exists():
        print(f"{script} does not exist yet", file=sys.stderr)
        return 1
    return run([sys.executable, str(path), *(args or [])])


def pytest(dirs: list[str], extra: list[str]) -> int:
    code = run([sys.executable, "-m", "pytest", "-q", *dirs, *extra])
    if code == PYTEST_NO_TESTS:
        print(f"pytest collected no tests in {', '.join(dirs)}", file=sys.stderr)
    return code


def ruff(_extra: list[str]) -> int:
    return run(["ruff", "check", "."]) or run(["ruff", "format", "--check", "."])


def unit(extra: list[str]) -> int:
    """Stubber-driven module and module_utils tests, and the local endpoint's own tests."""
    return pytest([d for d in ("tests/unit", "tests/endpoint_tests") if (REPO / d).is_dir()], extra)


def integration(extra: list[str]) -> int:
    """ansible-playbook runs against the local endpoint: tests/integration/targets/* and the other test files."""
    # Each test runs its own endpoint and ansible-playbook: CPU-bound, independent. `-- -n 0` runs them serially.
    workers = min(INTEGRATION_WORKERS, os.cpu_count() or 1)
    return pytest(["tests/integration", *(["-n", str(workers)] if workers > 1 else [])], extra)


def ansible_lint(_extra: list[str]) -> int:
    """Production profile; --offline: never reach Galaxy, find amazon.aws and this repo via tool_env's tree."""
    targets = [p for p in LINT_TARGETS if (REPO / p).is_dir()]
    missing = package.missing_playbook_modules()
    if missing:  # its syntax check would only say "unknown module" until they exist (the package layer skips too)
        print(f"tests/package left out until module(s) {', '.join(missing)} exist", flush=True)
        targets.remove("tests/package")
    return run(["ansible-lint", "--profile", "production", "--offline", *targets])


def changelog(_extra: list[str]) -> int:
    """Fragments and the release history are well-formed, and the next release could be cut from them."""
    return (
        run(["antsibull-changelog", "lint"])
        or run(["antsibull-changelog", "lint-changelog-yaml", "changelogs/changelog.yaml"])
        or release_notes.preview()
    )


LAYERS: dict[str, Callable[[list[str]], int]] = {
    "ruff": ruff,
    "unit": unit,
    "integration": integration,
    "ansible-lint": ansible_lint,
    "changelog": changelog,
    "docs": lambda _extra: docs.build(),
    "sanity": lambda _extra: sanity.run_sanity(),
    "package": lambda _extra: package.build_install_and_check(),
}
