"""A page server in its own thread, for the pager's wire tests.

The server runs outside the client's event loop, so it sees a request the moment the client
writes it, even while the loop is blocked by a caller doing synchronous work or by a page
being decoded.
"""

from __future__ import annotations

import json
import select
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PAGES = 4
PER_PAGE = 2
# Bounds every wait in these tests; none is reached when the client behaves.
WAIT = 5.0


def service(n: int) -> dict[str, object]:
    return {"sid": f"KS{n:032x}", "unique_name": f"svc-{n}"}


class PageServer:
    """Serves PAGES pages of Services; notes when each page's request arrives.

    ``stall`` pages are never answered: their handler waits until the client hangs up and
    notes that in ``cut``. ``malformed`` maps a page to the index of a record it breaks.
    ``decoy`` maps a page to a URL its last record carries under a ``next_page_url`` key;
    ``layout`` puts ``meta`` after the records (``meta last``), before them (``meta first``),
    or after them with the decoy in a later key (``decoy after meta``: the body's last
    ``next_page_url`` key is then the decoy's, as a hostile server could write it).
    A request with ``Decoy`` in its query is stalled like a ``stall`` page (``decoy_cut``).
    """

    def __init__(self) -> None:
        self.arrived = {index: threading.Event() for index in range(PAGES)}
        self.cut = {index: threading.Event() for index in range(PAGES)}
        self.stall: set[int] = set()
        # Pages answered only once their event is set; a single-Service fetch likewise.
        self.hold: dict[int, threading.Event] = {}
        self.fetch_gate = threading.Event()
        self.malformed: dict[int, int] = {}
        self.decoy: dict[int, str] = {}
        self.layout = "meta last"
        # Characters added to each record's unique_name, to make a page longer than the part
        # of it the pager reads its next URL from.
        self.padding = 0
        self.decoy_arrived = threading.Event()
        self.decoy_cut = threading.Event()
        self.bodies: dict[int, bytes] = {}
        # Every request's path and query, in the order they arrived.
        self.requests: list[str] = []
        self.released = threading.Event()
        self.url = ""

    def page_url(self, index: int) -> str:
        return f"{self.url}/v1/Services?PageSize={PER_PAGE}&Page={index}"

    def body(self, index: int) -> bytes:
        records: list[dict[str, object]] = [service(index * PER_PAGE + n) for n in range(PER_PAGE)]
        for record in records:
            record["unique_name"] = f"{record['unique_name']}{'-' * self.padding}"
        if index in self.malformed:
            records[self.malformed[index]] = {"sid": "not-a-service-sid"}
        trailer: dict[str, object] = {}
        if index in self.decoy and self.layout == "decoy after meta":
            trailer = {"trailer": {"next_page_url": self.decoy[index]}}
        elif index in self.decoy:
            records[-1] = {**records[-1], "next_page_url": self.decoy[index]}
        meta = {
            "key": "services",
            "page": index,
            "page_size": PER_PAGE,
            "next_page_url": self.page_url(index + 1) if index + 1 < PAGES else None,
        }
        layout = (
            {"meta": meta, "services": records}
            if self.layout == "meta first"
            else {"services": records, "meta": meta, **trailer}
        )
        body = json.dumps(layout).encode()
        self.bodies[index] = body
        return body

    def index_of(self, body: bytes) -> int:
        """Which page ``body`` is (it was served by this server)."""
        return next(index for index, served in self.bodies.items() if served == body)

    def wait_for_hang_up(self, handler: BaseHTTPRequestHandler, cut: threading.Event) -> None:
        connection = handler.connection
        for _ in range(int(WAIT / 0.05)):
            if self.released.is_set():
                return
            readable, _, _ = select.select([connection], [], [], 0.05)
            if readable and not connection.recv(1):
                cut.set()
                return


def handler_for(state: PageServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            state.requests.append(self.path)
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            if parts.path != "/v1/Services":
                state.fetch_gate.wait(WAIT)
                self.answer(json.dumps(service(0)).encode())
                return
            if "Decoy" in query:
                state.decoy_arrived.set()
                state.wait_for_hang_up(self, state.decoy_cut)
                self.close_connection = True
                return
            index = int(query.get("Page", ["0"])[0])
            state.arrived[index].set()
            if index in state.hold:
                state.hold[index].wait(WAIT)
            if index in state.stall:
                state.wait_for_hang_up(self, state.cut[index])
                self.close_connection = True
                return
            self.answer(state.body(index))

        def answer(self, body: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return None

    return Handler


@contextmanager
def page_server() -> Iterator[PageServer]:
    """A PageServer on 127.0.0.1, stopped (every held request let go) on leaving."""
    state = PageServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(state))
    httpd.daemon_threads = True
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield state
    finally:
        state.released.set()
        state.fetch_gate.set()
        for event in state.hold.values():
            event.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(WAIT)


def busy_until(event: threading.Event) -> bool:
    """Synchronous work (a sync database driver, a file write) that never yields to the loop;
    it ends early if the server has the next page's request meanwhile."""
    return event.wait(WAIT)
