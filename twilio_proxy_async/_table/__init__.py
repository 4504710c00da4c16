"""The one table of wire facts: every Proxy v1 and Chat v2 collection this SDK reaches.

Each ``Collection`` says where it lives (path template, parents and their SID prefixes),
what it holds (SID prefix, model, list key, largest page), which operations exist and which
form fields they take (wire name, Python name, type, required). The resource classes, the
emulator's routes and checks, the export's resource tree and the conformance test read these
facts; none of them restates one. A new resource is one entry here, its model, its methods.

It imports only the models, so ``testing/`` can read it without the client.
"""

from ._entries import (
    CHAT,
    CHAT_SERVICES,
    COLLECTIONS,
    INTERACTIONS,
    MESSAGE_INTERACTIONS,
    PARTICIPANTS,
    PHONE_NUMBERS,
    PROXY,
    SERVICES,
    SESSION_PARTICIPANT,
    SESSIONS,
    SHORT_CODES,
    collection,
    parent_of,
)
from ._shapes import Api, Collection, Field, Operation, PathSid, Verb

__all__ = [
    "CHAT",
    "CHAT_SERVICES",
    "COLLECTIONS",
    "INTERACTIONS",
    "MESSAGE_INTERACTIONS",
    "PARTICIPANTS",
    "PHONE_NUMBERS",
    "PROXY",
    "SERVICES",
    "SESSIONS",
    "SESSION_PARTICIPANT",
    "SHORT_CODES",
    "Api",
    "Collection",
    "Field",
    "Operation",
    "PathSid",
    "Verb",
    "collection",
    "parent_of",
]
