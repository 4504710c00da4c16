"""Benchmarks of twilio-proxy-async against the official ``twilio`` client and bare aiohttp.

Run them all with ``python -m benchmarks`` (``--quick`` for a tiny size); see README.md.
"""
