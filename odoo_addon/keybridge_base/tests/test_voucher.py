# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
from unittest.mock import MagicMock, patch

from odoo.tests import TransactionCase, tagged

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==")


@tagged("post_install", "-at_install")
class TestVoucher(TransactionCase):
    def test_issue_stores_token_and_qr_and_renders_the_report(self):
        client = MagicMock()
        client.voucher_issue.return_value = {
            "voucher_id": "v-1",
            "token": "a.b.c",
            "qr": base64.urlsafe_b64encode(PNG).decode().rstrip("="),
        }
        voucher = self.env["keybridge.voucher"].create(
            {"program": "food", "beneficiary_ref": "ben-1", "amount": 12.5, "valid_until": "2030-01-01 00:00:00"}
        )
        with patch.object(type(self.env["keybridge.backend"]), "client", lambda self: client):
            voucher.action_issue()
        kwargs = client.voucher_issue.call_args.kwargs
        self.assertEqual(kwargs["amount"], "12.50")
        self.assertEqual(kwargs["valid_until"], "2030-01-01T00:00:00Z")
        self.assertTrue(kwargs["idempotency_key"].endswith(f":keybridge.voucher:{voucher.id}"))
        self.assertEqual((voucher.state, voucher.voucher_id), ("issued", "v-1"))
        self.assertTrue(voucher.qr_data_uri.startswith("data:image/png;base64,"))
        html = self.env["ir.actions.report"]._render_qweb_html("keybridge_base.report_keybridge_voucher", voucher.ids)[0]
        self.assertIn(voucher.qr_data_uri.encode(), html)
