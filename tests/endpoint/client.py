"""Start and drive the local WorkSpaces endpoint from tests (no moto import here)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import weakref
from pathlib import Path
from typing import Any

TESTS_DIR = Path(__file__).resolve().parent.parent
DEFAULT_REGION = "us-east-1"
DUMMY_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
# Requests carrying this header (value "1") are logged but never delayed or faulted: test set-up calls.
SETUP_HEADER = "X-Endpoint-Setup"

_WORKSPACES_MUTATING = (
    "AcceptAccountLinkInvitation AssociateConnectionAlias AssociateIpGroups AssociateWorkspaceApplication "
    "AuthorizeIpRules CopyWorkspaceImage CreateAccountLinkInvitation CreateConnectClientAddIn CreateConnectionAlias "
    "CreateIpGroup CreateStandbyWorkspaces CreateTags CreateUpdatedWorkspaceImage CreateWorkspaceBundle "
    "CreateWorkspaceImage CreateWorkspaces CreateWorkspacesPool DeleteAccountLinkInvitation DeleteClientBranding "
    "DeleteConnectClientAddIn DeleteConnectionAlias DeleteIpGroup DeleteTags DeleteWorkspaceBundle "
    "DeleteWorkspaceImage DeployWorkspaceApplications DeregisterWorkspaceDirectory DisassociateConnectionAlias "
    "DisassociateIpGroups DisassociateWorkspaceApplication ImportClientBranding ImportCustomWorkspaceImage "
    "ImportWorkspaceImage MigrateWorkspace ModifyAccount ModifyCertificateBasedAuthProperties ModifyClientProperties "
    "ModifyEndpointEncryptionMode ModifySamlProperties ModifySelfservicePermissions ModifyStreamingProperties "
    "ModifyWorkspaceAccessProperties ModifyWorkspaceCreationProperties ModifyWorkspaceProperties ModifyWorkspaceState "
    "RebootWorkspaces RebuildWorkspaces RegisterWorkspaceDirectory RejectAccountLinkInvitation RestoreWorkspace "
    "RevokeIpRules StartWorkspaces StartWorkspacesPool StopWorkspaces StopWorkspacesPool TerminateWorkspaces "
    "TerminateWorkspacesPool TerminateWorkspacesPoolSession UpdateConnectClientAddIn UpdateConnectionAliasPermission "
    "UpdateRulesOfIpGroup UpdateWorkspaceBundle UpdateWorkspaceImagePermission UpdateWorkspacesPool"
)
# Every WorkSpaces operation that is not Describe*/List*/Get* (botocore 1.43.11 model), plus the tagging writes.
MUTATING_ACTIONS: frozenset[str] = frozenset(
    [f"workspaces:{name}" for name in _WORKSPACES_MUTATING.split()] + ["tagging:TagResources", "tagging:UntagResources"]
)


def _stop_process(process: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """Terminate, wait, kill if needed: never leave the server behind."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)


