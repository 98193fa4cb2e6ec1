"""A dry run of the next release's changelog, in a throw-away copy of the repository.

0.1.0 is not released yet: the fragments in changelogs/fragments/ stay unreleased until the release manager runs
``antsibull-changelog release`` right before tagging and uploading (it moves the fragments into
changelogs/changelog.yaml, deletes them, and writes CHANGELOG.rst). Until then this preview checks that the
release would work: it runs the release on a copy (.tmp/release-preview) for the version in galaxy.yml, and
requires that the generated CHANGELOG.rst has that version, every fragment's entries, and every module, plugin and
role of the repository as new.
"""

from __future__ import annotations

import subprocess
import sys

import yaml

from .paths import REPO, TMP, copy_of_repo, exclusive, tool_env

PREVIEW_ROOT = TMP / "release-preview" / "ansible_collections"
EMPTY = TMP / "release-preview" / "no-collections"
FRAGMENT_SECTIONS_SKIPPED = {"trivial"}  # sections antsibull-changelog leaves out of CHANGELOG.rst


def expected_entries() -> list[str]:
    """The first words of every fragment entry that CHANGELOG.rst must show."""
    entries = []
    for fragment in sorted((REPO / "changelogs" / "fragments").glob("*.y*ml")):
        for section, items in (yaml.safe_load(fragment.read_text()) or {}).items():
            if section in FRAGMENT_SECTIONS_SKIPPED:
                continue
            for item in [items] if isinstance(items, str) else items:
                entries.append(" ".join(item.split())[:40])
    return entries


def new_content() -> list[str]:
    names = [p.stem for p in (REPO / "plugins" / "modules").glob("*.py") if p.name != "__init__.py"]
    names += [p.stem for p in (REPO / "plugins" / "inventory").glob("*.py") if p.name != "__init__.py"]
    names += [p.name for p in (REPO / "roles").iterdir() if (p / "tasks" / "main.yml").exists()]
    return sorted(names)


def preview() -> int:
    with exclusive("release-preview"):
        return _preview()


def _preview() -> int:
    version = yaml.safe_load((REPO / "galaxy.yml").read_text())["version"]
    collection = copy_of_repo(PREVIEW_ROOT / "euc" / "workspaces")
    # antsibull-changelog copies the collection as git lists it before it scans the plugins; inside this repo's
    # ignored .tmp/ git would list nothing, so the copy gets a repository of its own (as for sanity).
    subprocess.run(["git", "init", "-q", str(collection)], check=True)
    command = ["antsibull-changelog", "release", "--version", version, "--date", "2000-01-01"]
    print("+ " + " ".join(command) + f"  (in {collection.relative_to(REPO)})", flush=True)
    # It scans a copy of its own (a collections path it makes); amazon.aws comes from site-packages. Neither
    # tool_env's collections tree nor its PYTHONPATH may offer a second euc.workspaces.
    env = {key: value for key, value in tool_env().items() if key != "PYTHONPATH"}
    env["ANSIBLE_COLLECTIONS_PATH"] = str(EMPTY)
    EMPTY.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(command, cwd=collection, env=env, check=False)
    if done.returncode != 0:
        return done.returncode
    text = " ".join((collection / "CHANGELOG.rst").read_text().split())
    missing = [entry for entry in expected_entries() if entry not in text]
    missing += [f"new: {name}" for name in new_content() if f"euc.workspaces.{name} -" not in text]
    if f"v{version}" not in text:
        missing.insert(0, f"the heading v{version}")
    if missing:
        print(f"the {version} release preview's CHANGELOG.rst lacks: {missing}", file=sys.stderr)
        return 1
    print(
        f"release preview: {version} would list {len(expected_entries())} entries and {len(new_content())} new plugins/roles"
    )
    return 0
