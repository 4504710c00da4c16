"""``python -m benchmarks.profile {stream,fetch,decode}``: ours under pyinstrument.

Needs ``pip install pyinstrument``. Runs the scenario's "ours" side at full size against
the emulator process, once to warm up and once profiled, and prints the call tree.
"""

from __future__ import annotations

import argparse
import asyncio
import json

from pyinstrument import Profiler

from benchmarks._clients import ours_decode, ours_fetch, ours_stream
from benchmarks._emulator import EmulatorProcess
from benchmarks._report import Sample
from benchmarks.scenarios import FULL, page_body


async def _profile(scenario: str, interval: float) -> str:
    sizes = FULL
    async with EmulatorProcess(max(sizes.stream_records, 1000)) as server:
        target = server.target
        body = await page_body(target, sizes.decode_records)
        sids = [record["sid"] for record in json.loads(body)["sessions"]]

        async def run() -> Sample:
            if scenario == "stream":
                return await ours_stream(
                    target, limit=sizes.stream_records, page_size=sizes.stream_page
                )
            if scenario == "fetch":
                return await ours_fetch(
                    target, sids, total=sizes.fetches, in_flight=sizes.in_flight
                )
            return await ours_decode(
                target, body, records=sizes.decode_records, repeat=sizes.decode_repeat
            )

        await run()
        profiler = Profiler(interval=interval)
        profiler.start()
        sample = await run()
        profiler.stop()
    header = f"{scenario}: {sample.rate:,.0f} items/s while profiled\n"
    return header + profiler.output_text(unicode=False, color=False)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__)
    parser.add_argument("scenario", choices=["stream", "fetch", "decode"])
    parser.add_argument("--interval", type=float, default=0.0005, help="sampling, seconds")
    arguments = parser.parse_args()
    print(asyncio.run(_profile(arguments.scenario, arguments.interval)))


if __name__ == "__main__":
    main()
