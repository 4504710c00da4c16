"""``python -m benchmarks.instructions``: decoding a page, counted in CPU instructions.

Wall-clock rates move by +-30 % on a shared machine; instruction counts do not. This runs
each step of scenario 4 (a 1000-record page of Sessions, no HTTP) under valgrind's
callgrind, once with 1 and once with 6 repeats, and reports the difference / 5 per record,
so start-up and imports cancel out. Needs ``valgrind`` on the PATH; takes a few minutes.

An instruction is not a unit of time (C parsers and pure-Python code differ in how many
run per cycle): compare a step with itself across commits, not one step with another.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks._emulator import PROJECT_ROOT, EmulatorProcess, Target

STEPS = {
    "orjson": "orjson.loads of the page (the SDK's parser with the speedups extra)",
    "json": "json.loads of the page (the standard library's parser)",
    "structure": "the SDK's record structurer over the page's parsed records",
    "converter": "the detailed cattrs converter over the same records (errors name the field)",
    "ours": "the SDK's whole page path over a canned transport (scenario 4's 'ours')",
    "peer": "json.loads, then one SessionInstance per record (scenario 4's 'peer')",
}
_RECORDS = 1000
_COLLECTED = re.compile(rb"Collected : (\d+)")


def _child(step: str, repeat: int, body_file: str, target_json: str) -> None:
    body = Path(body_file).read_bytes()
    target = Target(**json.loads(target_json))
    if step == "orjson":
        import orjson

        for _ in range(repeat):
            orjson.loads(body)
    elif step == "json":
        for _ in range(repeat):
            json.loads(body)
    elif step == "structure":
        from twilio_proxy_async import Session
        from twilio_proxy_async._record_hooks import record_structurer

        structure = record_structurer(Session, owned=True)
        records = json.loads(body)["sessions"]
        for _ in range(repeat):
            [structure(record) for record in records]
    elif step == "converter":
        from twilio_proxy_async import Session
        from twilio_proxy_async._converter import converter

        records = json.loads(body)["sessions"]
        for _ in range(repeat):
            [converter.structure(record, Session) for record in records]
    elif step == "ours":
        from benchmarks._clients import ours_decode

        asyncio.run(ours_decode(target, body, records=_RECORDS, repeat=repeat))
    else:
        from benchmarks._peer import peer_decode

        peer_decode(target, body, repeat=repeat)


def _instructions(step: str, repeat: int, body_file: str, target_json: str) -> int:
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        "-m",
        "benchmarks.instructions",
        "--child",
        step,
        str(repeat),
        body_file,
        target_json,
    ]
    done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, check=True)
    found = _COLLECTED.search(done.stderr)
    if found is None:
        raise RuntimeError(f"callgrind printed no total for {step}")
    return int(found.group(1))


async def _page() -> tuple[bytes, Target]:
    from benchmarks.scenarios import page_body

    async with EmulatorProcess(_RECORDS) as server:
        return await page_body(server.target, _RECORDS), server.target


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.instructions", description=__doc__)
    parser.add_argument("steps", nargs="*", metavar="STEP", help=f"some of {', '.join(STEPS)}")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        step, repeat, body_file, target_json = arguments.child
        _child(step, int(repeat), body_file, target_json)
        return
    steps = arguments.steps or list(STEPS)
    unknown = set(steps) - set(STEPS)
    if unknown:
        parser.error(f"unknown steps: {', '.join(sorted(unknown))}")
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (apt-get install valgrind)")
    body, target = asyncio.run(_page())
    target_json = json.dumps(target.__dict__)
    with tempfile.NamedTemporaryFile(suffix=".json") as page:
        page.write(body)
        page.flush()
        for step in steps:
            once = _instructions(step, 1, page.name, target_json)
            six = _instructions(step, 6, page.name, target_json)
            per_record = (six - once) / 5 / _RECORDS
            print(f"{step:10s} {per_record:9,.0f} instructions per record  {STEPS[step]}")


if __name__ == "__main__":
    main()
