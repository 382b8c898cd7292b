"""The error tree of `central`: every refusal has a stable code and an HTTP status.

::

    PpmsError                        (terminal.domain.errors)
    └── CentralError                 CENTRAL_ERROR     400  root of this package
        ├── BadRequest               BAD_REQUEST       400  a body that is not the documented JSON
        ├── Refused                  (401)                  a request whose signature does not hold
        │   ├── UnknownClient        UNKNOWN_CLIENT    401  no terminal or gateway of that name
        │   ├── BadSignature         BAD_SIGNATURE     401  the HMAC does not match (wrong secret, tampered)
        │   ├── StaleTimestamp       STALE_TIMESTAMP   401  more than 300 s from the center's clock
        │   ├── ReplayedNonce        REPLAYED_NONCE    401  the nonce was seen from that client in 600 s
        │   └── BadAuthHeaders       BAD_AUTH_HEADERS  401  a signing header missing or malformed
        ├── WrongClient              WRONG_CLIENT      403  a client using another client's path or body
        ├── NotFound                 NOT_FOUND         404  no such terminal, meter or payment
        ├── PaymentConflict          PAYMENT_CONFLICT  409  the reference again with another meter or amount
        ├── PaymentMeterUnsupported  PAYMENT_METER_UNSUPPORTED 409  a meter whose token the center cannot vend
        ├── AdminInvalid             ADMIN_INVALID     400  an administration command's bad input
        └── DashboardRefused         (dashboard.md)         a dashboard request refused
            ├── LoginRequired        LOGIN_REQUIRED    401  no session, or it ended or expired
            ├── LoginRefused         LOGIN_REFUSED     401  a wrong user name or password
            ├── LoginLocked          LOGIN_LOCKED      429  too many wrong passwords: wait
            ├── CsrfRefused          CSRF_REFUSED      403  a form without this session's CSRF token
            └── RoleRefused          ROLE_REFUSED      403  the user's role may not see or do this
"""
from __future__ import annotations

from terminal.domain.errors import PpmsError


class CentralError(PpmsError):
    code = "CENTRAL_ERROR"
    status = 400


class BadRequest(CentralError):
    code = "BAD_REQUEST"


class Refused(CentralError):
    code = "REFUSED"
    status = 401


class UnknownClient(Refused):
    code = "UNKNOWN_CLIENT"


class BadSignature(Refused):
    code = "BAD_SIGNATURE"


class StaleTimestamp(Refused):
    code = "STALE_TIMESTAMP"


class ReplayedNonce(Refused):
    code = "REPLAYED_NONCE"


class BadAuthHeaders(Refused):
    code = "BAD_AUTH_HEADERS"


class WrongClient(CentralError):
    code = "WRONG_CLIENT"
    status = 403


class NotFound(CentralError):
    code = "NOT_FOUND"
    status = 404


class PaymentConflict(CentralError):
    code = "PAYMENT_CONFLICT"
    status = 409


class PaymentMeterUnsupported(CentralError):
    code = "PAYMENT_METER_UNSUPPORTED"
    status = 409


class AdminInvalid(CentralError):
    code = "ADMIN_INVALID"


class DashboardRefused(CentralError):
    code = "DASHBOARD_REFUSED"
    status = 403


class LoginRequired(DashboardRefused):
    code = "LOGIN_REQUIRED"
    status = 401


class LoginRefused(DashboardRefused):
    code = "LOGIN_REFUSED"
    status = 401


class LoginLocked(DashboardRefused):
    code = "LOGIN_LOCKED"
    status = 429


class CsrfRefused(DashboardRefused):
    code = "CSRF_REFUSED"


class RoleRefused(DashboardRefused):
    code = "ROLE_REFUSED"
