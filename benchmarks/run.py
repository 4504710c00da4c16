"""``python -m benchmarks [--quick]``: every scenario in one run, then the table."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import platform
import sys
import time
from collections.abc import Sequence
from importlib.metadata import version

from benchmarks._report import render
from benchmarks.scenarios import FULL, QUICK, SCENARIOS, peer_installed, run_all

__all__ = ["environment", "main"]


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def environment(with_peer: bool) -> str:
    twilio = version("twilio") if with_peer else "not installed"
    return (
        f"{os.cpu_count()} CPUs ({_cpu_model()}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, aiohttp {version('aiohttp')}, "
        f"twilio-proxy-async {version('twilio-proxy-async')}, twilio {twilio}"
    )


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one round")
    parser.add_argument("--rounds", type=int, help="interleaved rounds per scenario")
    parser.add_argument(
        "--only", nargs="+", choices=list(SCENARIOS), default=list(SCENARIOS), metavar="NAME"
    )
    parser.add_argument("--no-peer", action="store_true", help="skip the official client")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _arguments(argv)
    sizes = QUICK if arguments.quick else FULL
    if arguments.rounds is not None:
        sizes = dataclasses.replace(sizes, rounds=arguments.rounds)
    with_peer = not arguments.no_peer and peer_installed()
    if not with_peer and not arguments.no_peer:
        print("the official twilio package is not installed: pip install -e '.[bench]'")
    print(environment(with_peer), flush=True)
    started = time.perf_counter()

    def progress(name: str) -> None:
        print(f"  [{time.perf_counter() - started:6.1f} s] {name} ...", file=sys.stderr)

    results = asyncio.run(
        run_all(sizes, with_peer=with_peer, only=arguments.only, progress=progress)
    )
    print(f"rounds per scenario: {sizes.rounds}; took {time.perf_counter() - started:.0f} s")
    print(render(results))
    return 0
