"""ansible-test sanity on a copy of the repo inside an ansible_collections/ tree.

ansible-test builds one virtual environment per sanity test (cached in ~/.ansible/test/venv, keyed by the
requirements, so only the first run on a machine installs them) and bootstraps pip in each with a script it
downloads once into ~/.ansible/test/cache. Where that download fails (no route to ansible-test's host), a
stand-in takes the script's place: it bootstraps pip with the standard library's ensurepip, then installs the
requested pip with the machine's own pip configuration (index, certificates). With internet access the real
script is used and the stand-in never written.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import ansible_test

from .paths import AMAZON_AWS, TMP, copy_of_repo, exclusive, link_into, tool_env

SANITY_ROOT = TMP / "sanity" / "ansible_collections"
STAND_IN = '''"""Stand-in for get-pip.py written by euc.workspaces' tools/devtasks/sanity.py: pip from ensurepip."""
import os
import subprocess
import sys

subprocess.run([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"], check=True)
# ensurepip points PIP_CONFIG_FILE at /dev/null in its own process only; drop both so pip reads the machine's config.
env = {k: v for k, v in os.environ.items() if k not in ("PIP_CONFIG_FILE", "ENSUREPIP_OPTIONS")}
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.run([sys.executable, "-m", "pip", "install", *args], check=True, env=env)
'''


def _search(path: Path, pattern: str) -> str:
    found = re.search(pattern, path.read_text())
    if not found:
        raise RuntimeError(
            f"{path} no longer matches {pattern!r}: update tools/devtasks/sanity.py for this ansible-test"
        )
    return found.group(1)


def pip_bootstrap_source() -> tuple[str, Path]:
    """The URL and cache path of the pip bootstrap script, read from ansible-test's own source."""
    root = Path(ansible_test.__file__).parent
    pip_version = _search(root / "_internal/python_requirements.py", r"pip='([^']+)'")
    url = _search(root / "_util/target/setup/requirements.py", r"url = '([^']+)'") % pip_version
    cache = Path.home() / ".ansible/test/cache" / f"get_pip_{pip_version.replace('.', '_')}.py"
    return url, cache


def ensure_pip_bootstrap() -> None:
    """Fetch the real bootstrap script; only where that fails, install the ensurepip stand-in."""
    url, cache = pip_bootstrap_source()
    if cache.exists():
        return
    cache.parent.mkdir(parents=True, exist_ok=True)
    partial = cache.with_name(f"{cache.name}.{os.getpid()}")
    try:
        with urllib.request.urlopen(url, timeout=15) as response:  # ansible-test's own URL
            partial.write_bytes(response.read())
        print(f"[sanity] cached pip bootstrap script from ansible-test's URL: {cache}")
    except OSError as error:
        print(f"[sanity] pip bootstrap download failed ({error}); using the ensurepip stand-in at {cache}")
        partial.write_text(STAND_IN)
    os.replace(partial, cache)  # whole or not at all: ansible-test runs whatever it finds there


def run_sanity() -> int:
    with exclusive("sanity"):
        return _run_sanity()


def _run_sanity() -> int:
    ensure_pip_bootstrap()
    collection = copy_of_repo(SANITY_ROOT / "euc" / "workspaces")
    # The copy sits inside this repo's ignored .tmp/: without a repository of its own, ansible-test would ask the
    # outer git for the copy's files, get none, and skip every target.
    subprocess.run(["git", "init", "-q", str(collection)], check=True)
    link_into(SANITY_ROOT / "amazon" / "aws", AMAZON_AWS)
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    command = ["ansible-test", "sanity", "--color", "no", "--python", python, "--requirements"]
    print("+ " + " ".join(command), flush=True)
    return subprocess.run(command, cwd=collection, env=tool_env(), check=False).returncode
