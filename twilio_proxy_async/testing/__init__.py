"""An embedded, stateful Twilio Proxy v1 + Chat v2 Services emulator for tests and demos.

async with Emulator(demo=DemoData()) as emu:
    client = Client(emu.account_sid, emu.auth_token, base_url=emu.url)
"""

from ._demo import DemoData
from ._faults import Faults
from ._recording import RecordedRequest, RequestLog
from ._server import Emulator, EmulatorStats

__all__ = ["DemoData", "Emulator", "EmulatorStats", "Faults", "RecordedRequest", "RequestLog"]
