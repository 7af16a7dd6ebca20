# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged

from ..client.keybridge_client import KeyBridgeError


@tagged("post_install", "-at_install")
class TestBackend(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend = cls.env["keybridge.backend"].create(
            {"name": "Test", "url": "http://keybridge.invalid", "client_id": "odoo", "new_client_secret": "s3cret"}
        )

    def test_secret_is_stored_but_never_shown_back(self):
        self.assertEqual(self.backend.client_secret, "s3cret")
        self.assertFalse(self.backend.new_client_secret)
        self.assertTrue(self.backend.has_client_secret)
        self.backend.new_client_secret = ""  # saving the form without typing keeps the secret
        self.assertEqual(self.backend.client_secret, "s3cret")

    def test_only_system_administrators_can_read_the_backend(self):
        user = new_test_user(self.env, login="kb-internal", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.backend.with_user(user).read(["url"])

    def test_test_connection_reports_keybridge_errors_by_name(self):
        failing = type("C", (), {"forget_token": lambda s: None, "discover": lambda s: (_ for _ in ()).throw(
            KeyBridgeError("invalid_client", "unknown client"))})()
        with patch.object(type(self.backend), "client", lambda self: failing):
            with self.assertRaisesRegex(UserError, "invalid_client"):
                self.backend.action_test_connection()

    def test_test_connection_succeeds(self):
        ok = type("C", (), {"forget_token": lambda s: None, "discover": lambda s: {"methods": [{}, {}]}})()
        with patch.object(type(self.backend), "client", lambda self: ok):
            action = self.backend.action_test_connection()
        self.assertEqual(action["tag"], "display_notification")

    def test_computed_fields_cannot_be_encrypted(self):
        field = self.env["ir.model.fields"]._get("res.partner", "complete_name")
        with self.assertRaises(ValidationError):
            self.backend.partner_field_ids = [(4, field.id)]
