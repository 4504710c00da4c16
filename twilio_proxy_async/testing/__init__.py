"""An embedded, stateful Twilio Proxy v1 + Chat v2 Services emulator for tests and demos.

async with Emulator(demo=DemoData()) as emu:
    client = Client(emu.account_sid, emu.auth_token, base_url=emu.url)
"""

from ._background import BackgroundEmulator
from ._callbacks import SentCallback, SimulationError
from ._demo import DemoData
from ._faults import Faults
from ._recording import RecordedRequest, RequestLog
from ._retry_waits import RetryWaits, instant_retry_waits
from ._server import Emulator
from ._simulate import Delivery, SimulationResult
from ._wire import EmulatorStats

__all__ = [
    "BackgroundEmulator",
    "Delivery",
    "DemoData",
    "Emulator",
    "EmulatorStats",
    "Faults",
    "RecordedRequest",
    "RequestLog",
    "RetryWaits",
    "SentCallback",
    "SimulationError",
    "SimulationResult",
    "instant_retry_waits",
]
