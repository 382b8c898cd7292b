"""Reading meters over DL/T 645-2007: one meter, a batch on one bus, a port probe.

The session (``MeterReader``) works on any ``ByteLink``; ``read_meter``,
``read_meters`` and ``probe_meter`` open the serial port from ``PortSettings``.
Retries, logging and reply checks live once, in ``MeterReader.read_value``.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar

from hardware.framing import Scan
from hardware.meters import codec
from hardware.meters.errors import (
    MeterError,
    MeterErrorReply,
    MeterGarbledReply,
    MeterNoAnswer,
    MeterPortError,
    MeterSettingsError,
)
from hardware.meters.models import BatchResult, MeterReading, MeterStatus, PortSettings

log = logging.getLogger("hardware.meters")
T = TypeVar("T")

# errors worth another attempt: the line lost or damaged the answer
_RETRYABLE = (MeterNoAnswer, MeterGarbledReply)


class ByteLink(Protocol):
    def write(self, data: bytes) -> None: ...
    def read(self, wait_s: float) -> bytes: ...
    def discard_input(self) -> None: ...
    def close(self) -> None: ...


class MeterReader:
    """A DL/T 645 master on one bus."""

    def __init__(self, link: ByteLink, settings: PortSettings) -> None:
        self.link = link
        self.settings = settings

    # ------------------------------------------------------------ public reads
    def read_address(self) -> str:
        """The address of the only meter on the line (broadcast read-address, 0x13)."""
        request = codec.build_read_address_request(preamble=self.settings.preamble)
        address = self._with_retries(
            "address", lambda: codec.parse_address_reply(self._transact(request)))
        log.info("meter address read: %s", address)
        return address

    def read_value(self, address: str, di: int) -> int:
        """The integer value of data item ``di`` of meter ``address``."""
        address = codec.normalize_address(address)
        if "A" in address:
            raise MeterSettingsError("Read a value from one meter: give its full address.")
        request = codec.build_read_request(address, di, preamble=self.settings.preamble)

        def attempt() -> int:
            frame = self._transact(request, address)
            return codec.decode_value(di, codec.parse_read_reply(frame, address=address, di=di))

        value = self._with_retries(address, attempt)
        log.debug("meter %s DI %08X = %d", address, di, value)
        return value

    def read_optional(self, address: str, di: int) -> int | None:
        """Like ``read_value``, but ``None`` when the meter has no such data item."""
        try:
            return self.read_value(address, di)
        except MeterErrorReply as exc:
            if exc.no_such_data:
                return None
            raise

    def read_total_energy(self, address: str) -> int:
        """Total forward active energy (00 01 00 00) in 0.01 kWh."""
        return self.read_value(address, codec.DI_TOTAL_FORWARD_ACTIVE)

    def read_remaining_energy(self, address: str) -> int | None:
        return self.read_optional(address, codec.DI_REMAINING_ENERGY)

    def read_remaining_money(self, address: str) -> int | None:
        return self.read_optional(address, codec.DI_REMAINING_MONEY)

    def read_purchase_count(self, address: str) -> int | None:
        """Purchases so far: the energy-meter item (03 32 02 01), else the money one."""
        count = self.read_optional(address, codec.DI_PURCHASE_COUNT_ENERGY)
        if count is None:
            count = self.read_optional(address, codec.DI_PURCHASE_COUNT_MONEY)
        return count

    def read_status(self, address: str) -> MeterStatus | None:
        word1 = self.read_optional(address, codec.DI_STATUS_WORD_1)
        word3 = self.read_optional(address, codec.DI_STATUS_WORD_3)
        if word1 is None and word3 is None:
            return None
        return MeterStatus(word1=word1 or 0, word3=word3 or 0)

    def read(self, address: str, *, with_status: bool = True) -> MeterReading:
        """A full reading: total energy, remaining energy and money, purchases, status."""
        address = codec.normalize_address(address)
        return MeterReading(
            address=address,
            total_energy=self.read_total_energy(address),
            remaining_energy=self.read_remaining_energy(address),
            remaining_money=self.read_remaining_money(address),
            purchase_count=self.read_purchase_count(address),
            status=self.read_status(address) if with_status else None,
        )

    def read_many(
        self, addresses: Iterable[str],
        on_result: Callable[[BatchResult], None] | None = None,
    ) -> list[BatchResult]:
        """Read every meter in turn; one that fails is reported and the batch goes on.

        A port failure stops the batch (``MeterPortError``): no meter can answer then.
        """
        results: list[BatchResult] = []
        for raw in addresses:
            try:
                result = BatchResult(raw, reading=self.read(raw))
            except MeterPortError:
                raise
            except MeterError as exc:
                log.warning("meter %s not read: %s %s", raw, exc.code, exc.message)
                result = BatchResult(raw, error=exc)
            results.append(result)
            if on_result is not None:
                on_result(result)
        return results

    # ------------------------------------------------------------ private hooks
    def _with_retries(self, who: str, attempt: Callable[[], T]) -> T:
        tries = self.settings.retries + 1
        for n in range(1, tries + 1):
            try:
                return attempt()
            except _RETRYABLE as exc:
                log.info("meter %s attempt %d/%d: %s", who, n, tries, exc.code)
                if n == tries:
                    raise
        raise AssertionError("unreachable")

    def _transact(self, request: bytes, address: str | None = None) -> codec.Frame:
        """Send ``request``; return the first reply frame (echoes skipped) or raise."""
        self.link.discard_input()
        self.link.write(request)
        deadline = time.monotonic() + self.settings.timeout_s
        buffer = codec.frame_buffer(accept=lambda frame: frame.is_reply)
        heard = bytearray()
        while (remaining := deadline - time.monotonic()) > 0:
            chunk = self.link.read(min(remaining, 0.1))
            if chunk:
                heard += chunk
                buffer.feed(chunk)
                frame = buffer.next_frame()
                if frame is not None:
                    return frame
            elif buffer.trouble is Scan.CHECKSUM:
                break  # a whole damaged frame and then a quiet line: no need to wait on
        if buffer.trouble is None:  # silence, or only our own request echoed
            raise MeterNoAnswer(
                f"No answer from meter {address or '(any)'} on {self.settings.port} within "
                f"{self.settings.timeout_s:g} s: check the address, wiring and port settings.",
                address=address)
        codec.raise_for_trouble(buffer.trouble, bytes(heard), address)
        raise AssertionError("unreachable")


def open_link(settings: PortSettings) -> ByteLink:
    # pyserial is imported only when a port is opened
    from hardware.meters.transport import SerialLink

    return SerialLink(settings)


def read_meter(settings: PortSettings, address: str) -> MeterReading:
    """Open the port, read one meter, close the port (``ppms meter read``)."""
    address = codec.normalize_address(address)
    link = open_link(settings)
    try:
        return MeterReader(link, settings).read(address)
    finally:
        link.close()


def read_meters(
    settings: PortSettings, addresses: Iterable[str],
    on_result: Callable[[BatchResult], None] | None = None,
) -> list[BatchResult]:
    """Centralized meter reading: every meter on one bus, one result per meter."""
    link = open_link(settings)
    try:
        return MeterReader(link, settings).read_many(addresses, on_result)
    finally:
        link.close()


def probe_meter(settings: PortSettings) -> str:
    """``ports test`` for the meter port: read the address of the meter on the line."""
    link = open_link(settings)
    try:
        return MeterReader(link, settings).read_address()
    finally:
        link.close()
