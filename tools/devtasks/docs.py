"""The docs layer: lint the collection's documentation, then build its docs site, offline.

1. ``antsibull-docs lint-collection-docs --plugin-docs --check-extra-docs-refs --validate-collection-refs dependent .``:
   docs/docsite/extra-docs.yml and links.yml, the RST guides in docs/docsite/rst/ (rstcheck, and every reference
   they make), and every plugin's and role's documentation (schema, markup, and references to plugins and options
   of this collection, amazon.aws and ansible.builtin).

   The linter copies the collection and its dependencies into a temporary tree first, and copies a directory that
   lies inside a git work tree as git lists it. .venv (and so the amazon.aws that PyPI's ansible package installs)
   is inside this repository's work tree and ignored by git, so a dependency found there would arrive empty. The
   lint therefore sees amazon.aws only as a plain copy outside the work tree (a throw-away one in the system's
   temporary directory), and no collection from site-packages.
2. ``antsibull-docs collection --use-current``: the RST of the site (a page per plugin and role, the guides,
   indexes) into .tmp/docsite/rst, from the collection as the collections path of tools/dev.py holds it.
3. ``sphinx-build -W`` with tools/docsite/conf.py (the Ansible theme, nitpicky, no network): HTML into
   .tmp/docsite/build/html. Every warning fails the layer.
4. The site has a page for every plugin, the role and every guide of extra-docs.yml.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from .paths import AMAZON_AWS, REPO, TMP, exclusive, tool_env

SITE = TMP / "docsite"
RST = SITE / "rst"
HTML = SITE / "build" / "html"
CONFIG = REPO / "tools" / "docsite"
EXTRA_DOCS = REPO / "docs" / "docsite" / "extra-docs.yml"
PAGES = REPO / "docs" / "docsite" / "rst"
COLLECTION_PAGES = HTML / "collections" / "euc" / "workspaces"
# plugins/<folder>: (page suffix, files that hold one plugin's documentation each); as in package.py.
PLUGIN_PAGES = {"modules": ("module", "*.py"), "inventory": ("inventory", "*.py"), "filter": ("filter", "*.yml")}


class DocsError(Exception):
    """A docs check that failed; the message says which."""


def step(command: list[str], env: dict[str, str] | None = None) -> None:
    print("+ " + " ".join(command), flush=True)
    # By default the collection is found in tool_env's collections tree, next to amazon.aws; nothing is fetched.
    done = subprocess.run(command, cwd=REPO, env=env or tool_env(), check=False)
    if done.returncode != 0:
        raise DocsError(f"{command[0]} {command[1]} exited {done.returncode}")


def lint() -> None:
    """lint-collection-docs with amazon.aws as a plain copy outside the work tree (see the module docstring)."""
    with tempfile.TemporaryDirectory(prefix="euc-workspaces-docs-") as outside:
        shutil.copytree(
            AMAZON_AWS,
            Path(outside, "ansible_collections", "amazon", "aws"),
            ignore=shutil.ignore_patterns("__pycache__", "tests"),
        )
        env = {key: value for key, value in tool_env().items() if key != "PYTHONPATH"}
        env.update(ANSIBLE_COLLECTIONS_PATH=outside, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false")
        command = ["antsibull-docs", "lint-collection-docs", "--plugin-docs", "--check-extra-docs-refs"]
        step([*command, "--validate-collection-refs", "dependent", "--disallow-unknown-collection-refs", "."], env)


def expected_pages() -> list[Path]:
    pages = [COLLECTION_PAGES / "index.html"]
    for folder, (suffix, pattern) in PLUGIN_PAGES.items():
        for path in sorted((REPO / "plugins" / folder).glob(pattern)):
            if path.name != "__init__.py":
                pages.append(COLLECTION_PAGES / f"{path.stem}_{suffix}.html")
    for role in sorted((REPO / "roles").iterdir()):
        if (role / "meta" / "argument_specs.yml").exists():
            pages.append(COLLECTION_PAGES / f"{role.name}_role.html")
    for section in yaml.safe_load(EXTRA_DOCS.read_text())["sections"]:
        for guide in section["toctree"]:
            if not (PAGES / f"{guide}.rst").exists():
                raise DocsError(
                    f"{EXTRA_DOCS.relative_to(REPO)} lists {guide}, but docs/docsite/rst/{guide}.rst is missing"
                )
            pages.append(COLLECTION_PAGES / "docsite" / f"{guide}.html")
    return pages


def check_site() -> None:
    pages = expected_pages()
    missing = [str(p.relative_to(HTML)) for p in pages if not p.is_file()]
    if missing:
        raise DocsError(f"the site lacks {missing}")
    unlisted = sorted(
        p.stem for p in PAGES.glob("*.rst") if COLLECTION_PAGES / "docsite" / f"{p.stem}.html" not in pages
    )
    if unlisted:
        raise DocsError(f"docs/docsite/rst/ has guides that extra-docs.yml does not list: {unlisted}")
    print(f"docs site: {len(pages)} pages checked in {HTML.relative_to(REPO)} (open index.html)")


def build() -> int:
    with exclusive("docsite"):
        try:
            _build()
        except DocsError as error:
            print(error, file=sys.stderr)
            return 1
    return 0


def _build() -> None:
    lint()
    shutil.rmtree(SITE, ignore_errors=True)
    RST.mkdir(parents=True)
    RST.chmod(0o755)  # antsibull-docs refuses a destination that others may write to
    step(
        [
            "antsibull-docs",
            "--config-file",
            str(CONFIG / "antsibull-docs.cfg"),
            "collection",
            "--use-current",
            "--cleanup",
            "everything",
            "--dest-dir",
            str(RST),
            "euc.workspaces",
        ]
    )
    (RST / "index.rst").write_text(INDEX)
    step(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-M",
            "html",
            str(RST),
            str(SITE / "build"),
            "-c",
            str(CONFIG),
            "-W",
            "--keep-going",
            "-q",
        ]
    )
    check_site()


INDEX = """\
euc.workspaces
==============

Amazon WorkSpaces (cloud desktops) for Ansible: the modules, the provision role, the inventory plugin and the
roster filters of the collection, and guides to using them.

.. toctree::
   :maxdepth: 2
   :caption: Collection

   collections/index

.. toctree::
   :maxdepth: 1
   :caption: Plugin indexes
   :glob:

   collections/index_*

.. toctree::
   :maxdepth: 1
   :caption: Reference indexes

   collections/environment_variables
"""
