"""``twilio-proxy-async export``: its options, its demo data and its run."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
from collections.abc import Mapping

from ._cli_common import (
    DEMO_FIELDS,
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    demo_data,
    error,
    positive,
)
from ._client import Client
from ._exceptions import ConfigurationError
from ._export import FORMATS, RESOURCES, ExportError, PreparedExport, Progress, describe
from .testing import Emulator

__all__ = ["add_export", "export_command"]

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


def _demo_size(text: str) -> dict[str, int]:
    """``small|medium|large``, or ``name=N`` pairs (e.g. ``services=3,sessions=200``)
    over the medium preset."""
    if text in _DEMO_SIZES:
        return dict(_DEMO_SIZES[text])
    counts = dict(_DEMO_SIZES["medium"])
    for pair in text.split(","):
        name, _, value = pair.partition("=")
        if name.strip() not in DEMO_FIELDS or not value.strip().isdigit():
            choices = ", ".join(DEMO_FIELDS)
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


def add_export(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
        "--page-size", type=positive, help="records per request (the largest allowed)"
    )
    export.add_argument(
        "--max-concurrency", type=positive, default=32, help="requests in flight (32)"
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


def _has_credentials(args: argparse.Namespace) -> bool:
    flags = (args.account_sid, args.auth_token, args.api_key, args.api_secret, args.base_url)
    return any(flags) or any(os.environ.get(name) for name in _CREDENTIAL_VARIABLES)


def _demo_counts(args: argparse.Namespace, prepared: PreparedExport) -> dict[str, int]:
    """The demo to seed: as asked, else as the interrupted demo export in --out had it."""
    if args.demo_size is not None:
        return dict(args.demo_size)
    header = prepared.header
    if header is not None and header.source.get("kind") == "demo":
        return {name: int(header.source[name]) for name in DEMO_FIELDS if name in header.source}
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
            demo = demo_data(counts)
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


def export_command(args: argparse.Namespace) -> int:
    progress = Progress.for_stream(sys.stderr, quiet=args.quiet)
    try:
        prepared = PreparedExport(
            args.out,
            fmt=args.format,
            resume=args.resume,
            overwrite=args.overwrite,
            resources=args.resources,
            page_size=args.page_size,
            workers=args.max_concurrency,
        )
    except ExportError as exc:
        error(str(exc))
        return EXIT_FAILURE
    with prepared:
        if prepared.complete:
            progress.note(f"{describe(prepared.found, prepared.out_dir)}: nothing to do")
            return 0
        try:
            asyncio.run(_export(args, prepared, progress))
        except KeyboardInterrupt:
            progress.close()
            error(f"interrupted: {_state_after(prepared)}")
            return EXIT_INTERRUPTED
        except (ExportError, ConfigurationError) as exc:
            progress.close()
            error(f"{exc}; {_state_after(prepared)}")
            return EXIT_FAILURE
        except Exception as exc:
            progress.close()
            error(f"export failed: {type(exc).__name__}: {exc}; {_state_after(prepared)}")
            return EXIT_FAILURE
    return 0


def _state_after(prepared: PreparedExport) -> str:
    # A failure before the run began (the emulator, the credentials) left the directory
    # as the run found it.
    return describe(prepared.after_failure or prepared.found, prepared.out_dir)
