"""STS keypad meters as a carrier: the token is made (and stored) before the sale
is committed, shown and printed when it completes, and never made again.

The vending key is loaded by `hardware.sts`'s security module from the file named
by `[sts] key_file` (readable only by the service user); it is never stored in the
database or logged. A hardware security module plugs in as another SecurityModule.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from hardware import sts
from terminal.devices.errors import NotConfigured, driver_errors
from terminal.services.ports import (
    LAST_STS_TID,
    CarrierLimits,
    CarrierRef,
    Delivery,
    IssuedToken,
    MeterRef,
    Prechecked,
    Purchase,
    Reservation,
    TokenRef,
)

SETTINGS = ("sgc", "ti", "krn", "key_type", "ea", "dkga", "base_date", "ken", "iin")
DEFAULTS: dict[str, Any] = {"key_type": 2, "ea": 7, "dkga": 2, "base_date": 2014, "ken": 255,
                            "iin": sts.STS_IIN}


def key_data(number: str, settings: dict[str, Any]) -> sts.MeterKeyData:
    s = {**DEFAULTS, **settings}
    with driver_errors(sts.StsError):
        try:
            return sts.MeterKeyData(pan=sts.make_pan(number, str(s["iin"])), sgc=int(s["sgc"]), ti=int(s["ti"]),
                                    krn=int(s["krn"]), key_type=int(s["key_type"]), ea=int(s["ea"]),
                                    dkga=int(s["dkga"]), base_date=int(s["base_date"]), ken=int(s["ken"]))
        except (KeyError, ValueError) as exc:
            raise sts.MeterKeyDataError(f"STS meter settings incomplete or not numbers: {exc}",
                                        code="METER_KEY_DATA_INVALID") from None


def _issued(token: sts.Token) -> IssuedToken:
    return IssuedToken(digits=token.digits, token_class=token.token_class, subclass=token.subclass,
                       tid=token.tid, value=token.value)


class StsCarrier:
    kind = "sts"
    ref_type: type[CarrierRef] = TokenRef
    needs = frozenset({LAST_STS_TID})

    def __init__(self, module: Callable[[], sts.SecurityModule], meter: MeterRef) -> None:
        self._module = module
        self.meter = meter
        self.key_data = key_data(meter.number, meter.sts or {})

    def limits(self) -> CarrierLimits:
        # whole tenths of a kWh, up to the token's amount field (in 0.1 kWh)
        return CarrierLimits(max_kwh=sts.AMOUNT_MAX * 10, exact_floor=sts.amount_exact_floor)

    def precheck(self, purchase: Purchase) -> Prechecked:
        return Prechecked()   # nothing to judge before the token is made

    def check_settings(self, settings: dict[str, Any]) -> dict[str, Any]:
        unknown = set(settings) - set(SETTINGS)
        if unknown:
            raise NotConfigured(f"unknown STS setting {sorted(unknown)[0]}")
        key_data(self.meter.number, settings)
        return {**DEFAULTS, **settings}

    def reserve(self, purchase: Purchase) -> Reservation:
        """The credit token, made once inside the PENDING commit (after the meter's last TID)."""
        with driver_errors(sts.StsError):
            token = sts.generate_credit_token(self._module(), self.key_data, 0, purchase.credit_kwh // 10,
                                              purchase.issued_at, last_tid=purchase.facts.last_sts_tid)
        return Reservation(ref=TokenRef(token.digits), token=_issued(token))

    def deliver(self, purchase: Purchase) -> Delivery:
        assert isinstance(purchase.ref, TokenRef)
        return Delivery(ref=purchase.ref, detail={"token": purchase.ref.token})

    def holds(self, purchase: Purchase) -> bool | None:
        return isinstance(purchase.ref, TokenRef)   # the stored token is the token: never made again

    def take_back(self, purchase: Purchase) -> bool:
        return False   # a token in the customer's hand cannot be taken back; clear credit is engineering

    def management_token(self, subclass: int, value: int, issued: datetime,
                         last_tid: int | None) -> IssuedToken:
        with driver_errors(sts.StsError):
            return _issued(sts.generate_management_token(self._module(), self.key_data, subclass, value,
                                                              issued, last_tid=last_tid))

    def key_change_tokens(self, new_settings: dict[str, Any]) -> list[IssuedToken]:
        new = key_data(self.meter.number, new_settings)
        with driver_errors(sts.StsError):
            return [_issued(t) for t in sts.generate_key_change_tokens(self._module(), self.key_data, new)]


class StsCarriers:
    """Builds the STS carrier for a meter; the security module is loaded on first use."""

    def __init__(self, key_file: str) -> None:
        self.key_file = key_file
        self._sm: sts.SecurityModule | None = None

    def module(self) -> sts.SecurityModule:
        if self._sm is None:
            if not self.key_file:
                raise NotConfigured("no STS vending key: set [sts] key_file in the terminal config")
            with driver_errors(sts.StsError):
                self._sm = sts.SoftwareSecurityModule.from_key_file(Path(self.key_file))
        return self._sm

    def for_meter(self, meter: MeterRef) -> StsCarrier:
        return StsCarrier(self.module, meter)
