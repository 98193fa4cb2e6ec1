"""Build the collection, install the tarball, and use the installed copy."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from .paths import REPO, TMP, tool_env

PACKAGE_DIR = TMP / "package"
PLUGIN_TYPES = {"modules": "module", "inventory": "inventory"}


def installed_env(collections: Path) -> dict[str, str]:
    env = tool_env()
    # Only the installed copy and its dependency: the repo's own tree must not be visible.
    env["ANSIBLE_COLLECTIONS_PATH"] = str(collections)
    env["PYTHONPATH"] = str(REPO / "tests")
    return env


def sh(command: list[str], env: dict[str, str], cwd: Path = REPO) -> subprocess.CompletedProcess:
    print("+ " + " ".join(command), flush=True)
    return subprocess.run(command, env=env, cwd=cwd, check=True, capture_output=True, text=True)


def plugin_names() -> list[tuple[str, str]]:
    names = []
    for folder, kind in PLUGIN_TYPES.items():
        for path in sorted((REPO / "plugins" / folder).glob("*.py")):
            if path.name != "__init__.py":
                names.append((kind, f"euc.workspaces.{path.stem}"))
    return names


def build_install_and_check() -> int:
    if PACKAGE_DIR.exists():
        shutil.rmtree(PACKAGE_DIR)
    dist, collections = PACKAGE_DIR / "dist", PACKAGE_DIR / "collections"
    env = installed_env(collections)
    try:
        sh(["ansible-galaxy", "collection", "build", "--output-path", str(dist), str(REPO)], env)
        tarball = next(dist.glob("euc-workspaces-*.tar.gz"))
        check_tarball_contents(tarball)
        sh(
            ["ansible-galaxy", "collection", "install", "--offline", "--no-deps", "-p", str(collections), str(tarball)],
            env,
        )
        link_dependency(collections)
        for kind, name in plugin_names():
            out = sh(["ansible-doc", "-t", kind, name], env).stdout
            if name not in out or "EXAMPLES" not in out:
                print(f"ansible-doc output for {name} lacks its name or EXAMPLES", file=sys.stderr)
                return 1
        playbook = REPO / "tests/package/installed_copy.yml"
        sh(
            [str(Path(sys.executable).with_name("python")), str(REPO / "tests/package/run_playbook.py"), str(playbook)],
            env,
        )
    except subprocess.CalledProcessError as error:
        print(error.stdout, error.stderr, sep="\n", file=sys.stderr)
        return 1
    print(f"package: built {tarball.name}, installed it, ansible-doc rendered {len(plugin_names())} plugins")
    return 0


def check_tarball_contents(tarball: Path) -> None:
    import tarfile

    with tarfile.open(tarball) as archive:
        names = archive.getnames()
    leaked = [n for n in names if n.startswith(("tests/endpoint", "benchmarks", "tools", ".venv", ".tmp"))]
    if leaked:
        raise subprocess.CalledProcessError(1, "tarball", "", f"test-only files in the tarball: {leaked[:5]}")


def link_dependency(collections: Path) -> None:
    from .paths import AMAZON_AWS, link_into

    link_into(collections / "ansible_collections" / "amazon" / "aws", AMAZON_AWS)
