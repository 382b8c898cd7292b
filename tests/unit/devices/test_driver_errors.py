"""Driver errors cross into the services by type: each card and STS driver error becomes the
service error class a caller catches, with the driver's code kept on a class of its own."""
from __future__ import annotations

import pytest

from hardware.cards import errors as card_errors
from hardware.sts import errors as sts_errors
from terminal.devices.errors import from_driver
from terminal.services.errors import (
    CardRefused,
    CarrierRefused,
    DeviceAbsent,
    DeviceError,
    OutcomeUncertain,
    ServiceError,
)


def _tree(root: type[Exception]) -> list[type[Exception]]:
    out, todo = [], [root]
    while todo:
        cls = todo.pop()
        out.append(cls)
        todo += cls.__subclasses__()
    return out


def _make(cls: type[Exception]) -> Exception:
    if issubclass(cls, card_errors.PscRejected):
        return cls(2)
    if issubclass(cls, card_errors.CardError):
        return cls("technical detail")
    return cls("a message")


ABSENT = {"READER_UNAVAILABLE", "READER_NOT_FOUND", "CARD_ABSENT", "CARD_REMOVED"}


@pytest.mark.parametrize("driver", _tree(card_errors.CardError) + _tree(sts_errors.StsError),
                         ids=lambda c: c.__name__)
def test_every_driver_error_maps_by_type_and_keeps_its_code(driver: type[Exception]) -> None:
    exc = _make(driver)
    err = from_driver(exc)
    assert err.code == exc.code and "code" not in vars(err)   # the code is the class's, never the instance's
    assert type(err).code == exc.code and isinstance(err, DeviceError) and isinstance(err, ServiceError)
    if exc.code in ABSENT:
        assert isinstance(err, DeviceAbsent)
    elif isinstance(exc, card_errors.CardAccessError | card_errors.CardContentError):
        assert isinstance(err, CardRefused)
    elif isinstance(exc, sts_errors.StsInputError | sts_errors.TokenRejected):
        assert isinstance(err, CarrierRefused) and not isinstance(err, CardRefused)
    else:
        assert not isinstance(err, CarrierRefused | DeviceAbsent | OutcomeUncertain)
    sent = from_driver(exc, uncertain=True)   # once a write was sent, whatever the type
    assert isinstance(sent, OutcomeUncertain) and sent.code == exc.code
    assert not isinstance(sent, CarrierRefused | DeviceAbsent)


def test_one_class_per_code_and_the_category_still_catches_it() -> None:
    a = from_driver(card_errors.WrongMeter("x"))
    b = from_driver(card_errors.WrongMeter("y"))
    assert type(a) is type(b) is CardRefused.for_code("CARD_WRONG_METER")
    assert CardRefused.for_code("CARD_REFUSED") is CardRefused
    assert CardRefused.code == "CARD_REFUSED" and DeviceError.code == "DEVICE_ERROR"   # never rewritten
    assert a.details == {"detail": "x"} and a.message == card_errors.WrongMeter.message
    with pytest.raises(CardRefused):
        raise a
