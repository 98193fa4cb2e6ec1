"""WSGI wrapper around moto's server app: request counters, fault injection and a control API.

Every AWS request is logged per (service, action) before it reaches moto. Faults (latency, throttling, server
errors) are decided before the backend runs, so a throttled CreateWorkspaces did not happen; ``drop_response``
lets the backend run and then closes the connection without an answer.

Control API (JSON, never faulted), under ``/_endpoint/``:

* ``GET  /_endpoint/calls``   -> ``{"counts": {"workspaces:CreateWorkspaces": 3}, "mutating": 5, "log": [...]}``
* ``POST /_endpoint/reset``   -> clears counters and log
* ``GET  /_endpoint/config``  -> current configuration
* ``POST /_endpoint/config``  -> change any of ``delay``, ``visibility_delay``, ``latency``, ``throttle_rate``,
  ``error_rate``, ``fault_actions``, ``drop_response``, ``seed``, ``unknown_users``
* ``POST /_endpoint/force_state`` -> ``{"workspace_id", "state", "error_code", "error_message", "region"}``
* ``POST /_endpoint/directory_stage`` -> ``{"directory_id", "stage", "active_after", "region"}`` (Directory Service
  stage; Requested/Creating/Created/Restoring/Updating become Active after ``active_after`` or the delay)
"""

from __future__ import annotations

import io
import json
import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server

from . import extension
from .client import MUTATING_ACTIONS, SETUP_HEADER

CONTROL_PREFIX = "/_endpoint/"
JSON_CONTENT_TYPE = "application/x-amz-json-1.1"

# The list parameter whose length is logged as "items" for each batch action.
_LIST_PARAMETERS = {
    "CreateWorkspaces": "Workspaces",
    "TerminateWorkspaces": "TerminateWorkspaceRequests",
    "RebootWorkspaces": "RebootWorkspaceRequests",
    "RebuildWorkspaces": "RebuildWorkspaceRequests",
    "StartWorkspaces": "StartWorkspaceRequests",
    "StopWorkspaces": "StopWorkspaceRequests",
    "DescribeWorkspaces": "WorkspaceIds",
    "DescribeWorkspaceBundles": "BundleIds",
    "DescribeWorkspacesConnectionStatus": "WorkspaceIds",
    "DescribeWorkspaceDirectories": "DirectoryIds",
    "CreateTags": "Tags",
    "DeleteTags": "TagKeys",
    "GetResources": "ResourceARNList",
    "TagResources": "ResourceARNList",
    "UntagResources": "ResourceARNList",
}

_CONFIG_KEYS = frozenset(
    {
        "delay",
        "visibility_delay",
        "latency",
        "throttle_rate",
        "error_rate",
        "fault_actions",
        "drop_response",
        "seed",
        "unknown_users",
    }
)


class ControlError(ValueError):
    """A control API request that cannot be honoured (answered 400)."""


@dataclass
class Call:
    """What the log knows about one AWS request."""

    service: str
    action: str
    items: int | None
    setup: bool = False
    json_protocol: bool = True

    @property
    def key(self) -> str:
        return f"{self.service}:{self.action}"


@dataclass
class FaultConfig:
    """Fault injection and timing settings, changed through POST /_endpoint/config."""

    latency: float = 0.0
    throttle_rate: float = 0.0
    error_rate: float = 0.0
    fault_actions: list[str] | None = None  # None: every WorkSpaces action
    drop_action: str = ""
    drop_count: int = 0
    seed: int | None = None
    rng: random.Random = field(default_factory=random.Random)

    def as_dict(self) -> dict[str, Any]:
        return {
            "delay": extension.SETTINGS["delay"],
            "visibility_delay": extension.SETTINGS["visibility_delay"],
            "latency": self.latency,
            "throttle_rate": self.throttle_rate,
            "error_rate": self.error_rate,
            "fault_actions": self.fault_actions,
            "drop_response": {"action": self.drop_action, "count": self.drop_count} if self.drop_count else None,
            "seed": self.seed,
            "unknown_users": sorted(extension.SETTINGS["unknown_users"]),
        }


