"""The packaging layer: build the collection, install the tarball, and use only the installed copy.

1. ``ansible-galaxy collection build`` into .tmp/package/dist; the tarball must hold every plugin, role and
   meta file of the repo and none of the test-only code, benchmarks, tooling or local state.
2. ``ansible-galaxy collection install`` of that tarball into .tmp/package/collections, amazon.aws linked
   beside it.
3. ``ansible-doc`` lists and renders every module, inventory, filter, test and lookup plugin from the
   installed copy; the installed meta/runtime.yml's action group lists every module; ``ansible-builder
   introspect`` finds the collection's Python requirements (meta/execution-environment.yml).
4. galaxy-importer (Galaxy's own import checks) on the tarball, offline and without containers
   (tools/devtasks/galaxy-importer.cfg): no error and no warning, every plugin and the role found and documented.
5. ``ansible-builder create`` for tests/package/execution-environment.yml (an execution environment holding the
   tarball) in .tmp/package/ee: the build context has the Containerfile, the tarball and the Galaxy requirements.
   Building the image needs a container engine and the network; ``create`` needs neither.
6. tests/package/run_playbook.py runs tests/package/installed_copy.yml (create, describe, terminate a
   WorkSpace on the local endpoint) with that collections path and nothing else.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import yaml

from . import Skipped
from .paths import AMAZON_AWS, REPO, TMP, exclusive, link_into, tracked_files

PACKAGE_DIR = TMP / "package"
DIST = PACKAGE_DIR / "dist"
COLLECTIONS = PACKAGE_DIR / "collections"
INSTALLED = COLLECTIONS / "ansible_collections" / "euc" / "workspaces"
# plugins/<folder>: (ansible-doc type, files that hold one plugin's documentation each)
PLUGIN_SOURCES = {
    "modules": ("module", "*.py"),
    "inventory": ("inventory", "*.py"),
    "filter": ("filter", "*.yml"),
    "test": ("test", "*.yml"),
    "lookup": ("lookup", "*.py"),
}
# Paths that must not be in the tarball (galaxy.yml's build_ignore keeps them out).
MUST_NOT_SHIP = (
    "tests/endpoint",
    "tests/endpoint_tests",
    "tests/package",
    "tests/output",
    "benchmarks",
    "examples/demo.py",  # runs only beside tests/endpoint and tools/, which do not ship
    "tools",
    ".ci",
    ".venv",
    ".tmp",
    ".ansible",
    ".git",
    "requirements-dev.txt",
    "requirements-dev.lock",
)
# Repository paths whose every file must be in the tarball.
MUST_SHIP = ("plugins/", "roles/", "meta/", "changelogs/", "README.md", "COPYING", "requirements.txt", "bindep.txt")
GALAXY_IMPORTER_CONFIG = REPO / "tools" / "devtasks" / "galaxy-importer.cfg"
EE_DEFINITION = REPO / "tests" / "package" / "execution-environment.yml"
EE_DIR = PACKAGE_DIR / "ee"
EE_TARBALL = "collections/euc-workspaces.tar.gz"  # the name execution-environment.yml gives the tarball
PLAYBOOK = REPO / "tests" / "package" / "installed_copy.yml"
RUNNER = REPO / "tests" / "package" / "run_playbook.py"
PLAYBOOK_MODULES = ("bundle_info", "workspace", "workspace_info")


class PackageError(Exception):
    """A packaging check that failed; the message says which and why."""


def installed_env() -> dict[str, str]:
    """Environment that sees the installed copy and amazon.aws beside it, and no other collection."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANSIBLE_") and key != "PYTHONPATH"}
    env.update(
        ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS),
        # Not even the collections that PyPI's ansible package put into the virtual environment.
        ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false",
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_LOCAL_TEMP=str(PACKAGE_DIR / "ansible-local"),
        ANSIBLE_REMOTE_TEMP=str(PACKAGE_DIR / "ansible-remote"),
    )
    return env


