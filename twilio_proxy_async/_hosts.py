"""Which hosts are this machine: one answer for the client and the emulator.

The client sends plain http only to them; the emulator binds, and calls back, only to them.
Neither may be looser than the other, so both ask here.
"""

from __future__ import annotations

import ipaddress

__all__ = ["is_loopback"]


def is_loopback(host: str) -> bool:
    """``localhost`` or a loopback address (IPv6 with or without its URL brackets)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
