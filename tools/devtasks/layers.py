"""The test layers. Each returns a process exit code (0 = passed)."""

from __future__ import annotations

import subprocess
import sys
from typing import Callable

from . import package, sanity
from .paths import REPO, tool_env


def run(command: list[str], **env: str) -> int:
    print("+ " + " ".join(command), flush=True)
    return subprocess.run(command, cwd=REPO, env=tool_env(**env), check=False).returncode


def run_python(script: str) -> int:
    return run([sys.executable, str(REPO / script)])


def lint_python(_: list[str]) -> int:
    return run(["ruff", "check", "."]) or run(["ruff", "format", "--check", "."])


def pytest_dirs(*dirs: str) -> Callable[[list[str]], int]:
    def layer(extra: list[str]) -> int:
        present = [d for d in dirs if (REPO / d).is_dir()]
        code = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *present, *extra])
        return 0 if code == 5 and not extra else code  # 5 = no tests collected: not a failure of a layer

    return layer


def ansible_lint(_: list[str]) -> int:
    targets = [p for p in ("roles", "examples", "tests/integration/targets") if (REPO / p).is_dir()]
    return run(["ansible-lint", "--profile", "production", "--offline", *targets])


def changelog_lint(_: list[str]) -> int:
    return run(["antsibull-changelog", "lint"])


LAYERS: dict[str, Callable[[list[str]], int]] = {
    "ruff": lint_python,
    "unit": pytest_dirs("tests/unit", "tests/endpoint_tests"),
    "integration": pytest_dirs("tests/integration"),
    "ansible-lint": ansible_lint,
    "changelog": changelog_lint,
    "sanity": lambda _: sanity.run_sanity(),
    "package": lambda _: package.build_install_and_check(),
}