def sh(command: list[str], env: dict[str, str]) -> str:
    """Run a command in .tmp/package, away from the repo's own files; return its stdout."""
    print("+ " + " ".join(command), flush=True)
    done = subprocess.run(command, env=env, cwd=PACKAGE_DIR, check=False, capture_output=True, text=True)
    if done.returncode != 0:
        raise PackageError(f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def repo_plugins() -> list[tuple[str, str]]:
    """(ansible-doc type, short name) of every documented plugin in the repo.

    Modules and inventory plugins are documented in their .py file; filter and test plugins (several in one .py
    file) in one .yml file each.
    """
    plugins = []
    for folder, (kind, pattern) in PLUGIN_SOURCES.items():
        for path in sorted((REPO / "plugins" / folder).glob(pattern)):
            if path.name != "__init__.py":
                plugins.append((kind, path.stem))
    return plugins


def missing_playbook_modules() -> list[str]:
    """The modules installed_copy.yml uses that the repo does not have yet."""
    return [name for name in PLAYBOOK_MODULES if not (REPO / "plugins" / "modules" / f"{name}.py").exists()]


def check_tarball(tarball: Path) -> None:
    """Nothing of MUST_NOT_SHIP in the tarball, and every repository file under MUST_SHIP."""
    with tarfile.open(tarball) as archive:
        names = set(archive.getnames())
    leaked = sorted(n for n in names if any(n == p or n.startswith(p + "/") for p in MUST_NOT_SHIP))
    if leaked:
        raise PackageError(f"{tarball.name} holds files that must not ship (see build_ignore): {leaked[:10]}")
    wanted = [f for f in tracked_files() if f.startswith(MUST_SHIP) and "__pycache__" not in f]
    missing = sorted(f for f in wanted if f not in names)
    if missing:
        raise PackageError(f"{tarball.name} lacks repository files: {missing[:10]}")
    print(f"tarball: {len(names)} entries, none test-only; all {len(wanted)} plugin/role/meta files present")


def check_docs(env: dict[str, str], plugins: list[tuple[str, str]]) -> None:
    """ansible-doc lists exactly the repo's plugins from the installed copy, and renders each one from there."""
    for kind in sorted({kind for kind, _pattern in PLUGIN_SOURCES.values()}):
        names = [f"euc.workspaces.{name}" for k, name in plugins if k == kind]
        listed = json.loads(sh(["ansible-doc", "-t", kind, "--list", "--json", "euc.workspaces"], env))
        if set(listed) != set(names):
            raise PackageError(f"ansible-doc lists {sorted(listed)} as {kind} plugins, the repo has {sorted(names)}")
        if not names:
            continue
        # One call renders them all; each plugin's text starts with "> <TYPE> <name> (<path>)".
        text = sh(["ansible-doc", "-t", kind, *names], env)
        for name in names:
            if not re.search(rf"^> \S+ {re.escape(name)} \({re.escape(str(INSTALLED))}/", text, re.MULTILINE):
                raise PackageError(f"ansible-doc did not render {name} from {INSTALLED}:\n{text[:3000]}")
        if text.count("EXAMPLES") < len(names):
            raise PackageError(f"ansible-doc shows no EXAMPLES for some {kind} plugin of {names}")
    print(f"ansible-doc: rendered {len(plugins)} plugin(s) from the installed copy")


def check_action_group(plugins: list[tuple[str, str]]) -> None:
    """group/euc.workspaces.workspaces holds every module and extends amazon.aws.aws (installed runtime.yml)."""
    group = yaml.safe_load((INSTALLED / "meta" / "runtime.yml").read_text())["action_groups"]["workspaces"]
    listed = {entry for entry in group if isinstance(entry, str)}
    extends = [entry["metadata"].get("extend_group") for entry in group if isinstance(entry, dict)]
    modules = {name for kind, name in plugins if kind == "module"}
    if listed != modules or extends != [["amazon.aws.aws"]]:
        raise PackageError(
            f"meta/runtime.yml action group 'workspaces' lists {sorted(listed)} and extends {extends}; "
            f"expected every module {sorted(modules)} and extend_group [amazon.aws.aws]"
        )


def check_execution_environment(env: dict[str, str]) -> None:
    """ansible-builder reads boto3 and botocore from the installed copy's meta/execution-environment.yml."""
    # Output: "# Dependency data for ...", then YAML whose python: entries read "boto3>=1.34.0  # from collection X".
    found = yaml.safe_load(sh(["ansible-builder", "introspect", str(COLLECTIONS)], env)) or {}
    ours = [line.split("#", 1)[0].strip() for line in found.get("python") or [] if "euc.workspaces" in line]
    names = {re.split(r"[<>=!~ \[;]", line, maxsplit=1)[0] for line in ours}
    if not {"boto3", "botocore"} <= names:
        raise PackageError(f"ansible-builder introspect found {ours} for euc.workspaces, expected boto3 and botocore")
    print(f"ansible-builder: euc.workspaces needs {', '.join(ours)}")


def check_galaxy_importer(tarball: Path, env: dict[str, str], plugins: list[tuple[str, str]]) -> None:
    """galaxy-importer accepts the tarball without an error or a warning, and finds every plugin and role."""
    # It runs ansible-doc on its own unpacked copy, the only collections path it sets: amazon.aws (for the doc
    # fragments) must then come from site-packages, where PyPI's ansible package put it.
    importer_env = {key: value for key, value in env.items() if key != "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH"}
    importer_env.update(
        GALAXY_IMPORTER_CONFIG=str(GALAXY_IMPORTER_CONFIG),
        GALAXY_IMPORTER_TMP_ROOT_DIR=str(PACKAGE_DIR / "importer-tmp"),
        GALAXY_IMPORTER_ANSIBLE_LOCAL_TMP=str(PACKAGE_DIR / "importer-ansible-tmp"),
    )
    (PACKAGE_DIR / "importer-tmp").mkdir(exist_ok=True)
    out = sh([sys.executable, "-m", "galaxy_importer.main", str(tarball)], importer_env)
    # It exits 0 even after logging errors; its log lines for problems start with the level name.
    problems = [line for line in out.splitlines() if line.startswith(("ERROR:", "WARNING:", "CRITICAL:"))]
    if problems or "Importer processing completed successfully" not in out:
        raise PackageError(f"galaxy-importer reported problems with {tarball.name}:\n" + "\n".join(problems or [out]))
    result = json.loads((PACKAGE_DIR / "importer_result.json").read_text())
    found = {(c["content_type"], c["name"]) for c in result["contents"]}
    roles = {("role", p.name) for p in (REPO / "roles").iterdir() if (p / "tasks" / "main.yml").exists()}
    # Filter and test plugins are found per .py file; their documentation is one .yml file per plugin.
    wanted = {(kind, name) for kind, name in plugins if kind in ("module", "inventory", "lookup")} | roles
    if not wanted <= found:
        raise PackageError(f"galaxy-importer did not find {sorted(wanted - found)} in {tarball.name}")
    documented = {
        (c["content_type"], c["content_name"]) for c in result["docs_blob"]["contents"] if c.get("doc_strings")
    }
    undocumented = sorted(k for k in wanted - roles if k not in documented)
    if undocumented:
        raise PackageError(f"galaxy-importer found no documentation for {undocumented}")
    print(f"galaxy-importer: {tarball.name} imports cleanly ({len(found)} content items, {len(wanted)} checked)")


def check_ee_context(tarball: Path, env: dict[str, str]) -> None:
    """ansible-builder create writes a build context that installs the tarball (no container engine needed)."""
    shutil.rmtree(EE_DIR, ignore_errors=True)
    (EE_DIR / EE_TARBALL).parent.mkdir(parents=True)
    shutil.copy2(EE_DEFINITION, EE_DIR / EE_DEFINITION.name)
    shutil.copy2(tarball, EE_DIR / EE_TARBALL)
    context = EE_DIR / "context"
    command = ["ansible-builder", "create", "-f", str(EE_DIR / EE_DEFINITION.name), "-c", str(context)]
    sh([*command, "--output-filename", "Containerfile"], env)
    containerfile = (context / "Containerfile").read_text() if (context / "Containerfile").is_file() else ""
    needed = ("FROM ", "ansible-galaxy collection install", "introspect", "COPY _build /build")
    missing = [text for text in needed if text not in containerfile]
    if missing:
        raise PackageError(f"{context}/Containerfile lacks {missing}")
    galaxy = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    if {"name": EE_TARBALL, "type": "file"} not in galaxy.get("collections", []):
        raise PackageError(f"{context}/_build/requirements.yml does not install {EE_TARBALL}: {galaxy}")
    copied = context / "_build" / EE_TARBALL
    if (
        not copied.is_file()
        or hashlib.sha256(copied.read_bytes()).digest() != hashlib.sha256(tarball.read_bytes()).digest()
    ):
        raise PackageError(f"{copied} is not the tarball that was built")
    print(f"ansible-builder create: build context in {context.relative_to(REPO)} installs {tarball.name}")


def build_install_and_check() -> int:
    with exclusive("package"):
        return _build_install_and_check()


def _build_install_and_check() -> int:
    shutil.rmtree(PACKAGE_DIR, ignore_errors=True)
    PACKAGE_DIR.mkdir(parents=True)
    env = installed_env()
    plugins = repo_plugins()
    try:
        sh(["ansible-galaxy", "collection", "build", "--output-path", str(DIST), str(REPO)], env)
        tarball = next(DIST.glob("euc-workspaces-*.tar.gz"))
        check_tarball(tarball)
        sh(
            ["ansible-galaxy", "collection", "install", "--offline", "--no-deps", "-p", str(COLLECTIONS), str(tarball)],
            env,
        )
        if INSTALLED.is_symlink() or not (INSTALLED / "MANIFEST.json").is_file():
            raise PackageError(f"{INSTALLED} is not an installed collection")
        link_into(COLLECTIONS / "ansible_collections" / "amazon" / "aws", AMAZON_AWS)
        check_docs(env, plugins)
        check_action_group(plugins)
        check_execution_environment(env)
        check_galaxy_importer(tarball, env, plugins)
        check_ee_context(tarball, env)
    except PackageError as error:
        print(error, file=sys.stderr)
        return 1
    missing = missing_playbook_modules()
    if missing:
        raise Skipped(
            f"built, installed and documented {tarball.name}; {PLAYBOOK.name} not run: "
            f"module(s) {', '.join(missing)} not written yet"
        )
    command = [sys.executable, str(RUNNER), str(PLAYBOOK)]
    print("+ " + " ".join(command), flush=True)
    runner_env = dict(env, PYTHONPATH=str(REPO / "tests"))  # the runner imports endpoint; ansible does not get it
    return subprocess.run(command, env=runner_env, cwd=PACKAGE_DIR, check=False).returncode
