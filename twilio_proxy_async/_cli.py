"""``twilio-proxy-async``: the bulk export, and the emulator as a standalone server.

twilio-proxy-async export --demo --out export-out
twilio-proxy-async emulator --port 0
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shlex
import signal
import sys
from collections.abc import Mapping, Sequence
from typing import TextIO

import attrs

from ._client import Client
from ._exceptions import ConfigurationError
from ._export import (
    FORMATS,
    RESOURCES,
    ExportError,
    PreparedExport,
    Progress,
    describe,
    prepare_export,
)
from ._hosts import is_loopback
from ._version import __version__
from .testing import DemoData, Emulator, Faults

__all__ = ["main"]

EXIT_FAILURE = 1
EXIT_INTERRUPTED = 130

_CREDENTIAL_VARIABLES = (
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_API_KEY",
    "TWILIO_API_SECRET",
)
# The demo sizes by name; with two participants and two interactions per session, medium
# is about 25,000 records: a few seconds of visible progress.
_DEMO_SIZES: Mapping[str, Mapping[str, int]] = {
    "small": {"services": 2, "phone_numbers": 3, "sessions": 50},
    "medium": {"services": 5, "phone_numbers": 10, "sessions": 1000},
    "large": {"services": 10, "phone_numbers": 20, "sessions": 20000},
}
# The one vocabulary of demo counts, for --demo-size name=N pairs and the emulator's
# --demo-NAME flags: DemoData's fields without their "_per_service"/"_per_session".
_DEMO_FIELDS = {field.name.split("_per_")[0]: field.name for field in attrs.fields(DemoData)}


def _demo_data(counts: Mapping[str, int]) -> DemoData:
    return DemoData(**{_DEMO_FIELDS[name]: value for name, value in counts.items()})


def _demo_size(text: str) -> dict[str, int]:
    """``small|medium|large``, or ``name=N`` pairs (e.g. ``services=3,sessions=200``)
    over the medium preset."""
    if text in _DEMO_SIZES:
        return dict(_DEMO_SIZES[text])
    counts = dict(_DEMO_SIZES["medium"])
    for pair in text.split(","):
        name, _, value = pair.partition("=")
        if name.strip() not in _DEMO_FIELDS or not value.strip().isdigit():
            choices = ", ".join(_DEMO_FIELDS)
            raise argparse.ArgumentTypeError(
                f"{text!r}: use small, medium, large or name=N pairs with names from {choices}"
            )
        counts[name.strip()] = int(value)
    return counts


def _resource_list(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in RESOURCES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"choose from {','.join(RESOURCES)}")
    return names


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _add_export(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = commands.add_parser(
        "export",
        help="export every record to one file per resource",
        description=(
            "Export Proxy Services, phone numbers, Sessions, Participants, Interactions and "
            "Chat Services to one file per resource. Credentials come from the flags or "
            "TWILIO_* variables; with none (or with --demo) the export runs against the "
            "embedded emulator seeded with demo data."
        ),
    )
    export.add_argument("--out", default="export-out", help="output directory (export-out)")
    export.add_argument("--format", choices=FORMATS, help="jsonl (default), csv, sqlite or parquet")
    existing = export.add_mutually_exclusive_group()
    existing.add_argument(
        "--resume",
        action="store_true",
        help="continue the interrupted export in --out (an empty or missing --out starts a "
        "fresh export; a complete one is left as it is)",
    )
    existing.add_argument(
        "--overwrite", action="store_true", help="replace the export --out already holds"
    )
    export.add_argument(
        "--demo", action="store_true", help="export demo data from the embedded emulator"
    )
    export.add_argument(
        "--demo-size",
        type=_demo_size,
        help="small, medium (default) or large, or counts such as services=3,sessions=200",
    )
    export.add_argument(
        "--resources",
        type=_resource_list,
        help=f"comma-separated subset of {','.join(RESOURCES)} (all)",
    )
    export.add_argument(
        "--page-size", type=_positive, help="records per request (the largest allowed)"
    )
    export.add_argument(
        "--max-concurrency", type=_positive, default=32, help="requests in flight (32)"
    )
    export.add_argument("--quiet", action="store_true", help="print nothing but errors")
    auth = export.add_argument_group("credentials (never printed)")
    auth.add_argument("--account-sid", help="AC... (env TWILIO_ACCOUNT_SID)")
    auth.add_argument("--auth-token", help="(env TWILIO_AUTH_TOKEN)")
    auth.add_argument("--api-key", help="SK... instead of the auth token (env TWILIO_API_KEY)")
    auth.add_argument("--api-secret", help="(env TWILIO_API_SECRET)")
    auth.add_argument("--region", help="e.g. ie1 (env TWILIO_REGION)")
    auth.add_argument("--edge", help="e.g. dublin (env TWILIO_EDGE)")
    auth.add_argument("--base-url", help="one origin for every API (env TWILIO_BASE_URL)")


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
    for name, field in _DEMO_FIELDS.items():
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
    faults.add_argument("--concurrency-limit", type=_positive, help="answer 429 above this")
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
    _add_export(commands)
    _add_emulator(commands)
    return parser


def _error(message: str) -> None:
    # One line, whatever the exception text holds.
    print(f"error: {' '.join(message.split())}", file=sys.stderr, flush=True)


def _has_credentials(args: argparse.Namespace) -> bool:
    flags = (args.account_sid, args.auth_token, args.api_key, args.api_secret, args.base_url)
    return any(flags) or any(os.environ.get(name) for name in _CREDENTIAL_VARIABLES)


def _demo_counts(args: argparse.Namespace, prepared: PreparedExport) -> dict[str, int]:
    """The demo to seed: as asked, else as the interrupted demo export in --out had it."""
    if args.demo_size is not None:
        return dict(args.demo_size)
    header = prepared.header
    if header is not None and header.source.get("kind") == "demo":
        return {name: int(header.source[name]) for name in _DEMO_FIELDS if name in header.source}
    return dict(_DEMO_SIZES["medium"])


def _twilio_client(args: argparse.Namespace) -> tuple[Client, dict[str, str | int]]:
    base_url = args.base_url or os.environ.get("TWILIO_BASE_URL") or None
    client = Client(
        args.account_sid,
        args.auth_token,
        api_key=args.api_key,
        api_secret=args.api_secret,
        region=args.region,
        edge=args.edge,
        base_url=base_url,
        max_concurrency=args.max_concurrency,
    )
    source: dict[str, str | int] = {
        "kind": "twilio",
        "account_sid": client.account_sid,
        "region": args.region or os.environ.get("TWILIO_REGION") or "",
        "edge": args.edge or os.environ.get("TWILIO_EDGE") or "",
        "base_url": base_url or "",
    }
    return client, source


async def _export(args: argparse.Namespace, prepared: PreparedExport, progress: Progress) -> None:
    async with contextlib.AsyncExitStack() as stack:
        demo_mode = args.demo or not _has_credentials(args)
        if demo_mode:
            counts = _demo_counts(args, prepared)
            source: dict[str, str | int] = {"kind": "demo", **counts}
            # Checked before the emulator starts: a mismatch is refused with nothing begun.
            prepared.check_source(source)
            demo = _demo_data(counts)
            emu = await stack.enter_async_context(Emulator(demo=demo))
            progress.note(
                f"no Twilio credentials used: exporting demo data ({demo.services} services x "
                f"{demo.sessions_per_service} sessions) from the embedded emulator at {emu.url}"
            )
            client = Client(
                emu.account_sid,
                emu.auth_token,
                base_url=emu.url,
                max_concurrency=args.max_concurrency,
            )
        else:
            client, source = _twilio_client(args)
            prepared.check_source(source)
        await stack.enter_async_context(client)
        await prepared.run(
            client,
            progress=progress,
            source=source,
            # A freshly started emulator cannot read the page tokens of the one before it.
            stale_cursors=demo_mode,
        )


def _export_command(args: argparse.Namespace) -> int:
    progress = Progress.for_stream(sys.stderr, quiet=args.quiet)
    try:
        prepared = prepare_export(
            args.out,
            fmt=args.format,
            resume=args.resume,
            overwrite=args.overwrite,
            resources=args.resources,
            page_size=args.page_size,
            workers=args.max_concurrency,
        )
    except ExportError as exc:
        _error(str(exc))
        return EXIT_FAILURE
    with prepared:
        if prepared.complete:
            progress.note(f"{describe(prepared.found, prepared.out_dir)}: nothing to do")
            return 0
        try:
            asyncio.run(_export(args, prepared, progress))
        except KeyboardInterrupt:
            progress.close()
            _error(f"interrupted: {_state_after(prepared)}")
            return EXIT_INTERRUPTED
        except (ExportError, ConfigurationError) as exc:
            progress.close()
            _error(f"{exc}; {_state_after(prepared)}")
            return EXIT_FAILURE
        except Exception as exc:
            progress.close()
            _error(f"export failed: {type(exc).__name__}: {exc}; {_state_after(prepared)}")
            return EXIT_FAILURE
    return 0


def _state_after(prepared: PreparedExport) -> str:
    # A failure before the run began (the emulator, the credentials) left the directory
    # as the run found it.
    return describe(prepared.after_failure or prepared.found, prepared.out_dir)


def _emulator_settings(args: argparse.Namespace) -> tuple[DemoData | None, Faults]:
    demo = None
    if args.demo_services:
        counts = {name: getattr(args, f"demo_{name}", None) for name in _DEMO_FIELDS}
        given = {name: value for name, value in counts.items() if value is not None}
        demo = _demo_data({**given, "seed": args.seed})
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
        _error(
            f"refusing to serve on {args.host}: the emulator accepts the credentials it prints, "
            "so it binds loopback addresses only"
        )
        return EXIT_FAILURE
    try:
        asyncio.run(_serve(args, sys.stdout, demo, faults))
    except KeyboardInterrupt:
        pass
    except (ValueError, OSError) as exc:
        _error(str(exc))
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
    return _export_command(args)


if __name__ == "__main__":
    sys.exit(main())