def _rate(value: Any, name: str) -> float:
    rate = float(value)
    if not 0.0 <= rate <= 1.0:
        raise ControlError(f"{name} must be between 0 and 1")
    return rate


def _seconds(value: Any, name: str) -> float:
    seconds = float(value)
    if seconds < 0:
        raise ControlError(f"{name} must not be negative")
    return seconds


def _matches(call: Call, names: Iterable[str]) -> bool:
    """True when a configured action name ('CreateWorkspaces' or 'workspaces:CreateWorkspaces') is this call."""
    return any(name in (call.action, call.key) for name in names)


def _read_body(environ: dict[str, Any]) -> bytes:
    """Read the request body and put it back for moto."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    stream = environ["wsgi.input"]
    if length:
        body = stream.read(length)
    elif environ.get("wsgi.input_terminated"):
        body = stream.read()
    else:
        body = b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body


def _service_from(environ: dict[str, Any]) -> str:
    # The SigV4 credential scope names the signing service: .../<region>/<service>/aws4_request.
    auth = environ.get("HTTP_AUTHORIZATION", "")
    try:
        return auth.split("Credential=", 1)[1].split(",", 1)[0].split("/")[3]
    except IndexError:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        return target.split(".", 1)[0].lower() if target else "unknown"


def _json_items(action: str, body: bytes) -> int | None:
    try:
        params = json.loads(body or b"{}")
    except ValueError:
        return None
    if not isinstance(params, dict):
        return None
    value = params.get(_LIST_PARAMETERS.get(action, ""))
    if value is None:
        value = next((v for v in params.values() if isinstance(v, list)), None)
    return len(value) if isinstance(value, list) else None


def identify(environ: dict[str, Any], body: bytes) -> Call:
    """Service, action and batch size of an AWS request (JSON target header or query-protocol form)."""
    service = _service_from(environ)
    setup = environ.get("HTTP_" + SETUP_HEADER.upper().replace("-", "_")) == "1"
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        action = target.rsplit(".", 1)[-1]
        return Call(service, action, _json_items(action, body), setup, json_protocol=True)
    form = parse_qs(body.decode("utf-8", "replace")) if body else {}
    query = parse_qs(environ.get("QUERY_STRING", ""))
    action = (form.get("Action") or query.get("Action") or [""])[0]
    action = action or f"{environ.get('REQUEST_METHOD', 'GET')} {environ.get('PATH_INFO', '/')}"
    return Call(service, action, None, setup, json_protocol=False)


def _json_response(start_response: Callable[..., Any], status: str, body: Any, content_type: str = "application/json"):
    payload = json.dumps(body).encode()
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(payload)))])
    return [payload]


def _aws_error(start_response: Callable[..., Any], call: Call, status: str, code: str, message: str) -> list[bytes]:
    """An error in the call's protocol: JSON for target-header services, EC2-style XML for query services."""
    if not call.json_protocol:
        xml = (
            f"<?xml version='1.0' encoding='UTF-8'?><Response><Errors><Error><Code>{code}</Code>"
            f"<Message>{message}</Message></Error></Errors><RequestID>endpoint-fault</RequestID></Response>"
        ).encode()
        start_response(status, [("Content-Type", "text/xml"), ("Content-Length", str(len(xml)))])
        return [xml]
    return _json_response(start_response, status, {"__type": code, "message": message}, JSON_CONTENT_TYPE)


