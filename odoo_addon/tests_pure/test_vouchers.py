"""Voucher helpers (logic/vouchers.py) and voucher.issue through the client (fake server)."""

import base64
import unittest
from datetime import datetime, timedelta, timezone

import _paths  # noqa: F401
from client.keybridge_client import KeyBridgeClient
from fake_keybridge_server import TINY_PNG, FakeKeyBridge
from logic.vouchers import amount_string, idempotency_key, qr_data_uri, rfc3339, standard_base64


class VoucherHelperTests(unittest.TestCase):
    def test_amounts_are_decimal_strings(self):
        self.assertEqual(amount_string(12.5), "12.50")
        self.assertEqual(amount_string(0.1 + 0.2), "0.30")
        self.assertEqual(amount_string(1000, 0), "1000")
        self.assertEqual(amount_string("2.345", 2), "2.35")
        with self.assertRaises(ValueError):
            amount_string(-1)

    def test_rfc3339_is_utc(self):
        self.assertEqual(rfc3339(datetime(2025, 1, 31, 23, 59, 59, 999)), "2025-01-31T23:59:59Z")
        eat = timezone(timedelta(hours=3))
        self.assertEqual(rfc3339(datetime(2025, 2, 1, 2, 0, tzinfo=eat)), "2025-01-31T23:00:00Z")

    def test_qr_data_uri(self):
        png = base64.b64encode(TINY_PNG)
        self.assertEqual(qr_data_uri(png, "png"), "data:image/png;base64," + png.decode())
        self.assertTrue(qr_data_uri("PHN2Zy8+", "svg").startswith("data:image/svg+xml;base64,"))
        self.assertIs(qr_data_uri(False), False)
        with self.assertRaises(ValueError):
            qr_data_uri("not base64!", "png")

    def test_base64url_qr_becomes_standard_base64(self):
        data = bytes(range(250, 256)) * 3
        url = base64.urlsafe_b64encode(data).rstrip(b"=").decode()
        self.assertEqual(base64.b64decode(standard_base64(url)), data)

    def test_idempotency_key_is_stable(self):
        self.assertEqual(idempotency_key("db-uuid", "keybridge.voucher", 7), "odoo:db-uuid:keybridge.voucher:7")


class VoucherIssueTests(unittest.TestCase):
    def setUp(self):
        self.fake = FakeKeyBridge().start()
        self.addCleanup(self.fake.stop)
        self.client = KeyBridgeClient(self.fake.url, "odoo", "s3cret")

    def issue(self, **kw):
        params = dict(
            program="food-2025",
            beneficiary="res.partner-7",
            amount=amount_string(25),
            currency="KES",
            valid_until=rfc3339(datetime(2025, 12, 31)),
            qr="png",
        )
        params.update(kw)
        return self.client.voucher_issue(**params)

    def test_issue_returns_token_and_png_qr(self):
        result = self.issue(idempotency_key="k1")
        self.assertTrue(result["voucher_id"])
        self.assertEqual(result["token"].count("."), 2)
        self.assertTrue(base64.b64decode(result["qr"]).startswith(b"\x89PNG"))
        params = self.fake.jsonrpc_requests("voucher.issue")[0]["params"]
        self.assertEqual(params["amount"], "25.00")
        self.assertEqual(params["valid_until"], "2025-12-31T00:00:00Z")

    def test_same_idempotency_key_gives_the_same_voucher(self):
        self.assertEqual(self.issue(idempotency_key="k2")["voucher_id"], self.issue(idempotency_key="k2")["voucher_id"])

    def test_float_amounts_are_refused(self):
        with self.assertRaises(TypeError):
            self.issue(amount=25.0)


if __name__ == "__main__":
    unittest.main()
