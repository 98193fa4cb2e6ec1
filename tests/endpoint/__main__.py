"""``python -m endpoint --port 0 --port-file PATH [--delay S]``: serve the endpoint until SIGTERM/SIGINT."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

from .server import EndpointServer


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m endpoint", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 lets the OS pick a free one")
    parser.add_argument("--port-file", type=Path, help="write the bound port here once listening")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds each WorkSpaces state transition takes")
    parser.add_argument("--verbose", action="store_true", help="log every request on stderr")
    return parser.parse_args(argv)


def write_port_file(path: Path, port: int) -> None:
    # Write then rename, so a reader never sees a half-written port.
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(f"{port}\n", encoding="utf-8")
    os.replace(partial, path)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    server = EndpointServer(args.host, args.port, delay=args.delay, verbose=args.verbose)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, name="endpoint-server", daemon=True)
    thread.start()
    if args.port_file:
        write_port_file(args.port_file, server.port)
    print(f"PORT={server.port}", flush=True)
    while not stop.wait(0.5):
        pass
    server.shutdown()
    thread.join(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
