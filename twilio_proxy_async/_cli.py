"""``twilio-proxy-async``: the bulk export, and the emulator as a standalone server.

twilio-proxy-async export --demo --out export-out
twilio-proxy-async emulator --port 0
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shlex
import signal
import sys
from collections.abc import Sequence
from typing import TextIO

import attrs

from ._cli_common import DEMO_FIELDS, EXIT_FAILURE, demo_data, error, positive
from ._cli_export import add_export, export_command
from ._hosts import is_loopback
from ._version import __version__
from .testing import DemoData, Emulator, Faults

__all__ = ["main"]


def _add_emulator(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    emulator = commands.add_parser(
        "emulator",
        help="serve the Proxy v1 + Chat v2 Services emulator until Ctrl-C",
        description=(
            "Serve the stateful emulator until SIGINT or SIGTERM. Prints TWILIO_BASE_URL, "
            "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_API_KEY and TWILIO_API_SECRET as "
            "shell assignments first. Records no requests. With those credentials, POST "
            "/_emulator/simulate/message (From, To, Body) or /_emulator/simulate/call (From, "
            "To) runs an inbound message or call through the Proxy flow, calling the "
            "Service's webhooks on loopback; GET /_emulator/delivered lists what arrived."
        ),
    )
    emulator.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    emulator.add_argument("--port", type=int, default=8080, help="port, 0 for any free (8080)")
    emulator.add_argument("--account-sid", help="the account SID to accept (random)")
    emulator.add_argument("--auth-token", help="the auth token to accept (random)")
    demo = emulator.add_argument_group("demo data (none unless --demo-services is given)")
    defaults = {field.name: field.default for field in attrs.fields(DemoData)}
    for name, field in DEMO_FIELDS.items():
        if name != "seed":
            demo.add_argument(
                f"--demo-{name.replace('_', '-')}",
                type=int,
                default=0 if name == "services" else None,
                help="Proxy Services to seed"
                if name == "services"
                else f"{field.replace('_', ' ')} ({defaults[field]})",
            )
    faults = emulator.add_argument_group("faults")
    faults.add_argument("--latency", type=float, default=0.0, help="seconds added per request")
    faults.add_argument("--concurrency-limit", type=positive, help="answer 429 above this")
    faults.add_argument("--rate-429", type=float, default=0.0, help="share answered 429 (0..1)")
    faults.add_argument("--rate-500", type=float, default=0.0, help="share answered 5xx (0..1)")
    faults.add_argument("--seed", type=int, default=0, help="seed of demo data and faults")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="twilio-proxy-async",
        description="Bulk export from Twilio Proxy v1 + Chat v2, and a local emulator.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_export(commands)
    _add_emulator(commands)
    return parser


def _emulator_settings(args: argparse.Namespace) -> tuple[DemoData | None, Faults]:
    demo = None
    if args.demo_services:
        counts = {name: getattr(args, f"demo_{name}", None) for name in DEMO_FIELDS}
        given = {name: value for name, value in counts.items() if value is not None}
        demo = demo_data({**given, "seed": args.seed})
    faults = Faults(
        latency=args.latency,
        concurrency_limit=args.concurrency_limit,
        rate_429=args.rate_429,
        rate_500=args.rate_500,
        seed=args.seed,
    )
    return demo, faults


async def _serve(
    args: argparse.Namespace, out: TextIO, demo: DemoData | None, faults: Faults
) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    handled = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Where the loop cannot take signals (Windows), Ctrl-C still ends asyncio.run.
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
            handled.append(signum)
    try:
        emulator = Emulator(
            host=args.host,
            port=args.port,
            account_sid=args.account_sid,
            auth_token=args.auth_token,
            demo=demo,
            faults=faults,
        )
        async with emulator as emu:
            assignments = {
                "TWILIO_BASE_URL": emu.url,
                "TWILIO_ACCOUNT_SID": emu.account_sid,
                "TWILIO_AUTH_TOKEN": emu.auth_token,
                "TWILIO_API_KEY": emu.api_key,
                "TWILIO_API_SECRET": emu.api_secret,
            }
            for name, value in assignments.items():
                out.write(f"{name}={shlex.quote(value)}\n")
            out.write(f"# Twilio Proxy v1 + Chat v2 emulator serving {emu.url}; Ctrl-C stops it\n")
            out.flush()
            await stop.wait()
    finally:
        for signum in handled:
            loop.remove_signal_handler(signum)


def _emulator_command(args: argparse.Namespace, demo: DemoData | None, faults: Faults) -> int:
    if not is_loopback(args.host):
        error(
            f"refusing to serve on {args.host}: the emulator accepts the credentials it prints, "
            "so it binds loopback addresses only"
        )
        return EXIT_FAILURE
    try:
        asyncio.run(_serve(args, sys.stdout, demo, faults))
    except KeyboardInterrupt:
        pass
    except (ValueError, OSError) as exc:
        error(str(exc))
        return EXIT_FAILURE
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """The console script: ``twilio-proxy-async {export,emulator} ...``; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "emulator":
        try:
            # DemoData and Faults check their own settings: a bad one is a usage error.
            demo, faults = _emulator_settings(args)
        except ValueError as exc:
            parser.error(str(exc))
        return _emulator_command(args, demo, faults)
    return export_command(args)


if __name__ == "__main__":
    sys.exit(main())
