"""A fake ESC/POS network printer on 127.0.0.1, for tests and demos.

It keeps every byte it is sent and answers the real-time status queries python-escpos
sends (DLE EOT 1: printer status, DLE EOT 4: paper sensor) with one byte, as an Epson
TM printer does: ``0x16`` online, ``0x12`` paper present (FIELD-NOTES). Its ``state``
can change at any time:

    ok          answers 0x16 / 0x12
    paper_low   answers 0x16 / 0x1E (near-end sensor)
    paper_out   answers 0x1E / 0x72 (offline because the roll is empty)
    offline     answers 0x1E / 0x12 (cover open)
    silent      never answers (the client times out)
    drop        closes the connection as soon as print data arrives

A query is recognised when the bytes received so far end with DLE EOT n and nothing
more follows within ``QUIET_S``: the client waits for the answer, while a DLE EOT
pattern inside image data is followed by more data at once.

    python -m hardware.printers.fake_network_printer --port 9100 --out receipts.bin
"""
from __future__ import annotations

import argparse
import select
import socket
import threading
from pathlib import Path
from typing import Self

ANSWERS: dict[str, tuple[int, int] | None] = {
    "ok": (0x16, 0x12),
    "paper_low": (0x16, 0x1E),
    "paper_out": (0x1E, 0x72),
    "offline": (0x1E, 0x12),
    "silent": None,
    "drop": (0x16, 0x12),
}
QUIET_S = 0.05


class FakeNetworkPrinter:
    def __init__(self, state: str = "ok", host: str = "127.0.0.1", port: int = 0,
                 out: str | Path | None = None, then: str | None = None) -> None:
        """``then``: the state to take once print data arrives (e.g. ``paper_out``)."""
        for st in (state, then or state):
            if st not in ANSWERS:
                raise ValueError(f"unknown state {st!r}")
        self.state = state
        self.then = then
        self._sock = socket.create_server((host, port))
        self._sock.settimeout(0.2)
        self.host, self.port = self._sock.getsockname()[:2]
        self.out = Path(out) if out else None
        self.raw = bytearray()          # everything received, queries included
        self.queries: list[int] = []    # n of each DLE EOT n answered (or ignored when silent)
        self.connections = 0
        self._query_at: list[int] = []  # offsets in ``raw`` of the queries answered
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="fake-printer", daemon=True)

    # -- life -----------------------------------------------------------------------
    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._sock.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def printed(self) -> bytes:
        """What was sent for printing, without the status queries it answered."""
        with self._lock:
            data = bytes(self.raw)
            starts = list(self._query_at)
        out = bytearray()
        last = 0
        for at in starts:
            out += data[last:at]
            last = at + 3
        return bytes(out + data[last:])

    # -- serving --------------------------------------------------------------------
    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            with conn:
                self._talk(conn)

    def _talk(self, conn: socket.socket) -> None:
        pending = bytearray()  # bytes since the last answered query
        while not self._stop.is_set():
            ready, _, _ = select.select([conn], [], [], QUIET_S)
            if not ready:
                if len(pending) >= 3 and pending[-3:-1] == b"\x10\x04" and pending[-1] in (1, 4):
                    self._answer(conn, pending[-1])
                    pending.clear()
                continue
            try:
                chunk = conn.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            with self._lock:
                self.raw += chunk
            if self.out:
                with self.out.open("ab") as f:
                    f.write(chunk)
            pending += chunk
            if bytes(pending[:2]) != b"\x10\x04"[: len(pending)]:  # print data, not a query
                if self.state == "drop":
                    conn.close()
                    return
                if self.then:
                    self.state, self.then = self.then, None

    def _answer(self, conn: socket.socket, n: int) -> None:
        with self._lock:
            self.queries.append(n)
            self._query_at.append(len(self.raw) - 3)
        answers = ANSWERS[self.state]
        if answers is None:
            return
        try:
            conn.sendall(bytes([answers[0] if n == 1 else answers[1]]))
        except OSError:
            pass


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="A fake ESC/POS network printer.")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=9100)
    ap.add_argument("--state", default="ok", choices=sorted(ANSWERS))
    ap.add_argument("--out", help="append every received byte to this file")
    args = ap.parse_args(argv)
    printer = FakeNetworkPrinter(args.state, args.host, args.port, args.out).start()
    print(f"fake printer listening on {printer.host}:{printer.port}", flush=True)
    try:
        printer._thread.join()
    except KeyboardInterrupt:
        printer.stop()
    return 0


__all__ = ["ANSWERS", "FakeNetworkPrinter", "main"]

if __name__ == "__main__":
    raise SystemExit(main())
