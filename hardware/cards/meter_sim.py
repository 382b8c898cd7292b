"""A prepaid meter as it treats a card: for the full sale -> meter -> reading loop.

The meter knows the utility's keys (as a real meter does). It checks the card's
MACs, the meter number and the purchase sequence, adds each purchase's credit
once, writes its return data onto the card and runs its credit down as it
consumes. Energy bought = consumed (``cumulative``) + ``credit``, always.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .errors import CardError
from .fake import Sle4442Chip
from .layout import (
    RETURN_AT,
    CardData,
    CardType,
    ClearOrder,
    ClearWhat,
    MeterStatus,
    ReturnData,
    Setting,
    UtilityKeys,
    decode_card,
    encode_return,
)
from .sle4442 import attempts_from_counter


@dataclass(frozen=True)
class MeterOutcome:
    accepted: bool
    code: str  # "OK", "NOTHING_NEW", or why the meter refused the card
    added: int = 0  # 0.01 kWh credited by this insertion


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class PrepaidMeterSim:
    def __init__(
        self,
        meter_no: str,
        keys: UtilityKeys,
        *,
        credit: int = 0,
        cumulative: int = 0,
        last_sequence: int = 0,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.meter_no = meter_no
        self.keys = keys
        self.credit = credit  # 0.01 kWh
        self.cumulative = cumulative  # 0.01 kWh consumed since installation
        self.last_sequence = last_sequence
        self.tampered = False
        self.max_power_w = 0
        self.alarm_level = 0
        self.service_sequence = 0  # last setting / clear card applied
        self.clock = clock

    @property
    def flags(self) -> MeterStatus:
        f = MeterStatus.NONE
        if self.tampered:
            f |= MeterStatus.TAMPER
        if self.credit == 0:
            f |= MeterStatus.RELAY_OPEN
        if self.alarm_level and self.credit < self.alarm_level:
            f |= MeterStatus.LOW_CREDIT
        return f

    def reading(self) -> ReturnData:
        return ReturnData(self.meter_no, self.last_sequence, self.credit, self.cumulative, self.flags,
                          self.clock())

    def consume(self, energy: int) -> int:
        """Use up to ``energy`` (0.01 kWh) of credit; the relay opens at zero."""
        used = min(max(energy, 0), self.credit)
        self.credit -= used
        self.cumulative += used
        return used

    # ---------------------------------------------------------------- cards
    def take_card(self, chip: Sle4442Chip) -> MeterOutcome:
        """The card is inserted into the meter."""
        try:
            data = decode_card(bytes(chip.main), self.keys)
        except CardError as exc:
            return MeterOutcome(False, exc.code)
        ident = data.identity
        if ident is None:
            return MeterOutcome(False, "CARD_BLANK")
        if ident.meter_no not in ("", self.meter_no):
            return MeterOutcome(False, "CARD_WRONG_METER")
        outcome = MeterOutcome(True, "NOTHING_NEW")
        if ident.card_type is CardType.USER:
            outcome = self._purchase(data)
        elif ident.card_type is CardType.SETTING and isinstance(data.body, Setting):
            outcome = self._setting(data.body)
        elif ident.card_type is CardType.CLEAR and isinstance(data.body, ClearOrder):
            outcome = self._clear(data.body)
        if not outcome.accepted or ident.card_type is CardType.TEST:
            return outcome
        if not self._write_return(chip, ident.card_serial):
            return MeterOutcome(False, "CARD_PSC_REJECTED", outcome.added)
        return outcome

    def take_image(self, image: str | Path) -> MeterOutcome:
        """Take a card kept in an emulator image file (the card is out of the reader)."""
        chip = Sle4442Chip.load(image)
        outcome = self.take_card(chip)
        chip.save(image)
        return outcome

    def _purchase(self, data: CardData) -> MeterOutcome:
        p = data.purchase
        if p is None or p.sequence <= self.last_sequence:
            return MeterOutcome(True, "NOTHING_NEW")
        if p.credit_limit and self.credit + p.energy > p.credit_limit:
            return MeterOutcome(False, "CREDIT_LIMIT_EXCEEDED")
        self.credit += p.energy
        self.last_sequence = p.sequence
        if p.max_power_w:
            self.max_power_w = p.max_power_w
        return MeterOutcome(True, "OK", p.energy)

    def _setting(self, s: Setting) -> MeterOutcome:
        if s.sequence <= self.service_sequence:
            return MeterOutcome(True, "NOTHING_NEW")
        self.service_sequence = s.sequence
        self.max_power_w, self.alarm_level = s.max_power_w, s.alarm_level
        return MeterOutcome(True, "OK")

    def _clear(self, c: ClearOrder) -> MeterOutcome:
        if c.sequence <= self.service_sequence:
            return MeterOutcome(True, "NOTHING_NEW")
        self.service_sequence = c.sequence
        if c.clear & ClearWhat.TAMPER:
            self.tampered = False
        if c.clear & ClearWhat.CREDIT:
            self.credit = 0
        return MeterOutcome(True, "OK")

    def _write_return(self, chip: Sle4442Chip, serial: bytes) -> bool:
        if attempts_from_counter(chip.counter) < 2:  # a meter must not lock a card either
            return False
        chip.compare(self.keys.psc_for(serial))
        if not chip.verified:
            return False
        chip.write(RETURN_AT, encode_return(self.reading(), serial, self.keys))
        chip.power_off()
        return True
