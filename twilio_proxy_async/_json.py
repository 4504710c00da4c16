"""Decoding response bodies: orjson when the ``speedups`` extra is installed, else ``json``.

Parsing is a third of the client's CPU when streaming 1000-record pages; orjson takes about
a third off that (see benchmarks/README.md). Both raise a ValueError subclass on bad input,
which is all the callers rely on.
"""

from __future__ import annotations

import json
from collections.abc import Callable

__all__ = ["PARSER", "loads"]

loads: Callable[[bytes], object]
try:
    import orjson
except ImportError:
    loads = json.loads
    PARSER = "json"
else:
    loads = orjson.loads
    PARSER = "orjson"
