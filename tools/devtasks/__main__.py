"""python3 tools/dev.py {test,demo,bench,endpoint,lock}: see README.md."""

from __future__ import annotations

import argparse
import sys
import time
import traceback

from . import Skipped, layers, lock

PASS, FAIL, SKIP = "PASS", "FAIL", "SKIP"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tools/dev.py")
    sub = parser.add_subparsers(dest="command", required=True)
    test = sub.add_parser("test", help="run every test layer (what CI runs)")
    test.add_argument("--only", help=f"comma-separated layers, from: {', '.join(layers.LAYERS)}")
    test.add_argument("pytest_args", nargs="*", help="extra arguments for the pytest layers (after --)")
    sub.add_parser("demo", help="the main job: provision a roster against the local endpoint")
    sub.add_parser("bench", help="fleet-scale benchmarks; writes docs/performance.md")
    endpoint = sub.add_parser("endpoint", help="keep a local endpoint running, for trying the examples by hand")
    endpoint.add_argument("endpoint_args", nargs="*", help="--delay SECONDS, --unregistered (after --)")
    sub.add_parser("lock", help="rewrite requirements-dev.lock from .venv (after changing requirements-dev.txt)")
    args = parser.parse_args(argv)

    if args.command == "test":
        names = args.only.split(",") if args.only else list(layers.LAYERS)
        unknown = sorted(set(names) - set(layers.LAYERS))
        if unknown:
            parser.error(f"unknown layer(s) {', '.join(unknown)}; choose from {', '.join(layers.LAYERS)}")
        return run_layers(names, args.pytest_args)
    if args.command == "demo":
        return layers.run_python("examples/demo.py")
    if args.command == "endpoint":
        return layers.run_python("tools/local_endpoint.py", args.endpoint_args)
    if args.command == "lock":
        return lock.write_lock()
    return layers.run_python("benchmarks/bench.py")


def run_layer(name: str, pytest_args: list[str]) -> tuple[str, str]:
    """Run one layer; (status, note). An unexpected exception fails the layer, it does not stop the run."""
    try:
        code = layers.LAYERS[name](pytest_args)
    except Skipped as skipped:
        print(f"SKIPPED: {skipped}", flush=True)
        return SKIP, str(skipped)
    except Exception as error:  # a broken layer must still leave a summary behind
        traceback.print_exc()
        print(f"layer {name} crashed: {type(error).__name__}: {error}", file=sys.stderr, flush=True)
        return FAIL, f"crashed: {type(error).__name__}"
    return (PASS, "") if code == 0 else (FAIL, f"exit code {code}")


def run_layers(names: list[str], pytest_args: list[str]) -> int:
    results = []
    for name in names:
        started = time.monotonic()
        print(f"\n=== layer: {name} ===", flush=True)
        status, note = run_layer(name, pytest_args)
        results.append((name, status, note, time.monotonic() - started))
    print("\n=== summary ===")
    for name, status, note, seconds in results:
        print(f"{status}  {name:<12} {seconds:6.0f}s  {note}".rstrip())
    statuses = [status for _name, status, _note, _seconds in results]
    count = {status: statuses.count(status) for status in (PASS, FAIL, SKIP)}
    skipped = f", {count[SKIP]} skipped" if count[SKIP] else ""
    print(f"layers: {count[PASS]} passed, {count[FAIL]} failed{skipped}", flush=True)
    return 1 if count[FAIL] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
