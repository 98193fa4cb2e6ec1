"""Unit-test harness: run a module's main() with its AWS clients behind botocore's Stubber.

The Stubber validates every request against the real service model, so a test that stubs a call also
checks that the module sends parameters the service accepts.
"""

from __future__ import annotations

import json

import boto3
import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from botocore.stub import Stubber

from ansible_collections.euc.workspaces.plugins.module_utils.common import MUTATING_OPERATIONS

REGION = "us-east-1"


class StubbedAWS:
    """One stubbed client per service; tests queue responses, then run a module against them."""

    def __init__(self):
        self.clients = {}
        self.stubbers = {}
        self.sent = []  # (service, operation name) of every call the module made, in order

    def client(self, service: str):
        if service not in self.clients:
            client = boto3.client(
                service, region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
            )
            client.meta.events.register("before-call.*.*", self._record(service))
            self.clients[service] = client
            self.stubbers[service] = Stubber(client)
            self.stubbers[service].activate()
        return self.clients[service]

    def _record(self, service: str):
        def record(model, **_):
            self.sent.append((service, model.name))

        return record

    def stub(self, service: str = "workspaces") -> Stubber:
        self.client(service)
        return self.stubbers[service]

    def add(self, operation: str, response: dict, expected: dict | None = None, service: str = "workspaces"):
        self.stub(service).add_response(operation, response, expected)

    def add_error(self, operation: str, code: str, message: str = "error", service: str = "workspaces", status=400):
        self.stub(service).add_client_error(operation, code, message, http_status_code=status)

    def mutating_calls(self) -> list[str]:
        return [name for service, name in self.sent if name in MUTATING_OPERATIONS]

    def assert_all_used(self):
        for stubber in self.stubbers.values():
            stubber.assert_no_pending_responses()


@pytest.fixture
def aws(monkeypatch):
    """Stubbed clients, handed to every AnsibleAWSModule.client() call; no real sleeping in retries."""
    stubbed = StubbedAWS()

    def fake_client(self, service, retry_decorator=None, **_):
        client = stubbed.client(service)
        return client if retry_decorator is None else RetryingBotoClientWrapper(client, retry_decorator)

    monkeypatch.setattr(AnsibleAWSModule, "client", fake_client)
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    return stubbed


@pytest.fixture
def run_module(capsys):
    """Run module.main() with these arguments; returns the parsed result (failed or not)."""

    def run(module, args: dict, check_mode: bool = False, diff: bool = False) -> dict:
        args = dict(args)
        args.setdefault("region", REGION)
        args["_ansible_check_mode"] = check_mode
        args["_ansible_diff"] = diff
        with patch_module_args(args), pytest.raises(SystemExit):
            module.main()
        out = capsys.readouterr().out
        return json.loads(out)

    return run
