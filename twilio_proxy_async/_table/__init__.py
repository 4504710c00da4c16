"""The one table of wire facts: every Proxy v1 and Chat v2 collection this SDK reaches.

Each ``Collection`` says where it lives (path template, parents and their SID prefixes),
what it holds (SID prefix, model, list key, largest page), which operations exist and which
form fields they take (wire name, Python name, type, required). The resource classes, the
emulator's routes and checks, the export's resource tree and the conformance test read these
facts; none of them restates one. A new resource is one entry here, its model, its methods.

It imports only the models, so ``testing/`` can read it without the client.
"""

from . import _entries, _shapes
from ._entries import *  # noqa: F403 (each entry is named once, in _entries.__all__)
from ._shapes import *  # noqa: F403

__all__ = [*_entries.__all__, *_shapes.__all__]
