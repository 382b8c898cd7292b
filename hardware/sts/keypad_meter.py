"""A keypad prepayment meter in software, to follow a sale to the meter.

It holds a decoder key and the meter's key data, a credit register in 0.1 kWh
(other class 0 subclasses in registers of their own) and a TID store. Token
acceptance follows IEC 62055-41:

* a token must decrypt under the meter's key and pass its CRC (TOKEN_CRC);
* a token with a TID is refused when the TID is in the store (TOKEN_USED), when
  the store is full and the TID is older than every stored TID (TOKEN_OLD), or when
  the TID lies past the key's expiry: TID bits 23..16 above the KEN (KEY_EXPIRED;
  an initialization key, type 0, does not expire; key changes are always taken);
* the store keeps the ``tid_store_size`` (default 50) newest TIDs; a key change
  with the rollover bit moves to the next base date and empties it;
* key change sections are collected in any order; the new key takes effect once
  all sections (2 for EA07, 4 for EA11) are in; any other token drops a partial set.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from .decoder import decode_token
from .errors import MeterKeyDataError, TokenRejected
from .keys import DecoderKey
from .meter_data import KEY_TYPE_INITIALIZATION, MeterKeyData
from .security_module import SecurityModule
from .token import (
    CLASS_CREDIT,
    CLASS_MANAGEMENT,
    CLASS_TEST,
    CLEAR_CREDIT,
    CLEAR_TAMPER,
    KEY_SECTION_SUBCLASSES,
    MAX_PHASE_UNBALANCE,
    MAX_POWER_LIMIT,
    SET_TARIFF_RATE,
    WATER_METER_FACTOR,
    DecodedToken,
)

_NEXT_BASE_DATE = {1993: 2014, 2014: 2035}


@dataclass(frozen=True)
class MeterResponse:
    """What the meter shows after accepting a token."""

    token: DecodedToken
    credit_added: int = 0
    key_changed: bool = False


class KeypadMeter:
    """One simulated keypad meter."""

    def __init__(self, meter: MeterKeyData, decoder_key: DecoderKey, *,
                 credit: int = 0, tid_store_size: int = 50) -> None:
        self.meter = meter
        self._key = decoder_key
        self.credit = credit  # electricity register, 0.1 kWh
        self.registers: dict[int, int] = {}  # other class 0 subclasses
        self.tid_store: list[int] = []
        self.tid_store_size = tid_store_size
        self.max_power_limit: int | None = None
        self.phase_unbalance_limit: int | None = None
        self.tariff_rate: int | None = None
        self.water_meter_factor: int | None = None
        self.tamper = False
        self._sections: dict[int, DecodedToken] = {}

    @classmethod
    def for_meter(cls, sm: SecurityModule, meter: MeterKeyData, **kwargs: int) -> KeypadMeter:
        """A meter loaded with its decoder key from a (software) security module."""
        return cls(meter, sm.decoder_key(meter), **kwargs)

    def __repr__(self) -> str:
        return f"KeypadMeter(pan={self.meter.pan}, credit={self.credit})"

    def enter(self, digits: str) -> MeterResponse:
        """Key in a token; the response, or TokenRejected with the reason's code."""
        token = decode_token(self._key, self.meter, digits)
        if token.token_class == CLASS_MANAGEMENT and token.subclass in KEY_SECTION_SUBCLASSES:
            return self._key_section(token)
        self._sections.clear()
        if token.token_class == CLASS_TEST:
            return MeterResponse(token)
        assert token.tid is not None and token.value is not None
        self._accept_tid(token.tid)
        if token.token_class == CLASS_CREDIT:
            if token.subclass == 0:
                self.credit += token.value
            else:
                self.registers[token.subclass] = self.registers.get(token.subclass, 0) + token.value
            return MeterResponse(token, credit_added=token.value)
        self._manage(token)
        return MeterResponse(token)

    def _accept_tid(self, tid: int) -> None:
        if tid >> 16 > self.meter.ken and self.meter.key_type != KEY_TYPE_INITIALIZATION:
            raise TokenRejected("the meter's key has expired: a key change is needed",
                                code="KEY_EXPIRED")
        if tid in self.tid_store:
            raise TokenRejected("this token was already used on this meter", code="TOKEN_USED")
        if len(self.tid_store) >= self.tid_store_size and tid < min(self.tid_store):
            raise TokenRejected("this token is older than the tokens the meter remembers",
                                code="TOKEN_OLD")
        self.tid_store.append(tid)
        self.tid_store.sort()
        del self.tid_store[: max(0, len(self.tid_store) - self.tid_store_size)]

    def _manage(self, token: DecodedToken) -> None:
        value = token.value
        if token.subclass == MAX_POWER_LIMIT:
            self.max_power_limit = value
        elif token.subclass == CLEAR_CREDIT:
            if value == 0xFFFF:
                self.credit = 0
                self.registers.clear()
            elif value == 0:
                self.credit = 0
            elif value is not None:
                self.registers.pop(value, None)
        elif token.subclass == SET_TARIFF_RATE:
            self.tariff_rate = value
        elif token.subclass == CLEAR_TAMPER:
            self.tamper = False
        elif token.subclass == MAX_PHASE_UNBALANCE:
            self.phase_unbalance_limit = value
        elif token.subclass == WATER_METER_FACTOR:
            self.water_meter_factor = value

    def _key_section(self, token: DecodedToken) -> MeterResponse:
        self._sections[token.subclass] = token
        needed = KEY_SECTION_SUBCLASSES[: 2 if self.meter.ea == 7 else 4]
        if any(sub not in self._sections for sub in needed):
            return MeterResponse(token)
        first, second = self._sections[3].fields, self._sections[4].fields
        if self.meter.ea == 7:
            key = (first["key_part"] << 32) | second["key_part"]
            sgc = self.meter.sgc
        else:
            third, fourth = self._sections[8].fields, self._sections[9].fields
            key = ((first["key_part"] << 96) | (third["key_part"] << 64)
                   | (fourth["key_part"] << 32) | second["key_part"])
            sgc = (fourth["sgc_part"] << 12) | third["sgc_part"]
        self._sections.clear()
        base_date = self.meter.base_date
        if first["rollover"]:
            if base_date not in _NEXT_BASE_DATE:
                raise TokenRejected("no base date after 2035", code="TOKEN_CLASS")
            base_date = _NEXT_BASE_DATE[base_date]
        try:
            self.meter = replace(
                self.meter, krn=first["krn"], key_type=first["key_type"], ti=second["ti"],
                ken=(first["ken_high"] << 4) | second["ken_low"], sgc=sgc, base_date=base_date)
        except MeterKeyDataError:
            raise TokenRejected("the key change carries values this meter cannot take",
                                code="TOKEN_CLASS") from None
        self._key = DecoderKey.from_int(key, self.meter.decoder_key_bits)
        if first["rollover"]:
            self.tid_store.clear()
        return MeterResponse(token, key_changed=True)