def _read_log(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def _add_setup_header(request: Any, **_: Any) -> None:
    request.headers[SETUP_HEADER] = "1"


class Endpoint:
    """A running ``python -m endpoint`` subprocess on 127.0.0.1 and helpers to talk to it."""

    def __init__(self, process: subprocess.Popen[bytes], port: int, workdir: tempfile.TemporaryDirectory[str]):
        self.process = process
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self._workdir = workdir
        self._finalizer = weakref.finalize(self, _stop_process, process)

    # -- life cycle -------------------------------------------------------------------------------------------

    @classmethod
    def start(cls, delay: float = 0.0, timeout: float = 60.0, **config: Any) -> Endpoint:
        """Launch the endpoint, wait until it accepts connections, then apply config (see configure())."""
        workdir = tempfile.TemporaryDirectory(prefix="ws-endpoint-")  # pylint: disable=consider-using-with
        port_file = Path(workdir.name, "port")
        log_path = Path(workdir.name, "server.log")
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(TESTS_DIR), env.get("PYTHONPATH", "")) if p)
        command = [
            sys.executable,
            "-m",
            "endpoint",
            "--port",
            "0",
            "--port-file",
            str(port_file),
            "--delay",
            str(delay),
        ]
        with open(log_path, "wb") as log:
            # The server keeps its own copy of the log descriptor; a pipe could fill up and block it.
            process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)  # pylint: disable=consider-using-with
        try:
            port = cls._wait_for_port(process, port_file, log_path, timeout)
        except BaseException:
            _stop_process(process)
            workdir.cleanup()
            raise
        endpoint = cls(process, port, workdir)
        if config:
            endpoint.configure(**config)
        return endpoint

    @staticmethod
    def _wait_for_port(process: subprocess.Popen[bytes], port_file: Path, log_path: Path, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"endpoint exited with {process.returncode}:\n{_read_log(log_path)}")
            if port_file.exists() and port_file.read_text(encoding="utf-8").strip():
                port = int(port_file.read_text(encoding="utf-8").strip())
                with socket.create_connection(("127.0.0.1", port), timeout=5):
                    return port
            time.sleep(0.05)
        raise TimeoutError(f"endpoint did not start within {timeout}s:\n{_read_log(log_path)}")

    def stop(self) -> None:
        """Stop the server process (terminate, then kill) and remove its temporary files."""
        self._finalizer()
        self._workdir.cleanup()

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def log_text(self) -> str:
        """What the server wrote to stdout/stderr so far."""
        path = Path(self._workdir.name, "server.log")
        return _read_log(path)

    def __enter__(self) -> Endpoint:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    # -- control API ------------------------------------------------------------------------------------------

    def _control(self, method: str, route: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.url}/_endpoint/{route}", data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"{}")

    def calls(self) -> dict[str, Any]:
        """``{"counts": {"service:Action": n}, "mutating": n, "log": [{"service", "action", "status", ...}]}``."""
        return self._control("GET", "calls")

    def mutating_calls(self) -> int:
        """How many mutating WorkSpaces / tagging requests arrived since the last reset (faulted ones included)."""
        return int(self.calls()["mutating"])

    def count(self, action: str) -> int:
        """Requests for 'Action' (WorkSpaces) or 'service:Action' since the last reset."""
        key = action if ":" in action else f"workspaces:{action}"
        return int(self.calls()["counts"].get(key, 0))

    def reset(self) -> None:
        """Clear the request counters and log (not the AWS resources)."""
        self._control("POST", "reset", {})

    def configure(self, **config: Any) -> dict[str, Any]:
        """Change delay, visibility_delay, latency, throttle_rate, error_rate, fault_actions, drop_response, seed,
        unknown_users (see server.py)."""
        return self._control("POST", "config", config)

    def config(self) -> dict[str, Any]:
        return self._control("GET", "config")

    def workspaces(
        self, directory_id: str | None = None, region: str = DEFAULT_REGION, leaving: bool = False
    ) -> list[dict[str, Any]]:
        """What the endpoint holds, read with set-up calls (never delayed or faulted), every page.

        Without leaving=True, WorkSpaces on their way out (TERMINATING, TERMINATED) are left out."""
        client = self.client("workspaces", region, setup=True)
        found: list[dict[str, Any]] = []
        params = {"DirectoryId": directory_id} if directory_id else {}
        for page in client.get_paginator("describe_workspaces").paginate(**params):
            found.extend(page["Workspaces"])
        return found if leaving else [ws for ws in found if ws["State"] not in ("TERMINATING", "TERMINATED")]

    def force_state(
        self, workspace_id: str, state: str, error_code: str = "", error_message: str = "", region: str = DEFAULT_REGION
    ) -> dict[str, Any]:
        """Put a WorkSpace into any state at once (ERROR, UNHEALTHY, SUSPENDED...); returns its description."""
        body = {"workspace_id": workspace_id, "state": state, "error_code": error_code, "error_message": error_message}
        return self._control("POST", "force_state", dict(body, region=region))

    def set_directory_stage(
        self, directory_id: str, stage: str, active_after: float | None = None, region: str = DEFAULT_REGION
    ) -> dict[str, Any]:
        """Put a Directory Service directory into a stage; Creating (and other passing stages) become Active
        after active_after seconds, by default the configured delay."""
        body = {"directory_id": directory_id, "stage": stage, "active_after": active_after, "region": region}
        return self._control("POST", "directory_stage", body)

    # -- AWS side ---------------------------------------------------------------------------------------------

    def env(self, region: str = DEFAULT_REGION) -> dict[str, str]:
        """Environment variables pointing AWS SDKs and amazon.aws modules at this endpoint."""
        return {
            "AWS_ACCESS_KEY_ID": DUMMY_CREDENTIALS["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": DUMMY_CREDENTIALS["aws_secret_access_key"],
            "AWS_DEFAULT_REGION": region,
            "AWS_REGION": region,
            "AWS_URL": self.url,
            "AWS_ENDPOINT_URL": self.url,
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def client(self, service: str, region: str = DEFAULT_REGION, setup: bool = False, **kwargs: Any) -> Any:
        """A boto3 client for this endpoint; setup=True marks its calls as never delayed or faulted."""
        import boto3  # pylint: disable=import-outside-toplevel

        client = boto3.client(service, region_name=region, endpoint_url=self.url, **DUMMY_CREDENTIALS, **kwargs)
        if setup:
            client.meta.events.register("before-send.*.*", _add_setup_header)
        return client

    def create_directory(
        self,
        region: str = DEFAULT_REGION,
        name: str = "corp.example.com",
        register: bool = False,
        stage: str = "Active",
        active_after: float | None = None,
        timeout: float = 30.0,
    ) -> str:
        """VPC + two subnets + Simple AD directory; returns the directory id.

        register=True also registers it with WorkSpaces and waits until REGISTERED (the stage must be Active).
        A stage such as "Creating" becomes Active after active_after seconds (default: the configured delay);
        until then RegisterWorkspaceDirectory answers InvalidResourceStateException.
        """
        if register and stage != "Active":
            raise ValueError(f"a directory in stage {stage!r} cannot be registered")
        ec2 = self.client("ec2", region, setup=True)
        vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnet_ids = [
            ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.0.{index}.0/24", AvailabilityZone=f"{region}{zone}")[
                "Subnet"
            ]["SubnetId"]
            for index, zone in ((1, "a"), (2, "b"))
        ]
        ds = self.client("ds", region, setup=True)
        directory_id = ds.create_directory(
            Name=name, Password="Passw0rd!", Size="Small", VpcSettings={"VpcId": vpc_id, "SubnetIds": subnet_ids}
        )["DirectoryId"]
        if stage != "Active":
            self.set_directory_stage(directory_id, stage, active_after, region)
        if register:
            workspaces = self.client("workspaces", region, setup=True)
            workspaces.register_workspace_directory(DirectoryId=directory_id, SubnetIds=subnet_ids)
            self._wait_registered(workspaces, directory_id, timeout)
        return directory_id

    def create_registered_directory(
        self, region: str = DEFAULT_REGION, name: str = "corp.example.com", timeout: float = 30.0
    ) -> str:
        """VPC + two subnets + Simple AD directory, registered with WorkSpaces; returns the directory id."""
        return self.create_directory(region=region, name=name, register=True, timeout=timeout)

    @staticmethod
    def _wait_registered(workspaces: Any, directory_id: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            directories = workspaces.describe_workspace_directories(DirectoryIds=[directory_id])["Directories"]
            if directories and directories[0]["State"] == "REGISTERED":
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"directory {directory_id} not REGISTERED after {timeout}s")
            time.sleep(0.05)
