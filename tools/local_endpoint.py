"""python3 tools/dev.py endpoint: the local WorkSpaces endpoint, kept running for trying the examples by hand.

It starts the endpoint on 127.0.0.1, creates a Directory Service directory (registered with WorkSpaces unless
--unregistered), prints the environment a shell needs to point ansible-playbook, ansible-doc, ansible-inventory and
the AWS CLI at it, and runs until Ctrl-C. Nothing reaches AWS.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import sys
from pathlib import Path

from endpoint import Endpoint

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent


def shell_environment(endpoint) -> dict[str, str]:
    """What a shell needs: the endpoint's AWS variables, this checkout as a collection, the venv's tools first."""
    return {
        **endpoint.env(),
        "ANSIBLE_COLLECTIONS_PATH": os.environ["ANSIBLE_COLLECTIONS_PATH"],
        "PATH": f"{VENV_BIN}:$PATH",
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tools/dev.py endpoint", description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=5.0, help="seconds each WorkSpaces state change takes")
    parser.add_argument("--unregistered", action="store_true", help="leave the directory for the directory module")
    args = parser.parse_args(argv)

    with Endpoint.start(delay=args.delay) as endpoint:
        directory_id = endpoint.create_directory(name="corp.example.com", register=not args.unregistered)
        exports = "\n".join(
            f"export {name}={value if name == 'PATH' else shlex.quote(value)}"
            for name, value in shell_environment(endpoint).items()
        )
        state = "not registered yet" if args.unregistered else "registered with WorkSpaces"
        print(
            f"Local WorkSpaces endpoint at {endpoint.url} (state changes take {args.delay:g} s).\n"
            f"Directory {directory_id} (corp.example.com), {state}.\n\n"
            f"In another shell, from {REPO}:\n\n{exports}\n\n"
            "Then, for example:\n"
            f"  ansible-playbook examples/register_directory.yml -e directory_id={directory_id}\n"
            f"  ansible-playbook examples/provision.yml --check --diff -e directory_id={directory_id}\n"
            f"  ansible-playbook examples/provision.yml -e directory_id={directory_id}\n"
            "  ansible-inventory -i examples/office.workspaces.yml --graph\n\n"
            "Ctrl-C stops the endpoint; everything it held is gone then.",
            flush=True,
        )
        stop = {signal.SIGINT, signal.SIGTERM}
        signal.pthread_sigmask(signal.SIG_BLOCK, stop)  # wait for the signal here rather than be interrupted by it
        signal.sigwait(stop)
        print("\nStopping the endpoint.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