class EndpointApp:
    """The WSGI application: control API, request log, faults, then moto."""

    def __init__(self, delay: float = 0.0):
        extension.install()
        extension.set_delay(delay)
        self.moto_app = DomainDispatcherApplication(create_backend_app)
        self.backend_lock = threading.Lock()  # moto's backends are not thread-safe
        self.state_lock = threading.Lock()
        self.faults = FaultConfig()
        self.counts: Counter[str] = Counter()
        self.log: list[dict[str, Any]] = []

    # -- control API ------------------------------------------------------------------------------------------

    def calls(self) -> dict[str, Any]:
        with self.state_lock:
            mutating = sum(n for key, n in self.counts.items() if key in MUTATING_ACTIONS)
            return {"counts": dict(self.counts), "mutating": mutating, "log": [dict(entry) for entry in self.log]}

    def reset(self) -> None:
        with self.state_lock:
            self.counts.clear()
            self.log.clear()

    def configure(self, settings: dict[str, Any]) -> dict[str, Any]:
        unknown = set(settings) - _CONFIG_KEYS
        if unknown:
            raise ControlError(f"unknown configuration keys: {sorted(unknown)}")
        with self.state_lock:
            self._apply_config(settings)
            return self.faults.as_dict()

    def _apply_config(self, settings: dict[str, Any]) -> None:
        faults = self.faults
        if "delay" in settings:
            extension.set_delay(_seconds(settings["delay"], "delay"))
        if "visibility_delay" in settings:
            extension.set_visibility_delay(_seconds(settings["visibility_delay"], "visibility_delay"))
        if "latency" in settings:
            faults.latency = _seconds(settings["latency"], "latency")
        if "throttle_rate" in settings:
            faults.throttle_rate = _rate(settings["throttle_rate"], "throttle_rate")
        if "error_rate" in settings:
            faults.error_rate = _rate(settings["error_rate"], "error_rate")
        if "fault_actions" in settings:
            actions = settings["fault_actions"]
            faults.fault_actions = None if actions is None else [str(a) for a in actions]
        if "drop_response" in settings:
            drop = settings["drop_response"] or {}
            faults.drop_action = str(drop.get("action", ""))
            faults.drop_count = int(drop.get("count", 1 if faults.drop_action else 0))
        if "seed" in settings:
            faults.seed = None if settings["seed"] is None else int(settings["seed"])
            faults.rng.seed(faults.seed)
        if "unknown_users" in settings:
            extension.set_unknown_users(settings["unknown_users"] or [])

    def _control(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "")
        route = path[len(CONTROL_PREFIX) :].strip("/")
        try:
            body = json.loads(_read_body(environ) or b"{}")
            if not isinstance(body, dict):
                raise ControlError("the request body must be a JSON object")
            result = self._route(method, route, body)
        except (ControlError, ValueError, TypeError) as error:
            return _json_response(start_response, "400 Bad Request", {"error": str(error)})
        except KeyError as error:
            return _json_response(start_response, "404 Not Found", {"error": f"not found: {error}"})
        return _json_response(start_response, "200 OK", result)

    def _route(self, method: str, route: str, body: dict[str, Any]) -> dict[str, Any]:
        if (method, route) == ("GET", "calls"):
            return self.calls()
        if (method, route) == ("POST", "reset"):
            self.reset()
            return {"reset": True}
        if (method, route) == ("GET", "config"):
            with self.state_lock:
                return self.faults.as_dict()
        if (method, route) == ("POST", "config"):
            return self.configure(body)
        if (method, route) == ("POST", "force_state"):
            with self.backend_lock:
                return extension.force_workspace_state(
                    str(body["workspace_id"]),
                    str(body["state"]),
                    str(body.get("error_code") or ""),
                    str(body.get("error_message") or ""),
                    region=str(body.get("region") or "us-east-1"),
                )
        if (method, route) == ("POST", "directory_stage"):
            active_after = body.get("active_after")
            with self.backend_lock:
                return extension.set_directory_stage(
                    str(body["directory_id"]),
                    str(body["stage"]),
                    None if active_after is None else _seconds(active_after, "active_after"),
                    region=str(body.get("region") or "us-east-1"),
                )
        raise KeyError(f"{method} {CONTROL_PREFIX}{route}")

    # -- AWS requests -----------------------------------------------------------------------------------------

    def _record(self, call: Call, status: int, fault: str | None) -> None:
        with self.state_lock:
            self.counts[call.key] += 1
            self.log.append(
                {"service": call.service, "action": call.action, "status": status, "items": call.items, "fault": fault}
            )

    def _faults_apply(self, call: Call) -> bool:
        if call.setup:
            return False
        if self.faults.fault_actions is None:
            return call.service == "workspaces"
        return _matches(call, self.faults.fault_actions)

    def _choose_fault(self, call: Call) -> tuple[str | None, bool]:
        """(fault answered instead of the backend, whether to drop the response after the backend ran)."""
        with self.state_lock:
            faults = self.faults
            if self._faults_apply(call):
                if faults.throttle_rate and faults.rng.random() < faults.throttle_rate:
                    return "throttle", False
                if faults.error_rate and faults.rng.random() < faults.error_rate:
                    return faults.rng.choice(["error500", "error503"]), False
            drop = bool(faults.drop_count) and not call.setup and _matches(call, [faults.drop_action])
            if drop:
                faults.drop_count -= 1
            return None, drop

    def _answer_fault(self, fault: str, call: Call, start_response: Callable[..., Any]) -> list[bytes]:
        if fault == "throttle":
            self._record(call, 400, fault)
            # The real service throttles with HTTP 400 ThrottlingException "Rate exceeded".
            return _aws_error(start_response, call, "400 Bad Request", "ThrottlingException", "Rate exceeded")
        if fault == "error503":
            self._record(call, 503, fault)
            return _aws_error(
                start_response, call, "503 Service Unavailable", "ServiceUnavailable", "Service is unavailable."
            )
        self._record(call, 500, fault)
        return _aws_error(
            start_response, call, "500 Internal Server Error", "InternalFailure", "The request processing has failed."
        )

    def _call_moto(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
        captured: dict[str, Any] = {}
        chunks: list[bytes] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
            del exc_info
            captured["status"], captured["headers"] = status, headers
            return chunks.append

        with self.backend_lock:
            result = self.moto_app(environ, capture)
            try:
                chunks.extend(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        return captured["status"], captured["headers"], b"".join(chunks)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith(CONTROL_PREFIX):
            return self._control(environ, start_response)
        call = identify(environ, _read_body(environ))
        with self.state_lock:
            latency = 0.0 if call.setup else self.faults.latency
        if latency:
            time.sleep(latency)
        fault, drop = self._choose_fault(call)
        if fault:
            return self._answer_fault(fault, call, start_response)
        status, headers, body = self._call_moto(environ)
        if call.json_protocol:
            headers = _with_json_content_type(headers)
        self._record(call, int(status.split()[0]), "drop" if drop else None)
        if drop:
            _drop_connection(environ)
        start_response(status, headers)
        return [body]


def _with_json_content_type(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    # moto answers handler strings as text/html; the real JSON services say application/x-amz-json-1.1.
    return [
        (name, JSON_CONTENT_TYPE if name.lower() == "content-type" and value.startswith("text/html") else value)
        for name, value in headers
    ]


def _drop_connection(environ: dict[str, Any]) -> None:
    """Close the client connection without an answer; werkzeug treats the raised error as a dropped client."""
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    raise ConnectionAbortedError("response dropped by fault injection")


class QuietRequestHandler(MotoRequestHandler):
    """moto's request handler without a log line per request."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        del code, size


class EndpointServer:
    """The endpoint on host:port (port 0: the OS picks a free one) served by werkzeug's threaded server."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, delay: float = 0.0, verbose: bool = False):
        self.app = EndpointApp(delay=delay)
        handler = MotoRequestHandler if verbose else QuietRequestHandler
        self.server: BaseWSGIServer = make_server(host, port, self.app, threaded=True, request_handler=handler)

    @property
    def port(self) -> int:
        return int(self.server.server_port)

    @property
    def url(self) -> str:
        return f"http://{self.server.server_address[0]}:{self.port}"

    def serve_forever(self) -> None:
        self.server.serve_forever()

    def shutdown(self) -> None:
        self.server.shutdown()
        self.server.server_close()
