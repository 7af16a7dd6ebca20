# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Voucher helpers in plain Python: the wire formats ``voucher.issue`` expects and the data URI
a QWeb report needs to show the returned QR image."""

import base64
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal

_QR_MIME = {"png": "image/png", "svg": "image/svg+xml"}


def amount_string(amount, decimals=2):
    """A decimal string with exactly ``decimals`` places (``12.5`` -> ``"12.50"``).

    Floats go through ``repr`` so that ``0.1 + 0.2`` gives ``"0.30"``, not a binary artefact.
    """
    if isinstance(amount, float):
        amount = repr(amount)
    value = Decimal(str(amount))
    if not value.is_finite() or value < 0:
        raise ValueError("amount must be a finite, non-negative number")
    return str(value.quantize(Decimal(1).scaleb(-int(decimals)), rounding=ROUND_HALF_UP))


def rfc3339(moment):
    """RFC 3339 UTC text for a datetime; naive datetimes are UTC (Odoo stores UTC)."""
    if not isinstance(moment, datetime):
        raise TypeError("expected a datetime")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def standard_base64(text):
    """Standard padded base64 from base64 or base64url text (Odoo Binary fields want the former)."""
    if isinstance(text, bytes):
        text = text.decode("ascii")
    text = text.strip().replace("-", "+").replace("_", "/")
    text += "=" * (-len(text) % 4)
    base64.b64decode(text, validate=True)
    return text


def qr_data_uri(qr_base64, qr_format="png"):
    """``data:`` URI for an ``<img src>`` from the base64 QR image ``voucher.issue`` returns."""
    if not qr_base64:
        return False
    if isinstance(qr_base64, bytes):
        qr_base64 = qr_base64.decode("ascii")
    mime = _QR_MIME.get(qr_format)
    if mime is None:
        raise ValueError("qr format must be png or svg")
    base64.b64decode(qr_base64, validate=True)  # refuse anything that is not base64
    return f"data:{mime};base64,{qr_base64}"


def idempotency_key(database_uuid, model, record_id):
    """A stable key so that retrying the issue of one voucher record never issues two vouchers."""
    return f"odoo:{database_uuid}:{model}:{int(record_id)}"
