"""python3 tools/dev.py {test,demo,bench,sanity,...}: see README.md."""

from __future__ import annotations

import argparse
import sys
import time

from . import layers


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tools/dev.py")
    sub = parser.add_subparsers(dest="command", required=True)
    test = sub.add_parser("test", help="run every test layer (what CI runs)")
    test.add_argument("--only", help=f"comma-separated layers, from: {', '.join(layers.LAYERS)}")
    test.add_argument("pytest_args", nargs="*", help="extra arguments for the pytest layers")
    sub.add_parser("demo", help="the main job: provision a roster against the local endpoint")
    sub.add_parser("bench", help="fleet-scale benchmarks; writes docs/performance.md")
    args = parser.parse_args(argv)

    if args.command == "test":
        names = args.only.split(",") if args.only else list(layers.LAYERS)
        unknown = sorted(set(names) - set(layers.LAYERS))
        if unknown:
            parser.error(f"unknown layer(s) {', '.join(unknown)}; choose from {', '.join(layers.LAYERS)}")
        return run_layers(names, args.pytest_args)
    if args.command == "demo":
        return layers.run_python("examples/demo.py")
    return layers.run_python("benchmarks/bench.py")


def run_layers(names: list[str], pytest_args: list[str]) -> int:
    results = []
    for name in names:
        started = time.monotonic()
        print(f"\n=== layer: {name} ===", flush=True)
        ok = layers.LAYERS[name](pytest_args) == 0
        results.append((name, ok, time.monotonic() - started))
    print("\n=== summary ===")
    for name, ok, seconds in results:
        print(f"{'PASS' if ok else 'FAIL'}  {name:<12} {seconds:6.0f}s")
    failed = sum(1 for _, ok, _ in results if not ok)
    print(f"layers: {len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
