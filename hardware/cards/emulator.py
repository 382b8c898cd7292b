"""SLE4442 card behind an ACS reader, emulated through the vsmartcard-vpcd reader.

vpcd protocol (pcscd's vpcd driver listens on 127.0.0.1:35963 for reader 0,
35964 for reader 1): connecting is "card inserted", closing is "removed". Each
message is a 2-byte big-endian length and a payload; a 1-byte payload is a
control (0 power off, 1 power on, 2 reset, 4 get ATR, answered with the ATR);
anything longer is an APDU, answered with data + SW.

The card's memory lives in an image file (:data:`fake.IMAGE_SIZE` bytes: main
memory, protection bits, error counter, PSC), saved after every change.

CLI::

    python -m hardware.cards.emulator --image card.bin --profile acr38 [--port 35963]

creates a blank card image if the file is missing, inserts the card and reads
commands on stdin: ``insert``, ``remove``, ``status``, ``quit``.
"""
from __future__ import annotations

import argparse
import logging
import socket
import struct
import sys
import threading
import time
from pathlib import Path

from .fake import ATR, AcsReaderFront, Faults, Sle4442Chip
from .profiles import ReaderProfile, get_profile

log = logging.getLogger(__name__)

VPCD_PORT = 35963


def _recv_exact(sock: socket.socket, n: int) -> bytes | None:
    buf = b""
    while len(buf) < n:
        try:
            if hasattr(socket, "TCP_QUICKACK"):  # vpcd writes length and payload apart:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)  # ack at once
            part = sock.recv(n - len(buf))
        except OSError:
            return None
        if not part:
            return None
        buf += part
    return buf


class CardEmulator:
    """One emulated card; ``insert()`` / ``remove()`` drive the virtual reader."""

    def __init__(
        self,
        image: str | Path,
        profile: ReaderProfile | str = "acr38",
        host: str = "127.0.0.1",
        port: int = VPCD_PORT,
        factory_psc: bytes = b"\xff\xff\xff",
    ) -> None:
        self.image = Path(image)
        if not self.image.exists():
            Sle4442Chip.blank(factory_psc).save(self.image)
        self.chip = Sle4442Chip.load(self.image)
        self.front = AcsReaderFront(self.chip, get_profile(profile))
        self.host, self.port = host, port
        self.faults = Faults()
        self.apdus = 0
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def inserted(self) -> bool:
        return self._sock is not None

    def insert(self, timeout: float = 10.0) -> None:
        """Connect to vpcd (retrying while pcscd starts); the reader then sees a card."""
        if self.inserted:
            return
        with self._lock:
            self.chip = Sle4442Chip.load(self.image)  # a meter may have changed it while out
            self.front = AcsReaderFront(self.chip, self.front.profile)
        deadline = time.monotonic() + timeout
        while True:
            try:
                sock = socket.create_connection((self.host, self.port), timeout=2.0)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock = sock
        self._thread = threading.Thread(target=self._serve, args=(sock,), name="card-emulator", daemon=True)
        self._thread.start()

    def remove(self) -> None:
        """Pull the card out of the reader (close the vpcd connection)."""
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
            self._thread = None
        with self._lock:
            self.front.power_off()
            self.chip.save(self.image)

    close = remove

    def _serve(self, sock: socket.socket) -> None:
        while True:
            head = _recv_exact(sock, 2)
            if head is None:
                break
            (length,) = struct.unpack(">H", head)
            payload = _recv_exact(sock, length)
            if payload is None:
                break
            answer = self._answer(payload)
            if answer is None:  # fault: card pulled out before answering
                log.info("emulator: card removed by fault injection")
                self.faults = Faults()
                if self._sock is sock:
                    self._sock = None
                    sock.close()
                    with self._lock:
                        self.front.power_off()
                        self.chip.save(self.image)
                return
            if answer:
                try:
                    sock.sendall(struct.pack(">H", len(answer)) + answer)
                except OSError:
                    break

    def _answer(self, payload: bytes) -> bytes | None:
        with self._lock:
            if len(payload) == 1:
                control = payload[0]
                if control in (0, 1, 2):  # power off / on / reset: the card session restarts
                    self.front.power_off()
                    return b""
                return ATR if control == 4 else b""
            if self.faults.should_remove():
                return None
            self.apdus += 1
            writes = self.front.writes
            answer = self.faults.shape(payload, self.front.handle(payload))
            if self.front.writes != writes or payload[1:2] in (b"\x20", b"\xd2", b"\xd1"):
                self.chip.save(self.image)
            return answer


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m hardware.cards.emulator", description=__doc__.split("\n\n")[0])
    ap.add_argument("--image", required=True, help="card image file (created blank if missing)")
    ap.add_argument("--profile", default="acr38", choices=["acr38", "acr39"])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=VPCD_PORT)
    ap.add_argument("--factory-psc", default="FFFFFF", help="PSC of a newly created blank image (hex)")
    ap.add_argument("--removed", action="store_true", help="start with the card out of the reader")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    emu = CardEmulator(args.image, args.profile, args.host, args.port, bytes.fromhex(args.factory_psc))
    if not args.removed:
        emu.insert(timeout=30)
    print(f"card {'inserted' if emu.inserted else 'removed'} ({args.profile}, {args.host}:{args.port})", flush=True)
    try:
        for line in sys.stdin:
            cmd = line.strip().lower()
            if cmd == "insert":
                emu.insert()
            elif cmd == "remove":
                emu.remove()
            elif cmd == "quit":
                break
            elif cmd not in ("status", ""):
                print(f"unknown command {cmd!r}: insert, remove, status, quit", flush=True)
                continue
            print("inserted" if emu.inserted else "removed", flush=True)
        else:  # stdin closed (running in the background): keep the card in until killed
            threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        emu.remove()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
