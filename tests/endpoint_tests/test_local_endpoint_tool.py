"""tools/local_endpoint.py (python3 tools/dev.py endpoint): the printed exports work, and Ctrl-C stops it cleanly."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import boto3

REPO = Path(__file__).resolve().parents[2]


def read_until(process, marker: str, timeout: float = 60) -> str:
    seen, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        seen.append(line)
        if marker in line:
            return "".join(seen)
    raise AssertionError(f"no {marker!r} in:\n{''.join(seen)}")


def test_the_printed_environment_reaches_a_registered_directory_and_ctrl_c_stops_it():
    process = subprocess.Popen(
        [sys.executable, str(REPO / "tools" / "local_endpoint.py"), "--delay", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(REPO / ".tmp" / "collections")),
    )
    try:
        printed = read_until(process, "Ctrl-C stops the endpoint")
        exports = dict(re.findall(r"^export (\w+)=(\S+)$", printed, re.MULTILINE))
        directory_id = re.search(r"^Directory (d-[0-9a-f]{10}) ", printed, re.MULTILINE).group(1)
        assert exports["ANSIBLE_COLLECTIONS_PATH"].endswith(".tmp/collections")
        assert exports["PATH"] == f"{Path(sys.executable).parent}:$PATH"
        client = boto3.client(
            "workspaces",
            endpoint_url=exports["AWS_ENDPOINT_URL"],
            region_name=exports["AWS_DEFAULT_REGION"],
            aws_access_key_id=exports["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=exports["AWS_SECRET_ACCESS_KEY"],
        )
        (directory,) = client.describe_workspace_directories(DirectoryIds=[directory_id])["Directories"]
        assert directory["State"] == "REGISTERED"
        assert f"-e directory_id={directory_id}" in printed

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        assert "Stopping the endpoint" in process.stdout.read()
    finally:
        if process.poll() is None:
            process.kill()
