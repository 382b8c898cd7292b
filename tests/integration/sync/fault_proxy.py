"""A fault-injecting TCP proxy between terminals and the center, for the sync tests.

Each connection draws one fault (seeded) while `faults` is on: dropped before the request
reaches the center, delayed, reset in the middle of the response (after the center did
its work), or the request sent twice (a duplicate the center sees first or second). With
`faults` off every connection passes. `seen` counts what was done.
"""
from __future__ import annotations

import random
import socket
import struct
import threading
import time
from collections import Counter

FAULTS = ("pass", "drop", "delay", "reset_mid_response", "duplicate")


def _read_http(sock: socket.socket) -> bytes:
    """One HTTP message (headers and a Content-Length body); what arrived if the peer closed."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


class FaultProxy:
    def __init__(self, upstream_port: int, seed: int = 14, weights: tuple[int, ...] = (3, 2, 2, 2, 2)) -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.rng = random.Random(seed)
        self.weights = weights
        self.faults = True
        self.seen: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._stop = False
        threading.Thread(target=self._serve, daemon=True).start()

    def close(self) -> None:
        self._stop = True
        self._server.close()

    def _pick(self) -> str:
        with self._lock:
            mode = self.rng.choices(FAULTS, self.weights)[0] if self.faults else "pass"
            self.seen[mode] += 1
            return mode

    def _serve(self) -> None:
        while not self._stop:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _exchange(self, request: bytes) -> bytes:
        with socket.create_connection(self.upstream, timeout=30) as up:
            up.sendall(request)
            return _read_http(up)

    def _handle(self, conn: socket.socket) -> None:
        try:
            with conn:
                conn.settimeout(30)
                mode = self._pick()
                request = _read_http(conn)
                if mode == "drop" or not request:
                    return
                if mode == "delay":
                    time.sleep(self.rng.uniform(0.05, 0.6))
                if mode == "duplicate":
                    twin = threading.Thread(target=self._quietly, args=(request,))
                    twin.start()
                    if self.rng.random() < 0.5:
                        twin.join()
                try:
                    response = self._exchange(request)
                except OSError:
                    return
                if mode == "reset_mid_response":
                    conn.sendall(response[: max(1, len(response) // 2)])
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    return
                conn.sendall(response)
        except OSError:
            return

    def _quietly(self, request: bytes) -> None:
        try:
            self._exchange(request)
        except OSError:
            return
