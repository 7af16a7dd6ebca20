# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from unittest.mock import MagicMock, patch

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from odoo.addons.keybridge_base.client.keybridge_client import KeyBridgeError


@tagged("post_install", "-at_install")
class TestKeyBridgeProvider(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client = MagicMock()
        cls.startClassPatcher(patch.object(type(cls.env["keybridge.backend"]), "client", lambda self: cls.client))
        cls.provider = cls.env.ref("g2p_encryption_keybridge.encryption_provider_keybridge")

    def setUp(self):
        super().setUp()
        self.client.reset_mock(side_effect=True, return_value=True)

    def test_type_is_available(self):
        self.assertIn("keybridge", dict(self.provider._fields["type"].selection))
        self.assertEqual(self.provider.type, "keybridge")

    def test_encrypt_and_decrypt_are_bytes_in_bytes_out(self):
        self.client.encrypt_bytes.return_value = "kb:AAAA"
        self.assertEqual(self.provider.encrypt_data(b"\x00plain"), b"kb:AAAA")
        self.assertEqual(self.client.encrypt_bytes.call_args.args[0], b"\x00plain")
        self.client.decrypt_bytes.return_value = b"\x00plain"
        self.assertEqual(self.provider.decrypt_data(b"kb:AAAA"), b"\x00plain")
        self.assertEqual(self.client.decrypt_bytes.call_args.args[0], "kb:AAAA")

    def test_jwt_sign_flags_reach_keybridge(self):
        self.client.jwt_sign.return_value = "h..s"
        token = self.provider.jwt_sign(b"raw", include_payload=False, include_certificate=True, include_cert_hash=True)
        self.assertEqual(token, "h..s")
        kwargs = self.client.jwt_sign.call_args.kwargs
        self.assertEqual(
            (kwargs["include_payload"], kwargs["include_certificate"], kwargs["include_cert_hash"]), (False, True, True)
        )

    def test_jwt_verify_returns_claims_or_raises(self):
        self.client.jwt_verify.return_value = {"valid": True, "claims": {"sub": "x"}}
        self.assertEqual(self.provider.jwt_verify("a.b.c"), {"sub": "x"})
        self.client.jwt_verify.return_value = {"valid": False, "reason": "signature_invalid"}
        with self.assertRaises(ValueError):
            self.provider.jwt_verify("a.b.c")

    def test_get_jwks(self):
        self.client.get_jwks.return_value = {"keys": [{"kid": "k1"}]}
        self.assertEqual(self.provider.get_jwks(), {"keys": [{"kid": "k1"}]})

    def test_keybridge_errors_are_user_errors_with_their_name(self):
        self.client.encrypt_bytes.side_effect = KeyBridgeError("forbidden", "role encrypter required", 1002)
        with self.assertRaisesRegex(UserError, "forbidden"):
            self.provider.encrypt_data(b"x")
