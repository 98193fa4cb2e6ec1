"""ansible-test sanity on a copy of the repo inside an ansible_collections/ tree."""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import ansible_test

from .paths import AMAZON_AWS, TMP, copy_of_repo, link_into, tool_env

SANITY_ROOT = TMP / "sanity" / "ansible_collections"
STAND_IN = '''"""Stand-in for get-pip.py: bootstrap pip from the standard library (no download)."""
import os
import subprocess
import sys

subprocess.run([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"], check=True)
# ensurepip points PIP_CONFIG_FILE at /dev/null in its own process only; drop both so pip reads the machine's config.
env = {k: v for k, v in os.environ.items() if k not in ("PIP_CONFIG_FILE", "ENSUREPIP_OPTIONS")}
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.run([sys.executable, "-m", "pip", "install", *args], check=True, env=env)
'''


def pip_bootstrap_source() -> tuple[str, Path]:
    """The URL and cache path of the pip bootstrap script, read from ansible-test's own source."""
    setup = Path(ansible_test.__file__).parent
    requirements = (setup / "_internal/python_requirements.py").read_text()
    pip_version = re.search(r"pip='([^']+)'", requirements).group(1)
    bootstrap = (setup / "_util/target/setup/requirements.py").read_text()
    url = re.search(r"url = '([^']+)'", bootstrap).group(1) % pip_version
    cache = Path.home() / ".ansible/test/cache" / f"get_pip_{pip_version.replace('.', '_')}.py"
    return url, cache


def ensure_pip_bootstrap() -> None:
    """Fetch the real bootstrap script; only where that fails, install the ensurepip stand-in."""
    url, cache = pip_bootstrap_source()
    if cache.exists():
        return
    cache.parent.mkdir(parents=True, exist_ok=True)
    try:
        with urllib.request.urlopen(url, timeout=15) as response:  # noqa: S310 - ansible-test's own URL
            cache.write_bytes(response.read())
        print(f"[sanity] cached pip bootstrap script from ansible-test's URL: {cache}")
    except OSError as error:
        print(f"[sanity] pip bootstrap download failed ({error}); using the ensurepip stand-in at {cache}")
        cache.write_text(STAND_IN)


def run_sanity() -> int:
    ensure_pip_bootstrap()
    collection = copy_of_repo(SANITY_ROOT / "euc" / "workspaces")
    link_into(SANITY_ROOT / "amazon" / "aws", AMAZON_AWS)
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    command = ["ansible-test", "sanity", "--color", "no", "--python", python, "--requirements"]
    print("+ " + " ".join(command), flush=True)
    return subprocess.run(command, cwd=collection, env=tool_env(), check=False).returncode
